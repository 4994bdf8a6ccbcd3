import Columnar
import Diagnostics
import Engine
import Foundation
import XCTest

/// Every file of the bad-file corpus (Tests/RobustnessTests/corpus) loaded through a session:
/// each gets a specific error naming file, line and column, or loads with a reported
/// coercion (a warning on stderr) — never a crash, never a silently wrong value.
final class MalformedDataTests: XCTestCase {
    func load(_ file: String, options: String = "") -> Robust.Run {
        let with = options.isEmpty ? "" : " with \(options)"
        return Robust.run("load t from \"\(file)\"\(with)", in: Robust.session())
    }

    /// The first line of the error: `PATH:LINE:COL: error: MESSAGE`, with the corpus folder removed.
    func errorLine(_ file: String, options: String = "", _ test: StaticString = #filePath, line: UInt = #line) -> String {
        let run = load(file, options: options)
        XCTAssertEqual(run.diagnostics.count, 1, "expected one error for \(file)", file: test, line: line)
        XCTAssertTrue(run.tables.isEmpty, file: test, line: line)
        let first = run.error.split(separator: "\n").first.map(String.init) ?? ""
        return first.replacingOccurrences(of: Robust.corpus + "/", with: "")
    }

    func loaded(_ file: String, options: String = "", _ test: StaticString = #filePath, line: UInt = #line) throws -> (Table, [String]) {
        let session = Robust.session()
        let run = Robust.run("load t from \"\(file)\"\(options.isEmpty ? "" : " with " + options)\nt", in: session)
        XCTAssertEqual(run.error, "", file: test, line: line)
        let table = try XCTUnwrap(run.lastTable, "no table for \(file)", file: test, line: line)
        let warnings = run.notes.filter { $0.hasPrefix("warning: ") }.map {
            String($0.dropFirst("warning: ".count)).replacingOccurrences(of: Robust.corpus + "/", with: "")
        }
        return (table, warnings)
    }

    // MARK: Errors

    func testRaggedRowsNameTheLineAndTheFieldCount() {
        XCTAssertEqual(errorLine("ragged-rows.csv"), "ragged-rows.csv:3:4: error: row has 2 fields, expected 3")
        XCTAssertEqual(errorLine("ragged-extra.csv"), "ragged-extra.csv:3:8: error: row has 4 fields, expected 3")
    }

    func testRaggedRowsAreSkippedAndCountedOnRequest() throws {
        let (table, warnings) = try loaded("ragged-rows.csv", options: "on_error=\"skip\"")
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("a"), .int(10)], [.int(3), .string("c"), .int(30)]])
        XCTAssertEqual(warnings, ["skipped 1 malformed row (first: ragged-rows.csv:3:4: row has 2 fields, expected 3)"])
    }

    func testUnterminatedQuoteAtEndOfFile() {
        XCTAssertEqual(errorLine("unterminated-quote-eof.csv"), "unterminated-quote-eof.csv:3:3: error: unterminated quoted field")
    }

    func testUnterminatedQuoteSkippedRunsToTheEndOfTheFile() throws {
        // The open quote swallows the rest of the file: one malformed row, reported.
        let (table, warnings) = try loaded("unterminated-quote-eof.csv", options: "on_error=\"skip\"")
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("ok")]])
        XCTAssertEqual(warnings, ["skipped 1 malformed row (first: unterminated-quote-eof.csv:3:3: unterminated quoted field)"])
    }

    func testInvalidUTF8ThatIsNotGB18030Either() {
        let run = load("invalid-utf8.csv")
        let text = run.error.replacingOccurrences(of: Robust.corpus + "/", with: "")
        XCTAssertEqual(text, """
            invalid-utf8.csv:2:6: error: invalid UTF-8 byte 0xC3
            help: the file is not GB18030 either

            """)
        XCTAssertEqual(errorLine("invalid-utf8.csv", options: "encoding=\"utf-8\""), "invalid-utf8.csv:2:6: error: invalid UTF-8 byte 0xC3")
    }

    func testNULBytes() {
        XCTAssertEqual(errorLine("nul-bytes.csv"), "nul-bytes.csv:2:4: error: NUL byte in the data")
    }

    func testEmptyFiles() {
        XCTAssertEqual(errorLine("empty.csv"), "empty.csv: error: empty file")
        XCTAssertEqual(errorLine("blank-lines-only.csv"), "blank-lines-only.csv: error: empty file")
    }

    func testGBKReadAsUTF8OnRequestIsAnError() {
        XCTAssertEqual(errorLine("gbk-no-encoding.csv", options: "encoding=\"utf-8\""),
                       "gbk-no-encoding.csv:1:1: error: invalid UTF-8 byte 0xBF")
    }

    func testValuesThatDoNotFitAForcedTypeAreErrors() {
        XCTAssertEqual(errorLine("impossible-date.csv", options: "types=\"day:date\""),
                       "impossible-date.csv:3:3: error: cannot read '2024-02-30' as date (column 'day' has type date from the types option)")
        XCTAssertEqual(errorLine("int-overflow.csv", options: "types=\"big:int\""),
                       "int-overflow.csv:3:3: error: cannot read '9223372036854775808' as int (column 'big' has type int from the types option)")
    }

    func testMissingFileAndFolder() {
        XCTAssertEqual(Robust.run("load t from \"no-such.csv\"", in: Robust.session()).diagnostics.first?.message,
                       "no such file: 'no-such.csv'")
        let run = Robust.run("load t from \".\"", in: Robust.session())
        XCTAssertTrue(run.error.contains("is a directory, not a CSV file"), run.error)
    }

    // MARK: Reported coercions

    func testGBKWithoutEncodingIsGuessedWithAWarning() throws {
        let (table, warnings) = try loaded("gbk-no-encoding.csv")
        XCTAssertEqual(table.names, ["客户编号", "行业"])
        XCTAssertEqual(Robust.rows(table), [[.string("C1"), .string("制造业")], [.string("C2"), .string("零售")]])
        XCTAssertEqual(warnings, ["gbk-no-encoding.csv is not valid UTF-8; it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)"])
    }

    func testBOMFollowedByGBK() throws {
        let (guessed, warnings) = try loaded("bom-then-gbk.csv")
        XCTAssertEqual(guessed.names, ["客户编号", "行业"])
        XCTAssertEqual(Robust.rows(guessed), [[.string("C1"), .string("制造业")]])
        XCTAssertEqual(warnings, ["bom-then-gbk.csv is not valid UTF-8 although it starts with a UTF-8 byte order mark; it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)"])
        // Asked for GBK, the byte order mark is not read as a character.
        let (asked, none) = try loaded("bom-then-gbk.csv", options: "encoding=\"gbk\"")
        XCTAssertEqual(asked.names, ["客户编号", "行业"])
        XCTAssertEqual(Robust.rows(asked), [[.string("C1"), .string("制造业")]])
        XCTAssertEqual(none, [])
    }

    func testUTF16WithByteOrderMark() throws {
        let (table, _) = try loaded("utf16-bom.csv")
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("张")]])
    }

    func testHeaderOnly() throws {
        let (table, warnings) = try loaded("header-only.csv")
        XCTAssertEqual(table.names, ["id", "name", "amount"])
        XCTAssertEqual(table.rowCount, 0)
        XCTAssertEqual(warnings, [])
    }

    func testDuplicateAndEmptyHeaderNames() throws {
        let (table, warnings) = try loaded("duplicate-headers.csv")
        XCTAssertEqual(table.names, ["id", "name", "name_2", "column4", "amount", "column6"])
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("a"), .string("b"), .string("x"), .int(10), .string("y")]])
        XCTAssertEqual(warnings, [
            "duplicate column name 'name': column 3 renamed to 'name_2'",
            "column 4 has no name in the header; it is called 'column4'",
            "column 6 has no name in the header; it is called 'column6'",
        ])
    }

    func testMixedLineEnds() throws {
        let (table, _) = try loaded("mixed-line-ends.csv")
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("a")], [.int(2), .string("b")], [.int(3), .string("c")], [.int(4), .string("d")]])
    }

    func testIntegersTooLargeFor64BitsKeepTheirText() throws {
        let (table, warnings) = try loaded("int-overflow.csv")
        XCTAssertEqual(table.columns[1].type, .string)
        XCTAssertEqual(table.columns[1][1], .string("9223372036854775808"))
        XCTAssertEqual(table.columns[1][2], .string("-9223372036854775809"))
        XCTAssertEqual(warnings, ["column 'big': 9223372036854775808 on line 3 does not fit a 64-bit integer; the column is read as string"])
    }

    func testFloatsTooLargeKeepTheirText() throws {
        let (table, warnings) = try loaded("huge-number-float.csv")
        XCTAssertEqual(table.columns[1].type, .string)
        XCTAssertEqual(table.columns[1][0], .string("1e400"))
        XCTAssertEqual(warnings, ["column 'v': 1e400 on line 2 is too large for a 64-bit float; the column is read as string"])
    }

    func testImpossibleDatesKeepTheirText() throws {
        let (table, warnings) = try loaded("impossible-date.csv")
        XCTAssertEqual(table.columns[1].type, .string)
        XCTAssertEqual(table.columns[1][1], .string("2024-02-30"))
        XCTAssertEqual(warnings, ["column 'day': 2024-02-30 on line 3 is not a valid date; the column is read as string"])
    }

    func testTextAfterAClosingQuoteIsKept() throws {
        // The quotes of "abc"def did not enclose the field: it is read as written (issue 15).
        let (table, warnings) = try loaded("quote-then-text.csv")
        XCTAssertEqual(Robust.rows(table), [[.int(1), .string("\"abc\"def")], [.int(2), .string("x\"y")]])
        XCTAssertEqual(warnings, ["1 row has a field with text after a closing quote, read as written with the quotes (first: quote-then-text.csv:2:3); quote=\"\" reads all quotes as text"])
    }

    func testRowsOfOnlyDelimiters() throws {
        let (table, warnings) = try loaded("only-delimiters.csv")
        XCTAssertEqual(table.names, ["column1", "column2", "column3", "column4"])
        XCTAssertEqual(Robust.rows(table), [[.null, .null, .null, .null]])
        XCTAssertEqual(warnings.count, 4)
    }

    func testOneByteFile() throws {
        let (table, _) = try loaded("single-column-no-newline.csv")
        XCTAssertEqual(table.names, ["x"])
        XCTAssertEqual(table.rowCount, 0)
    }

    func testTenMegabyteField() throws {
        let dir = try Robust.temporaryDirectory("bigfield")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let field = String(repeating: "长", count: 3_500_000)  // 10.5 MB of UTF-8
        try Data(("id,blob\n1,\"" + field + "\"\n2,small\n").utf8).write(to: URL(fileURLWithPath: dir + "/big.csv"))
        let run = Robust.run("load t from \"big.csv\"\nt | derive n = len(blob) | select id, n", in: Robust.session(in: dir))
        XCTAssertEqual(run.error, "")
        XCTAssertEqual(run.lastTable.map(Robust.rows), [[.int(1), .int(3_500_000)], [.int(2), .int(5)]])
    }

    /// Every corpus file, also with `on_error="skip"`, `header=false` and forced chunking
    /// options: a result or a diagnostic, and a table whose columns agree on their length.
    func testEveryCorpusFileGivesATableOrADiagnostic() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Robust.corpus).sorted()
        XCTAssertGreaterThanOrEqual(files.count, 15)
        for file in files {
            for options in ["", "on_error=\"skip\"", "header=false", "encoding=\"gb18030\"", "numbers=\"currency\""] {
                let session = Robust.session()
                let run = Robust.run("load t from \"\(file)\"\(options.isEmpty ? "" : " with " + options)", in: session)
                if let d = run.diagnostics.first {
                    XCTAssertFalse(d.message.isEmpty)
                    XCTAssertNotNil(d.location ?? d.span.map { "\($0)" }, "\(file) \(options): an error without a place")
                } else {
                    let t = try XCTUnwrap(session.table(named: "t"))
                    for c in t.columns { XCTAssertEqual(c.count, t.rowCount, "\(file) \(options)") }
                    XCTAssertEqual(Set(t.names).count, t.names.count, "\(file) \(options): duplicate names \(t.names)")
                }
            }
        }
    }
}
