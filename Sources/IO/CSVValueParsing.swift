import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum CSVIntResult { case value(Int64), overflow, none }
enum CSVDateResult { case value(Int32), invalid, none }

private let digit0 = UInt8(ascii: "0")

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- digit0 < 10 }

/// A strftime-like date format: `%Y` (4 digits), `%y` (2 digits, 70-99 → 19xx, else 20xx),
/// `%m` and `%d` (1 or 2 digits), `%%`, and literal bytes.
struct CSVDateFormat: Sendable {
    enum Piece: Sendable, Equatable { case year4, year2, month, day, literal(UInt8) }
    let pieces: [Piece]

    init?(_ format: String) {
        var pieces: [Piece] = []
        var bytes = Array(format.utf8)[...]
        var hasY = false, hasM = false, hasD = false
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%") {
                guard let c = bytes.popFirst() else { return nil }
                switch c {
                case UInt8(ascii: "Y"): pieces.append(.year4); hasY = true
                case UInt8(ascii: "y"): pieces.append(.year2); hasY = true
                case UInt8(ascii: "m"): pieces.append(.month); hasM = true
                case UInt8(ascii: "d"): pieces.append(.day); hasD = true
                case UInt8(ascii: "%"): pieces.append(.literal(b))
                default: return nil
                }
            } else {
                pieces.append(.literal(b))
            }
        }
        guard hasY, hasM, hasD else { return nil }
        self.pieces = pieces
    }

    func parse(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVDateResult {
        var i = 0, y = 0, m = 0, d = 0
        for piece in pieces {
            switch piece {
            case .literal(let c):
                guard i < n, p[i] == c else { return .none }
                i += 1
            case .year4:
                guard i + 4 <= n else { return .none }
                for k in 0..<4 { guard isDigit(p[i + k]) else { return .none }; y = y * 10 + Int(p[i + k] - digit0) }
                i += 4
            case .year2:
                guard i + 2 <= n, isDigit(p[i]), isDigit(p[i + 1]) else { return .none }
                let yy = Int(p[i] - digit0) * 10 + Int(p[i + 1] - digit0)
                y = yy >= 70 ? 1900 + yy : 2000 + yy
                i += 2
            case .month, .day:
                guard i < n, isDigit(p[i]) else { return .none }
                var v = Int(p[i] - digit0); i += 1
                if i < n, isDigit(p[i]) { v = v * 10 + Int(p[i] - digit0); i += 1 }
                if piece == .month { m = v } else { d = v }
            }
        }
        guard i == n else { return .none }
        guard let date = CivilDate.valid(year: y, month: m, day: d) else { return .invalid }
        return .value(date.daysSinceEpoch)
    }
}

/// Parses field bytes into typed values. Works on raw UTF-8 bytes, never on `String`s.
/// Each chunk owns one parser (it has a scratch buffer for currency clean-up).
struct CSVValueParser {
    let currency: Bool
    let dateFormat: CSVDateFormat?

    init(options: CSVOptions) {
        currency = options.currencyNumbers
        dateFormat = options.dateFormat.flatMap { CSVDateFormat($0) }
    }

    /// Empty, `NULL`, `null`, `Null`, `NA`, `N/A`, `n/a` (after trimming spaces).
    @inline(__always)
    static func isNull(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        switch n {
        case 0: return true
        case 2: return p[0] == UInt8(ascii: "N") && p[1] == UInt8(ascii: "A")
        case 3: return (p[0] == UInt8(ascii: "N") && p[1] == UInt8(ascii: "/") && p[2] == UInt8(ascii: "A"))
            || (p[0] == UInt8(ascii: "n") && p[1] == UInt8(ascii: "/") && p[2] == UInt8(ascii: "a"))
        case 4:
            let w = UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24
            return w == 0x4C4C_554E /* NULL */ || w == 0x6C6C_756E /* null */ || w == 0x6C6C_754E /* Null */
        default: return false
        }
    }

    /// `-?[0-9]+`; a digit string with a leading zero (`00123`) or a plus sign
    /// (`+318855443322`, a phone number) is an identifier, not a number.
    @inline(__always)
    static func parsePlainInt(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVIntResult {
        var i = 0
        var negative = false
        if n > 0, p[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < n else { return .none }
        if p[i] == digit0 && n - i > 1 { return .none }
        var v: UInt64 = 0
        var overflow = false
        while i < n {
            let d = p[i] &- digit0
            if d > 9 { return .none }
            if !overflow {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 { overflow = true } else { v = s }
            }
            i += 1
        }
        if overflow { return .overflow }
        if negative {
            if v > UInt64(Int64.max) + 1 { return .overflow }
            return .value(v == UInt64(Int64.max) + 1 ? Int64.min : -Int64(v))
        }
        if v > UInt64(Int64.max) { return .overflow }
        return .value(Int64(v))
    }

    /// Decimal numbers: `-12.5`, `.5`, `3.`, `1e-3`. Exact: short inputs use the exact
    /// fast path (mantissa < 2^53 divided by an exact power of ten), others go to `strtod`.
    static func parsePlainDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0
        var negative = false
        if n > 0, p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { negative = p[0] == UInt8(ascii: "-"); i = 1 }
        // Digits accumulate without checks (wrapping past 19 digits, when the fast path
        // below is not taken anyway).
        let intStart = i
        var mantissa: UInt64 = 0
        while i < n {
            let d = p[i] &- digit0
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        let intDigits = i - intStart
        if intDigits > 1 && p[intStart] == digit0 { return nil }
        // `+` before a whole number: an identifier such as a phone number (see parsePlainInt).
        if i == n && intStart == 1 && p[0] == UInt8(ascii: "+") { return nil }
        var fracDigits = 0
        if i < n, p[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < n {
                let d = p[i] &- digit0
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            fracDigits = i - fracStart
        }
        guard intDigits + fracDigits > 0 else { return nil }
        var hasExponent = false
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < n, isDigit(p[i]) { i += 1 }
            guard i > expStart else { return nil }
        }
        guard i == n else { return nil }
        // Exact: a mantissa below 2^53 and a power of ten up to 10^22 are both doubles, and
        // one division of exact doubles is correctly rounded (Clinger's fast path).
        if !hasExponent && intDigits + fracDigits <= 19 && mantissa <= 1 << 53 && fracDigits <= 22 {
            let v = Double(mantissa) / powerOfTen(fracDigits)
            return negative ? -v : v
        }
        // Slow path: strtod on a NUL-terminated copy.
        let v: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            guard let base = buf.baseAddress else { return .nan }
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: n)
            base[n] = 0
            return strtod(base, nil)
        }
        return v.isFinite ? v : nil
    }

    /// Whether a field is a plain decimal number (digits, one `.`, an exponent) whose value
    /// is beyond ±Double.greatestFiniteMagnitude, such as `1e400`.
    static func isOverflowingDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard n > 0, n < 4096 else { return false }
        var i = 0
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { i = 1 }
        var digits = 0
        while i < n {
            let b = p[i]
            if isDigit(b) { digits += 1 } else if b != UInt8(ascii: ".") && b != UInt8(ascii: "e") && b != UInt8(ascii: "E")
                && b != UInt8(ascii: "-") && b != UInt8(ascii: "+") { return false }
            i += 1
        }
        guard digits > 0 else { return false }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            UnsafeMutableRawPointer(base).copyMemory(from: p, byteCount: n)
            base[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(base, &end)
            guard let end, end - base == n else { return false }
            return v.isInfinite
        }
    }

    /// 10^k for k in 0...22, all exact doubles (a switch of constants: no array, no lazy global).
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// ISO `2024-06-30`, `2024-6-3`, `2024/6/30`, `2024/06/30`, `2024年6月30日`.
    static func parseBuiltinDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVDateResult {
        if n == 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") { return parseISODate(p) }
        guard n >= 8, n <= 19, isDigit(p[0]), isDigit(p[1]), isDigit(p[2]), isDigit(p[3]) else { return .none }
        let y = Int(p[0] - digit0) * 1000 + Int(p[1] - digit0) * 100 + Int(p[2] - digit0) * 10 + Int(p[3] - digit0)
        var i = 4
        func number() -> Int? {
            guard i < n, isDigit(p[i]) else { return nil }
            var v = Int(p[i] - digit0); i += 1
            if i < n, isDigit(p[i]) { v = v * 10 + Int(p[i] - digit0); i += 1 }
            return v
        }
        func chinese(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
            guard i + 3 <= n, p[i] == a, p[i + 1] == b, p[i + 2] == c else { return false }
            i += 3
            return true
        }
        let sep = p[4]
        let m: Int, d: Int
        if sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") {
            i = 5
            guard let mm = number(), i < n, p[i] == sep else { return .none }
            i += 1
            guard let dd = number(), i == n else { return .none }
            m = mm; d = dd
        } else if chinese(0xE5, 0xB9, 0xB4) {  // 年
            guard let mm = number(), chinese(0xE6, 0x9C, 0x88), let dd = number(), chinese(0xE6, 0x97, 0xA5), i == n else { return .none }
            m = mm; d = dd
        } else {
            return .none
        }
        guard let date = CivilDate.valid(year: y, month: m, day: d) else { return .invalid }
        return .value(date.daysSinceEpoch)
    }

    /// `YYYY-MM-DD` (ten bytes, dashes at 4 and 7), the form nearly every export writes:
    /// digits checked and combined directly, days counted with the civil-from-days inverse
    /// (H. Hinnant's `days_from_civil`) without building a `CivilDate`.
    @inline(__always)
    static func parseISODate(_ p: UnsafePointer<UInt8>) -> CSVDateResult {
        let d0 = p[0] &- digit0, d1 = p[1] &- digit0, d2 = p[2] &- digit0, d3 = p[3] &- digit0
        let m0 = p[5] &- digit0, m1 = p[6] &- digit0, a0 = p[8] &- digit0, a1 = p[9] &- digit0
        guard d0 < 10, d1 < 10, d2 < 10, d3 < 10, m0 < 10, m1 < 10, a0 < 10, a1 < 10 else { return .none }
        let year = Int(d0) * 1000 + Int(d1) * 100 + Int(d2) * 10 + Int(d3)
        let month = Int(m0) * 10 + Int(m1), day = Int(a0) * 10 + Int(a1)
        guard month >= 1, month <= 12, day >= 1 else { return .invalid }
        if day > 28 {
            let leap = year & 3 == 0 && (year % 100 != 0 || year % 400 == 0)
            let length = month == 2 ? (leap ? 29 : 28) : (month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31)
            guard day <= length else { return .invalid }
        }
        let y = month <= 2 ? year - 1 : year  // years 0...9999: y >= -1
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return .value(Int32(era * 146_097 + doe - 719_468))
    }

    @inline(__always)
    func parseDate(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVDateResult {
        if let f = dateFormat {
            let r = f.parse(p, n)
            if case .none = r {} else { return r }
        }
        return CSVValueParser.parseBuiltinDate(p, n)
    }

    /// `true` / `false`, any case.
    @inline(__always)
    static func parseBool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        if n == 4 {
            let w = (UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24) | 0x2020_2020
            return w == 0x6575_7274 ? true : nil
        }
        if n == 5 {
            let w = (UInt32(p[0]) | UInt32(p[1]) << 8 | UInt32(p[2]) << 16 | UInt32(p[3]) << 24) | 0x2020_2020
            return w == 0x736C_6166 && (p[4] | 0x20) == UInt8(ascii: "e") ? false : nil
        }
        return nil
    }

    /// An int, or with `numbers="currency"` a currency/thousands form such as `¥1,200`.
    @inline(__always)
    func parseInt(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVIntResult {
        let r = CSVValueParser.parsePlainInt(p, n)
        if case .none = r, currency {
            return withCleanNumber(p, n) { q, m in CSVValueParser.parsePlainInt(q, m) } ?? .none
        }
        return r
    }

    @inline(__always)
    func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        if let v = CSVValueParser.parsePlainDouble(p, n) { return v }
        if currency { return withCleanNumber(p, n) { q, m in CSVValueParser.parsePlainDouble(q, m) } ?? nil }
        return nil
    }

    /// Strips one currency sign (`¥ ￥ $ € £`) and thousands separators, keeping a sign
    /// written before or after the currency sign; nil when there was nothing to strip.
    private func withCleanNumber<R>(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R? {
        guard n > 0, n < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf -> R? in
            guard let out = buf.baseAddress else { return nil }
            var i = 0, o = 0
            var stripped = false
            if p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { out[o] = p[i]; o += 1; i += 1 }
            let sign = currencySignLength(p + i, n - i)
            if sign > 0 {
                i += sign; stripped = true
                while i < n, p[i] == UInt8(ascii: " ") { i += 1 }
                if o == 0, i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") { out[o] = p[i]; o += 1; i += 1 }
            }
            var sawDigit = false
            while i < n {
                let b = p[i]
                if b == UInt8(ascii: ",") {
                    guard sawDigit else { return nil }
                    stripped = true
                } else {
                    if isDigit(b) { sawDigit = true }
                    out[o] = b; o += 1
                }
                i += 1
            }
            guard stripped, sawDigit else { return nil }
            return body(UnsafePointer(out), o)
        }
    }

    private func currencySignLength(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        guard n > 0 else { return 0 }
        if p[0] == UInt8(ascii: "$") { return 1 }
        if n >= 2, p[0] == 0xC2, p[1] == 0xA5 || p[1] == 0xA3 { return 2 }  // ¥ £
        if n >= 3, p[0] == 0xEF, p[1] == 0xBF, p[2] == 0xA5 { return 3 }  // ￥
        if n >= 3, p[0] == 0xE2, p[1] == 0x82, p[2] == 0xAC { return 3 }  // €
        return 0
    }
}
