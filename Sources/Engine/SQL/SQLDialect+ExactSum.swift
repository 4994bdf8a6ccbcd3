import Columnar
import Foundation

/// A double split into limbs, as SQL expressions per row: each limb a 64-bit integer (0 when
/// the value does not split or is null), and the residual: 0 when it splits, else the value
/// itself (so null for null: the residuals' sum is what is null for a group without values).
public struct DoubleSplit {
    public var limbs: [String]
    public var residual: String

    public init(limbs: [String], residual: String) {
        self.limbs = limbs
        self.residual = residual
    }

    /// The same split, each part through `transform` (a condition on the row, or a column).
    public func map(_ transform: (String) -> String) -> DoubleSplit {
        DoubleSplit(limbs: limbs.map(transform), residual: transform(residual))
    }
}

/// Sums and means of doubles as segsh computes them, in any engine.
///
/// segsh adds doubles with a compensated sum (`CompensatedSum`): the exact sum of the values,
/// rounded once, whatever the order. An engine adds doubles in the order its tasks happen to
/// run, rounding at every step, so two runs may differ in the last bit; and a detour through
/// decimals rounds the values differently (three 0.1s add to 0.30000000000000004 in segsh, to
/// 0.3 in decimals). Decimal arithmetic is also several times slower than integer arithmetic
/// in Spark.
///
/// So each double is split, exactly, into four integer limbs of at most 32 bits on fixed
/// binary grids: `x = l0·2^16 + l1·2^-16 + l2·2^-48 + l3·2^-80` (limbs from `x` rounded to
/// each grid, so every difference is exact). The engine adds each limb as a 64-bit integer,
/// exact and fast in any order, and the dialect rounds `N = s0·2^96 + s1·2^64 + s2·2^32 + s3`
/// (the sum · 2^80) once to double (`double(ofLimbSums:)`). Every double from 1e-8 up to
/// 2.8e14 with at most 15 significant digits splits (money, rates, scores, shares). A value
/// that does not (bits below 2^-80 such as 1e-9, |x| ≥ 2^48, NaN, ±inf) is its own residual:
/// the residuals are added as doubles, by the engine, to the limbs' total, so a group with
/// such a value may differ from segsh's in the last bit. The residual's sum is also what
/// makes the total null when there are no values.
///
/// Five sums per exact sum, and no other aggregate (a `bool_and` of the splits and a
/// fallback `sum` would be two more, for every customer in `rfm`).
extension SQLDialect {
    /// The sum of the double `x` as an aggregate (`over` empty) or a window (`over` =
    /// `OVER (...)`): segsh's compensated sum; null when there are no values.
    public func sumOfDoubles(_ x: String, over: String) -> String {
        sumOfDoubles(split(x), over: over)
    }

    /// The same from a split computed beforehand (columns of an earlier step, so that the
    /// engine splits each value once for several sums).
    /// Limbs are at most 2^31 in magnitude, so their plain `sum` is exact (PostgreSQL: in
    /// `numeric`; Spark: in 64 bits, which more than 2^32 rows in one group would overflow,
    /// an error under ANSI mode). `try_sum` would be about 15% slower in Spark.
    public func sumOfDoubles(_ split: DoubleSplit, over: String) -> String {
        let sums = split.limbs.map { "sum(\($0)) \(over)" }
        return "(\(double(ofLimbSums: sums)) + sum(\(split.residual)) \(over))"
    }

    /// The mean of `x` (of type `type`: int or double), as segsh computes it: the exact sum
    /// rounded to double, divided by the count.
    public func mean(_ x: String, type: DataType, over: String) -> String {
        guard type == .int else { return "\(sumOfDoubles(x, over: over)) / NULLIF(count(\(x)) \(over), 0)" }
        // `integerSum` is null where it overflows (Spark); the engine's mean then.
        return "coalesce(\(cast(integerSum(x, over: over), to: .double)) / NULLIF(count(\(x)) \(over), 0), avg(\(x)) \(over))"
    }

    /// How the double `x` splits into limbs, row by row.
    public func split(_ x: String) -> DoubleSplit {
        let p = { (e: Int) in self.double(Double(sign: .plus, exponent: e, significand: 1)) }
        let r0 = roundToInteger("\(x) * \(p(-16))"), r1 = roundToInteger("\(x) * \(p(16))"), r2 = roundToInteger("\(x) * \(p(48))")
        let limbs = [r0, "\(r1) - \(r0) * \(p(32))", "\(r2) - \(r1) * \(p(32))", "\(x) * \(p(80)) - \(r2) * \(p(32))"]
        // x splits when |x| < 2^48 (else the limbs would not fit) and x · 2^80 (exact: a power
        // of two) is whole. Null for a null x, so that the residual is null.
        let splits = "CASE WHEN abs(\(x)) < \(p(48)) AND \(x) * \(p(80)) = \(roundToInteger("\(x) * \(p(80))")) THEN TRUE WHEN \(x) IS NOT NULL THEN FALSE END"
        return DoubleSplit(limbs: limbs.map { "CASE WHEN \(splits) THEN \(cast($0, to: .int)) ELSE 0 END" },
                           residual: "CASE WHEN \(splits) THEN \(double(0)) ELSE \(x) END")
    }

    /// 2^-k written out exactly in decimal (5^k / 10^k: k digits after the point).
    static func exactDecimalPowerOfTwo(minus k: Int) -> String {
        var digits: [UInt8] = [1]  // 5^k, least significant digit first
        for _ in 0..<k {
            var carry = 0
            for i in digits.indices {
                let v = Int(digits[i]) * 5 + carry
                digits[i] = UInt8(v % 10)
                carry = v / 10
            }
            while carry > 0 { digits.append(UInt8(carry % 10)); carry /= 10 }
        }
        let text = String(digits.reversed().map { Character(Unicode.Scalar($0 + 48)) })
        return "0." + String(repeating: "0", count: k - text.count) + text
    }
}
