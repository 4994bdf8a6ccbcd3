import XCTest
@testable import Columnar

/// JoinTests for the one-string-key join (`Kernels.stringKeyJoin`: codes mapped between dictionaries, right
/// rows listed per code) against the reference join, with the dictionaries mapped by hashing
/// and by merging in byte order.
extension JoinTests {
    func withMergeMinimum(_ m: Int, _ body: () throws -> Void) rethrows {
        let saved = StringDictionary.mergeMapMinimum
        StringDictionary.mergeMapMinimum = m
        defer { StringDictionary.mergeMapMinimum = saved }
        try body()
    }

    func testManyKeysAcrossDictionariesBothMappings() throws {
        var rng = SeededRandom(seed: 77)
        // Left ids C0..C2999 in random order; right ids C1000..C3999 with some repeated and
        // some null; left has nulls too. Keys sharing 8-byte prefixes ("customer-...").
        func id(_ k: Int) -> Scalar { k % 3 == 0 ? .string("customer-\(k)") : .string("C\(k)") }
        let left = Column.from((0..<5000).map { _ in
            Double.random(in: 0..<1, using: &rng) < 0.05 ? .null : id(Int.random(in: 0..<3000, using: &rng))
        }, type: .string)
        var rightValues = (1000..<4000).map(id)
        rightValues += (0..<300).map { _ in id(Int.random(in: 1000..<4000, using: &rng)) }
        rightValues += [.null, .null]
        rightValues.shuffle(using: &rng)
        let right = Column.from(rightValues, type: .string)
        let expected = reference([left], [right], .inner)
        XCTAssertGreaterThan(expected.0.count, 1000)
        // Hashed, merged on one thread, merged on two.
        for (minimum, threshold) in [(Int.max, Kernels.parallelThreshold), (0, Kernels.parallelThreshold), (0, 64)] {
            try withParallelThreshold(threshold) {
                try withMergeMinimum(minimum) {
                    for kind in [JoinKind.inner, .left, .anti] {
                        let got = try Kernels.hashJoin(left: [left], right: [right], kind: kind)
                        let exp = reference([left], [right], kind)
                        XCTAssertEqual(got.left, exp.0, "\(kind) merge minimum \(minimum)")
                        XCTAssertEqual(got.right, exp.1, "\(kind) merge minimum \(minimum)")
                    }
                }
            }
        }
    }

    func testEmptyStringKeysBothMappings() throws {
        // A dictionary holding only the empty string has no bytes at all.
        let onlyEmpty = Column.from([.string(""), .null, .string("")], type: .string)
        let mixed = Column.from([.string("a"), .string(""), .string("b"), .string("")], type: .string)
        for minimum in [0, Int.max] {
            try withMergeMinimum(minimum) {
                for (l, r) in [(onlyEmpty, mixed), (mixed, onlyEmpty), (onlyEmpty, onlyEmpty)] {
                    let got = try Kernels.hashJoin(left: [l], right: [r], kind: .left)
                    let exp = reference([l], [r], .left)
                    XCTAssertEqual(got.left, exp.0)
                    XCTAssertEqual(got.right, exp.1)
                }
            }
        }
        let got = try Kernels.hashJoin(left: [onlyEmpty], right: [mixed], kind: .inner)
        XCTAssertEqual(got.left, [0, 0, 2, 2])
        XCTAssertEqual(got.right, [1, 3, 1, 3])
    }

    func testSameDictionaryAndUniqueKeysKeepLeftOrder() throws {
        let keys = Column.from((0..<100).map { .string("k\($0)") }, type: .string)
        // The right side: every other key, reversed, sharing the left's dictionary.
        let rows = (0..<50).map { Int32(98 - 2 * $0) }
        let right = keys.gather(rows)
        let got = try Kernels.hashJoin(left: [keys], right: [right], kind: .left)
        XCTAssertEqual(got.left, (0..<100).map { Int32($0) })
        let expectedRight: [Int32] = (0..<100).map { (i: Int) -> Int32 in i % 2 == 0 ? Int32(49 - i / 2) : -1 }
        XCTAssertEqual(got.right, expectedRight)
        XCTAssertFalse(Kernels.isIdentity(try Kernels.hashJoin(left: [keys], right: [right], kind: .inner).left))
        XCTAssertTrue(Kernels.isIdentity(try Kernels.hashJoin(left: [right], right: [keys], kind: .inner).left))
    }

    func testGatherColumnsOnTwoThreadsEqualsGather() {
        var rng = SeededRandom(seed: 3)
        let columns = [RandomColumn.strings(3000, nulls: 0.1, &rng), RandomColumn.ints(3000, -5...5, nulls: 0.2, &rng),
                       RandomColumn.dates(3000, nulls: 0, &rng)]
        let idx = (0..<4000).map { _ in Int32.random(in: -1..<3000, using: &rng) }
        withParallelThreshold(10) {
            let got = Kernels.gatherColumns(columns.map { ($0, idx) })
            for (g, c) in zip(got, columns) { XCTAssertEqual(g.scalars, c.gather(idx).scalars) }
        }
    }
}
