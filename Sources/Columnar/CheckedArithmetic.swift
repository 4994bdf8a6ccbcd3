/// Arithmetic on values a user typed or loaded, where Swift's `+`, `*` and `Int(Double)`
/// would trap: each helper either reports the overflow (nil) or saturates, as its name says.
/// Callers turn a nil into an error with the span of what the user wrote.
public enum CheckedArithmetic {
    /// a + b, or nil when it does not fit 64 bits.
    @inlinable
    public static func add(_ a: Int, _ b: Int) -> Int? {
        let (v, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : v
    }

    /// a - b, or nil when it does not fit 64 bits.
    @inlinable
    public static func subtract(_ a: Int, _ b: Int) -> Int? {
        let (v, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : v
    }

    /// a × b, or nil when it does not fit 64 bits.
    @inlinable
    public static func multiply(_ a: Int, _ b: Int) -> Int? {
        let (v, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : v
    }

    /// a + b, clamped to Int.min...Int.max.
    @inlinable
    public static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (v, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b < 0 ? .min : .max) : v
    }

    /// ⌈a × b / c⌉ for a ≥ 0, 0 ≤ b ≤ c, c > 0, computed in 128 bits so a × b never
    /// overflows (the result is at most a). This is the quantile-score formula ceil(n × r / N).
    @inlinable
    public static func ceilMultiplyDivide(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        let (sumLow, carry) = low.addingReportingOverflow(UInt64(c - 1))
        let (q, _) = c.dividingFullWidth((high + (carry ? 1 : 0), sumLow))
        return q
    }

    /// The whole number nearest below `x` (toward zero), or nil for NaN, ±inf and values
    /// beyond the range of Int: the checked form of `Int(x)`, which traps on those.
    @inlinable
    public static func integer(_ x: Double) -> Int? {
        Int(exactly: x.rounded(.towardZero))
    }

    /// `Int(x)` clamped to `range`; NaN gives `range.lowerBound`. For positions on a chart or
    /// a grid, where any finite or infinite value must land on a cell.
    @inlinable
    public static func clampedInteger(_ x: Double, to range: ClosedRange<Int>) -> Int {
        if x.isNaN { return range.lowerBound }
        if x <= Double(range.lowerBound) { return range.lowerBound }
        if x >= Double(range.upperBound) { return range.upperBound }
        return Int(x)
    }
}
