import Columnar

/// What a cell's number format makes of its number: a plain number, a date (with or
/// without a time of day), or a time of day alone. Excel stores dates as numbers; only the
/// format says which numbers are dates.
enum XLSXValueKind: UInt8 {
    case number, date, time

    /// The kind of the built-in format `id`: 14–17 and 22, and the East Asian date formats
    /// 27–31, 36 and 50–58 (Chinese: `yyyy"年"m"月"d"日"` and the like), are dates; 18–21,
    /// 45–47 and the East Asian 32–35 (`h"时"mm"分"`) are times.
    static func builtIn(_ id: Int) -> XLSXValueKind {
        switch id {
        case 14...17, 22, 27...31, 36, 50...58: return .date
        case 18...21, 32...35, 45...47: return .time
        default: return .number
        }
    }

    /// The kind of a custom format code such as `yyyy"年"m"月"d"日"`, `yyyy/m/d h:mm` or
    /// `[h]:mm:ss`: text in quotes, escaped characters, colours and conditions in brackets
    /// are ignored; a `y`, `d` (or `e`, the era year) makes a date, else `h` or `s` a time.
    /// Only the first section (before `;`) counts.
    static func custom(_ code: String) -> XLSXValueKind {
        var hasDate = false
        var hasTime = false
        var chars = Array(code.unicodeScalars)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            switch c {
            case "\"":
                while let d = chars.first { chars = chars.dropFirst(); if d == "\"" { break } }
            case "\\", "_", "*":
                chars = chars.dropFirst()
            case "[":
                // [h], [mm], [ss] are elapsed times; [Red], [$-409], [>100] are not formats.
                var inside = ""
                while let d = chars.first { chars = chars.dropFirst(); if d == "]" { break }; inside.unicodeScalars.append(d) }
                let lower = inside.lowercased()
                if !lower.isEmpty, lower.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) { hasTime = true }
            case ";":
                chars = chars.dropFirst(chars.count)
            case "y", "Y", "d", "D", "e":
                hasDate = true
            case "h", "H", "s", "S":
                hasTime = true
            default:
                break
            }
        }
        if code.lowercased() == "general" { return .number }
        return hasDate ? .date : hasTime ? .time : .number
    }
}

/// Excel date serial numbers: days since 1899-12-30 in the 1900 system (with Lotus 1-2-3's
/// phantom 1900-02-29 as serial 60), since 1904-01-01 in the 1904 system.
enum XLSXDate {
    /// Days since 1970-01-01 of serial 0 in the 1900 system, for serials from 61 on.
    static let epoch1900: Int = -25569
    /// Days since 1970-01-01 of serial 0 in the 1904 system (1904-01-01).
    static let epoch1904: Int = -24107

    /// The text segsh reads for date serial `serial`: `yyyy-mm-dd` at midnight, else
    /// `yyyy-mm-dd hh:mm:ss` (segsh has no time type; such a column is read as text). nil
    /// for a serial outside the years 1900–9999.
    static func text(serial: Double, date1904: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        // Round to the second first, so that 0.99999999 is the next midnight.
        let totalSeconds = (serial * 86_400).rounded()
        var days = Int(totalSeconds / 86_400)
        let seconds = Int(totalSeconds - Double(days) * 86_400)
        if date1904 {
            days += epoch1904
        } else {
            // Serial 60 is 1900-02-29, which never was; read it as 1900-02-28 with a time of
            // day kept. Serials 1...59 are one day off from a plain count.
            if days < 60 { days += epoch1900 + 1 } else if days == 60 { days = epoch1900 + 60 } else { days += epoch1900 }
        }
        let date = CivilDate(daysSinceEpoch: Int32(days)).description
        if seconds == 0 { return date }
        return date + " " + timeText(seconds: seconds)
    }

    /// `hh:mm:ss` of a time serial (a fraction of a day; a duration of a day or more, as an
    /// elapsed format such as `[h]:mm` shows it, keeps its hours: `36:00:00`).
    static func timeText(serial: Double) -> String? {
        guard serial.isFinite, serial >= 0, serial < 1e7 else { return nil }
        return timeText(seconds: Int((serial * 86_400).rounded()))
    }

    static func timeText(seconds: Int) -> String {
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(h)):\(two(m)):\(two(s))"
    }

    /// The serial number of `days` since 1970-01-01 in the 1900 system, nil before 1900-03-01
    /// (where Excel's serials are off by the phantom leap day) or after 9999-12-31.
    static func serial(daysSinceEpoch days: Int32) -> Int? {
        let serial = Int(days) - epoch1900
        guard serial >= 61, serial <= 2_958_465 else { return nil }
        return serial
    }
}
