#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Gauss hypergeometric function ₂F₁(a, b; c; z) for real parameters and real z < 1,
/// which the BG/NBD conditional expectation needs (`BGNBD.expectedPurchases`).
///
/// - |z| ≤ 0.75: the power series Σ (a)ₖ(b)ₖ/((c)ₖ k!) zᵏ, summed until a term no longer
///   changes the sum;
/// - z < −0.75: Pfaff's transformation (1−z)^(−a) ₂F₁(a, c−b; c; z/(z−1)), which maps z
///   into (0.43, 1);
/// - 0.75 < z < 1: the linear transformation to 1−z (Abramowitz & Stegun 15.3.6), two
///   series in 1−z ≤ 0.25 with gamma-function weights taken in log space; when c−a−b is
///   within 1e-5 of an integer (where those weights have poles that cancel) the value is
///   the Richardson extrapolation of c shifted by ±h and ±2h (error O(h⁴)).
///
/// Tested against mpmath at 50 digits (`Hypergeometric2F1Tests`), z = 0.999999 included.
enum Hypergeometric2F1 {
    /// ₂F₁(a, b; c; z), or nil where it is not defined (c a non-positive integer, z ≥ 1) or
    /// the series did not converge.
    static func value(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        guard a.isFinite, b.isFinite, c.isFinite, z.isFinite, z < 1 else { return nil }
        if z == 0 { return 1 }
        if z < -0.75 {
            let w = z / (z - 1)
            guard let f = value(a, c - b, c, w) else { return nil }
            let v = f * exp(-a * log1p(-z))
            return v.isFinite ? v : nil
        }
        if z <= 0.75 { return series(a, b, c, z).map { 1 + $0 } }
        return nearOne(a, b, c, z)
    }

    /// ₂F₁(a, b; c; z) − 1 by its power series: the sum of the terms from k = 1 on (exact
    /// for small z, where 1 + ... would lose the digits of the tail). nil when c is a
    /// non-positive integer or the series has not converged after 100,000 terms.
    static func series(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        if c <= 0 && c == c.rounded() { return nil }
        var term = 1.0
        var sum = 0.0
        var k = 0.0
        while k < 100_000 {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
            if term == 0 { return sum }
            let next = sum + term
            guard next.isFinite else { return nil }
            // Stop once the term no longer changes the sum and the terms are shrinking.
            if next == sum || abs(term) < 1e-17 * abs(next), abs((a + k + 1) * (b + k + 1) / ((c + k + 1) * (k + 2)) * z) < 1 {
                return next
            }
            sum = next
            k += 1
        }
        return nil
    }

    /// 0.75 < z < 1 by the transformation to 1 − z.
    static func nearOne(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        let m = c - a - b
        if abs(m - m.rounded()) < 1e-5 {
            let h = 1e-3
            guard let p1 = transformed(a, b, c + h, z), let m1 = transformed(a, b, c - h, z),
                  let p2 = transformed(a, b, c + 2 * h, z), let m2 = transformed(a, b, c - 2 * h, z) else { return nil }
            return (4 * (p1 + m1) / 2 - (p2 + m2) / 2) / 3
        }
        return transformed(a, b, c, z)
    }

    /// A&S 15.3.6: Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) F(a, b; a+b−c+1; 1−z)
    ///           + (1−z)^(c−a−b) Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) F(c−a, c−b; c−a−b+1; 1−z).
    static func transformed(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        let y = 1 - z
        let m = c - a - b
        guard let s1 = series(a, b, 1 - m, y), let s2 = series(c - a, c - b, 1 + m, y) else { return nil }
        let gc = GammaFunctions.logGamma(c)
        let w1 = weight(gc, GammaFunctions.logGamma(m), GammaFunctions.logGamma(c - a), GammaFunctions.logGamma(c - b), 0)
        let w2 = weight(gc, GammaFunctions.logGamma(-m), GammaFunctions.logGamma(a), GammaFunctions.logGamma(b), m * log(y))
        let v = w1 * (1 + s1) + w2 * (1 + s2)
        return v.isFinite ? v : nil
    }

    /// sign · exp(ln Γ(p) + ln Γ(q) − ln Γ(r) − ln Γ(s) + extra); a gamma function at a pole
    /// in the denominator makes the weight 0.
    static func weight(_ p: (value: Double, sign: Double), _ q: (value: Double, sign: Double),
                       _ r: (value: Double, sign: Double), _ s: (value: Double, sign: Double), _ extra: Double) -> Double {
        if r.value == .infinity || s.value == .infinity { return 0 }
        return p.sign * q.sign * r.sign * s.sign * exp(p.value + q.value - r.value - s.value + extra)
    }
}
