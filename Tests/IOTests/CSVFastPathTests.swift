import XCTest
import Columnar
@testable import IO

/// The reader's fast paths agree with the slow ones: ISO dates with the calendar, decimal
/// numbers with `strtod`, field ends found eight bytes at a time with a byte loop, and the
/// UTF-8 check made on each column's distinct strings with a check of every byte.
final class CSVFastPathTests: XCTestCase {
    private func date(_ s: String) -> CSVDateResult {
        Array(s.utf8).withUnsafeBufferPointer { b in CSVValueParser.parseBuiltinDate(b.baseAddress!, b.count) }
    }

    private func double(_ s: String) -> Double? {
        Array(s.utf8).withUnsafeBufferPointer { b in CSVValueParser.parsePlainDouble(b.baseAddress!, b.count) }
    }

    func testISODatesMatchTheCalendarEveryDayFrom1899To2101() {
        var day = CivilDate(year: 1899, month: 1, day: 1).daysSinceEpoch
        let last = CivilDate(year: 2101, month: 12, day: 31).daysSinceEpoch
        while day <= last {
            let c = CivilDate(daysSinceEpoch: day)
            let text = String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
            guard case .value(let v) = date(text), v == day else { return XCTFail("\(text): \(date(text)), expected \(day)") }
            day += 1
        }
        guard case .value(let zero) = date("0000-01-01"), case .value(let top) = date("9999-12-31") else { return XCTFail() }
        XCTAssertEqual(zero, CivilDate(year: 0, month: 1, day: 1).daysSinceEpoch)
        XCTAssertEqual(top, CivilDate(year: 9999, month: 12, day: 31).daysSinceEpoch)
    }

    func testImpossibleAndMalformedISODates() {
        for s in ["2023-02-29", "1900-02-29", "2024-04-31", "2024-06-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32"] {
            guard case .invalid = date(s) else { return XCTFail("\(s): \(date(s))") }
        }
        guard case .value = date("2000-02-29"), case .value = date("2024-02-29") else { return XCTFail("leap days") }
        for s in ["2024-0a-01", "2024-01-0x", "20x4-01-01", "2024-1--301", "２０24-01-01"] {
            guard case .none = date(s) else { return XCTFail("\(s): \(date(s))") }
        }
    }

    func testDecimalsMatchStrtod() {
        var rng = SystemRandomNumberGenerator()
        var cases = ["0", "0.0", "0.5", "5374.04", "286.69", "-12.5", "+7.5", "9007199254740992", "9007199254740993",
                     "12345678901234567.89", "0.1234567890123456789", "1234567890123456789", "12345678901234567890",
                     "0.0000000000000000000001", "1.7976931348623157e308", "4.9e-324", "123.", ".5", "-.25"]
        for _ in 0..<20000 {
            let intDigits = Int.random(in: 0...12, using: &rng)
            let fracDigits = Int.random(in: 0...10, using: &rng)
            var s = Int.random(in: 0...3, using: &rng) == 0 ? "-" : ""
            s += intDigits == 0 ? "0" : String(Int.random(in: 1...9, using: &rng))
            s += (1..<max(intDigits, 1)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            if fracDigits > 0 { s += "." + (0..<fracDigits).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined() }
            cases.append(s)
        }
        for s in cases {
            let expected = strtod(s, nil)
            XCTAssertEqual(double(s), expected, s)
        }
        for s in ["", "-", ".", "1.2.3", "1e", "00.5", "1,5", "12a"] { XCTAssertNil(double(s), s) }
        // A whole number with a plus sign is an identifier (a phone number), not a number.
        for s in ["+7", "+318855443322"] { XCTAssertNil(double(s), s) }
    }

    func testFieldEndsAgreeWithAByteLoop() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab,;\r\n\t\"é".utf8)
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0x61 }
            for delimiter in [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")] {
                let expected = bytes.firstIndex { $0 == delimiter || $0 == 10 || $0 == 13 } ?? bytes.count
                let found = bytes.withUnsafeBufferPointer { b -> Int in
                    guard let base = b.baseAddress else { return 0 }
                    return CSVRecordScanner.fieldEnd(base, from: 0, end: b.count, delimiter: delimiter)
                }
                XCTAssertEqual(found, expected, "\(bytes)")
            }
        }
    }

    /// `scan` (plain fields sixteen bytes at a time, then field by field) finds the same
    /// record as `scanFields` (field by field from the start) on random text: long plain runs
    /// with delimiters, quotes, spaces, tabs and line ends mixed in, every capacity up to
    /// past the field count, quoting on and off.
    func testRecordScanAgreesWithFieldByFieldScan() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // SplitMix64: the same sweep on every run
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let rare: [UInt8] = Array(",;\t\r\n\" |é".utf8)
        var spansA = [CSVFieldSpan](repeating: CSVFieldSpan(start: 0, end: 0, form: .plain), count: 12)
        var spansB = spansA
        for round in 0..<40_000 {
            let density = 2 + Int(next() % 12)
            let bytes: [UInt8] = (0..<Int(next() % 90)).map { _ in
                next() % UInt64(density) == 0 ? rare[Int(next() % UInt64(rare.count))] : UInt8(ascii: "a") + UInt8(next() % 26)
            }
            let delimiter: UInt8 = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")][round % 4]
            let capacity = 1 + Int(next() % 10)
            let quoting = round % 7 != 0
            let start = bytes.isEmpty ? 0 : Int(next() % UInt64(min(bytes.count, 8)))
            bytes.withUnsafeBufferPointer { b in
                guard let p = b.baseAddress else { return }
                let a = spansA.withUnsafeMutableBufferPointer { s in
                    CSVRecordScanner.scan(p, from: start, end: b.count, delimiter: delimiter, spans: s.baseAddress!,
                                          capacity: capacity, quoting: quoting)
                }
                let r = spansB.withUnsafeMutableBufferPointer { s in
                    CSVRecordScanner.scanFields(p, from: start, fields: 0, end: b.count, delimiter: delimiter, spans: s.baseAddress!,
                                                capacity: capacity, quoting: quoting)
                }
                let text = String(decoding: bytes, as: UTF8.self).debugDescription
                XCTAssertEqual([a.fieldCount, a.next, a.lineEnd, a.extraFieldStart, a.unterminatedQuote, a.literalQuote],
                               [r.fieldCount, r.next, r.lineEnd, r.extraFieldStart, r.unterminatedQuote, r.literalQuote], text)
                for k in 0..<min(a.fieldCount, capacity) {
                    XCTAssertEqual([spansA[k].start, spansA[k].end, Int(spansA[k].form.rawValue)],
                                   [spansB[k].start, spansB[k].end, Int(spansB[k].form.rawValue)], "field \(k) of \(text)")
                }
            }
        }
    }

    func testUTF8CheckWithMixedASCIIWordsAgreesWithSwift() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x41, 0x41, 0x41, 0x80, 0xBF, 0xC2, 0xE0, 0xE4, 0xB8, 0xAD, 0xED, 0xF0, 0x90, 0xFF]
        for _ in 0..<20000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0x41 }
            let valid = Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
            let found = bytes.withUnsafeBufferPointer { b -> Int? in
                guard let base = b.baseAddress else { return nil }
                return CSVText.firstInvalidUTF8(base, 0, b.count)
            }
            XCTAssertEqual(found == nil, valid, "\(bytes.map { String($0, radix: 16) })")
        }
    }

    // MARK: - The UTF-8 check on distinct strings

    /// A header and 120,000 ASCII rows (each chunk more than the 1 MB checked before
    /// parsing), then `tail` on line 120,002.
    private func bigFile(tail: [UInt8]) -> [UInt8] {
        var bytes = Array("id,name,amount\n".utf8)
        for i in 0..<120_000 { bytes += Array("C\(100_000 + i),shanghai-\(i % 13),\(i % 97).5\n".utf8) }
        return bytes + tail
    }

    private func options(chunks: Int) -> CSVOptions {
        var o = CSVOptions()
        o.chunkCount = chunks
        o.minChunkBytes = 1
        return o
    }

    func testGBKAfterTheFirstMegabyteIsStillDetected() throws {
        // 上海 in GBK: C9 CF BA A3, in a row far past the first block of either chunk.
        let tail: [UInt8] = Array("C9,".utf8) + [0xC9, 0xCF, 0xBA, 0xA3] + Array(",1\n".utf8)
        for chunks in [1, 2] {
            let r = try CSVReader.read(bytes: bigFile(tail: tail), name: "crm.csv", options: options(chunks: chunks))
            XCTAssertEqual(r.table.rowCount, 120_001)
            XCTAssertEqual(r.warnings, ["crm.csv is not valid UTF-8; it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)"])
            XCTAssertEqual(r.table.row(120_000), [.string("C9"), .string("上海"), .double(1)])
            XCTAssertEqual(r.table.row(7), [.string("C100007"), .string("shanghai-7"), .double(7.5)])
        }
    }

    func testInvalidBytesInANumberColumnFarIntoTheFileAreFound() {
        var o = options(chunks: 2)
        o.encoding = "utf-8"
        let tail: [UInt8] = Array("C9,x,".utf8) + [0xFF] + Array("1\n".utf8)
        let message = csvError(bytes: bigFile(tail: tail), options: o)
        XCTAssertTrue(message.hasPrefix("t.csv:120002:6: error:"), message)
    }

    func testNULInAStringFarIntoTheFileIsAnError() {
        let tail: [UInt8] = Array("C9,ab".utf8) + [0] + Array("c,1\n".utf8)
        XCTAssertEqual(csvError(bytes: bigFile(tail: tail), options: options(chunks: 2)), "t.csv:120002:6: error: NUL byte in the data")
    }

    func testInvalidBytesInASkippedBadValueFarIntoTheFileAreFound() {
        // With on_error="skip", a value that does not fit its forced type becomes null and
        // is kept nowhere (no string table): its bytes must still be checked.
        var o = options(chunks: 2)
        o.encoding = "utf-8"
        o.types = ["amount": .double]
        o.skipBadRows = true
        let tail: [UInt8] = Array("C9,x,".utf8) + [0xFF] + Array("1\n".utf8)
        let message = csvError(bytes: bigFile(tail: tail), options: o)
        XCTAssertTrue(message.hasPrefix("t.csv:120002:6: error: invalid UTF-8 byte 0xFF"), message)
        let nul: [UInt8] = Array("C9,x,1".utf8) + [0] + Array("\n".utf8)
        XCTAssertEqual(csvError(bytes: bigFile(tail: nul), options: o), "t.csv:120002:7: error: NUL byte in the data")
    }

    func testASequenceCutBetweenTwoStringsIsNotValid() throws {
        // "a\u{E4}" and "\u{B8}\u{AD}b" are each invalid, but one after the other in the
        // column's string bytes they read "a中b".
        let tail: [UInt8] = Array("C9,a".utf8) + [0xE4] + Array(",1\nC10,".utf8) + [0xB8, 0xAD] + Array("b,2\n".utf8)
        var o = options(chunks: 1)
        o.encoding = "utf-8"
        let message = csvError(bytes: bigFile(tail: tail), options: o)
        XCTAssertTrue(message.hasPrefix("t.csv:120002:5: error:"), message)
    }

    // MARK: - Columns converted one after the other

    func testTheFirstBadValueInTheFileIsReportedWhateverItsColumn() {
        // Within a batch the second column is converted after the first: the error on
        // line 3 (second column) must still win over the one on line 5 (first column).
        var o = CSVOptions()
        o.types = ["a": .int, "b": .int]
        let text = "a,b\n1,2\n3,x\n5,6\ny,8\n"
        XCTAssertEqual(csvError(text, options: o), "t.csv:3:3: error: cannot read 'x' as int (column 'b' has type int from the types option)")
        o.skipBadRows = true
        let r = try? csvLoad(text, options: o)
        XCTAssertEqual(r?.warnings.last, "2 values read as null (first: t.csv:3:3: cannot read 'x' as int (column 'b' has type int from the types option))")
        XCTAssertEqual(r.map { csvRows($0.table) }, [[.int(1), .int(2)], [.int(3), .null], [.int(5), .int(6)], [.null, .int(8)]])
    }

    func testMalformedRowAfterABadValueInTheSameBatch() {
        var o = CSVOptions()
        o.types = ["b": .int]
        XCTAssertEqual(csvError("a,b\n1,2\n3,x\n5\n", options: o),
                       "t.csv:3:3: error: cannot read 'x' as int (column 'b' has type int from the types option)")
        XCTAssertEqual(csvError("a,b\n1,2\n5\n3,x\n", options: o), "t.csv:3:2: error: row has 1 field, expected 2")
    }

    func testKindChangesInsideABatch() throws {
        // int → double → string within one batch of one column, nulls and spaces between.
        let r = try csvLoad("v,w\n1,a\n2.5, b \nNA,\n 7 ,c\nx,\"d\"\"e\"\n")
        XCTAssertEqual(csvTypes(r.table), [.string, .string])
        XCTAssertEqual(csvRows(r.table), [[.string("1"), .string("a")], [.string("2.5"), .string(" b ")], [.null, .null],
                                          [.string(" 7 "), .string("c")], [.string("x"), .string("d\"e")]])
        let n = try csvLoad("v\n1\n 2\n3.5\nNULL\n")
        XCTAssertEqual(csvRows(n.table), [[.double(1)], [.double(2)], [.double(3.5)], [.null]])
    }
}
