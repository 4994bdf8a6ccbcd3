import Columnar
import Foundation

/// Spark SQL (Spark 4.x, through Spark Connect: segsh's SQL functions need 4.0). Differences
/// from PostgreSQL that matter for segsh's semantics, each handled here: backtick
/// identifiers; string literals with backslash escapes (two adjacent quotes are two literals
/// in Spark); strings compare by their UTF-8 bytes already; `floor`/`ceil` return integers
/// (cast back to double); `date - date` is an interval (use `datediff`); `weekday` counts
/// from Monday = 0; `percentile` is exact and interpolating, and also a window function.
public struct SparkSQLDialect: SQLDialect {
    public init() {}
    public var name: String { "Spark SQL" }

    public func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }
    public func string(_ s: String) -> String {
        var out = "'"
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "'"
    }
    public func double(_ d: Double) -> String {
        if d.isNaN { return "CAST('NaN' AS DOUBLE)" }
        if d.isInfinite { return d > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)" }
        return "CAST('\(d.description)' AS DOUBLE)"
    }
    public func typeName(_ t: DataType) -> String {
        switch t {
        case .int: return "BIGINT"
        case .double: return "DOUBLE"
        case .date: return "DATE"
        case .bool: return "BOOLEAN"
        case .string: return "STRING"
        }
    }
    public func byteOrder(_ sql: String) -> String { sql }
    public func addMonths(_ date: String, _ months: Int) -> String { "add_months(\(date), \(months))" }
    public func addDays(_ date: String, _ days: String) -> String { "date_add(\(date), CAST(\(days) AS INT))" }
    public func daysBetween(_ a: String, _ b: String) -> String { "CAST(datediff(\(b), \(a)) AS BIGINT)" }
    public func datePart(_ part: String, _ date: String) -> String {
        let f = part == "day" ? "dayofmonth" : part
        return "CAST(\(f)(\(date)) AS BIGINT)"
    }
    public func isoWeekday(_ date: String) -> String { "CAST(weekday(\(date)) + 1 AS BIGINT)" }
    public func dateTrunc(_ unit: String, _ date: String) -> String { unit == "day" ? date : "trunc(\(date), '\(unit)')" }
    public func percentile(_ x: String, _ p: Double) -> String { "percentile(\(x), \(double(p)))" }
    public func percentileOver(_ x: String, _ p: Double, partition: [String], relation: String) -> String {
        "percentile(\(x), \(double(p))) OVER (\(partition.isEmpty ? "" : "PARTITION BY " + partition.joined(separator: ", ")))"
    }
    public func firstValue(_ x: String, orderColumn: String?, last: Bool) -> String {
        guard let orderColumn else { return "\(last ? "last" : "first")(\(x), true)" }
        let key = "CASE WHEN \(x) IS NOT NULL THEN \(orderColumn) END"
        return "\(last ? "max_by" : "min_by")(\(x), \(key))"
    }
    /// Spark has no ordered aggregates: the non-null values are collected with their key,
    /// sorted, and added one by one in that order (`aggregate`), as segsh adds them.
    public func orderedSum(_ x: String, orderBy: String?) -> String {
        guard let orderBy else { return "sum(\(x))" }
        let pairs = "collect_list(CASE WHEN \(x) IS NOT NULL THEN named_struct('k', \(orderBy), 'v', \(x)) END)"
        return "aggregate(array_sort(\(pairs)), CAST(NULL AS DOUBLE), (acc, e) -> coalesce(acc, CAST(0 AS DOUBLE)) + e.v)"
    }
    public func like(_ x: String, _ pattern: String, negated: Bool) -> String {
        // Spark's default escape is the backslash; an unprintable escape leaves `\` literal.
        "(\(x) \(negated ? "NOT LIKE" : "LIKE") \(pattern) ESCAPE '\u{1}')"
    }
    public func doubleRemainder(_ a: String, _ b: String) -> String { "(\(a) % \(b))" }
    public func roundToInteger(_ x: String) -> String { "rint(\(x))" }
    public func integerSum(_ x: String, over: String) -> String { "try_sum(\(x)) \(over)" }
    public func integerDivide(_ a: String, _ b: String) -> String { "(\(a) DIV \(b))" }
    public func element(_ index: String, of strings: [String]) -> String {
        "element_at(array(\(strings.joined(separator: ", "))), CAST(\(index) AS INT) + 1)"
    }
    /// Spark's `floor`/`ceil` of a double is a BIGINT (an overflow error from 2^63 under
    /// ANSI mode); doubles from 2^52 on, NaN and ±inf are whole already and stay as they are.
    public func floor(_ x: String) -> String { "CASE WHEN abs(\(x)) >= 4503599627370496.0D THEN \(x) ELSE CAST(floor(\(x)) AS DOUBLE) END" }
    public func ceil(_ x: String) -> String { "CASE WHEN abs(\(x)) >= 4503599627370496.0D THEN \(x) ELSE CAST(ceil(\(x)) AS DOUBLE) END" }
    public func length(_ s: String) -> String { "CAST(char_length(\(s)) AS BIGINT)" }
    public func position(_ part: String, in s: String) -> String { "instr(\(s), \(part))" }
    public func startsWith(_ s: String, _ part: String) -> String { "(substr(\(s), 1, char_length(\(part))) = \(part))" }
    public func endsWith(_ s: String, _ part: String) -> String {
        "(char_length(\(part)) = 0 OR right(\(s), char_length(\(part))) = \(part))"
    }
    /// Doubles as `formatDouble` writes them, not as Java does (`1.0`, `1.0E-5`): whole values
    /// below 1e15 as integers, others below 2^53 in plain decimals (the digits of Spark's
    /// decimal conversion, which starts from the shortest text), the rest as `1.5e+20`.
    public func text(_ sql: String, of type: DataType) -> String {
        guard type == .double else { return "CAST(\(sql) AS STRING)" }
        let x = sql
        let plain = "regexp_replace(regexp_replace(CAST(try_cast(\(x) AS DECIMAL(38,22)) AS STRING), '0+$', ''), '[.]$', '.0')"
        let java = "CAST(\(x) AS STRING)"
        let mantissa = "regexp_replace(regexp_extract(\(java), '^([^E]*)E', 1), '[.]0$', '')"
        let exponent = "CAST(regexp_extract(\(java), 'E(-?[0-9]+)$', 1) AS INT)"
        let scientific = "concat(\(mantissa), 'e', IF(\(exponent) < 0, '-', '+'), IF(abs(\(exponent)) < 10, '0', ''), CAST(abs(\(exponent)) AS STRING))"
        return "CASE WHEN \(x) IS NULL THEN NULL WHEN isnan(\(x)) THEN 'NaN'"
            + " WHEN \(x) = \(double(.infinity)) THEN 'inf' WHEN \(x) = \(double(-.infinity)) THEN '-inf'"
            + " WHEN abs(\(x)) < 1e15 AND \(x) = floor(\(x)) THEN CAST(CAST(\(x) AS BIGINT) AS STRING)"
            + " WHEN abs(\(x)) >= 0.0001 AND abs(\(x)) < 9007199254740992 THEN \(plain)"
            + " ELSE \(scientific) END"
    }
    public var temporaryTableKeyword: String { "CREATE TABLE" }
    /// Spark's catalog takes table names of ASCII letters, digits and `_` only: any other
    /// name is stored as `segsh_u` and the hex of its UTF-8 bytes (`客户` → `segsh_ue5aea2e688b7`).
    public func placementName(_ table: String) -> String {
        let plain = !table.isEmpty && table.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        return plain ? table : "segsh_u" + table.utf8.map { String(format: "%02x", $0) }.joined()
    }
    public var sessionSetup: [String] { ["SET spark.sql.session.timeZone=UTC"] }
    /// The functions that round exact sums (`SparkSQLDialect+ExactSum.swift`).
    public var sessionFunctions: (marker: String, statements: [String])? { ("segsh_sum_", Self.exactSumFunctions) }
}
