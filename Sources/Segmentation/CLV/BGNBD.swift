#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The BG/NBD model of repeat purchases and dropout (Fader, Hardie & Lee 2005, "Counting
/// your customers the easy way"): while alive a customer buys at rate λ ~ Gamma(r, α); after
/// each purchase they drop out with probability p ~ Beta(a, b).
struct BGNBD: Equatable {
    var r: Double
    var alpha: Double
    var a: Double
    var b: Double

    static let parameterNames = ["r", "alpha", "a", "b"]
    var parameters: [Double] { [r, alpha, a, b] }
    init(r: Double, alpha: Double, a: Double, b: Double) { self.r = r; self.alpha = alpha; self.a = a; self.b = b }
    init(_ p: [Double]) { self.init(r: p[0], alpha: p[1], a: p[2], b: p[3]) }

    /// One customer's log-likelihood (Hardie's note on implementing BG/NBD, in log space):
    /// ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    /// + log(exp(A₃) + [x > 0] exp(A₄)), A₃ = −(r+x) ln(α+T),
    /// A₄ = ln a − ln(b+x−1) − (r+x) ln(α+tₓ); the last sum by log-sum-exp, so that neither
    /// term under- or overflows for customers with many purchases or a long history.
    func logLikelihood(x: Double, tx: Double, T: Double) -> Double {
        let common = GammaFunctions.lnGamma(r + x) - GammaFunctions.lnGamma(r) + r * log(alpha)
            + GammaFunctions.lnGamma(a + b) + GammaFunctions.lnGamma(b + x) - GammaFunctions.lnGamma(b) - GammaFunctions.lnGamma(a + b + x)
        let a3 = -(r + x) * log(alpha + T)
        guard x > 0 else { return common + a3 }
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + tx)
        return common + BGNBD.logSumExp(a3, a4)
    }

    /// log(eᵘ + eᵛ) without overflow.
    @inline(__always)
    static func logSumExp(_ u: Double, _ v: Double) -> Double {
        let m = max(u, v)
        return m + log1p(exp(-abs(u - v)))
    }

    /// P(alive | x, tₓ, T) = 1 / (1 + [x > 0] a/(b+x−1) ((α+T)/(α+tₓ))^(r+x)), computed as
    /// the logistic function of the log-odds (1 for x = 0: dropout happens only after a
    /// repeat purchase).
    func probabilityAlive(x: Double, tx: Double, T: Double) -> Double {
        guard x > 0 else { return 1 }
        let logOdds = log(a) - log(b + x - 1) + (r + x) * (log(alpha + T) - log(alpha + tx))
        return logOdds > 0 ? exp(-logOdds) / (1 + exp(-logOdds)) : 1 / (1 + exp(logOdds))
    }

    /// Expected repeat purchases in the next `t` units for a customer with (x, tₓ, T)
    /// (equation 10 of the paper):
    ///
    ///   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
    ///   / (1 + [x > 0] a/(b+x−1) ((α+T)/(α+tₓ))^(r+x)).
    ///
    /// The bracket is evaluated through Pfaff's transformation as
    /// 1 − ₂F₁(r+x, a−1; a+b+x−1; −t/(α+T)), with the factor a−1 divided out of the series
    /// (no loss of digits for small t or a near 1, no overflow for large x); for
    /// t > α+T by a second transformation to z = t/(α+T+t) (`Hypergeometric2F1`). nil when
    /// the hypergeometric function cannot be evaluated.
    func expectedPurchases(t: Double, x: Double, tx: Double, T: Double) -> Double? {
        guard t > 0 else { return 0 }
        if a > 20 && b + x > 20 { return concentratedDropout(t: t, x: x, tx: tx, T: T) }
        guard let q = bracketOverAMinusOne(t: t, x: x, T: T) else { return nil }
        let c = a + b + x - 1
        let e = c * q * probabilityAliveFactor(x: x, tx: tx, T: T)
        return e.isFinite ? max(0, e) : nil
    }

    /// Expected purchases when the posterior of the dropout probability p, Beta(a, b+x), is
    /// concentrated (a > 20 and b+x > 20: the fit's answer when the data show little spread
    /// in dropout), where ₂F₁ with parameters in the thousands or millions loses its digits.
    /// The same quantity is an integral over that posterior:
    ///   P(alive) · E[g(p)],  g(p) = (1 − (1 + p t/(α+T))^(−(r+x))) / p,
    /// taken by 3 × 32-point Gauss-Legendre over μ ± 10σ (normalised by the same rule, so
    /// no Beta function is needed), or, when σ/μ < 0.003, by the delta method to second
    /// order, g(μ) + g''(μ)σ²/2 (the next term is below 1e-10 of the value).
    func concentratedDropout(t: Double, x: Double, tx: Double, T: Double) -> Double? {
        let u = t / (alpha + T), k = r + x
        func g(_ p: Double) -> Double { -expm1(-k * log1p(p * u)) / p }
        let n = a + b + x
        let mu = a / n, variance = mu * (1 - mu) / (n + 1), sigma = variance.squareRoot()
        let mean: Double
        if sigma < 0.003 * mu {
            let h = mu * 1e-3
            let second = (g(mu + h) - 2 * g(mu) + g(mu - h)) / (h * h)
            mean = g(mu) + second * variance / 2
        } else {
            let mode = (a - 1) / (n - 2)
            let lo = max(mu - 10 * sigma, 0), hi = min(mu + 10 * sigma, 1)
            var weighted = 0.0, total = 0.0
            let panels = 3
            for panel in 0..<panels {
                let p0 = lo + (hi - lo) * Double(panel) / Double(panels)
                let half = (hi - lo) / Double(2 * panels)
                for (node, weight) in GaussLegendre.rule32 {
                    let p = p0 + half * (node + 1)
                    guard p > 0, p < 1 else { continue }
                    // The Beta(a, b+x) density relative to its mode, in log space.
                    let logDensity = (a - 1) * log1p((p - mode) / mode) + (b + x - 1) * log1p((mode - p) / (1 - mode))
                    let d = weight * exp(logDensity)
                    weighted += d * g(p)
                    total += d
                }
            }
            guard total > 0 else { return nil }
            mean = weighted / total
        }
        let e = probabilityAlive(x: x, tx: tx, T: T) * mean
        return e.isFinite ? max(0, e) : nil
    }

    /// 1 / (1 + [x > 0] a/(b+x−1) ((α+T)/(α+tₓ))^(r+x)): the same as `probabilityAlive`.
    @inline(__always)
    func probabilityAliveFactor(x: Double, tx: Double, T: Double) -> Double {
        probabilityAlive(x: x, tx: tx, T: T)
    }

    /// (1 − ₂F₁(r+x, a−1; a+b+x−1; w)) / (a − 1) with w = −t/(α+T).
    func bracketOverAMinusOne(t: Double, x: Double, T: Double) -> Double? {
        let big = r + x, c = a + b + x - 1
        let w = -t / (alpha + T)
        if w >= -0.5 {
            // −Σₖ≥₁ (r+x)ₖ (a)ₖ₋₁ / ((c)ₖ k!) wᵏ
            guard let s = BGNBD.seriesOverAMinusOne(big, a, c, w) else { return nil }
            return -s
        }
        // ₂F₁(r+x, a−1; c; w) = (1−w)^(1−a) ₂F₁(c−r−x, a−1; c; z), z = w/(w−1).
        let z = w / (w - 1)
        let l = log1p(-w)
        let u = (1 - a) * l
        let lead = u == 0 ? l : expm1(u) / u * l          // (1 − (1−w)^(1−a)) / (a−1)
        let s: Double
        if z <= 0.75 {
            guard let v = BGNBD.seriesOverAMinusOne(c - big, a, c, z) else { return nil }
            s = v
        } else if abs(a - 1) > 1e-4 {
            guard let h = Hypergeometric2F1.value(c - big, a - 1, c, z) else { return nil }
            s = (h - 1) / (a - 1)
        } else {
            // a within 1e-4 of 1: the mean of a = 1 ± 2e-4 (the function is smooth in a).
            let d = 2e-4
            guard let hp = Hypergeometric2F1.value(c - big + d, d, c + d, z),
                  let hm = Hypergeometric2F1.value(c - big - d, -d, c - d, z) else { return nil }
            s = ((hp - 1) / d + (hm - 1) / -d) / 2
        }
        return lead - exp(u) * s
    }

    /// Σₖ≥₁ (p)ₖ (a)ₖ₋₁ / ((c)ₖ k!) zᵏ = (₂F₁(p, a−1; c; z) − 1)/(a−1), for |z| ≤ 0.75.
    static func seriesOverAMinusOne(_ p: Double, _ a: Double, _ c: Double, _ z: Double) -> Double? {
        if c <= 0 && c == c.rounded() { return nil }
        var term = p / c * z
        var sum = term
        var k = 1.0
        while k < 100_000 {
            term *= (p + k) * (a + k - 1) / ((c + k) * (k + 1)) * z
            let next = sum + term
            guard next.isFinite else { return nil }
            if next == sum || abs(term) < 1e-17 * abs(next),
               abs((p + k + 1) * (a + k) / ((c + k + 1) * (k + 2)) * z) < 1 { return next }
            sum = next
            k += 1
        }
        return nil
    }
}

extension BGNBD {
    /// The total log-likelihood of grouped customers and its gradient in (r, α, a, b).
    /// Terms that depend on x alone are summed once per distinct x; the rest once per group
    /// of equal (x, tₓ, T), by two threads for many groups.
    static func logLikelihood(_ p: [Double], _ data: CustomerGroups) -> (value: Double, gradient: [Double]) {
        let (r, alpha, a, b) = (p[0], p[1], p[2], p[3])
        guard r > 0, alpha > 0, a > 0, b > 0 else { return (-.infinity, [0, 0, 0, 0]) }
        var ll = 0.0
        var g = [0.0, 0.0, 0.0, 0.0]
        let logAlpha = log(alpha), logA = log(a)
        let psiR = GammaFunctions.digamma(r), psiB = GammaFunctions.digamma(b), psiAB = GammaFunctions.digamma(a + b)
        let lgR = GammaFunctions.lnGamma(r), lgB = GammaFunctions.lnGamma(b), lgAB = GammaFunctions.lnGamma(a + b)
        // Per distinct x: the terms of x alone, and ln(b+x−1).
        let maxX = data.xCounts.count - 1
        var logBX = [Double](repeating: 0, count: maxX + 1)
        for x in 0...max(0, maxX) {
            let n = data.xCounts[x]
            let xd = Double(x)
            if x > 0 { logBX[x] = log(b + xd - 1) }
            guard n > 0 else { continue }
            ll += n * (GammaFunctions.lnGamma(r + xd) - lgR + r * logAlpha + lgAB + GammaFunctions.lnGamma(b + xd) - lgB - GammaFunctions.lnGamma(a + b + xd))
            g[0] += n * (GammaFunctions.digamma(r + xd) - psiR + logAlpha)
            g[1] += n * r / alpha
            let psiABX = GammaFunctions.digamma(a + b + xd)
            g[2] += n * (psiAB - psiABX)
            g[3] += n * (psiAB + GammaFunctions.digamma(b + xd) - psiB - psiABX)
        }
        // Per distinct time value t: log(α + t) and 1/(α + t).
        let logTimes = data.times.map { log(alpha + $0) }
        let invTimes = data.times.map { 1 / (alpha + $0) }
        // Per group: log-sum-exp of A₃ and A₄ and the weights of the two terms.
        let m = data.count
        let parts = m >= 1 << 15 ? 2 : 1
        var sums = [[Double]](repeating: [0, 0, 0, 0, 0], count: parts)
        data.x.withUnsafeBufferPointer { xs in
        data.txIndex.withUnsafeBufferPointer { txs in
        data.TIndex.withUnsafeBufferPointer { Ts in
        data.weight.withUnsafeBufferPointer { ws in
        logTimes.withUnsafeBufferPointer { logTimes in
        invTimes.withUnsafeBufferPointer { invTimes in
        logBX.withUnsafeBufferPointer { logBX in
            let body = { (part: Int) -> [Double] in
                var sLL = 0.0, sR = 0.0, sAlpha = 0.0, sA = 0.0, sB = 0.0
                for i in (m * part / parts)..<(m * (part + 1) / parts) {
                    let x = xs[i], n = ws[i]
                    let rx = r + Double(x)
                    let tIndex = Int(Ts[i])
                    let lT = logTimes[tIndex]
                    let a3 = -rx * lT
                    if x == 0 {
                        sLL += n * a3
                        sR -= n * lT
                        sAlpha -= n * rx * invTimes[tIndex]
                        continue
                    }
                    let txIndex = Int(txs[i])
                    let lTx = logTimes[txIndex]
                    let d = logA - logBX[Int(x)] + rx * (lT - lTx)   // A₄ − A₃
                    let e = exp(-abs(d))
                    let w4 = d > 0 ? 1 / (1 + e) : e / (1 + e)
                    let w3 = 1 - w4
                    sLL += n * (a3 + max(d, 0) + log1p(e))
                    sR -= n * (w3 * lT + w4 * lTx)
                    sAlpha -= n * rx * (w3 * invTimes[tIndex] + w4 * invTimes[txIndex])
                    sA += n * w4
                    sB -= n * w4 / (b + Double(x) - 1)
                }
                return [sLL, sR, sAlpha, sA, sB]
            }
            if parts == 1 {
                sums[0] = body(0)
            } else {
                let out = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: parts)
                out.initialize(repeating: [])
                DispatchQueue.concurrentPerform(iterations: parts) { out[$0] = body($0) }
                for k in 0..<parts { sums[k] = out[k] }
                out.deinitialize()
                out.deallocate()
            }
        }}}}}}}
        for s in sums {
            ll += s[0]; g[0] += s[1]; g[1] += s[2]; g[2] += s[3] / a; g[3] += s[4]
        }
        return (ll, g)
    }

    /// Starting points for the fit: all ones (as `lifetimes` starts), and two scaled to the
    /// data's time unit and repeat rate.
    static func startingPoints(_ data: CustomerGroups) -> [[Double]] {
        let meanT = max(data.meanT, 1e-3)
        let rate = max(data.meanX / meanT, 1e-6)
        return [[1, 1, 1, 1], [1, 1 / rate, 1, 3], [0.5, 0.5 / rate, 0.7, 2.5], [2, meanT, 0.5, 1]]
    }
}
