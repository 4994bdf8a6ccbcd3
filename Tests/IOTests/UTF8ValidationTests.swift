import XCTest
@testable import IO

/// `CSVText.firstInvalidUTF8` agrees with Swift's own UTF-8 decoding on whether bytes are
/// valid: surrogates, overlong forms, truncated and interrupted sequences, around the
/// three-byte fast path.
final class UTF8ValidationTests: XCTestCase {
    private func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return nil }
            return CSVText.firstInvalidUTF8(base, 0, b.count)
        }
    }

    private func isValid(_ bytes: [UInt8]) -> Bool {
        Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
    }

    func testEdgeSequences() {
        XCTAssertNil(firstInvalid(Array("客户编号 abc 云平台订阅".utf8)))
        XCTAssertNil(firstInvalid([0xEF, 0xBF, 0xBF, 0xE1, 0x80, 0x80, 0xEE, 0x80, 0x80]))
        XCTAssertEqual(firstInvalid([0x41, 0xED, 0xA0, 0x80]), 1)   // surrogate
        XCTAssertEqual(firstInvalid([0xE0, 0x80, 0x80]), 0)         // overlong
        XCTAssertEqual(firstInvalid([0x41, 0x42, 0xE1, 0x80]), 2)   // truncated at the end
        XCTAssertEqual(firstInvalid([0xE1, 0x80, 0x41]), 0)         // interrupted
        XCTAssertEqual(firstInvalid([0xE4, 0xBD]), 0)
    }

    func testRandomBytesAgreeWithSwift() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                                 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<20000 {
            let n = Int.random(in: 0...12, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng) ?? 0x41 }
            XCTAssertEqual(firstInvalid(bytes) == nil, isValid(bytes), "\(bytes.map { String($0, radix: 16) })")
        }
    }
}
