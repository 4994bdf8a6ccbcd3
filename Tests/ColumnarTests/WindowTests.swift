import XCTest
import Columnar

final class WindowTests: XCTestCase {
    func ints(_ c: Column) -> [Int64?] { c.scalars.map { $0.intValue } }

    func testQuantileScoreTieRule() throws {
        let x = Column.from([.int(10), .int(20), .int(20), .int(30), .null])
        let s = try Kernels.window(.quantileScore(4), x, groups: nil)
        XCTAssertEqual(ints(s), [1, 2, 2, 4, nil])
        XCTAssertEqual(ints(try Kernels.window(.rank, x, groups: nil)), [1, 2, 2, 4, nil])
        XCTAssertEqual(ints(try Kernels.window(.denseRank, x, groups: nil)), [1, 2, 2, 3, nil])
        XCTAssertEqual(try Kernels.window(.percentRank, x, groups: nil).scalars,
                       [.double(0), .double(1.0 / 3), .double(1.0 / 3), .double(1), .null])
    }

    func testNtileLikeSQL() throws {
        let x = Column.from((1...7).map { Scalar.int(Int64($0)) })
        XCTAssertEqual(ints(try Kernels.window(.ntile(3), x, groups: nil)), [1, 1, 1, 2, 2, 3, 3])
        // Ties split; order by x then input order; nulls not counted.
        let y = Column.from([.int(5), .null, .int(5), .int(1), .int(5)])
        XCTAssertEqual(ints(try Kernels.window(.ntile(2), y, groups: nil)), [1, nil, 2, 1, 2])
        XCTAssertEqual(ints(try Kernels.window(.ntile(10), y, groups: nil)), [2, nil, 3, 1, 4])
        XCTAssertThrowsError(try Kernels.window(.ntile(0), y, groups: nil))
    }

    func testRankingSweepAgainstReference() throws {
        var rng = SeededRandom(seed: 40)
        for n in sweepSizes where n <= 1000 {
            let key = RandomColumn.strings(n, nulls: 0.1, pool: ["制造业", "零售", "金融"], &rng)
            let groups = try Kernels.groupIDs(keys: [key])
            for x in [RandomColumn.ints(n, 0...20, nulls: 0.2, &rng), RandomColumn.doubles(n, nulls: 0.2, nan: 0.05, &rng),
                      RandomColumn.strings(n, nulls: 0.2, &rng), RandomColumn.dates(n, nulls: 0.2, &rng)] {
                let vals = x.scalars
                var expRank: [Scalar] = [], expDense: [Scalar] = [], expScore: [Scalar] = [], expPct: [Scalar] = []
                var expNtile = [Scalar](repeating: .null, count: n)
                for (g, gid) in groups.ids.enumerated() {
                    let peers = (0..<n).filter { groups.ids[$0] == gid && !vals[$0].isNull }
                    guard !vals[g].isNull else {
                        expRank.append(.null); expDense.append(.null); expScore.append(.null); expPct.append(.null); continue
                    }
                    let below = peers.filter { referenceCompare(vals[$0], vals[g]) < 0 }
                    let distinctBelow = Set(below.map { referenceKey(vals[$0]) }).count
                    let r = Int64(below.count + 1), total = Int64(peers.count)
                    expRank.append(.int(r)); expDense.append(.int(Int64(distinctBelow + 1)))
                    expScore.append(.int(Int64((5.0 * Double(r) / Double(total)).rounded(.up))))
                    expPct.append(.double(total == 1 ? 0 : Double(r - 1) / Double(total - 1)))
                }
                // NTILE(4) by reference: per group, stable order by x.
                for gid in 0..<Int32(groups.groupCount) {
                    let peers = (0..<n).filter { groups.ids[$0] == gid && !vals[$0].isNull }
                        .sorted { referenceCompare(vals[$0], vals[$1]) < 0 || (referenceCompare(vals[$0], vals[$1]) == 0 && $0 < $1) }
                    let total = peers.count
                    for (p, row) in peers.enumerated() {
                        // Bucket sizes: the first total % 4 buckets have one more row.
                        var bucket = 0, start = 0
                        for b in 0..<4 {
                            let size = total / 4 + (b < total % 4 ? 1 : 0)
                            if p < start + size { bucket = b; break }
                            start += size
                        }
                        expNtile[row] = .int(Int64(bucket + 1))
                    }
                }
                let label = "n=\(n) \(x.type)"
                XCTAssertEqual(try Kernels.window(.rank, x, groups: groups).scalars, expRank, label)
                XCTAssertEqual(try Kernels.window(.denseRank, x, groups: groups).scalars, expDense, label)
                XCTAssertEqual(try Kernels.window(.quantileScore(5), x, groups: groups).scalars, expScore, label)
                assertScalarsEqual(try Kernels.window(.percentRank, x, groups: groups).scalars, expPct, label)
                XCTAssertEqual(try Kernels.window(.ntile(4), x, groups: groups).scalars, expNtile, label)
            }
        }
    }

    func testScalingFunctionsWithinGroups() throws {
        let key = Column.from([.string("a"), .string("b"), .string("a"), .string("a"), .string("b")])
        let groups = try Kernels.groupIDs(keys: [key])
        let x = Column.from([.int(1), .int(5), .null, .int(3), .int(5)])
        XCTAssertEqual(try Kernels.window(.cumsum, x, groups: groups).scalars, [.int(1), .int(5), .null, .int(4), .int(10)])
        XCTAssertEqual(try Kernels.window(.cumsum, x, groups: nil).scalars, [.int(1), .int(6), .null, .int(9), .int(14)])
        XCTAssertEqual(try Kernels.window(.share, x, groups: groups).scalars, [.double(0.25), .double(0.5), .null, .double(0.75), .double(0.5)])
        XCTAssertEqual(try Kernels.window(.minmax, x, groups: groups).scalars, [.double(0), .double(0), .null, .double(1), .double(0)])
        let z = try Kernels.window(.zscore, x, groups: groups).scalars
        let sd = (2.0).squareRoot()  // values 1, 3: mean 2, sample sd sqrt(2)
        assertScalarsEqual(z, [.double(-1 / sd), .null, .null, .double(1 / sd), .null])
        let zero = Column.from([.int(0), .int(0)])
        XCTAssertEqual(try Kernels.window(.share, zero, groups: nil).scalars, [.null, .null])
        let d = Column.from([.double(1.5), .double(2.5)])
        XCTAssertEqual(try Kernels.window(.cumsum, d, groups: nil).scalars, [.double(1.5), .double(4)])
        let big = Column.from([.int(Int64.max), .int(1)])
        XCTAssertEqual(try Kernels.window(.cumsum, big, groups: nil).type, .double)
        XCTAssertThrowsError(try Kernels.window(.zscore, Column.from([.string("x")]), groups: nil))
    }

    func testRankOnLargeInputMatchesSort() throws {
        var rng = SeededRandom(seed: 41)
        let n = 100_000
        let x = RandomColumn.ints(n, 0...999, nulls: 0.01, &rng)
        let r = try Kernels.window(.rank, x, groups: nil)
        // rank = 1 + count of strictly smaller values: check with a histogram.
        var counts = [Int](repeating: 0, count: 1000)
        for v in x.scalars { if let i = v.intValue { counts[Int(i)] += 1 } }
        var below = [Int](repeating: 0, count: 1001)
        for i in 0..<1000 { below[i + 1] = below[i] + counts[i] }
        for (i, v) in x.scalars.enumerated() {
            if let k = v.intValue { XCTAssertEqual(r[i], .int(Int64(below[Int(k)] + 1))) } else { XCTAssertEqual(r[i], .null) }
        }
    }
}

/// The ranking kinds on inputs large enough for the one-sort path and (quantile_score over
/// one group) the selection path, against a reference computed from a sort of boxed values.
extension WindowTests {
    /// rank, dense rank and ntile-by-position of every row within its group (nil for nulls).
    func referenceRanks(_ x: Column, _ groups: GroupIndex) -> (rank: [Int64?], dense: [Int64?], position: [Int?], total: [Int]) {
        let n = x.count
        let vals = x.scalars
        var rank = [Int64?](repeating: nil, count: n), dense = rank
        var position = [Int?](repeating: nil, count: n)
        var total = [Int](repeating: 0, count: n)
        var byGroup = [Int32: [Int]]()
        for i in 0..<n where !vals[i].isNull { byGroup[groups.ids[i], default: []].append(i) }
        for (_, rows) in byGroup {
            let sorted = rows.sorted { a, b in
                let c = referenceCompare(vals[a], vals[b])
                return c != 0 ? c < 0 : a < b
            }
            var r: Int64 = 0, d: Int64 = 0
            for (p, row) in sorted.enumerated() {
                if p == 0 || referenceCompare(vals[sorted[p - 1]], vals[row]) != 0 { r = Int64(p) + 1; d += 1 }
                rank[row] = r; dense[row] = d; position[row] = p; total[row] = sorted.count
            }
        }
        return (rank, dense, position, total)
    }

    func testRankingLargeInputsAgainstReference() throws {
        try checkRankingLargeInputs()
        // The sorts on two threads (halves merged).
        try withParallelThreshold(4096) { try checkRankingLargeInputs() }
    }

    func checkRankingLargeInputs() throws {
        var rng = SeededRandom(seed: 42)
        let n = 6000
        let key = RandomColumn.strings(n, nulls: 0.1, pool: ["制造业", "零售", "金融"], &rng)
        let keyed = try Kernels.groupIDs(keys: [key])
        let columns = [RandomColumn.ints(n, 0...20, nulls: 0.2, &rng), RandomColumn.ints(n, -1_000_000...1_000_000, nulls: 0, &rng),
                       RandomColumn.doubles(n, nulls: 0.1, nan: 0.05, &rng), RandomColumn.strings(n, nulls: 0.2, &rng),
                       RandomColumn.dates(n, nulls: 0, &rng), Column.from([Scalar](repeating: .int(7), count: n)),
                       Column.from((0..<n).map { $0 % 3 == 0 ? .null : .double(Double($0 % 5) * 0.5) }, type: .double)]
        for x in columns {
            for groups in [GroupIndex.single(rowCount: n), keyed] {
                let ref = referenceRanks(x, groups)
                let label = "\(x.type) groups=\(groups.groupCount)"
                XCTAssertEqual(ints(try Kernels.window(.rank, x, groups: groups)), ref.rank, label)
                XCTAssertEqual(ints(try Kernels.window(.denseRank, x, groups: groups)), ref.dense, label)
                for k in [1, 2, 3, 5, 7, 64, 65, 10_000] {
                    let expected = (0..<n).map { i in ref.rank[i].map { r in (Int64(k) * r + Int64(ref.total[i]) - 1) / Int64(ref.total[i]) } }
                    XCTAssertEqual(ints(try Kernels.window(.quantileScore(k), x, groups: groups)), expected, "\(label) k=\(k)")
                }
                let tiles = 4
                let expectedTiles = (0..<n).map { i -> Int64? in
                    guard let p = ref.position[i] else { return nil }
                    let total = ref.total[i], q = total / tiles, r = total % tiles
                    return Int64(p < r * (q + 1) ? p / (q + 1) + 1 : (p - r * (q + 1)) / q + r + 1)
                }
                XCTAssertEqual(ints(try Kernels.window(.ntile(tiles), x, groups: groups)), expectedTiles, label)
                let pct = try Kernels.window(.percentRank, x, groups: groups).scalars
                for i in 0..<n {
                    let e: Scalar = ref.rank[i].map { r in .double(ref.total[i] == 1 ? 0 : Double(r - 1) / Double(ref.total[i] - 1)) } ?? .null
                    XCTAssertEqual(pct[i], e, label)
                }
            }
        }
    }
}
