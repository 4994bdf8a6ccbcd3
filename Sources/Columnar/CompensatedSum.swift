/// Neumaier's compensated summation: a running sum of doubles whose rounding error is carried
/// in a second term, so that sums of money (`1200.50 + 800 + ...`) come out as the analyst
/// expects (`26345524.59`, not `26345524.589999992`) and equal totals compare equal.
public struct CompensatedSum {
    public var sum = 0.0
    public var compensation = 0.0

    public init() {}

    /// The sum with its carried rounding error applied.
    @inlinable public var value: Double { sum + compensation }

    @inlinable public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    /// Adds another partial sum (the merge step of a parallel aggregate).
    @inlinable public mutating func add(_ other: CompensatedSum) {
        add(other.sum)
        compensation += other.compensation
    }

    /// The compensated total of several sums (the "total" row of per-class sums).
    public static func total<S: Sequence>(_ sums: S) -> CompensatedSum where S.Element == CompensatedSum {
        var t = CompensatedSum()
        for s in sums { t.add(s) }
        return t
    }

    /// `self - other` from both states, compensated: the change between two sums of money
    /// comes out as the analyst expects (`808290.34`, not `808290.3399999999` from subtracting
    /// the rounded totals), and equal sums give exactly 0.
    public func minus(_ other: CompensatedSum) -> Double {
        var d = CompensatedSum()
        d.add(sum)
        d.add(-other.sum)
        d.add(compensation)
        d.add(-other.compensation)
        return d.value
    }
}
