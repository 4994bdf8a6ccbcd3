import XCTest
@testable import Columnar

/// `StringDictionary.sortRanks` / `sortedCodes` (a radix sort on 8-byte prefixes, then the
/// full bytes on equal prefixes) against a plain sort by bytes.
final class DictionaryOrderTests: XCTestCase {
    func referenceOrder(_ strings: [String]) -> [Int32] {
        (0..<strings.count).sorted { Array(strings[$0].utf8).lexicographicallyPrecedes(Array(strings[$1].utf8)) }.map { Int32($0) }
    }

    func check(_ strings: [String], file: StaticString = #filePath, line: UInt = #line) {
        let d = StringDictionary(strings)
        XCTAssertEqual(d.count, strings.count, "strings must be distinct", file: file, line: line)
        let expected = referenceOrder(strings)
        XCTAssertEqual(d.sortedCodes, expected, file: file, line: line)
        var ranks = [Int32](repeating: -1, count: strings.count)
        for (r, c) in expected.enumerated() { ranks[Int(c)] = Int32(r) }
        XCTAssertEqual(d.sortRanks, ranks, file: file, line: line)
    }

    func testRandomStringsWithSharedPrefixesShortAndZeroBytes() {
        var rng = SeededRandom(seed: 7)
        for n in [0, 1, 2, 100, 3000, 5000] {
            var set = Set<String>()
            while set.count < n {
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: set.insert("C" + String(Int.random(in: 0..<10_000_000, using: &rng)))  // 8 bytes or less
                case 1: set.insert("customer-" + String(Int.random(in: 0..<100_000, using: &rng)))  // shared 8-byte prefix
                case 2: set.insert(String(repeating: "a", count: Int.random(in: 0..<12, using: &rng)))  // prefixes of each other
                case 3: set.insert("ab\u{0}" + String(Int.random(in: 0..<1000, using: &rng)))  // a zero byte
                case 4: set.insert("北京" + String(Int.random(in: 0..<1000, using: &rng)))
                default: set.insert(String(UnicodeScalar(UInt8.random(in: 0...127, using: &rng))))
                }
            }
            check(Array(set))
        }
    }

    func testAlreadySortedAndReversedIdentifiers() {
        let sorted = (0..<5000).map { "C" + String(1_000_000 + $0).dropFirst() }
        check(sorted)
        XCTAssertEqual(StringDictionary(sorted).sortedCodes, (0..<5000).map { Int32($0) })
        check(sorted.reversed())
        // Sorted by their first 8 bytes but not by the rest.
        check(["prefix00b", "prefix00a", "prefix01", "prefix01a"])
        check(["", "a", "a\u{0}", "a\u{0}\u{0}"])
    }
}
