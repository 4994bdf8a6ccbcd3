import XCTest
import Columnar

final class JoinTests: XCTestCase {
    func reference(_ left: [Column], _ right: [Column], _ kind: JoinKind) -> ([Int32], [Int32]) {
        let nl = left.first?.count ?? 0, nr = right.first?.count ?? 0
        let lv = left.map { $0.scalars }, rv = right.map { $0.scalars }
        func key(_ v: [[Scalar]], _ r: Int) -> [Scalar]? {
            var k: [Scalar] = []
            for c in v {
                if c[r].isNull { return nil }
                var s = referenceKey(c[r])
                if case .int(let i) = s { s = .double(Double(i)) }
                k.append(s)
            }
            return k
        }
        var index: [[Scalar]: [Int32]] = [:]
        for r in 0..<nr { if let k = key(rv, r) { index[k, default: []].append(Int32(r)) } }
        var ol: [Int32] = [], or: [Int32] = []
        for l in 0..<nl {
            let matches = key(lv, l).flatMap { index[$0] } ?? []
            switch kind {
            case .anti: if matches.isEmpty { ol.append(Int32(l)) }
            case .inner, .left:
                if matches.isEmpty {
                    if kind == .left { ol.append(Int32(l)); or.append(-1) }
                } else { for m in matches { ol.append(Int32(l)); or.append(m) } }
            }
        }
        return (ol, or)
    }

    func testSweepAgainstReference() throws {
        var rng = SeededRandom(seed: 50)
        for n in sweepSizes where n <= 1000 {
            let m = max(1, n / 2)
            // Different dictionaries on the two sides, overlapping partly.
            let ls = RandomColumn.strings(n, nulls: 0.1, pool: Array(stringPool.prefix(10)), &rng)
            let rs = RandomColumn.strings(m, nulls: 0.1, pool: Array(stringPool.suffix(8)), &rng)
            let li = RandomColumn.ints(n, 0...10, nulls: 0.1, &rng)
            let ri = RandomColumn.ints(m, 0...10, nulls: 0.1, &rng)
            let rd = Column.from(RandomColumn.ints(m, 0...12, nulls: 0.1, &rng).scalars.map { v in v.intValue.map { .double(Double($0) / 2) } ?? .null }, type: .double)
            for kind in [JoinKind.inner, .left, .anti] {
                for (l, r) in [([ls], [rs]), ([li], [ri]), ([li], [rd]), ([ls, li], [rs, ri])] {
                    let got = try Kernels.hashJoin(left: l, right: r, kind: kind)
                    let exp = reference(l, r, kind)
                    XCTAssertEqual(got.left, exp.0, "n=\(n) \(kind)")
                    XCTAssertEqual(got.right, exp.1, "n=\(n) \(kind)")
                }
            }
        }
    }

    func testJoinChineseKeysAcrossDictionaries() throws {
        let left = Column.from([.string("制造业"), .string("零售"), .null, .string("金融")])
        let right = Column.from([.string("金融"), .string("制造业"), .string("制造业"), .null])
        let inner = try Kernels.hashJoin(left: [left], right: [right], kind: .inner)
        XCTAssertEqual(inner.left, [0, 0, 3]); XCTAssertEqual(inner.right, [1, 2, 0])
        let outer = try Kernels.hashJoin(left: [left], right: [right], kind: .left)
        XCTAssertEqual(outer.left, [0, 0, 1, 2, 3]); XCTAssertEqual(outer.right, [1, 2, -1, -1, 0])
        let anti = try Kernels.hashJoin(left: [left], right: [right], kind: .anti)
        XCTAssertEqual(anti.left, [1, 2]); XCTAssertEqual(anti.right, [])
        XCTAssertThrowsError(try Kernels.hashJoin(left: [left], right: [Column.from([.int(1)])], kind: .inner))
    }
}
