import Columnar
import Foundation

/// PostgreSQL (12 and later).
public struct PostgreSQLDialect: SQLDialect {
    public init() {}
    public var name: String { "PostgreSQL" }

    public func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    public func string(_ s: String) -> String {
        // Standard-conforming strings: only the quote is doubled. NUL cannot be sent.
        "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
    }
    public func double(_ d: Double) -> String {
        if d.isNaN { return "CAST('NaN' AS DOUBLE PRECISION)" }
        if d.isInfinite { return d > 0 ? "CAST('Infinity' AS DOUBLE PRECISION)" : "CAST('-Infinity' AS DOUBLE PRECISION)" }
        return "CAST(\(d.description) AS DOUBLE PRECISION)"
    }
    public func typeName(_ t: DataType) -> String {
        switch t {
        case .int: return "BIGINT"
        case .double: return "DOUBLE PRECISION"
        case .date: return "DATE"
        case .bool: return "BOOLEAN"
        case .string: return "TEXT"
        }
    }
    public func byteOrder(_ sql: String) -> String { "(\(sql) COLLATE \"C\")" }
    public func addMonths(_ date: String, _ months: Int) -> String {
        "CAST(\(date) + make_interval(months => \(months)) AS DATE)"
    }
    public func addDays(_ date: String, _ days: String) -> String { "(\(date) + CAST(\(days) AS INTEGER))" }
    public func daysBetween(_ a: String, _ b: String) -> String { "CAST(\(b) - \(a) AS BIGINT)" }
    public func datePart(_ part: String, _ date: String) -> String { "CAST(EXTRACT(\(part.uppercased()) FROM \(date)) AS BIGINT)" }
    public func isoWeekday(_ date: String) -> String { "CAST(EXTRACT(ISODOW FROM \(date)) AS BIGINT)" }
    public func dateTrunc(_ unit: String, _ date: String) -> String {
        unit == "day" ? date : "CAST(date_trunc('\(unit)', \(date)) AS DATE)"
    }
    public func percentile(_ x: String, _ p: Double) -> String {
        "percentile_cont(\(p.description)) WITHIN GROUP (ORDER BY \(x))"
    }
    /// PostgreSQL's percentile_cont is not a window function: a scalar subquery over the
    /// step's input (correlated on the partition columns; once per distinct group in practice
    /// only when PostgreSQL memoizes it, so `median(x) over g` costs a scan per row on large inputs).
    public func percentileOver(_ x: String, _ p: Double, partition: [String], relation: String) -> String {
        let inner = "segsh_p"
        let condition = partition.map { "\(inner).\($0) IS NOT DISTINCT FROM \(relation).\($0)" }.joined(separator: " AND ")
        return "(SELECT \(percentile(x, p)) FROM \(relation) AS \(inner)\(condition.isEmpty ? "" : " WHERE \(condition)"))"
    }
    public func firstValue(_ x: String, orderColumn: String?, last: Bool) -> String {
        let order = orderColumn.map { " ORDER BY \($0)\(last ? " DESC" : "")" } ?? ""
        return "(array_agg(\(x)\(order)) FILTER (WHERE \(x) IS NOT NULL))[1]"
    }
    /// float8 sum adds in its input order, which `ORDER BY` inside the aggregate fixes.
    public func orderedSum(_ x: String, orderBy: String?) -> String { "sum(\(x)\(orderBy.map { " ORDER BY \($0)" } ?? ""))" }
    public func like(_ x: String, _ pattern: String, negated: Bool) -> String {
        "(\(x) \(negated ? "NOT LIKE" : "LIKE") \(pattern) ESCAPE '')"
    }
    public func doubleRemainder(_ a: String, _ b: String) -> String { "(\(a) - trunc(\(a) / \(b)) * \(b))" }
    /// PostgreSQL's double text is segsh's (`3`, `0.1`, `1e-05`, `1.5e+20`) except for
    /// -0 (segsh: `0`), infinities and from 1e15 to 2^53, where segsh still writes plain digits
    /// (`1500000000000000.5`).
    public func text(_ sql: String, of type: DataType) -> String {
        guard type == .double else { return "CAST(\(sql) AS TEXT)" }
        let x = sql, a = "abs(\(sql))"
        let plain = "CASE WHEN \(x) < 0 THEN '-' ELSE '' END || CAST(CAST(trunc(\(a)) AS BIGINT) AS TEXT)"
            + " || CASE WHEN \(a) = trunc(\(a)) THEN '.0' ELSE substr(CAST(\(a) - trunc(\(a)) AS TEXT), 2) END"
        return "CASE WHEN \(x) IS NULL THEN NULL WHEN \(x) = 0 THEN '0' WHEN \(x) = \(double(.infinity)) THEN 'inf' WHEN \(x) = \(double(-.infinity)) THEN '-inf'"
            + " WHEN \(a) >= 1e15 AND \(a) < 9007199254740992 THEN \(plain) ELSE CAST(\(x) AS TEXT) END"
    }
    public func roundToInteger(_ x: String) -> String { "round(\(x))" }
    /// `sum` of bigint is `numeric` in PostgreSQL: exact, never overflows.
    public func integerSum(_ x: String, over: String) -> String { "sum(\(x)) \(over)" }
    /// In `numeric`, exactly (the powers of two written out in full), then rounded once: the
    /// cast to double reads the exact decimal text.
    public func double(ofLimbSums sums: [String]) -> String {
        let scales = ["65536", Self.exactDecimalPowerOfTwo(minus: 16), Self.exactDecimalPowerOfTwo(minus: 48), Self.exactDecimalPowerOfTwo(minus: 80)]
        return "CAST(" + zip(sums, scales).map { "\($0) * \($1)" }.joined(separator: " + ") + " AS DOUBLE PRECISION)"
    }
    public func integerDivide(_ a: String, _ b: String) -> String { "(\(a) / \(b))" }
    public func element(_ index: String, of strings: [String]) -> String {
        "(ARRAY[\(strings.joined(separator: ", "))])[(\(index)) + 1]"
    }
    public func floor(_ x: String) -> String { "floor(\(x))" }
    public func ceil(_ x: String) -> String { "ceil(\(x))" }
    public func length(_ s: String) -> String { "CAST(char_length(\(s)) AS BIGINT)" }
    public func startsWith(_ s: String, _ part: String) -> String { "starts_with(\(s), \(part))" }
    public func endsWith(_ s: String, _ part: String) -> String { "(right(\(s), char_length(\(part))) = \(part))" }
    public func position(_ part: String, in s: String) -> String { "strpos(\(s), \(part))" }
    public var temporaryTableKeyword: String { "CREATE TEMPORARY TABLE" }
    public var sessionSetup: [String] { ["SET TIME ZONE 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET extra_float_digits = 3"] }
    /// Timestamps are read as their text (`2024-06-30 12:34:56.5`, `+00` with a zone, UTC):
    /// lossless, and the same whether a time of day is there or not.
    public func readColumn(_ quoted: String, engineType: String) -> String? {
        engineType.hasPrefix("timestamp") ? "CAST(\(quoted) AS TEXT)" : nil
    }
}
