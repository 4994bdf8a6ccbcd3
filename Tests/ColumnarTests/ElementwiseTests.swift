import XCTest
import Columnar

final class ElementwiseTests: XCTestCase {
    func testCompareSweepAgainstReference() throws {
        var rng = SeededRandom(seed: 60)
        let ops: [(ComparisonOp, (Int) -> Bool)] = [(.eq, { $0 == 0 }), (.ne, { $0 != 0 }), (.lt, { $0 < 0 }),
                                                     (.le, { $0 <= 0 }), (.gt, { $0 > 0 }), (.ge, { $0 >= 0 })]
        for n in sweepSizes where n <= 1000 {
            let pairs: [(Column, Column)] = [
                (RandomColumn.ints(n, -3...3, nulls: 0.1, &rng), RandomColumn.ints(n, -3...3, nulls: 0.1, &rng)),
                (RandomColumn.ints(n, -3...3, nulls: 0.1, &rng), RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng)),
                (RandomColumn.strings(n, nulls: 0.1, &rng), RandomColumn.strings(n, nulls: 0.1, pool: Array(stringPool.reversed()), &rng)),
                (RandomColumn.dates(n, nulls: 0.1, &rng), RandomColumn.dates(n, nulls: 0.1, &rng)),
                (RandomColumn.bools(n, nulls: 0.1, &rng), RandomColumn.bools(n, nulls: 0.1, &rng)),
            ]
            for (a, b) in pairs {
                let av = a.scalars, bv = b.scalars
                for (op, holds) in ops {
                    let got = try Kernels.compare(a, b, op: op).scalars
                    let exp: [Scalar] = (0..<n).map { i in
                        av[i].isNull || bv[i].isNull ? .null : .bool(holds(referenceCompare(av[i], bv[i])))
                    }
                    XCTAssertEqual(got, exp, "n=\(n) \(a.type) \(op) \(b.type)")
                }
            }
        }
    }

    func testCompareStringWithConstant() throws {
        let a = Column.from(["制造业", "零售", "a"].map { Scalar.string($0) })
        let k = Column.constant(.string("制造业"), count: 3)
        XCTAssertEqual(try Kernels.compare(a, k, op: .eq).scalars, [.bool(true), .bool(false), .bool(false)])
        XCTAssertEqual(try Kernels.compare(a, k, op: .gt).scalars, [.bool(false), .bool(true), .bool(false)])
        XCTAssertThrowsError(try Kernels.compare(a, Column.constant(.int(1), count: 3), op: .eq))
    }

    func testArithmetic() throws {
        let a = Column.from([.int(7), .int(-7), .null, .int(5), .int(Int64.min)])
        let b = Column.from([.int(2), .int(2), .int(1), .int(0), .int(-1)])
        XCTAssertEqual(try Kernels.arithmetic(a, b, op: .add).scalars,
                       [.double(9), .double(-5), .null, .double(5), .double(Double(Int64.min) - 1)])
        XCTAssertEqual(try Kernels.arithmetic(a, b, op: .mod).scalars, [.int(1), .int(-1), .null, .null, .int(0)])
        XCTAssertEqual(try Kernels.arithmetic(a, b, op: .div).scalars, [.double(3.5), .double(-3.5), .null, .null, .double(-Double(Int64.min))])
        // Overflow promotes the whole column to double.
        let sum = try Kernels.arithmetic(a, b, op: .add)
        XCTAssertEqual(sum.type, .double)
        XCTAssertEqual(sum.scalars[0], .double(9))
        let small = try Kernels.arithmetic(Column.from([.int(3)]), Column.from([.int(4)]), op: .mul)
        XCTAssertEqual(small.scalars, [.int(12)])
        let mixed = try Kernels.arithmetic(Column.from([.int(3)]), Column.from([.double(0.5)]), op: .sub)
        XCTAssertEqual(mixed.scalars, [.double(2.5)])
        XCTAssertEqual(try Kernels.arithmetic(Column.from([.double(1)]), Column.from([.double(0)]), op: .div).scalars, [.null])
        XCTAssertEqual(try Kernels.arithmetic(Column.from([.double(7.5)]), Column.from([.int(2)]), op: .mod).scalars, [.double(1.5)])
        let days = try Kernels.arithmetic(Column.from([.date(100)]), Column.from([.date(90)]), op: .sub)
        XCTAssertEqual(days.scalars, [.int(10)])
        XCTAssertEqual(try Kernels.arithmetic(Column.from([.date(100)]), Column.from([.int(5)]), op: .add).scalars, [.date(105)])
        XCTAssertThrowsError(try Kernels.arithmetic(Column.from([.string("x")]), Column.from([.int(1)]), op: .add))
        XCTAssertNil(Kernels.castToDouble(Column.from([.string("x")])))
        XCTAssertEqual(Kernels.castToDouble(Column.from([.int(2), .null]))?.scalars, [.double(2), .null])
    }

    func testOverflowInNullRowDoesNotPromote() throws {
        var a = Column.from([.int(Int64.max), .int(1)])
        a.validity = { var b = Bitmap(count: 2, allValid: true); b[0] = false; return b }()
        let r = try Kernels.arithmetic(a, Column.from([.int(1), .int(1)]), op: .add)
        XCTAssertEqual(r.type, .int)
        XCTAssertEqual(r.scalars, [.null, .int(2)])
    }
}
