#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gauss-Legendre quadrature rules on [−1, 1]: the nodes (roots of the Legendre polynomial
/// Pₙ, found by Newton's method from Chebyshev guesses) and their weights
/// 2 / ((1 − x²) Pₙ'(x)²).
enum GaussLegendre {
    /// The 32-point rule (exact for polynomials up to degree 63).
    static let rule32: [(node: Double, weight: Double)] = rule(32)

    static func rule(_ n: Int) -> [(node: Double, weight: Double)] {
        var out: [(Double, Double)] = []
        for i in 1...n {
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var p0 = 1.0, p1 = x
                for k in 2...n {
                    let p2 = ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k)
                    p0 = p1; p1 = p2
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            out.append((x, 2 / ((1 - x * x) * derivative * derivative)))
        }
        return out
    }
}
