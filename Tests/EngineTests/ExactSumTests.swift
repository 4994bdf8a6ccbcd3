import XCTest
import Columnar
@testable import Engine

/// The limb split of `SQLDialect.split`, replayed in Swift with the engines' arithmetic
/// (IEEE doubles, round half to even as Spark's `rint` and PostgreSQL's `round`): every
/// double in range splits exactly into four limbs of at most 32 bits, and the limb sums give
/// the exact sum, which rounds as segsh's compensated sum does.
final class ExactSumTests: XCTestCase {
    /// The limbs as the SQL computes them, or nil where the SQL's `splits` test is false.
    static func limbs(_ x: Double) -> [Double]? {
        guard abs(x) < 0x1p48, x * 0x1p80 == (x * 0x1p80).rounded(.toNearestOrEven) else { return nil }
        let r0 = (x * 0x1p-16).rounded(.toNearestOrEven), r1 = (x * 0x1p16).rounded(.toNearestOrEven)
        let r2 = (x * 0x1p48).rounded(.toNearestOrEven)
        return [r0, r1 - r0 * 0x1p32, r2 - r1 * 0x1p32, x * 0x1p80 - r2 * 0x1p32]
    }

    /// x · 2^80 exactly, from the double's own bits.
    static func scaled(_ x: Double) -> Int128 {
        guard x != 0 else { return 0 }
        let m = Int128(x.significandBitPattern | (1 << 52))
        let shift = Int(x.exponent) - 52 + 80
        let v = shift >= 0 ? m << shift : m >> -shift
        return x < 0 ? -v : v
    }

    func testEveryDoubleInRangeSplitsExactlyIntoFourSmallLimbs() {
        var rng = SystemRandomNumberGenerator()
        var split = 0
        for i in 0..<200_000 {
            let x: Double
            switch i % 4 {
            case 0: x = Double(Int.random(in: -10_000_000_00...10_000_000_00, using: &rng)) / 100  // money
            case 1: x = Double.random(in: -1...1, using: &rng)
            case 2: x = Double(sign: .plus, exponent: Int.random(in: -26...46, using: &rng), significand: Double.random(in: 1..<2, using: &rng))
            default: x = Double.random(in: -1e14...1e14, using: &rng)
            }
            guard let l = Self.limbs(x) else {
                // Only values with bits below 2^-80 may fail to split.
                XCTAssertLessThan(abs(x), 0x1p-27, "\(x) did not split")
                continue
            }
            split += 1
            for v in l {
                XCTAssertLessThanOrEqual(abs(v), 0x1p32, "\(x): limb \(v)")
                XCTAssertEqual(v, v.rounded(), "\(x): limb \(v) is not whole")
            }
            let n = Int128(l[0]) << 96 + Int128(l[1]) << 64 + Int128(l[2]) << 32 + Int128(l[3])
            XCTAssertEqual(n, Self.scaled(x), "\(x)")
        }
        XCTAssertGreaterThan(split, 190_000)
    }

    func testValuesThatDoNotSplitAreRefused() {
        for x in [1e-9, 0x1p-81, 0x1p48, -3e15, .infinity, -.infinity, .nan] {
            XCTAssertNil(Self.limbs(x), "\(x)")
        }
        for x in [0.0, -0.0, 0.1, 1e-8, 1200.5, -99_999_999.99, 0x1p48 - 1] {
            XCTAssertNotNil(Self.limbs(x), "\(x)")
        }
    }

    /// Three 0.1s: the exact sum of the doubles rounds to 0.30000000000000004, as segsh's
    /// compensated sum gives; the sum of the decimals would be 0.3.
    func testLimbSumsRoundAsTheCompensatedSum() throws {
        var rng = SystemRandomNumberGenerator()
        for trial in 0..<2_000 {
            let xs: [Double] = trial == 0 ? [0.1, 0.1, 0.1]
                : (0..<Int.random(in: 1...50, using: &rng)).map { _ in Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 100 }
            var sums = [Int128](repeating: 0, count: 4)
            for x in xs { for (j, v) in try XCTUnwrap(Self.limbs(x)).enumerated() { sums[j] += Int128(v) } }
            let n = sums[0] << 96 + sums[1] << 64 + sums[2] << 32 + sums[3]
            let exact = Double(n) * 0x1p-80  // Int128 → Double rounds to nearest, ties to even
            var c = CompensatedSum()
            for x in xs { c.add(x) }
            XCTAssertEqual(exact, c.value, "\(xs)")
            if trial == 0 { XCTAssertEqual(exact, 0.30000000000000004) }
        }
    }

    func testPowersOfTwoAreWrittenOutExactly() {
        XCTAssertEqual(PostgreSQLDialect.exactDecimalPowerOfTwo(minus: 1), "0.5")
        XCTAssertEqual(PostgreSQLDialect.exactDecimalPowerOfTwo(minus: 3), "0.125")
        XCTAssertEqual(PostgreSQLDialect.exactDecimalPowerOfTwo(minus: 16), "0.0000152587890625")
        let p80 = PostgreSQLDialect.exactDecimalPowerOfTwo(minus: 80)
        XCTAssertEqual(p80.count, 82)
        XCTAssertEqual(Double(p80), 0x1p-80)
    }
}
