import XCTest
import Columnar

final class GroupByTests: XCTestCase {
    /// Reference: ids in order of first appearance over boxed keys.
    func referenceGroups(_ keys: [Column]) -> (ids: [Int32], first: [Int32]) {
        let n = keys.first?.count ?? 0
        let values = keys.map { $0.scalars.map(referenceKey) }
        var seen: [[Scalar]: Int32] = [:]
        var ids: [Int32] = [], first: [Int32] = []
        for r in 0..<n {
            let k = values.map { $0[r] }
            if let id = seen[k] { ids.append(id) } else {
                let id = Int32(first.count)
                seen[k] = id; ids.append(id); first.append(Int32(r))
            }
        }
        return (ids, first)
    }

    func check(_ keys: [Column], _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let g = try Kernels.groupIDs(keys: keys)
        let (ids, first) = referenceGroups(keys)
        XCTAssertEqual(g.ids, ids, label, file: file, line: line)
        XCTAssertEqual(g.firstRow, first, label, file: file, line: line)
        XCTAssertEqual(g.groupCount, first.count, label, file: file, line: line)
        XCTAssertEqual(try Kernels.distinctRows(keys: keys), first, label, file: file, line: line)
    }

    func testSweepAllKeyShapes() throws {
        var rng = SeededRandom(seed: 20)
        for n in sweepSizes {
            let s = RandomColumn.strings(n, nulls: 0.1, &rng)
            let i = RandomColumn.ints(n, -30...30, nulls: 0.1, &rng)
            let wide = RandomColumn.ints(n, Int64.min / 2...Int64.max / 2, nulls: 0.05, &rng)
            let wideFew = Column.from(wide.scalars.map { v in v.intValue.map { .int($0 % 7 * (1 << 50)) } ?? .null }, type: .int)
            let d = RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng)
            let dt = RandomColumn.dates(n, nulls: 0.1, &rng)
            let b = RandomColumn.bools(n, nulls: 0.2, &rng)
            try check([s], "string n=\(n)")
            try check([i], "int n=\(n)")
            try check([wide], "wide int n=\(n)")
            try check([wideFew], "wide few n=\(n)")
            try check([d], "double n=\(n)")
            try check([dt], "date n=\(n)")
            try check([b], "bool n=\(n)")
            try check([s, i, b], "string,int,bool n=\(n)")
            try check([d, s], "double,string n=\(n)")
            try check([wideFew, d, dt], "wide,double,date n=\(n)")
        }
    }

    func testParallelPathsMatchReference() throws {
        var rng = SeededRandom(seed: 21)
        let n = 30_000
        let s = RandomColumn.strings(n, nulls: 0.1, &rng)
        let i = RandomColumn.ints(n, 0...5000, nulls: 0.1, &rng)
        let wide = Column.from(RandomColumn.ints(n, 0...3000, nulls: 0.1, &rng).scalars.map { v in v.intValue.map { .int($0 << 45) } ?? .null }, type: .int)
        let d = RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng)
        try withParallelThreshold(1000) {
            try check([s], "parallel string")
            try check([i], "parallel int")
            try check([wide], "parallel wide")
            try check([d, s], "parallel multi")
        }
    }

    func testParallelPartitionedDirectTable() throws {
        // A key space above 65,536 but within the row count: direct table, hash partitions.
        var rng = SeededRandom(seed: 22)
        let n = 100_000
        let i = RandomColumn.ints(n, 0...80_000, nulls: 0.01, &rng)
        try withParallelThreshold(1000) {
            try check([i], "parallel direct partitioned")
        }
    }

    func testNullsFormOneGroupAndEmptyKeys() throws {
        let k = Column.from([.null, .string("制造业"), .null, .string("零售"), .string("制造业")])
        let g = try Kernels.groupIDs(keys: [k])
        XCTAssertEqual(g.ids, [0, 1, 0, 2, 1])
        XCTAssertEqual(g.firstRow, [0, 1, 3])
        let all = try Kernels.groupIDs(keys: [], rowCount: 3)
        XCTAssertEqual(all.ids, [0, 0, 0]); XCTAssertEqual(all.groupCount, 1); XCTAssertEqual(all.firstRow, [0])
        let none = try Kernels.groupIDs(keys: [], rowCount: 0)
        XCTAssertEqual(none.groupCount, 1); XCTAssertEqual(none.firstRow, [-1])
        let emptyKey = try Kernels.groupIDs(keys: [Column.from([], type: .int)])
        XCTAssertEqual(emptyKey.groupCount, 0)
        XCTAssertThrowsError(try Kernels.groupIDs(keys: [Column.from([.int(1)]), Column.from([])]))
    }

    func testCancellationStopsKernels() {
        let c = Column(.int((0..<200_000).map { Int64($0 % 1000) }))
        Cancellation.request()
        defer { Cancellation.reset() }
        XCTAssertThrowsError(try Kernels.groupIDs(keys: [c]))
        XCTAssertThrowsError(try Kernels.sortPermutation(keys: [(c, false)]))
        XCTAssertThrowsError(try Kernels.aggregate(.sum, c, groups: .single(rowCount: c.count)))
    }

    func testGroupsAcrossConcatenatedChunks() throws {
        // Chunks with their own dictionaries: after concat, equal strings are one group.
        let a = Column.from([.string("制造业"), .string("零售")])
        let b = Column.from([.string("零售"), .string("金融"), .string("制造业")])
        let g = try Kernels.groupIDs(keys: [try a.concat(b)])
        XCTAssertEqual(g.ids, [0, 1, 1, 2, 0])
    }
}
