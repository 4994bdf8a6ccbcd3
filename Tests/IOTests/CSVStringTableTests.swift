import XCTest
@testable import IO

/// The loader's string table: codes in first-appearance order, equal strings one code,
/// strings that share their first 8 bytes or differ only in length (padding) kept apart,
/// through the ascending start, the switch to hashing and several growths.
final class CSVStringTableTests: XCTestCase {
    private func intern(_ t: inout CSVStringTable, _ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBytes { t.intern($0) }
    }

    func testCodesMatchADictionary() {
        var strings: [[UInt8]] = [[], [0x61], [0x61, 0], [0x61, 0, 0], Array("abcdefgh".utf8), Array("abcdefghi".utf8),
                                  Array("abcdefghj".utf8), Array("abcdefg".utf8), Array("客户".utf8), Array("客户编号".utf8)]
        for k in 0..<5000 { strings.append(Array("C\(k * 7919 % 5003)".utf8)) }
        for k in 0..<3000 { strings.append(Array("long-identifier-\(k % 1700)".utf8)) }
        var t = CSVStringTable()
        var seen: [[UInt8]: Int32] = [:]
        for (i, s) in strings.enumerated() {
            let code = intern(&t, s)
            if let c = seen[s] {
                XCTAssertEqual(code, c, "string \(i)")
            } else {
                XCTAssertEqual(Int(code), seen.count, "string \(i)")
                seen[s] = code
            }
        }
        XCTAssertEqual(t.count, seen.count)
        for (s, c) in seen {
            let found = s.withUnsafeBytes { b -> Int32? in
                let p = b.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                return t.find(p, b.count, hash: CSVStringTable.hash(p, b.count))
            }
            XCTAssertEqual(found, c)
            XCTAssertEqual(t.withBytes(Int(c)) { Array($0) }, s)
        }
    }

    func testAscendingThenHashed() {
        var t = CSVStringTable()
        for k in 0..<1000 { XCTAssertEqual(intern(&t, Array("O\(100000 + k)".utf8)), Int32(k)) }
        XCTAssertTrue(t.ascending)
        XCTAssertEqual(intern(&t, Array("O100500".utf8)), 500)
        XCTAssertFalse(t.ascending)
        XCTAssertEqual(intern(&t, Array("O099999".utf8)), 1000)
        XCTAssertEqual(intern(&t, Array("O100999".utf8)), 999)
    }

    func testProjectedDistinct() {
        // All distinct so far: the whole chunk. Many repeats: about the population.
        XCTAssertEqual(CSVChunk.projectedDistinct(65536, in: 65536, at: 5_000_000), 5_000_000)
        let customers = CSVChunk.projectedDistinct(63_500, in: 65_536, at: 5_000_000)
        XCTAssertGreaterThan(customers, 900_000)
        XCTAssertLessThan(customers, 1_600_000)
        XCTAssertGreaterThanOrEqual(CSVChunk.projectedDistinct(20_000, in: 65_536, at: 70_000), 20_000)
    }
}
