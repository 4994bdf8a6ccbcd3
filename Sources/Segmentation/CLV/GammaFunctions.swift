#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The gamma-function family the CLV likelihoods need, in log space.
enum GammaFunctions {
    /// ln |Γ(x)| and the sign of Γ(x) (`lgamma_r`: thread-safe, no global sign).
    static func logGamma(_ x: Double) -> (value: Double, sign: Double) {
        var sign: Int32 = 1
        let v = lgamma_r(x, &sign)
        return (v, sign < 0 ? -1 : 1)
    }

    /// ln Γ(x) for x > 0.
    @inline(__always)
    static func lnGamma(_ x: Double) -> Double {
        var sign: Int32 = 1
        return lgamma_r(x, &sign)
    }

    /// The digamma function ψ(x) = Γ'(x)/Γ(x) for x > 0: the recurrence ψ(x) = ψ(x+1) − 1/x
    /// up to x ≥ 10, then the asymptotic series (error below 1e-16 there).
    static func digamma(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == .infinity ? .infinity : .nan }
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        // ψ(x) ~ ln x − 1/(2x) − Σ B_2k / (2k x^2k)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))))
        return result + log(x) - 0.5 / x - series
    }
}
