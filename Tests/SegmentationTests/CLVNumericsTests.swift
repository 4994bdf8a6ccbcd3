import Columnar
import XCTest
@testable import Segmentation

/// The special functions and likelihoods of the CLV models against values computed with
/// mpmath at 50 digits (the generating expressions are in each test).
final class CLVNumericsTests: XCTestCase {
    func assertClose(_ a: Double?, _ b: Double, _ tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("\(what): nil", file: file, line: line) }
        XCTAssertLessThanOrEqual(abs(a - b), tol * max(1, abs(b)), "\(what): \(a) vs \(b)", file: file, line: line)
    }

    func testDigamma() {
        // mpmath.digamma(x)
        let cases: [(Double, Double)] = [(0.1, -10.423754940411076), (0.5, -1.9635100260214235), (1, -0.57721566490153286),
                                         (2.5, 0.70315664064524319), (6, 1.7061176684318005), (10, 2.2517525890667211),
                                         (123.4, 4.8113737751162774)]
        for (x, v) in cases { assertClose(GammaFunctions.digamma(x), v, 1e-14, "digamma(\(x))") }
    }

    func testHypergeometric2F1AgainstMpmath() {
        // mpmath.hyp2f1(a, b, c, z): the series, Pfaff for z < -0.75, the 1 - z transformation
        // near 1 (z = 0.999999 included), and c - a - b an integer (0.5, 0.5, 1 and 1, 1, 2).
        let cases: [(Double, Double, Double, Double, Double)] = [
            (1.5, 2.5, 3.7, 0.3, 1.4214419569129741),
            (0.5, 0.2, 1.3, -0.4, 0.97319415261861246),
            (2.0, 3.0, 4.5, 0.9, 12.862862523589223),
            (10.3, 12.1, 14.2, 0.6, 2739.6956644572442),
            (0.7, 1.3, 2.2, 0.999, 3.9626219427950668),
            (0.24, -0.2, 1.5, 0.999999, 0.9550680240867063),
            (3.0, 0.5, 2.5, -5.0, 0.37006672052003653),
            (1.2, 0.8, 3.0, -30.0, 0.18547627936750556),
            (25.3, 0.6, 27.1, 0.95, 3.947014794097262),
            (0.5, 0.5, 1.0, 0.99, 2.3527158167797423),
            (1.0, 1.0, 2.0, 0.9, 2.5584278811044954),
            (0.3, 1.7, 0.8, 0.5, 1.6348234151028444),
        ]
        for (a, b, c, z, v) in cases {
            assertClose(Hypergeometric2F1.value(a, b, c, z), v, 1e-9, "2F1(\(a), \(b); \(c); \(z))")
        }
        XCTAssertNil(Hypergeometric2F1.value(1, 1, -2, 0.5), "c a non-positive integer")
        XCTAssertNil(Hypergeometric2F1.value(1, 1, 2, 1), "z = 1")
    }

    func testExpectedPurchasesAgainstMpmath() {
        // (r, alpha, a, b, x, t_x, T, t, E): mpmath's (a+b+x-1)/(a-1) (1 - ((alpha+T)/(alpha+T+t))^(r+x)
        // hyp2f1(r+x, b+x, a+b+x-1, t/(alpha+T+t))) / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)),
        // and for a + b > 100 the same as mpmath.quad of the integral over the Beta(a, b+x) posterior.
        let cases: [(Double, Double, Double, Double, Double, Double, Double, Double, Double)] = [
            (0.243, 4.414, 0.793, 2.426, 2.0, 30.43, 38.86, 39.0, 1.2260281747671445),
            (0.243, 4.414, 0.793, 2.426, 0.0, 0.0, 38.86, 39.0, 0.19509805201126264),
            (0.243, 4.414, 0.793, 2.426, 5.0, 10.0, 11.0, 520.0, 28.103113818923042),     // z = 0.97
            (0.243, 4.414, 0.793, 2.426, 0.0, 0.0, 0.5, 1000.0, 6.2956120001166908),      // z = 0.995
            (1.5, 0.3, 1.0000001, 3.0, 3.0, 2.0, 4.0, 50.0, 3.1118723795132723),         // a next to 1
            (0.5, 2.0, 0.2, 0.3, 0.0, 0.0, 1.0, 100.0, 6.4795082765227886),              // a + b + x - 1 < 0
            (2.0, 10.0, 3.0, 5.0, 150.0, 100.0, 104.0, 52.0, 7.4853845353325942),        // many purchases
            (0.8, 0.36, 1500.0, 80000.0, 10.0, 0.56, 1.08, 12.0, 12.681400705641583),
            (0.8, 0.36, 150.0, 8000.0, 10.0, 0.56, 1.08, 12.0, 12.721396639495954),
            (0.8, 0.36, 1.5e6, 8.08e7, 10.0, 0.56, 1.08, 12.0, 12.841712867349634),      // dropout concentrated
            (0.8, 0.36, 1.5e6, 8.08e7, 0.0, 0.0, 5.0, 12.0, 1.7276819073570367),
        ]
        for (r, alpha, a, b, x, tx, T, t, v) in cases {
            let m = BGNBD(r: r, alpha: alpha, a: a, b: b)
            assertClose(m.expectedPurchases(t: t, x: x, tx: tx, T: T), v, 1e-8, "E(\(r), \(alpha), \(a), \(b); x=\(x), t=\(t))")
        }
    }

    let paper = BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    func testBGNBDLogLikelihoodAndProbabilityAlive() {
        // mpmath: log(Γ(r+x) α^r / Γ(r) · B(a, b+x)/B(a, b) · ((α+T)^-(r+x) + [x>0] a/(b+x-1) (α+t_x)^-(r+x))).
        let ll: [(Double, Double, Double, Double)] = [(0, 0, 38.86, -0.55471327643815845), (2, 30.43, 38.86, -9.4586063070662712),
                                                      (1, 1.71, 38.86, -4.4690932750325885), (250, 77.5, 78.0, 21.195935337317854)]
        for (x, tx, T, v) in ll { assertClose(paper.logLikelihood(x: x, tx: tx, T: T), v, 1e-12, "ll(\(x), \(tx), \(T))") }
        // 1 / (1 + a/(b+x-1) ((α+T)/(α+t_x))^(r+x)); the last is 1e-187, far below where the
        // naive power overflows.
        let alive: [(Double, Double, Double, Double)] = [(2, 30.43, 38.86, 0.72657857008067291), (1, 1.71, 38.86, 0.21210098537737909),
                                                         (250, 77.5, 78.0, 0.98574443500580166), (250, 10, 78.0, 1.0304205096909663e-187)]
        for (x, tx, T, v) in alive {
            let p = paper.probabilityAlive(x: x, tx: tx, T: T)
            XCTAssertEqual(p, v, accuracy: v * 1e-12, "p_alive(\(x), \(tx), \(T))")
        }
        XCTAssertEqual(paper.probabilityAlive(x: 0, tx: 0, T: 10), 1)
    }

    func testGroupedLikelihoodAndGradient() {
        // The grouped total equals the sum of the per-customer terms, and its gradient the
        // central differences of it.
        let g = CustomerGroups(x: [0, 2, 1, 250], tx: [0, 30.43, 1.71, 77.5], T: [38.86, 38.86, 38.86, 78], weight: [3, 1, 2, 1])
        let p = paper.parameters
        let (value, gradient) = BGNBD.logLikelihood(p, g)
        let direct = 3 * -0.55471327643815845 + -9.4586063070662712 + 2 * -4.4690932750325885 + 21.195935337317854
        assertClose(value, direct, 1e-12, "grouped total")
        for j in 0..<4 {
            let h = 1e-6 * p[j]
            var up = p, down = p
            up[j] += h; down[j] -= h
            let numeric = (BGNBD.logLikelihood(up, g).value - BGNBD.logLikelihood(down, g).value) / (2 * h)
            assertClose(gradient[j], numeric, 1e-6, "∂/∂\(BGNBD.parameterNames[j])")
        }
    }

    func testGammaGammaLikelihoodAndExpectedValue() {
        // mpmath: log(Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px-1) x^(px) / (xm+γ)^(px+q)).
        let gg = GammaGamma(p: 6.25, q: 3.74, gamma: 15.44)
        let cases: [(Double, Double, Double)] = [(1, 35.0, -4.1821180260330145), (4, 12.5, -3.8944903285377022), (30, 250.0, -10.922763262729462)]
        for (x, m, v) in cases { assertClose(gg.logLikelihood(x: x, m: m), v, 1e-12, "gg(\(x), \(m))") }
        // (γ + x m) p / (p x + q − 1); the population mean p γ / (q − 1) for x = 0.
        assertClose(gg.expectedValue(x: 4, m: 12.5), (15.44 + 50) * 6.25 / (25 + 2.74), 1e-15, "E[value | 4, 12.5]")
        assertClose(gg.expectedValue(x: 0, m: nil), 6.25 * 15.44 / 2.74, 1e-15, "population mean")
        XCTAssertNil(GammaGamma(p: 1, q: 0.9, gamma: 1).expectedValue(x: 0, m: nil), "q <= 1: no finite mean")
        // The grouped likelihood over customers with the same x equals the per-customer sum.
        var s = CustomerSummary.empty(asof: 100, unitDays: 1)
        s.x = [1, 4, 30, 4]; s.repeatValue = [35, 50, 7500, 40]; s.first = [0, 0, 0, 0]; s.last = [50, 50, 50, 50]
        let data = RepeatValues(s)
        let total = GammaGamma.logLikelihood(gg.parameters, data).value
        assertClose(total, -4.1821180260330145 + -3.8944903285377022 + -10.922763262729462 + gg.logLikelihood(x: 4, m: 10), 1e-12, "grouped")
    }
}
