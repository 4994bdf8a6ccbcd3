import XCTest
import Columnar

final class AggregateTests: XCTestCase {
    /// Reference aggregate over boxed values of each group.
    func reference(_ kind: AggregateKind, _ values: [Scalar], type: DataType) -> Scalar {
        let vals = values.filter { !$0.isNull }
        let nums = vals.compactMap { $0.doubleValue }
        switch kind {
        case .count: return .int(Int64(values.count))
        case .countNonNull: return .int(Int64(vals.count))
        case .countDistinct: return .int(Int64(Set(vals.map(referenceKey)).count))
        case .sum:
            if vals.isEmpty { return .null }
            if type == .int { return .int(vals.reduce(0) { $0 + ($1.intValue ?? 0) }) }
            return .double(nums.reduce(0, +))
        case .avg: return nums.isEmpty ? .null : .double(nums.reduce(0, +) / Double(nums.count))
        case .min: return vals.min { referenceCompare($0, $1) < 0 } ?? .null
        case .max: return vals.max { referenceCompare($0, $1) < 0 } ?? .null
        case .first: return vals.first ?? .null
        case .last: return vals.last ?? .null
        case .median, .quantile:
            var p = 0.5
            if case .quantile(let q) = kind { p = q }
            let s = nums.sorted()
            if s.isEmpty { return .null }
            let pos = p * Double(s.count - 1)
            let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
            return .double(s[lo] + (s[hi] - s[lo]) * (pos - Double(lo)))
        case .stddev:
            if nums.count < 2 { return .null }
            let m = nums.reduce(0, +) / Double(nums.count)
            return .double((nums.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(nums.count - 1)).squareRoot())
        }
    }

    func testSweepAgainstReference() throws {
        var rng = SeededRandom(seed: 30)
        let kinds: [AggregateKind] = [.count, .countNonNull, .countDistinct, .sum, .avg, .min, .max, .median,
                                      .quantile(0.9), .quantile(0), .stddev, .first, .last]
        for n in sweepSizes {
            let key = RandomColumn.ints(n, 0...(Int64(n / 10) + 1), nulls: 0.05, &rng)
            let groups = try Kernels.groupIDs(keys: [key])
            let columns = [RandomColumn.ints(n, -100...100, nulls: 0.3, &rng), RandomColumn.doubles(n, nulls: 0.2, &rng)]
            let byGroup = (0..<groups.groupCount).map { _ in [Int]() }
            var rows = byGroup
            for (r, g) in groups.ids.enumerated() { rows[Int(g)].append(r) }
            for c in columns {
                let all = c.scalars
                for kind in kinds {
                    let got = try Kernels.aggregate(kind, c, groups: groups)
                    let expected = rows.map { reference(kind, $0.map { all[$0] }, type: c.type) }
                    assertScalarsEqual(got.scalars, expected, accuracy: 1e-9, "n=\(n) \(kind) \(c.type)")
                }
            }
            // Strings and dates keep their type for min/max/first/last.
            let s = RandomColumn.strings(n, nulls: 0.3, &rng)
            let dt = RandomColumn.dates(n, nulls: 0.3, &rng)
            for c in [s, dt] {
                let all = c.scalars
                for kind in [AggregateKind.min, .max, .first, .last, .countDistinct] {
                    let got = try Kernels.aggregate(kind, c, groups: groups)
                    XCTAssertEqual(got.scalars, rows.map { reference(kind, $0.map { all[$0] }, type: c.type) }, "n=\(n) \(kind) \(c.type)")
                }
            }
        }
    }

    func testParallelSumsMatch() throws {
        var rng = SeededRandom(seed: 31)
        let n = 40_000
        let key = RandomColumn.ints(n, 0...500, nulls: 0, &rng)
        let x = RandomColumn.ints(n, -1000...1000, nulls: 0.1, &rng)
        let groups = try Kernels.groupIDs(keys: [key])
        let serial = try [AggregateKind.sum, .avg, .count, .median].map { try Kernels.aggregate($0, x, groups: groups).scalars }
        try withParallelThreshold(1000) {
            let g2 = try Kernels.groupIDs(keys: [key])
            XCTAssertEqual(g2.ids, groups.ids)
            let parallel = try [AggregateKind.sum, .avg, .count, .median].map { try Kernels.aggregate($0, x, groups: g2).scalars }
            for (p, s) in zip(parallel, serial) { assertScalarsEqual(p, s) }
        }
    }

    func testSumSemantics() throws {
        let one = GroupIndex.single(rowCount: 3)
        XCTAssertEqual(try Kernels.aggregate(.sum, Column.from([.null, .null, .null], type: .int), groups: one).scalars, [.null])
        let big = Column.from([.int(Int64.max), .int(1), .null])
        XCTAssertEqual(try Kernels.aggregate(.sum, big, groups: one).scalars, [.double(Double(Int64.max) + 1)])
        XCTAssertEqual(try Kernels.aggregate(.sum, Column.from([.bool(true), .bool(true), .bool(false)]), groups: one).scalars, [.int(2)])
        XCTAssertEqual(try Kernels.aggregate(.count, nil, groups: one).scalars, [.int(3)])
        let empty = GroupIndex.single(rowCount: 0)
        XCTAssertEqual(try Kernels.aggregate(.count, nil, groups: empty).scalars, [.int(0)])
        XCTAssertEqual(try Kernels.aggregate(.sum, Column.from([], type: .int), groups: empty).scalars, [.null])
        XCTAssertEqual(try Kernels.aggregate(.stddev, Column.from([.int(4)]), groups: .single(rowCount: 1)).scalars, [.null])
        XCTAssertThrowsError(try Kernels.aggregate(.sum, Column.from([.string("x")]), groups: .single(rowCount: 1)))
        XCTAssertThrowsError(try Kernels.aggregate(.quantile(1.5), Column.from([.int(1)]), groups: .single(rowCount: 1)))
    }

    func testQuantileInterpolatesAndBroadcast() throws {
        let x = Column.from([1, 2, 3, 4].map { Scalar.int($0) })
        let one = GroupIndex.single(rowCount: 4)
        XCTAssertEqual(try Kernels.aggregate(.median, x, groups: one).scalars, [.double(2.5)])
        XCTAssertEqual(try Kernels.aggregate(.quantile(0.25), x, groups: one).scalars, [.double(1.75)])
        let key = Column.from([.string("制造业"), .string("零售"), .string("制造业"), .string("零售")])
        let groups = try Kernels.groupIDs(keys: [key])
        let avg = try Kernels.aggregate(.avg, x, groups: groups)
        XCTAssertEqual(Kernels.broadcast(avg, groups: groups).scalars, [.double(2), .double(3), .double(2), .double(3)])
        let mx = try Kernels.aggregate(.max, key, groups: .single(rowCount: 4))
        XCTAssertEqual(mx.scalars, [.string("零售")])
    }
}
