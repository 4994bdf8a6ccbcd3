import XCTest
import Columnar

/// The constant kernels give what the column kernels give with the constant repeated.
final class ConstantKernelTests: XCTestCase {
    func testCompareWithConstantMatchesRepeatedConstant() throws {
        var rng = SeededRandom(seed: 61)
        let n = 300
        let columns = [RandomColumn.ints(n, -3...3, nulls: 0.1, &rng), RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng)]
        let constants: [Scalar] = [.int(1), .int(-3), .double(0.5), .double(-0.0), .double(.nan), .double(.infinity)]
        let ops: [ComparisonOp] = [.eq, .ne, .lt, .le, .gt, .ge]
        for a in columns {
            for c in constants {
                let k = Column.constant(c, count: n)
                for op in ops {
                    let got = try XCTUnwrap(Kernels.compare(a, constant: c, op: op))
                    XCTAssertEqual(got.scalars, try Kernels.compare(a, k, op: op).scalars, "\(a.type) \(op) \(c)")
                    let swapped = try XCTUnwrap(Kernels.compare(a, constant: c, op: op.swapped))
                    XCTAssertEqual(swapped.scalars, try Kernels.compare(k, a, op: op).scalars, "\(c) \(op) \(a.type)")
                }
            }
        }
        XCTAssertNil(try Kernels.compare(Column.from([.string("a")]), constant: .int(1), op: .eq))
    }

    func testArithmeticWithConstantMatchesRepeatedConstant() throws {
        var rng = SeededRandom(seed: 62)
        let n = 300
        let columns = [RandomColumn.ints(n, -3...3, nulls: 0.1, &rng), RandomColumn.doubles(n, nulls: 0.1, &rng)]
        for a in columns {
            for c: Scalar in [.double(0.8), .double(-1.5), .int(3)] {
                let k = Column.constant(c, count: n)
                for op: ArithmeticOp in [.add, .sub, .mul] {
                    guard let got = try Kernels.arithmetic(a, constant: c, op: op, constantFirst: false) else {
                        XCTAssertEqual(a.type, .int); XCTAssertEqual(c.type, .int); continue
                    }
                    XCTAssertEqual(got.scalars, try Kernels.arithmetic(a, k, op: op).scalars, "\(a.type) \(op) \(c)")
                    let first = try XCTUnwrap(Kernels.arithmetic(a, constant: c, op: op, constantFirst: true))
                    XCTAssertEqual(first.scalars, try Kernels.arithmetic(k, a, op: op).scalars, "\(c) \(op) \(a.type)")
                }
            }
        }
        XCTAssertNil(try Kernels.arithmetic(Column.from([.int(1)]), constant: .int(2), op: .mul, constantFirst: false))
        XCTAssertNil(try Kernels.arithmetic(Column.from([.double(1)]), constant: .double(2), op: .div, constantFirst: false))
    }
}
