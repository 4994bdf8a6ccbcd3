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
}
