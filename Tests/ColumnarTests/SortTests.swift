import XCTest
import Columnar

final class SortTests: XCTestCase {
    /// Reference: stable sort of boxed rows.
    func referenceSort(_ keys: [(column: Column, descending: Bool)]) -> [Int32] {
        let n = keys.first?.column.count ?? 0
        let values = keys.map { $0.column.scalars }
        return (0..<n).sorted { a, b in
            for (k, key) in keys.enumerated() {
                let x = values[k][a], y = values[k][b]
                var c = referenceCompare(x, y)
                // Descending flips values only: nulls and NaN stay last.
                let special = x.isNull || y.isNull || x.doubleValue?.isNaN == true || y.doubleValue?.isNaN == true
                if key.descending && !special { c = -c }
                if c != 0 { return c < 0 }
            }
            return a < b
        }.map { Int32($0) }
    }

    func testSweepSingleAndMultiKey() throws {
        var rng = SeededRandom(seed: 10)
        for n in sweepSizes {
            let i = RandomColumn.ints(n, -50...50, nulls: 0.1, &rng)
            let d = RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng)
            let s = RandomColumn.strings(n, nulls: 0.1, &rng)
            let dt = RandomColumn.dates(n, nulls: 0.1, &rng)
            let b = RandomColumn.bools(n, nulls: 0.1, &rng)
            let wide = RandomColumn.ints(n, Int64.min...Int64.max, nulls: 0.1, &rng)
            let cases: [[(column: Column, descending: Bool)]] = [
                [(i, false)], [(i, true)], [(d, false)], [(d, true)], [(s, false)], [(s, true)],
                [(dt, true)], [(b, false)], [(wide, false)], [(wide, true)],
                [(s, false), (i, true)], [(b, true), (d, false), (dt, false)], [(wide, false), (s, true)],
            ]
            // The boxed reference sort is slow: at the largest size check a few shapes.
            for keys in n >= 100_000 ? [cases[0], cases[5], cases[11]] : cases {
                let got = try Kernels.sortPermutation(keys: keys)
                XCTAssertEqual(got, referenceSort(keys), "n=\(n) keys=\(keys.map { ($0.column.type, $0.descending) })")
            }
        }
    }

    func testParallelSortMatches() throws {
        var rng = SeededRandom(seed: 11)
        let n = 50_000
        let i = RandomColumn.ints(n, -1000...1000, nulls: 0.05, &rng)
        let s = RandomColumn.strings(n, nulls: 0.05, &rng)
        let expected = referenceSort([(s, false), (i, true)])
        try withParallelThreshold(3000) {
            XCTAssertEqual(try Kernels.sortPermutation(keys: [(s, false), (i, true)]), expected)
        }
    }

    func testStableAndNullsLastBothDirections() throws {
        let c = Column.from([.int(2), .null, .int(1), .int(2), .null, .int(1)])
        XCTAssertEqual(try Kernels.sortPermutation(keys: [(c, false)]), [2, 5, 0, 3, 1, 4])
        XCTAssertEqual(try Kernels.sortPermutation(keys: [(c, true)]), [0, 3, 2, 5, 1, 4])
        let d = Column.from([.double(.nan), .double(1), .null, .double(-2)])
        XCTAssertEqual(try Kernels.sortPermutation(keys: [(d, false)]), [3, 1, 0, 2])
        XCTAssertEqual(try Kernels.sortPermutation(keys: [(d, true)]), [1, 3, 0, 2])
    }

    func testChineseStringsSortByBytes() throws {
        let c = Column.from(["零售", "制造业", "a", "制造", "B"].map { Scalar.string($0) })
        let perm = try Kernels.sortPermutation(keys: [(c, false)])
        XCTAssertEqual(perm.map { c[Int($0)] }, ["B", "a", "制造", "制造业", "零售"].map { Scalar.string($0) })
    }

    func testTopPermutation() throws {
        var rng = SeededRandom(seed: 12)
        for n in [0, 1, 10, 5000, 100_000] {
            let c = RandomColumn.doubles(n, nulls: 0.1, nan: 0.01, &rng)
            let s = RandomColumn.strings(n, nulls: 0, &rng)
            let keys: [(column: Column, descending: Bool)] = [(c, true), (s, false)]
            let full = try Kernels.sortPermutation(keys: keys)
            for limit in [0, 1, 20, 700] {
                XCTAssertEqual(try Kernels.topPermutation(keys: keys, limit: limit), Array(full.prefix(limit)), "n=\(n) limit=\(limit)")
            }
        }
    }
}
