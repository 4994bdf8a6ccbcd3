import Columnar
import Diagnostics
import Language

/// The result of evaluating an expression: a column, a single value (not yet broadcast), or
/// a duration (only meaningful in date arithmetic and operator arguments).
public enum Value {
    case column(Column)
    case scalar(Scalar)
    case duration(Int, DurationUnit)

    /// The value's type; nil for a null scalar or a duration.
    var type: DataType? {
        switch self {
        case .column(let c): return c.type
        case .scalar(let s): return s.type
        case .duration: return nil
        }
    }

    var typeName: String {
        switch self {
        case .column(let c): return c.type.rawValue
        case .scalar(let s): return s.type?.rawValue ?? "null"
        case .duration: return "duration"
        }
    }

    var isNullScalar: Bool { if case .scalar(.null) = self { return true } else { return false } }

    /// As a column of `count` rows (scalars are broadcast).
    func column(count: Int, nullType: DataType = .int) -> Column {
        switch self {
        case .column(let c): return c
        case .scalar(let s): return Column.constant(s, count: count, type: nullType)
        case .duration(let n, let u): return Column.constant(.int(Int64(Duration.days(n, u))), count: count)
        }
    }
}

/// Durations (`30days`, `2weeks`, `3months`, `1year`): the one place their length in days
/// and their calendar arithmetic on dates are defined.
public enum Duration {
    /// Days in a duration; months and years count as 30 and 365 days where a fixed length is
    /// needed (windows use calendar arithmetic instead, see `shift`).
    /// (Saturating: a duration too long for 64 bits counts as the largest one.)
    public static func days(_ n: Int, _ unit: DurationUnit) -> Int {
        let (v, overflow) = n.multipliedReportingOverflow(by: unit.daysPerUnit)
        return overflow ? (n < 0 ? Int.min : Int.max) : v
    }

    /// A date moved by a duration with calendar arithmetic (months and years keep the day,
    /// clamped to the month's length); nil when the result is beyond the dates segsh can
    /// hold (about ±5.8 million years), which makes the value null.
    public static func shift(_ day: Int32, by n: Int, _ unit: DurationUnit) -> Int32? {
        switch unit {
        case .days, .weeks:
            let (d, overflow) = Int(day).addingReportingOverflow(days(n, unit))
            return overflow ? nil : Int32(exactly: d)
        case .months, .years:
            let (months, overflow) = n.multipliedReportingOverflow(by: unit == .years ? 12 : 1)
            if overflow { return nil }
            return CivilDate(daysSinceEpoch: day).addingMonths(months).checkedDaysSinceEpoch
        }
    }
}

extension Literal {
    var value: Value {
        switch self {
        case .int(let v): return .scalar(.int(v))
        case .double(let v): return .scalar(.double(v))
        case .string(let s): return .scalar(.string(s))
        case .bool(let b): return .scalar(.bool(b))
        case .null: return .scalar(.null)
        case .date(let y, let m, let d):
            return .scalar(CivilDate(year: y, month: m, day: d).checkedDaysSinceEpoch.map { .date($0) } ?? .null)
        case .duration(let n, let u): return .duration(n, u)
        }
    }

    /// The literal as a plain scalar (durations become their day count).
    public var scalar: Scalar {
        switch value {
        case .scalar(let s): return s
        case .duration(let n, let u): return .int(Int64(Duration.days(n, u)))
        case .column: return .null
        }
    }
}
