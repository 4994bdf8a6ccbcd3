#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The Gamma-Gamma model of the value per purchase (Fader, Hardie & Lee 2005, "RFM and
/// CLV"): a customer's purchase values are Gamma(p, ν) with ν ~ Gamma(q, γ), independent of
/// the purchase process. Fitted on the customers with repeat purchases, on the mean value m
/// of their x repeat purchase days.
struct GammaGamma: Equatable {
    var p: Double
    var q: Double
    var gamma: Double

    static let parameterNames = ["p", "q", "gamma"]
    var parameters: [Double] { [p, q, gamma] }
    init(p: Double, q: Double, gamma: Double) { self.p = p; self.q = q; self.gamma = gamma }
    init(_ v: [Double]) { self.init(p: v[0], q: v[1], gamma: v[2]) }

    /// One customer's log-likelihood of the mean value m of x purchases:
    /// ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(xm+γ).
    func logLikelihood(x: Double, m: Double) -> Double {
        GammaFunctions.lnGamma(p * x + q) - GammaFunctions.lnGamma(p * x) - GammaFunctions.lnGamma(q)
            + q * log(gamma) + (p * x - 1) * log(m) + p * x * log(x) - (p * x + q) * log(x * m + gamma)
    }

    /// The population mean value per purchase, pγ/(q−1); nil when q ≤ 1 (no finite mean).
    var populationMean: Double? { q > 1 ? p * gamma / (q - 1) : nil }

    /// E[value per purchase | x, m] = (γ + x m) p / (p x + q − 1): the population mean for
    /// x = 0, tending to m as x grows. nil when undefined (q ≤ 1 with x = 0).
    func expectedValue(x: Double, m: Double?) -> Double? {
        guard x > 0, let m else { return populationMean }
        let d = p * x + q - 1
        guard d > 0 else { return nil }
        return (gamma + x * m) * p / d
    }
}

/// The customers the Gamma-Gamma model is fitted on: x > 0 and a positive mean value.
struct RepeatValues {
    var x: [Double] = []
    /// The total of the repeat purchase days' amounts, x·m.
    var total: [Double] = []
    /// Per distinct x: the number of customers and the sum of ln m.
    var xCounts: [Double] = []
    var xLogM: [Double] = []
    var meanValue = 0.0
    var count: Int { x.count }

    init(_ s: CustomerSummary) {
        let maxX = Int(s.x.max() ?? 0)
        xCounts = [Double](repeating: 0, count: maxX + 1)
        xLogM = xCounts
        var sum = 0.0
        for i in 0..<s.count where s.x[i] > 0 && s.repeatValue[i] > 0 {
            let xi = Double(s.x[i])
            x.append(xi)
            total.append(s.repeatValue[i])
            xCounts[Int(s.x[i])] += 1
            xLogM[Int(s.x[i])] += log(s.repeatValue[i] / xi)
            sum += s.repeatValue[i] / xi
        }
        meanValue = x.isEmpty ? 0 : sum / Double(x.count)
    }
}

extension GammaGamma {
    /// The total log-likelihood and its gradient in (p, q, γ); the terms of x alone once
    /// per distinct x.
    static func logLikelihood(_ v: [Double], _ data: RepeatValues) -> (value: Double, gradient: [Double]) {
        let (p, q, gamma) = (v[0], v[1], v[2])
        guard p > 0, q > 0, gamma > 0 else { return (-.infinity, [0, 0, 0]) }
        var ll = 0.0
        var g = [0.0, 0.0, 0.0]
        let lgQ = GammaFunctions.lnGamma(q), psiQ = GammaFunctions.digamma(q), logGamma = log(gamma)
        for k in 1..<max(1, data.xCounts.count) where data.xCounts[k] > 0 {
            let n = data.xCounts[k], x = Double(k), px = p * x
            let lx = log(x)
            ll += n * (GammaFunctions.lnGamma(px + q) - GammaFunctions.lnGamma(px) - lgQ + q * logGamma + px * lx)
                + (px - 1) * data.xLogM[k]
            let psiPXQ = GammaFunctions.digamma(px + q)
            g[0] += n * x * (psiPXQ - GammaFunctions.digamma(px) + lx) + x * data.xLogM[k]
            g[1] += n * (psiPXQ - psiQ + logGamma)
            g[2] += n * q / gamma
        }
        // Per customer: −(px+q) ln(xm+γ).
        let m = data.count
        let parts = m >= 1 << 15 ? 2 : 1
        var partial = [[Double]](repeating: [0, 0, 0, 0], count: parts)
        data.x.withUnsafeBufferPointer { xs in
        data.total.withUnsafeBufferPointer { totals in
            let body = { (part: Int) -> [Double] in
                var sL = 0.0, sXL = 0.0, sInv = 0.0, sXInv = 0.0
                for i in (m * part / parts)..<(m * (part + 1) / parts) {
                    let t = totals[i] + gamma
                    let l = log(t)
                    sL += l
                    sXL += xs[i] * l
                    let inv = 1 / t
                    sInv += inv
                    sXInv += xs[i] * inv
                }
                return [sL, sXL, sInv, sXInv]
            }
            if parts == 1 {
                partial[0] = body(0)
            } else {
                let out = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: parts)
                out.initialize(repeating: [])
                DispatchQueue.concurrentPerform(iterations: parts) { out[$0] = body($0) }
                for k in 0..<parts { partial[k] = out[k] }
                out.deinitialize()
                out.deallocate()
            }
        }}
        var sL = 0.0, sXL = 0.0, sInv = 0.0, sXInv = 0.0
        for p in partial { sL += p[0]; sXL += p[1]; sInv += p[2]; sXInv += p[3] }
        ll -= p * sXL + q * sL
        g[0] -= sXL
        g[1] -= sL
        g[2] -= p * sXInv + q * sInv
        return (ll, g)
    }

    /// Starting points: all ones (as `lifetimes`), and two scaled to the mean value.
    static func startingPoints(_ data: RepeatValues) -> [[Double]] {
        let m = max(data.meanValue, 1e-6)
        return [[1, 1, 1], [2, 3, m], [6, 4, m / 2], [1, 2, m / 10]]
    }
}
