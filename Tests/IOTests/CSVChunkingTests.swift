import XCTest
import Columnar
@testable import IO

/// Parallel chunking must give exactly the table a single chunk gives, wherever the split
/// falls: inside quoted newlines, on CRLF, between type changes.
final class CSVChunkingTests: XCTestCase {
    private func twoChunks(_ base: CSVOptions = CSVOptions()) -> CSVOptions {
        var o = base
        o.minChunkBytes = 1
        o.chunkCount = 2
        return o
    }

    private func oneChunk(_ base: CSVOptions = CSVOptions()) -> CSVOptions {
        var o = base
        o.chunkCount = 1
        return o
    }

    private func assertSameTable(_ text: String, options: CSVOptions = CSVOptions(), file: StaticString = #filePath, line: UInt = #line) throws {
        let a = try csvLoad(text, options: oneChunk(options))
        let b = try csvLoad(text, options: twoChunks(options))
        XCTAssertEqual(a.table.names, b.table.names, file: file, line: line)
        XCTAssertEqual(csvTypes(a.table), csvTypes(b.table), file: file, line: line)
        XCTAssertEqual(csvRows(a.table), csvRows(b.table), file: file, line: line)
        XCTAssertEqual(a.warnings, b.warnings, file: file, line: line)
    }

    func testChunksSplitIntoTwo() throws {
        let text = "a,b\n" + (0..<100).map { "\($0),v\($0 % 7)\n" }.joined()
        let chunks = try XCTUnwrap(CSVReader.chunkPlan(text, options: twoChunks()))
        XCTAssertEqual(chunks, 2)
        let r = try csvLoad(text, options: twoChunks())
        XCTAssertEqual(r.table.rowCount, 100)
        XCTAssertEqual(csvRows(r.table)[99], [.int(99), .string("v1")])
        XCTAssertEqual(csvRows(r.table)[50], [.int(50), .string("v1")])
    }

    func testQuotedNewlineAtEverySplitPosition() throws {
        // Shift the text so that the midpoint lands on every byte of a quoted field with
        // embedded newlines and doubled quotes.
        for pad in 0..<40 {
            let head = "id,note,n\n" + "1," + String(repeating: "p", count: pad) + ",1\n"
            let text = head + "2,\"multi\nline \"\"quoted\"\"\r\nfield\",2\n3,plain,3.5\n4,\"x\n\",4\n"
            try assertSameTable(text)
            let r = try csvLoad(text, options: twoChunks())
            XCTAssertEqual(csvRows(r.table)[1], [.int(2), .string("multi\nline \"quoted\"\r\nfield"), .double(2)])
            XCTAssertEqual(csvRows(r.table)[3], [.int(4), .string("x\n"), .double(4)])
        }
    }

    func testTypesJoinAcrossChunks() throws {
        // First half ints, second half doubles / strings / dates / nulls.
        var text = "i,d,s,dt,nul\n"
        for k in 0..<50 { text += "\(k),\(k),\(k),2024-01-\(k % 28 + 1),\n" }
        for k in 50..<100 { text += "\(k),\(k).5,s\(k),2024-02-\(k % 28 + 1),\n" }
        try assertSameTable(text)
        let r = try csvLoad(text, options: twoChunks())
        XCTAssertEqual(csvTypes(r.table), [.int, .double, .string, .date, .string])
        XCTAssertEqual(csvRows(r.table)[3], [.int(3), .double(3), .string("3"), csvDay("2024-01-04"), .null])
        XCTAssertEqual(csvRows(r.table)[99], [.int(99), .double(99.5), .string("s99"), csvDay("2024-02-16"), .null])
        // The merged dictionary holds each distinct string once.
        guard case .string(let codes, let dict) = r.table.columns[2].storage else { return XCTFail() }
        XCTAssertEqual(dict.count, 100)
        XCTAssertEqual(Set(codes).count, 100)
    }

    func testStringsSharedAcrossChunksMergeToOneCode() throws {
        let text = "c\n" + (0..<200).map { ["华东", "华北", "x\"y", "华南"][$0 % 4] }
            .map { $0.contains("\"") ? "\"x\"\"y\"" : $0 }.joined(separator: "\n") + "\n"
        let r = try csvLoad(text, options: twoChunks())
        guard case .string(let codes, let dict) = r.table.columns[0].storage else { return XCTFail() }
        XCTAssertEqual(dict.count, 4)
        XCTAssertEqual(Set(codes).count, 4)
        XCTAssertEqual(csvRows(r.table)[2], [.string("x\"y")])
        XCTAssertEqual(csvRows(r.table)[199], [.string("华南")])
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    func testAscendingIdentifiersAcrossChunks() throws {
        // Ascending ids (no hashing, codes shifted per chunk), nulls among them, an all-null
        // chunk, ids ascending per chunk but not across chunks, and an ascending run that
        // turns back (duplicates after it must share the earlier codes).
        let ascending = "id,n\n" + (0..<300).map { $0 % 37 == 5 ? ",\($0)\n" : "O\(pad($0, 5)),\($0)\n" }.joined()
        let nullHalf = "id,n\n" + (0..<300).map { $0 < 150 ? "C\($0 + 1000),\($0)\n" : ",\($0)\n" }.joined()
        let nullFirst = "id,n\n" + (0..<300).map { $0 < 150 ? ",\($0)\n" : "C\($0 + 1000),\($0)\n" }.joined()
        let restart = "id,n\n" + (0..<300).map { "K\(pad($0 % 150, 4)),\($0)\n" }.joined()
        let turnBack = "id,n\n" + (0..<300).map { "T\(pad($0 < 200 ? $0 : $0 - 100, 4)),\($0)\n" }.joined()
        for text in [ascending, nullHalf, nullFirst, restart, turnBack] {
            try assertSameTable(text)
            let r = try csvLoad(text, options: twoChunks())
            guard case .string(let codes, let dict) = r.table.columns[0].storage else { return XCTFail() }
            let rows = csvRows(r.table)
            let values = rows.map { $0[0] }
            let distinct = Set(values.filter { !$0.isNull })
            XCTAssertEqual(dict.count, distinct.count)
            XCTAssertTrue(codes.allSatisfy { $0 >= 0 && Int($0) < dict.count })
            // Equal strings share a code, different strings differ.
            var codeOf: [Scalar: Int32] = [:]
            for (i, v) in values.enumerated() where !v.isNull {
                if let c = codeOf[v] { XCTAssertEqual(c, codes[i]) } else { codeOf[v] = codes[i] }
            }
            XCTAssertEqual(Set(codeOf.values).count, codeOf.count)
        }
        let r = try csvLoad(turnBack, options: twoChunks())
        XCTAssertEqual(csvRows(r.table)[250], [.string("T0150"), .int(250)])
        let a = try csvLoad(ascending, options: twoChunks())
        XCTAssertEqual(csvRows(a.table)[5], [.null, .int(5)])
        XCTAssertEqual(csvRows(a.table)[299], [.string("O00299"), .int(299)])
    }

    func testErrorInSecondChunkIsReportedWithItsLine() {
        var text = "a,b\n"
        for k in 0..<60 { text += "\(k),\(k)\n" }
        text += "oops\n"
        for k in 0..<60 { text += "\(k),\(k)\n" }
        XCTAssertEqual(csvError(text, options: twoChunks()), "t.csv:62:5: error: row has 1 field, expected 2")
        var skip = twoChunks()
        skip.skipBadRows = true
        XCTAssertEqual((try? csvLoad(text, options: skip))?.table.rowCount, 120)
    }

    func testStrayQuoteFallsBackToOneChunk() throws {
        // An unbalanced quote inside an unquoted field fools the parity split.
        var text = "a,b\n"
        for k in 0..<30 { text += "\(k),in\"ch\n" }
        for k in 30..<60 { text += "\(k),x\n" }
        try assertSameTable(text)
        XCTAssertEqual(try csvLoad(text, options: twoChunks()).table.rowCount, 60)
    }

    func testHighCardinalityColumnsMergeAcrossChunksAndKeepValues() throws {
        // Many distinct values per chunk (an identifier column): the chunk dictionaries are
        // merged in file order (escaped quotes and nulls included).
        let n = 50_000
        var text = "id,grp,mixed\n"
        var expected: [[Scalar]] = []
        for k in 0..<n {
            let id: Scalar = k % 1000 == 999 ? .null : (k % 777 == 0 ? .string("q\"\(k)\"") : .string("id\(k)"))
            let idText: String
            switch id { case .string(let s) where s.hasPrefix("q"): idText = "\"q\"\"\(k)\"\"\""; case .string(let s): idText = s; default: idText = "" }
            let mixed: Scalar = k == n - 5 ? .string("x\(k)") : .string("\(k)")
            text += "\(idText),g\(k % 3),\(k == n - 5 ? "x\(k)" : "\(k)")\n"
            expected.append([id, .string("g\(k % 3)"), mixed])
        }
        for options in [oneChunk(), twoChunks()] {
            let r = try csvLoad(text, options: options)
            XCTAssertEqual(csvTypes(r.table), [.string, .string, .string])
            XCTAssertEqual(csvRows(r.table), expected)
            guard case .string(let codes, let dict) = r.table.columns[0].storage else { return XCTFail() }
            XCTAssertEqual(dict.count, n - n / 1000)
            XCTAssertEqual(codes[0], 0)
            XCTAssertEqual(dict.lookup("id1"), codes[1])
        }
    }

    // Splits are guessed at any line end when no quote is near; a quoted field long enough
    // to hold the split point with no quote in the 64 KB before it fools the guess, and the
    // reader must notice and split again by quote parity.
    func testAGuessedSplitInsideAVeryLongQuotedFieldIsRedone() throws {
        let note = (0..<20_000).map { "line \($0) of a long note" }.joined(separator: "\n")
        var text = "id,note,n\n"
        for i in 0..<2_000 { text += "\(i),short,\(i)\n" }
        text += "2000,\"\(note)\",7\n"
        for i in 2_001..<4_000 { text += "\(i),short,\(i)\n" }
        let one = try csvLoad(text, options: oneChunk())
        let two = try csvLoad(text, options: twoChunks())
        XCTAssertEqual(two.table.rowCount, 4_000)
        XCTAssertEqual(csvRows(two.table), csvRows(one.table))
        XCTAssertEqual(two.table.row(2_000).last, .int(7))
    }
}
