import Columnar

/// Number text for people: thousands separators, fixed decimals, elapsed times.
///
/// Machine formats (CSV, TSV, JSON) never use these; they write `String(Int64)` and
/// `formatDouble` (shortest round-trip text) instead.
public enum NumberFormat {
    /// `1234567` → `1,234,567`; `-1234` → `-1,234`.
    public static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + groupDigits(digits)
    }

    /// `1234567` → `1,234,567` for an `Int`.
    public static func grouped(_ value: Int) -> String { grouped(Int64(value)) }

    /// The size of a table in words: `2,000 rows × 9 columns`, `1 row × 1 column`.
    public static func shape(rows: Int, columns: Int) -> String {
        "\(grouped(rows)) \(rows == 1 ? "row" : "rows") × \(grouped(columns)) \(columns == 1 ? "column" : "columns")"
    }

    /// Inserts a comma every three digits, counting from the right, into a run of ASCII digits.
    static func groupDigits(_ digits: String) -> String {
        let chars = Array(digits.utf8)
        if chars.count <= 3 { return digits }
        var out = [UInt8]()
        out.reserveCapacity(chars.count + chars.count / 3)
        for (i, c) in chars.enumerated() {
            if i > 0 && (chars.count - i) % 3 == 0 { out.append(UInt8(ascii: ",")) }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` with exactly `decimals` digits after the point, rounded half away from zero,
    /// optionally with thousands separators in the integer part. Values too large for fixed
    /// notation (≥ 1e15) and non-finite values fall back to `formatDouble`. A result that
    /// rounds to zero never shows a minus sign.
    public static func fixed(_ value: Double, decimals: Int, grouping: Bool) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return formatDouble(value) }
        let d = max(0, min(decimals, 12))
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else { return formatDouble(value) }
        let n = UInt64(scaled)
        var divisor: UInt64 = 1
        for _ in 0..<d { divisor *= 10 }
        let intPart = n / divisor, fracPart = n % divisor
        var text = grouping ? groupDigits(String(intPart)) : String(intPart)
        if d > 0 {
            let f = String(fracPart)
            text += "." + String(repeating: "0", count: d - f.count) + f
        }
        return (value < 0 && n != 0 ? "-" : "") + text
    }

    /// The number of decimals used to show a set of doubles consistently (one rule per column):
    /// - 0 when every finite value is whole;
    /// - 2 when some value is at least 1 in magnitude;
    /// - otherwise (all values below 1 in magnitude) enough decimals to show the smallest
    ///   non-zero magnitude with 3 significant digits (`0.000123` → 6), at most 10.
    public static func decimals<S: Sequence>(for values: S) -> Int where S.Element == Double {
        var allWhole = true
        var maxAbs = 0.0
        var minNonZero = Double.infinity
        for v in values where v.isFinite {
            let a = abs(v)
            if v != v.rounded() { allWhole = false }
            if a > maxAbs { maxAbs = a }
            if a > 0 && a < minNonZero { minNonZero = a }
        }
        if allWhole { return 0 }
        if maxAbs >= 1 { return 2 }
        guard minNonZero.isFinite else { return 2 }
        var exponent = 0  // floor(log10(minNonZero)), computed without Foundation
        var x = minNonZero
        while x < 1 { x *= 10; exponent -= 1 }
        return min(10, max(2, -exponent + 2))
    }

    /// An elapsed time: `0.4 ms` below 10 ms, `12 ms` below 1 s, `1.52 s` below 100 s,
    /// then whole seconds (`125 s`).
    public static func elapsed(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 0.01 { return fixed(s * 1000, decimals: 1, grouping: false) + " ms" }
        if s < 1 {
            let ms = (s * 1000).rounded()
            return ms >= 1000 ? "1.00 s" : String(Int(ms)) + " ms"
        }
        if s < 100 { return fixed(s, decimals: 2, grouping: false) + " s" }
        return grouped(Int64(s.rounded())) + " s"
    }
}
