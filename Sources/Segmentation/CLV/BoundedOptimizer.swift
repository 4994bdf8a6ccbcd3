#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Maximum likelihood over positive parameters: BFGS on the logarithms of the parameters
/// (so every step stays positive), each kept within [1e-8, 1e8], with a backtracking line
/// search that treats a non-finite likelihood as worse than any finite one. It starts from
/// the best of several starting points, and from the next ones when that did not converge,
/// and reports what a reader needs to trust the result (`Fit`).
enum BoundedOptimizer {
    /// The result of a fit and its diagnostics.
    struct Fit {
        var parameters: [Double]
        var logLikelihood: Double
        /// The largest |∂ mean log-likelihood / ∂ ln parameter| at the end.
        var gradientNorm: Double
        var iterations: Int
        var converged: Bool
        /// Why the search stopped, in words.
        var reason: String
        /// Standard errors from the inverse of the observed information (the negative
        /// Hessian, by differences of the gradient); nil where it is not positive definite.
        var standardErrors: [Double]?
        var startsTried: Int
        /// Likelihood evaluations, all starting points and the Hessian included.
        var evaluations = 0
    }

    static let lower = log(1e-8), upper = log(1e8)

    /// Maximises `objective` (total log-likelihood and gradient in the natural parameters)
    /// over `count` customers, from `starts`.
    static func maximize(starts: [[Double]], count: Int, names: [String] = [],
                         objective: ([Double]) -> (value: Double, gradient: [Double])) -> Fit {
        let scale = 1 / Double(max(count, 1))
        // f(θ) = −LL(e^θ)/N and its gradient in θ.
        var evaluations = 0
        func f(_ theta: [Double]) -> (Double, [Double]) {
            evaluations += 1
            let p = theta.map { exp($0) }
            let (v, g) = objective(p)
            guard v.isFinite, g.allSatisfy({ $0.isFinite }) else { return (.infinity, g.map { _ in 0 }) }
            return (-v * scale, zip(g, p).map { -$0 * $1 * scale })
        }
        // Starting points by their likelihood, finite ones first.
        let ranked = starts.map { s -> (Double, [Double]) in
            let theta = s.map { min(max(log($0), lower), upper) }
            return (f(theta).0, theta)
        }.sorted { $0.0 < $1.0 }
        var best: Fit? = nil
        var tried = 0
        for (value, theta) in ranked where value.isFinite {
            tried += 1
            var fit = bfgs(theta, f, names: names)
            if fit.converged { polish(&fit, f) }
            fit.parameters = fit.parameters.map { exp($0) }
            fit.logLikelihood = -fit.logLikelihood / scale
            if best == nil || (fit.converged && !(best?.converged ?? false))
                || (fit.converged == best?.converged && fit.logLikelihood > best?.logLikelihood ?? -.infinity) {
                best = fit
            }
            if best?.converged == true { break }
        }
        guard var out = best else {
            return Fit(parameters: starts.first ?? [], logLikelihood: -.infinity, gradientNorm: .infinity, iterations: 0,
                       converged: false, reason: "the likelihood is not finite at any starting point",
                       standardErrors: nil, startsTried: 0)
        }
        out.startsTried = tried
        out.standardErrors = standardErrors(out.parameters, objective)
        out.evaluations = evaluations + 2 * out.parameters.count
        return out
    }

    /// BFGS in θ from `start`; the returned parameters are θ and the value f.
    static func bfgs(_ start: [Double], _ f: ([Double]) -> (Double, [Double]), names: [String] = []) -> Fit {
        let k = start.count
        var theta = start
        var (value, g) = f(theta)
        var h = identity(k)
        var iterations = 0
        var resets = 0
        var history: [Double] = []
        var updated = false
        var atBound = 0
        func result(_ converged: Bool, _ reason: String) -> Fit {
            var fit = Fit(parameters: theta, logLikelihood: value, gradientNorm: norm(g), iterations: iterations,
                          converged: converged, reason: reason, standardErrors: nil, startsTried: 1)
            // At or within 5% of a bound: the likelihood rises towards it (a ridge), so the
            // point found is where the search stopped, not an estimate.
            if converged, let i = theta.firstIndex(where: { $0 <= lower + 0.05 || $0 >= upper - 0.05 }) {
                fit.converged = false
                fit.reason = "\(i < names.count ? names[i] : "parameter \(i + 1)") ran to its bound (1e-8 or 1e8): the data do not identify it"
            }
            return fit
        }
        while iterations < 1000 {
            if norm(g) < 1e-9 { return result(true, "gradient below 1e-9") }
            iterations += 1
            var d = (0..<k).map { i in -(0..<k).reduce(0.0) { $0 + h[i][$1] * g[$1] } }
            var slope = zip(d, g).reduce(0.0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) { h = identity(k); d = g.map { -$0 }; slope = -zip(g, g).reduce(0.0) { $0 + $1.0 * $1.1 } }
            // At most 5 in ln units per step (a factor of e⁵ in a parameter).
            let longest = d.map(abs).max() ?? 0
            var step = longest > 5 ? 5 / longest : 1.0
            var accepted = false
            var next = theta, nextValue = value, nextG = g
            var flat = false
            for trial in 0..<60 {
                next = (0..<k).map { min(max(theta[$0] + step * d[$0], lower), upper) }
                (nextValue, nextG) = f(next)
                if nextValue.isFinite && nextValue <= value + 1e-4 * step * slope { accepted = true; break }
                // Within rounding of the current value: shorter steps cannot do better.
                if nextValue.isFinite && abs(nextValue - value) <= 1e-14 * max(1, abs(value)) { flat = true; break }
                // With a small gradient the value's changes are near its rounding: halving
                // the step again and again only spends evaluations (Newton's polish, which
                // goes by the gradient, finishes the job).
                if norm(g) < 1e-5 && trial >= 1 { flat = true; break }
                step *= 0.5
            }
            if !accepted && flat && norm(g) < 1e-5 {
                return result(true, "stopped at the precision of the likelihood (gradient \(short(norm(g))))")
            }
            if !accepted {
                // No decrease along the direction: a precision stop when the gradient is
                // already small, else restart from steepest descent once more.
                if norm(g) < 1e-5 { return result(true, "stopped at the precision of the likelihood (gradient \(short(norm(g))))") }
                if resets < 3 { resets += 1; h = identity(k); updated = false; continue }
                return result(false, "the line search found no better point (gradient \(short(norm(g))))")
            }
            let s = (0..<k).map { next[$0] - theta[$0] }
            let y = (0..<k).map { nextG[$0] - g[$0] }
            let sy = zip(s, y).reduce(0.0) { $0 + $1.0 * $1.1 }
            theta = next; value = nextValue; g = nextG
            if sy > 1e-16 && !updated {
                // Before the first update, scale the identity to the curvature seen along s
                // (Nocedal & Wright 6.20): the first steps are then of the right size.
                let yy = y.reduce(0.0) { $0 + $1 * $1 }
                if yy > 0 { h = identity(k).map { $0.map { $0 * sy / yy } } }
                updated = true
            }
            if sy > 1e-16 {
                // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
                let rho = 1 / sy
                let hy = (0..<k).map { i in (0..<k).reduce(0.0) { $0 + h[i][$1] * y[$1] } }
                let yhy = zip(y, hy).reduce(0.0) { $0 + $1.0 * $1.1 }
                for i in 0..<k {
                    for j in 0..<k {
                        h[i][j] += -rho * (s[i] * hy[j] + hy[i] * s[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
            }
            // A parameter held at its bound for 20 iterations: the likelihood keeps rising
            // towards it (a ridge, such as q and γ growing together), and going on only
            // spends iterations; `result` reports which parameter.
            atBound = theta.contains { $0 <= lower + 1e-9 || $0 >= upper - 1e-9 } ? atBound + 1 : 0
            if atBound >= 20 { return result(true, "") }
            // A precision stop: the mean log-likelihood has not moved by 1e-13 (relative) in
            // 10 iterations while the gradient is small. Doubles hold about 16 digits, so
            // asking for more only spends iterations crawling along a flat ridge.
            history.append(value)
            if history.count > 10 { history.removeFirst() }
            if history.count == 10, let oldest = history.first, abs(oldest - value) <= 1e-13 * max(1, abs(value)), norm(g) < 1e-4 {
                return result(true, "the likelihood stopped changing (gradient \(short(norm(g))))")
            }
        }
        return result(false, "no convergence in 1000 iterations (gradient \(short(norm(g))))")
    }

    /// Newton steps from a converged BFGS point (θ and f), with the Hessian of f by central
    /// differences of its gradient: BFGS stops at the precision of the likelihood's value,
    /// where the gradient can still be 1e-6 and the point off the optimum by more along a
    /// flat ridge; Newton's steps use the gradient, which keeps its digits there. So inputs
    /// that differ in the last bits (sums of the same amounts in another order, as a
    /// database adds them) give the same optimum to about 1e-10. Steps are taken while the
    /// gradient is above 1e-10 (one step usually brings it below); a step is kept while it
    /// shrinks the gradient without worsening the value beyond its rounding (1e-12: a sum
    /// of thousands of terms); at most 3.
    static func polish(_ fit: inout Fit, _ f: ([Double]) -> (Double, [Double])) {
        let k = fit.parameters.count
        var theta = fit.parameters
        var (value, g) = f(theta)
        guard value.isFinite else { return }
        for _ in 0..<3 where norm(g) > 1e-10 {
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
            for j in 0..<k {
                var up = theta, down = theta
                up[j] += 1e-5; down[j] -= 1e-5
                let gu = f(up).1, gd = f(down).1
                for i in 0..<k { hessian[i][j] = (gu[i] - gd[i]) / 2e-5 }
            }
            for i in 0..<k { for j in 0..<i { let m = (hessian[i][j] + hessian[j][i]) / 2; hessian[i][j] = m; hessian[j][i] = m } }
            guard let inverse = invert(hessian) else { return }
            let d = (0..<k).map { i in -(0..<k).reduce(0.0) { $0 + inverse[i][$1] * g[$1] } }
            // Only small corrections: a long Newton step means a flat direction, not a fix.
            guard d.allSatisfy({ $0.isFinite }), (d.map(abs).max() ?? 0) < 0.1 else { return }
            let next = (0..<k).map { min(max(theta[$0] + d[$0], lower), upper) }
            let (nextValue, nextG) = f(next)
            guard nextValue.isFinite, nextValue <= value + 1e-12 * max(1, abs(value)), norm(nextG) < norm(g) else { return }
            theta = next; value = nextValue; g = nextG
            fit.parameters = theta; fit.logLikelihood = value; fit.gradientNorm = norm(g)
        }
    }

    static func norm(_ g: [Double]) -> Double { g.map(abs).max() ?? 0 }
    static func identity(_ k: Int) -> [[Double]] { (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } } }
    static func short(_ v: Double) -> String { String(format: "%.1e", v) }

    /// √diag((−H)⁻¹) with H the Hessian of the total log-likelihood in the natural
    /// parameters, by central differences of the gradient (steps of 1e-5 relative).
    static func standardErrors(_ p: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> [Double]? {
        let k = p.count
        var info = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for j in 0..<k {
            let h = 1e-5 * p[j]
            var up = p, down = p
            up[j] += h; down[j] -= h
            let gu = objective(up).gradient, gd = objective(down).gradient
            for i in 0..<k { info[i][j] = -(gu[i] - gd[i]) / (2 * h) }
        }
        for i in 0..<k { for j in 0..<i { let m = (info[i][j] + info[j][i]) / 2; info[i][j] = m; info[j][i] = m } }
        guard let inverse = invert(info) else { return nil }
        var out: [Double] = []
        for i in 0..<k {
            guard inverse[i][i] > 0, inverse[i][i].isFinite else { return nil }
            out.append(inverse[i][i].squareRoot())
        }
        return out
    }

    /// The inverse by Gauss-Jordan elimination with partial pivoting; nil when singular.
    static func invert(_ m: [[Double]]) -> [[Double]]? {
        let k = m.count
        var a = m
        var inv = identity(k)
        for c in 0..<k {
            guard let pivot = (c..<k).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[pivot][c]) > 1e-300 else { return nil }
            a.swapAt(c, pivot); inv.swapAt(c, pivot)
            let d = a[c][c]
            for j in 0..<k { a[c][j] /= d; inv[c][j] /= d }
            for r in 0..<k where r != c {
                let f = a[r][c]
                if f == 0 { continue }
                for j in 0..<k { a[r][j] -= f * a[c][j]; inv[r][j] -= f * inv[c][j] }
            }
        }
        return inv
    }
}
