import XCTest
import Columnar

final class GatherConcatTests: XCTestCase {
    func testGatherSweepAgainstReference() {
        var rng = SeededRandom(seed: 1)
        for n in sweepSizes {
            let columns = [
                RandomColumn.ints(n, -5...5, nulls: 0.2, &rng), RandomColumn.doubles(n, nulls: 0.1, &rng),
                RandomColumn.strings(n, nulls: 0.3, &rng), RandomColumn.dates(n, nulls: 0, &rng),
                RandomColumn.bools(n, nulls: 0.5, &rng),
            ]
            let m = min(n * 2, 5000)
            let indices: [Int32] = (0..<m).map { _ in n == 0 ? -1 : (Int.random(in: 0..<10, using: &rng) == 0 ? -1 : Int32.random(in: 0..<Int32(n), using: &rng)) }
            for c in columns {
                let g = c.gather(indices)
                let all = c.scalars
                let expected = indices.map { $0 < 0 ? Scalar.null : all[Int($0)] }
                assertScalarsEqual(g.scalars, expected, "n=\(n) \(c.type)")
                XCTAssertEqual(g.type, c.type)
            }
        }
    }

    func testGatherKeepsDictionaryAndOutOfRangeIsNull() {
        let c = Column.from([.string("制造业"), .string("零售")])
        let g = c.gather([1, -1, 0, 7])
        XCTAssertEqual(g.scalars, [.string("零售"), .null, .string("制造业"), .null])
        if case .string(_, let d1) = c.storage, case .string(_, let d2) = g.storage {
            XCTAssertTrue(d1 === d2)
        } else { XCTFail("not strings") }
    }

    func testSelectionNullIsFalse() throws {
        let mask = Column.from([.bool(true), .null, .bool(false), .bool(true)])
        XCTAssertEqual(try Kernels.selection(from: mask), [0, 3])
        XCTAssertThrowsError(try Kernels.selection(from: Column.from([.int(1)])))
        var rng = SeededRandom(seed: 2)
        for n in sweepSizes {
            let m = RandomColumn.bools(n, nulls: 0.3, &rng)
            let expected = m.scalars.enumerated().compactMap { $0.element == .bool(true) ? Int32($0.offset) : nil }
            XCTAssertEqual(try Kernels.selection(from: m), expected)
        }
    }

    func testTableGatherAndSlice() throws {
        let t = try Table(names: ["a", "b"], columns: [Column.from([.int(1), .int(2), .int(3)]),
                                                        Column.from([.string("x"), .null, .string("z")])])
        let g = t.gather([2, 0])
        XCTAssertEqual(g.rowCount, 2)
        XCTAssertEqual(g.row(0), [.int(3), .string("z")])
        let s = t.slice(1..<10)
        XCTAssertEqual(s.rowCount, 2)
        XCTAssertEqual(s.row(0), [.int(2), .null])
        XCTAssertEqual(s.columns[1].nullCount, 1)
    }

    func testConcatMergesDictionariesAndPromotes() throws {
        let a = Column.from([.string("制造业"), .null, .string("a")])
        let b = Column.from([.string("零售"), .string("制造业")])
        let c = try a.concat(b)
        XCTAssertEqual(c.scalars, [.string("制造业"), .null, .string("a"), .string("零售"), .string("制造业")])
        // Equal strings from the two dictionaries share one code.
        if case .string(let codes, _) = c.storage { XCTAssertEqual(codes[0], codes[4]) }
        let n = try Column.from([.int(1)]).concat(Column.from([.double(2.5)]))
        XCTAssertEqual(n.scalars, [.double(1), .double(2.5)])
        let withNulls = try Column.from([.date(3)]).concat(Column.nulls(.int, count: 2))
        XCTAssertEqual(withNulls.scalars, [.date(3), .null, .null])
        XCTAssertThrowsError(try Column.from([.date(3)]).concat(Column.from([.string("x")])))

        let t1 = try Table(names: ["k"], columns: [a])
        let t2 = try Table(names: ["other"], columns: [b])
        let t = try t1.appending(rowsOf: t2)
        XCTAssertEqual(t.names, ["k"])
        XCTAssertEqual(t.rowCount, 5)
    }
}
