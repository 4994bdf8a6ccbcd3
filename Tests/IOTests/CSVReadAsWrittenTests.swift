import XCTest
import Foundation
import Columnar
import Diagnostics
@testable import IO

/// Files that were once read differently from how they were written (issue 15), each as a
/// minimal file: the rows, values and notes the reader must give.
final class CSVReadAsWrittenTests: XCTestCase {
    func options(_ pairs: [(String, Scalar)]) throws -> CSVOptions {
        try CSVOptions(pairs: pairs.map { (key: $0.0, value: $0.1) })
    }

    func testTextAfterAClosingQuoteKeepsTheQuotesAndTheRows() throws {
        // Real-world shapes: text after the closing quote, quotes inside a value, backslash
        // escapes, and a lone opening quote in an unquoted TSV (which used to swallow rows).
        let tsv = "id\tname\tcity\n1\t\"ANTON\" SONNENSCHUTZ\tBerlin\n2\t\"Abd_el-Gilil\tCairo\n3\tplain\tRome\n"
            + "4\t\"Lahr \"Vis-à-Vis Bus\" x\"\tLahr\n5\t\"foo (\\\"foo\\\")\"\tParis\n6\tlast\t\"quoted\"\n"
        let r = try csvLoad(tsv, name: "t.tsv")
        XCTAssertEqual(r.table.rowCount, 6)
        XCTAssertEqual(r.table.column("name").map { c in (0..<6).map { c[$0] } },
                       [.string("\"ANTON\" SONNENSCHUTZ"), .string("\"Abd_el-Gilil"), .string("plain"),
                        .string("\"Lahr \"Vis-à-Vis Bus\" x\""), .string("\"foo (\\\"foo\\\")\""), .string("last")])
        XCTAssertEqual(r.table.column("city")?[5], .string("quoted"))
        XCTAssertEqual(r.warnings, ["4 rows have fields with text after a closing quote, read as written with the quotes (first: t.tsv:2:3); quote=\"\" reads all quotes as text"])
    }

    func testQuoteOptionReadsQuotesAsText() throws {
        let r = try csvLoad("a,b\n\"x\",\"y z\n\"w\",v\n", options: options([("quote", .string(""))]))
        XCTAssertEqual(csvRows(r.table), [[.string("\"x\""), .string("\"y z")], [.string("\"w\""), .string("v")]])
        XCTAssertEqual(r.warnings, [])
        XCTAssertThrowsError(try options([("quote", .string("'"))])) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "load option quote must be \"\\\"\" (the default) or \"\" (no quoting), not \"'\"")
        }
    }

    func testUnterminatedQuoteHintsAtQuoteOption() {
        do {
            _ = try CSVReader.read(bytes: Array("a,b\n1,\"open\n2,3\n".utf8), name: "t.csv")
            XCTFail("expected an error")
        } catch let d as Diagnostic {
            XCTAssertEqual(d.render(), "t.csv:2:3: error: unterminated quoted field\nhelp: if the file's quotes are plain text, not quoting, load it with quote=\"\"\n")
        } catch { XCTFail("\(error)") }
    }

    func testSpacesAroundAQuotedValueAreDropped() throws {
        let r = try csvLoad("name,qty\n\"onions\"  ,3\n  \"leeks\" ,4\n\"a \"\"b\"\"\"\t,5\n")
        XCTAssertEqual(csvRows(r.table), [[.string("onions"), .int(3)], [.string("leeks"), .int(4)], [.string("a \"b\""), .int(5)]])
        XCTAssertEqual(r.warnings, [])
    }

    func testBlankLineInAOneColumnFileIsNull() throws {
        let r = try csvLoad("v\na\n\nb\n\n\n")
        XCTAssertEqual(csvRows(r.table), [[.string("a")], [.null], [.string("b")]])
        XCTAssertEqual(try csvLoad("v\r\n1\r\n\r\n2\r\n").table.column("v").map { c in (0..<3).map { c[$0] } }, [.int(1), .null, .int(2)])
    }

    func testBlankLinesElsewhereAreCounted() throws {
        let r = try csvLoad("a,b\n1,2\n\n3,4\n\r\n\n5,6\n\n")
        XCTAssertEqual(csvRows(r.table), [[.int(1), .int(2)], [.int(3), .int(4)], [.int(5), .int(6)]])
        XCTAssertEqual(r.warnings, ["skipped 3 blank lines between the rows"])
    }

    func testFirstRowOfTheSameTypesIsData() throws {
        let dates = try csvLoad("2024-01-01,2024-02-01\n2024-01-02,2024-02-02\n")
        XCTAssertFalse(dates.hasHeader)
        XCTAssertEqual(dates.table.rowCount, 2)
        XCTAssertEqual(csvTypes(dates.table), [.date, .date])
        let mixed = try csvLoad("2024-01-01,C001,5\n2024-01-02,C002,7\n")
        XCTAssertFalse(mixed.hasHeader)
        XCTAssertEqual(mixed.table.names, ["column1", "column2", "column3"])
        XCTAssertTrue(try csvLoad("day,n\n2024-01-01,5\n").hasHeader)
    }

    func testPlusSignNumbersAreIdentifiers() throws {
        let r = try csvLoad("phone,n\n+318855443322,+1.5\n+4930123456,-2\n")
        XCTAssertEqual(csvTypes(r.table), [.string, .double])
        XCTAssertEqual(r.table.column("phone")?[0], .string("+318855443322"))
    }

    func testDateFormatTurnsDigitsIntoDates() throws {
        let r = try csvLoad("d,n\n19970101,1\n19970215,2\n", options: options([("dates", .string("%Y%m%d"))]))
        XCTAssertEqual(csvRows(r.table), [[csvDay("1997-01-01"), .int(1)], [csvDay("1997-02-15"), .int(2)]])
        XCTAssertEqual(csvTypes(try csvLoad("d\n19970101\n").table), [.int])
    }

    func testSkipTitleLinesAndTheHintWithout() throws {
        let text = "Quarterly report, 2024\nexported by CRM\nid,amount,region\n1,2.5,east\n2,3.5,west\n"
        let r = try csvLoad(text, options: options([("skip", .int(2))]))
        XCTAssertEqual(r.table.names, ["id", "amount", "region"])
        XCTAssertEqual(r.table.rowCount, 2)
        do {
            _ = try csvLoad("Quarterly report\nid,amount,region\n1,2.5,east\n")
            XCTFail("expected an error")
        } catch let d as Diagnostic {
            XCTAssertEqual(d.render(), "t.csv:2:4: error: row has 3 fields, expected 1\nhelp: the first line has one field and the next ones more: if it is a title above the table, skip it with skip=1 (or more lines with skip=N)\n")
        }
        XCTAssertEqual(csvError("title\n", options: try options([("skip", .int(1))])), "t.csv: error: nothing left after skipping 1 line")
        XCTAssertThrowsError(try options([("skip", .string("2"))]))
    }

    func testGuessedGB18030ThatLooksLikeAnotherEncodingSaysSo() throws {
        // Shift-JIS Japanese and Latin-1 text are valid GB18030 byte for byte.
        let shiftJIS: [UInt8] = Array("name\n".utf8) + [0x82, 0xE2, 0x82, 0xDC, 0x82, 0xBE, 0x0A, 0x83, 0x4A, 0x83, 0x5E, 0x0A]
        let r = try CSVReader.read(bytes: shiftJIS, name: "j.csv")
        XCTAssertEqual(r.warnings.count, 1)
        XCTAssertTrue(r.warnings[0].hasPrefix("j.csv is not valid UTF-8; it was read as GB18030, but the text may be wrong: only 0% of its two-byte characters are common Chinese ones"), r.warnings[0])
        let latin1: [UInt8] = Array("name\nM".utf8) + [0xFC] + Array("ller\n".utf8)
        XCTAssertTrue(try CSVReader.read(bytes: latin1, name: "l.csv").warnings[0].contains("likely in another encoding (Shift-JIS, Latin-1 …)"))
        let gbk: [UInt8] = Array("name\n".utf8) + [0xBF, 0xCD, 0xBB, 0xA7, 0x0A]  // 客户
        XCTAssertEqual(try CSVReader.read(bytes: gbk, name: "g.csv").warnings,
                       ["g.csv is not valid UTF-8; it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)"])
    }
}
