#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `numeric` value in PostgreSQL's binary form: base-10000 digits, a weight, a sign and a
/// display scale. segsh reads it as a double only when that is exact in the sense that
/// matters to an analyst: the double's shortest text is the same number (`123.45` stays
/// `123.45`; `12345678901234567.89` would not, and is refused).
struct PostgresNumeric: Equatable {
    enum Special: Equatable { case nan, infinity, negativeInfinity }

    /// Decimal significant digits (no leading or trailing zeros; empty for zero).
    var digits: [UInt8]
    /// The value is `digits × 10^exponent`.
    var exponent: Int
    var negative: Bool
    var special: Special?

    /// Reads the binary form; nil when it is malformed.
    init?(binary p: UnsafeRawBufferPointer) {
        guard p.count >= 8 else { return nil }
        func int16(_ offset: Int) -> Int {
            Int(Int16(bitPattern: UInt16(p[offset]) << 8 | UInt16(p[offset + 1])))
        }
        let count = int16(0), weight = int16(2)
        let sign = UInt16(p[4]) << 8 | UInt16(p[5])
        guard count >= 0, p.count == 8 + 2 * count else { return nil }
        special = nil
        negative = false
        switch sign {
        case 0x0000: break
        case 0x4000: negative = true
        case 0xC000: special = .nan
        case 0xD000: special = .infinity
        case 0xF000: special = .negativeInfinity
        default: return nil
        }
        var decimal: [UInt8] = []
        decimal.reserveCapacity(4 * count)
        for i in 0..<count {
            let group = int16(8 + 2 * i)
            guard (0..<10_000).contains(group) else { return nil }
            decimal.append(UInt8(group / 1000))
            decimal.append(UInt8(group / 100 % 10))
            decimal.append(UInt8(group / 10 % 10))
            decimal.append(UInt8(group % 10))
        }
        var exponent = 4 * (weight - count + 1)
        var start = 0
        while start < decimal.count, decimal[start] == 0 { start += 1 }
        var end = decimal.count
        while end > start, decimal[end - 1] == 0 { end -= 1; exponent += 1 }
        digits = Array(decimal[start..<end])
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    init(digits: [UInt8], exponent: Int, negative: Bool) {
        self.digits = digits; self.exponent = exponent; self.negative = negative; special = nil
    }

    static let exactPowersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

    /// The double with the same shortest text, or nil when there is none.
    var exactDouble: Double? {
        switch special {
        case .nan: return .nan
        case .infinity: return .infinity
        case .negativeInfinity: return -.infinity
        case nil: break
        }
        if digits.isEmpty { return 0 }
        // Up to 15 significant digits every decimal round-trips through the nearest double,
        // and with an exact power of ten one multiplication or division finds it.
        if digits.count <= 15, (-22...22).contains(exponent) {
            var mantissa: UInt64 = 0
            for d in digits { mantissa = mantissa * 10 + UInt64(d) }
            let m = Double(mantissa)
            let power = PostgresNumeric.exactPowersOfTen[abs(exponent)]
            let value = exponent >= 0 ? m * power : m / power
            return negative ? -value : value
        }
        let value = strtod(scientificText, nil)
        guard value.isFinite, value != 0 else { return nil }
        guard let back = PostgresNumeric(shortestTextOf: abs(value)),
              back.digits == digits, back.exponent == exponent else { return nil }
        return negative ? -abs(value) : abs(value)
    }

    /// `-1234567e-2`: what strtod reads.
    var scientificText: String {
        (negative ? "-" : "") + String(decoding: digits.map { $0 + 48 }, as: UTF8.self) + "e\(exponent)"
    }

    /// Plain decimal text (`-12345678901234567.89`), for messages.
    var text: String {
        switch special {
        case .nan: return "NaN"
        case .infinity: return "Infinity"
        case .negativeInfinity: return "-Infinity"
        case nil: break
        }
        if digits.isEmpty { return "0" }
        var s = String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
        if exponent >= 0 {
            s += String(repeating: "0", count: exponent)
        } else if -exponent >= s.count {
            s = "0." + String(repeating: "0", count: -exponent - s.count) + s
        } else {
            s.insert(".", at: s.index(s.endIndex, offsetBy: exponent))
        }
        return (negative ? "-" : "") + s
    }

    /// The digits and exponent of Swift's shortest round-trip text of a positive double
    /// (`1.2345678901234568e+16`, `123.45`, `5e-324`).
    init?(shortestTextOf value: Double) {
        let text = "\(value)"
        var mantissaPart = Substring(text), exponentValue = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissaPart = text[..<e]
            guard let v = Int(text[text.index(after: e)...].replacingPlus) else { return nil }
            exponentValue = v
        }
        var decimal: [UInt8] = []
        var fractionDigits = 0, seenPoint = false
        for ch in mantissaPart {
            if ch == "." { seenPoint = true; continue }
            guard let v = ch.wholeNumberValue else { return nil }
            decimal.append(UInt8(v))
            if seenPoint { fractionDigits += 1 }
        }
        var exponent = exponentValue - fractionDigits
        var start = 0
        while start < decimal.count, decimal[start] == 0 { start += 1 }
        var end = decimal.count
        while end > start, decimal[end - 1] == 0 { end -= 1; exponent += 1 }
        self.init(digits: Array(decimal[start..<end]), exponent: exponent, negative: false)
    }
}

private extension Substring {
    var replacingPlus: Substring { first == "+" ? dropFirst() : self }
}
