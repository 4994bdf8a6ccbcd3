/// A proleptic Gregorian calendar date, converted to and from days since 1970-01-01
/// (Howard Hinnant's algorithms, exact for every representable day).
public struct CivilDate: Equatable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// nil when the date does not exist (2024-02-30, month 13).
    public static func valid(year: Int, month: Int, day: Int) -> CivilDate? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              (-9999...9999).contains(year) else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// `2024-06-30` (year-month-day, as written in scripts, parameters and options) as days
    /// since the epoch; nil when it is not a valid date. The one reader of ISO dates in text
    /// (the CSV reader has a byte-level fast path for the same form).
    public static func daysSinceEpoch(iso s: String) -> Int32? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              let date = CivilDate.valid(year: y, month: m, day: d) else { return nil }
        return date.checkedDaysSinceEpoch
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return isLeap(year) ? 29 : 28
        default: return 0
        }
    }

    public init(daysSinceEpoch: Int32) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: m <= 2 ? y + 1 : y, month: m, day: d)
    }

    /// Days since 1970-01-01, clamped to the range of `Int32` (about ±5.8 million years);
    /// see `checkedDaysSinceEpoch` for dates that may lie outside it.
    public var daysSinceEpoch: Int32 { Int32(clamping: days) }

    /// Days since 1970-01-01, or nil when the date lies outside the range of `Int32`.
    public var checkedDaysSinceEpoch: Int32? { Int32(exactly: days) }

    private var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let (a, o1) = era.multipliedReportingOverflow(by: 146097)
        let (b, o2) = a.addingReportingOverflow(doe - 719468)
        if o1 || o2 { return y < 0 ? Int.min : Int.max }
        return b
    }

    /// ISO 8601: `2024-06-30`.
    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Adds calendar months, clamping the day to the target month's length (Jan 31 + 1 month
    /// = Feb 29 in a leap year).
    public func addingMonths(_ n: Int) -> CivilDate {
        // Beyond ±10^15 months every date is out of range anyway; keep the arithmetic finite.
        let n = Swift.max(-1_000_000_000_000_000, Swift.min(1_000_000_000_000_000, n))
        let total = year * 12 + (month - 1) + n
        let y = total >= 0 ? total / 12 : (total - 11) / 12
        let m = total - y * 12 + 1
        return CivilDate(year: y, month: m, day: min(day, CivilDate.daysInMonth(year: y, month: m)))
    }

    /// 0 = Monday … 6 = Sunday (ISO).
    public var weekday: Int {
        let d = Int(daysSinceEpoch)
        return ((d % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday
    }
}
