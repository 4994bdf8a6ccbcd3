import Foundation
import Columnar

/// What differs between the SQL of two engines: quoting, literals, types, and the few
/// functions that are spelled differently. The compiler (`SQLCompiler`) writes standard
/// SQL and asks the dialect for everything else; a new engine is one file conforming to this.
///
/// Every form here is explicit about what engines leave to defaults: byte-order string
/// comparison, `/` in double precision, calendar months, UTC, nulls placement.
public protocol SQLDialect {
    /// "PostgreSQL", "Spark SQL".
    var name: String { get }
    /// A quoted identifier (always quoted: Chinese names and reserved words).
    func quote(_ identifier: String) -> String
    /// A quoted table name `schema.table`.
    func quoteTable(_ table: RemoteTableName) -> String
    /// A string literal.
    func string(_ s: String) -> String
    /// A date literal for days since 1970-01-01.
    func date(_ days: Int32) -> String
    /// A double literal (NaN and infinities included).
    func double(_ d: Double) -> String
    /// The SQL type of a segsh type.
    func typeName(_ t: DataType) -> String
    /// `x` compared by its bytes (UTF-8 byte order), as segsh compares strings.
    func byteOrder(_ sql: String) -> String
    /// `date + n months` with the day clamped to the month's length; `months` is an integer literal.
    func addMonths(_ date: String, _ months: Int) -> String
    /// `date + n days`, `n` an integer expression.
    func addDays(_ date: String, _ days: String) -> String
    /// Whole days from `a` to `b` (b - a), as a 64-bit integer.
    func daysBetween(_ a: String, _ b: String) -> String
    /// year, month, day, quarter as a 64-bit integer.
    func datePart(_ part: String, _ date: String) -> String
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    func isoWeekday(_ date: String) -> String
    /// The first day of the date's year/quarter/month/week (Monday).
    func dateTrunc(_ unit: String, _ date: String) -> String
    /// The p-quantile by linear interpolation, as an aggregate.
    func percentile(_ x: String, _ p: Double) -> String
    /// The p-quantile of `x` over the rows of `relation` that share the row's values of
    /// `partition` (all rows when empty), broadcast to each row.
    func percentileOver(_ x: String, _ p: Double, partition: [String], relation: String) -> String
    /// The first (or last) non-null value of `x` in a group, in the order of `orderColumn`
    /// when there is one (else any), as an aggregate.
    func firstValue(_ x: String, orderColumn: String?, last: Bool) -> String
    /// The sum of `x` as an aggregate, added in the order of `orderBy` (an ORDER BY list)
    /// where the engine can, so that a sum of doubles is the one segsh computes adding in
    /// that order; else any order.
    func orderedSum(_ x: String, orderBy: String?) -> String
    /// `x LIKE pattern` with `%` and `_` as the only special characters.
    func like(_ x: String, _ pattern: String, negated: Bool) -> String
    /// The truncating remainder of doubles (`b` is never 0 here).
    func doubleRemainder(_ a: String, _ b: String) -> String
    /// `x` (a double) rounded to a whole number, as a double; ties either way.
    func roundToInteger(_ x: String) -> String
    /// The exact sum of the 64-bit integers `x` as an aggregate (`over` empty) or a window
    /// (`over` = `OVER (...)`): null when it would overflow, or when there are no values.
    func integerSum(_ x: String, over: String) -> String
    /// The double nearest to `s0·2^16 + s1·2^-16 + s2·2^-48 + s3·2^-80`, from the four exact
    /// integer sums of `split`'s limbs (BIGINT in Spark, NUMERIC in PostgreSQL). Sums of no
    /// rows (null) may give null or 0: the residual's sum is what makes a total null.
    func double(ofLimbSums sums: [String]) -> String
    /// Integer division of non-negative integers (rounding down).
    func integerDivide(_ a: String, _ b: String) -> String
    /// floor / ceil in double precision.
    func floor(_ x: String) -> String
    func ceil(_ x: String) -> String
    /// The number of characters.
    func length(_ s: String) -> String
    /// 1-based position of `part` in `s`, 0 when absent.
    func position(_ part: String, in s: String) -> String
    /// Whether `s` starts / ends with `part`.
    func startsWith(_ s: String, _ part: String) -> String
    func endsWith(_ s: String, _ part: String) -> String
    /// `substr(s, start, length)` with segsh's rules (start < 1 reads from the first char).
    func substring(_ s: String, start: Int, length: Int?) -> String
    /// A query that counts the rows of `sql`.
    func countQuery(_ sql: String) -> String
    /// The string of `strings` (SQL literals) at the 0-based `index` (an integer expression,
    /// written once: a CASE would repeat it for each string).
    func element(_ index: String, of strings: [String]) -> String
    /// `CREATE TEMPORARY TABLE` / `CREATE TEMPORARY VIEW` prefix for an uploaded table.
    var temporaryTableKeyword: String { get }
    /// Statements to run once per connection before any query (UTC, …).
    var sessionSetup: [String] { get }
    /// SQL functions the dialect's SQL calls, as the statements that create them (callee
    /// first), and the text a statement that calls one contains: created in a session before
    /// its first such statement. Nil when there are none.
    var sessionFunctions: (marker: String, statements: [String])? { get }
    /// How a table's column is read when its values arrive in another form than the
    /// engine's type (timestamps as their text), or nil to read it as it is.
    func readColumn(_ quoted: String, engineType: String) -> String?
    /// Whether the string `s` matches the POSIX regular expression `pattern` (a literal).
    func matches(_ s: String, pattern: String) -> String
    /// A value as text the way segsh prints it (`concat`): `formatDouble` for doubles.
    func text(_ sql: String, of type: DataType) -> String
    /// The name under which `--tables-in` stores an in-memory table (an engine whose catalog
    /// refuses some names maps them to ones it takes).
    func placementName(_ table: String) -> String
}

extension SQLDialect {
    /// `DATE 'yyyy-mm-dd'` (standard SQL; PostgreSQL and Spark both read it).
    public func date(_ days: Int32) -> String {
        let d = CivilDate(daysSinceEpoch: days)
        return String(format: "DATE '%04d-%02d-%02d'", d.year, d.month, d.day)
    }
    /// segsh reads from character max(1, start) and takes `length` characters from there.
    public func substring(_ s: String, start: Int, length: Int?) -> String {
        let lo = max(1, start)
        guard let length else { return "substr(\(s), \(lo))" }
        return "substr(\(s), \(lo), \(max(0, length)))"
    }
    /// Any order: engines without ordered aggregates.
    public func orderedSum(_ x: String, orderBy: String?) -> String { "sum(\(x))" }
    public func cast(_ sql: String, to t: DataType) -> String { "CAST(\(sql) AS \(typeName(t)))" }
    public func readColumn(_ quoted: String, engineType: String) -> String? { nil }
    /// PostgreSQL's operator (Spark SQL spells it `RLIKE`).
    public func matches(_ s: String, pattern: String) -> String { "(\(s) ~ \(string(pattern)))" }
    public func placementName(_ table: String) -> String { table }
    public var sessionFunctions: (marker: String, statements: [String])? { nil }
    /// The engine's own cast (PostgreSQL's double text is segsh's: `3`, `0.1`, `1e-05`).
    public func text(_ sql: String, of type: DataType) -> String { "CAST(\(sql) AS \(typeName(.string)))" }
    public func countQuery(_ sql: String) -> String { "SELECT count(*) FROM (\(sql)) AS counted" }
    public func quoteTable(_ table: RemoteTableName) -> String {
        (table.schema.map { quote($0) + "." } ?? "") + quote(table.table)
    }
}
