import XCTest
import Columnar
import Diagnostics
import Foundation
@testable import IO
import ZIPFoundation

/// The workbook reader on files made by openpyxl and LibreOffice (`Fixtures/`, made by
/// `Fixtures/make-xlsx-fixtures`), on workbooks segsh writes itself, and on files that
/// only look like workbooks.
final class XLSXReaderTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws { folder = try temporaryFolder("segsh-xlsx") }
    override func tearDown() { if !folder.isEmpty { try? FileManager.default.removeItem(atPath: folder) } }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    func load(_ fixture: String, _ options: [(String, Scalar)] = []) throws -> CSVLoadResult {
        let o = try CSVOptions(pairs: options.map { (key: $0.0, value: $0.1) })
        return try DataFileReader.read(path: Self.fixtures + "/" + fixture, name: fixture, options: o)
    }

    func column(_ t: Table, _ name: String) -> [Scalar] {
        guard let c = t.column(name) else { XCTFail("no column \(name) in \(t.names)"); return [] }
        return (0..<t.rowCount).map { c[$0] }
    }

    func date(_ y: Int, _ m: Int, _ d: Int) -> Scalar { .date(CivilDate(year: y, month: m, day: d).daysSinceEpoch) }

    func testOpenpyxlWorkbookEveryCellKind() throws {
        let r = try load("openpyxl-types.xlsx", [("sheet", .string("客户"))])
        let t = r.table
        XCTAssertEqual(t.names, ["客户编号", "名称", "金额", "数量", "签约日期", "最后联系", "活跃", "备注"])
        XCTAssertEqual(t.columns.map(\.type), [.string, .string, .double, .int, .date, .string, .bool, .string])
        XCTAssertEqual(column(t, "客户编号"), [.string("00123"), .string("00456"), .string("00789")])
        XCTAssertEqual(column(t, "名称"), [.string("杭州恒信重工"), .string("上海广源科技"), .string("  spaced  ")])
        XCTAssertEqual(column(t, "金额"), [.double(1200.5), .double(80), .double(-3.25)])
        XCTAssertEqual(column(t, "签约日期"), [date(2024, 6, 30), date(2023, 1, 2), date(1999, 12, 31)])
        // segsh has no time type: date-times that are not midnight are text.
        XCTAssertEqual(column(t, "最后联系"), [.string("2024-07-01 09:30:00"), .string("2024-07-02"), .string("2024-07-03 23:59:59")])
        XCTAssertEqual(column(t, "活跃"), [.bool(true), .bool(false), .bool(true)])
        XCTAssertEqual(column(t, "备注"), [.string("says \"hi\", twice"), .null, .string("line1\nline2")])
        XCTAssertEqual(r.warnings, ["1 error cell in sheet '客户' read as null (#N/A at H5)"])
    }

    func testFirstVisibleSheetByDefaultAndSheetByNumber() throws {
        XCTAssertEqual(try load("openpyxl-types.xlsx").table.names, ["this sheet is a note; the data is on 客户"])
        XCTAssertEqual(try load("openpyxl-types.xlsx", [("sheet", .int(3))]).table.names, ["region", "name", "amount"])
    }

    func testMergedCellsTakeTheTopLeftValue() throws {
        let t = try load("openpyxl-types.xlsx", [("sheet", .string("merged"))]).table
        XCTAssertEqual(column(t, "region"), [.string("华东"), .string("华东"), .string("华东")])
        XCTAssertEqual(column(t, "amount"), [.int(1), .int(2), .int(3)])
    }

    func testFormulaCellsReadTheirCachedValues() throws {
        // LibreOffice stored the formulas' values; openpyxl's original has none (nulls).
        let t = try load("libreoffice-formulas.xlsx", [("sheet", .string("titled")), ("range", .string("A3"))]).table
        XCTAssertEqual(t.names, ["id", "amount", "when", "column4", "formula"])
        XCTAssertEqual(column(t, "formula"), [.int(5), .int(7)])
        XCTAssertEqual(column(t, "when"), [date(2025, 4, 1), date(2025, 5, 1)])
        let original = try load("openpyxl-types.xlsx", [("sheet", .string("titled")), ("range", .string("A3:C5"))]).table
        XCTAssertEqual(original.names, ["id", "amount", "when"])
        XCTAssertEqual(column(original, "amount"), [.double(2.5), .double(3.5)])
    }

    func testTitleRowGetsARangeHint() throws {
        let r = try load("openpyxl-types.xlsx", [("sheet", .string("titled"))])
        XCTAssertTrue(r.warnings.contains("row 1 of sheet 'titled' has one value (\"2025 年第二季度客户清单\") and the rows below have more: if it is a title, skip it with range=\"A3\""), "\(r.warnings)")
        XCTAssertTrue(r.warnings.contains("skipped 1 empty row in sheet 'titled'"), "\(r.warnings)")
    }

    func testDate1904System() throws {
        let t = try load("date1904.xlsx").table
        XCTAssertEqual(column(t, "day"), [date(2024, 2, 29), date(1904, 1, 2)])
    }

    func testMissingSheetListsTheSheets() throws {
        XCTAssertThrowsError(try load("openpyxl-types.xlsx", [("sheet", .string("客"))])) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "no sheet \"客\" in 'openpyxl-types.xlsx'")
            XCTAssertEqual(d?.hints.last, "its sheets: \"说明\", \"客户\", \"merged\", \"titled\"")
        }
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func message(_ path: String, name: String) -> String? {
        do { _ = try DataFileReader.read(path: path, name: name, options: CSVOptions()); return nil } catch {
            return (error as? Diagnostic)?.message ?? "\(error)"
        }
    }

    func testFilesThatAreNotWorkbooks() throws {
        let compound = XLSXPackage.compoundFileMagic + [UInt8](repeating: 0, count: 504)
        XCTAssertEqual(message(try write("old.xls", compound), name: "old.xls"),
                       "'old.xls' is an old binary Excel workbook (.xls), which segsh cannot read")
        // A password-protected .xlsx is a compound file with an EncryptionInfo stream.
        let encrypted = compound + Array("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        XCTAssertEqual(message(try write("secret.xlsx", encrypted), name: "secret.xlsx"),
                       "'secret.xlsx' is an encrypted (password-protected) workbook, which segsh cannot read")
        XCTAssertEqual(message(try write("text.xlsx", Array("a,b\n1,2\n".utf8)), name: "text.xlsx"),
                       "'text.xlsx' is not an Excel workbook (an .xlsx file is a ZIP archive; this one is not)")
        let zip = try Archive(data: Data(), accessMode: .create)
        let hello = Data("hello".utf8)
        try zip.addEntry(with: "hello.txt", type: .file, uncompressedSize: Int64(hello.count)) { p, n in hello.subdata(in: Int(p)..<Int(p) + n) }
        XCTAssertEqual(message(try write("other.xlsx", [UInt8](zip.data ?? Data())), name: "other.xlsx"),
                       "'other.xlsx' is a ZIP archive but not an Excel workbook (it has no xl/workbook.xml)")
        // A workbook with a .csv name is still read as a workbook.
        let t = try XLSXWriter.workbook(try Table(names: ["a"], columns: [Column.from([.int(1), .int(2)])]), sheetName: "S")
        let renamed = try write("book.csv", t)
        XCTAssertEqual(try DataFileReader.read(path: renamed, name: "book.csv", options: CSVOptions()).table.rowCount, 2)
        // sheet= on a CSV file says it is for workbooks.
        let csv = try write("plain.csv", Array("a\n1\n".utf8))
        var o = CSVOptions()
        o.sheet = "x"
        XCTAssertThrowsError(try DataFileReader.read(path: csv, name: "plain.csv", options: o)) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "load options sheet and range are for Excel workbooks, and 'plain.csv' is not one")
        }
    }

    func testNumberFormatKinds() {
        XCTAssertEqual((0...60).filter { XLSXValueKind.builtIn($0) == .date }, [14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58])
        XCTAssertEqual([18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47].map(XLSXValueKind.builtIn), Array(repeating: .time, count: 11))
        let cases: [(String, XLSXValueKind)] = [
            ("yyyy\"年\"m\"月\"d\"日\"", .date), ("yyyy/m/d h:mm", .date), ("[$-F800]dddd, mmmm dd, yyyy", .date),
            ("h:mm:ss", .time), ("[h]:mm", .time), ("mm:ss.0", .time),
            ("0.00", .number), ("#,##0 \"days\"", .number), ("[Red]0.00;[Blue]-0.00", .number), ("General", .number),
            ("0.00 \"yd\"", .number), ("\\d0", .number), ("0;\"y\"", .number),
        ]
        for (code, kind) in cases { XCTAssertEqual(XLSXValueKind.custom(code), kind, code) }
    }

    func testDateSerials() {
        XCTAssertEqual(XLSXDate.text(serial: 45473, date1904: false), "2024-06-30")
        XCTAssertEqual(XLSXDate.text(serial: 45473.5, date1904: false), "2024-06-30 12:00:00")
        XCTAssertEqual(XLSXDate.text(serial: 45473.999999999, date1904: false), "2024-07-01")
        XCTAssertEqual(XLSXDate.text(serial: 1, date1904: false), "1900-01-01")
        XCTAssertEqual(XLSXDate.text(serial: 59, date1904: false), "1900-02-28")
        XCTAssertEqual(XLSXDate.text(serial: 61, date1904: false), "1900-03-01")
        XCTAssertEqual(XLSXDate.text(serial: 43889, date1904: true), "2024-02-29")
        XCTAssertNil(XLSXDate.text(serial: -1, date1904: false))
        XCTAssertNil(XLSXDate.text(serial: .infinity, date1904: false))
        XCTAssertEqual(XLSXDate.timeText(serial: 0.75), "18:00:00")
        XCTAssertEqual(XLSXDate.timeText(serial: 1.5), "36:00:00")
        XCTAssertEqual(XLSXDate.serial(daysSinceEpoch: CivilDate(year: 2024, month: 6, day: 30).daysSinceEpoch), 45473)
        XCTAssertNil(XLSXDate.serial(daysSinceEpoch: CivilDate(year: 1900, month: 2, day: 28).daysSinceEpoch))
    }

    func testRanges() {
        XCTAssertEqual(XLSXRange("A3"), XLSXRange(firstRow: 2, firstColumn: 0, lastRow: .max, lastColumn: .max))
        XCTAssertEqual(XLSXRange("b2:$AA$10"), XLSXRange(firstRow: 1, firstColumn: 1, lastRow: 9, lastColumn: 26))
        for bad in ["", "3A", "A0", "A", "B2:A1", "A1:", "A1:B2:C3", "XFE1", "A1048577"] { XCTAssertNil(XLSXRange(bad), bad) }
        XCTAssertEqual([0, 25, 26, 701, 702, 16383].map(XLSXRange.columnName), ["A", "Z", "AA", "ZZ", "AAA", "XFD"])
    }

    /// Every type, nulls, and strings that need escaping in XML or quoting in CSV survive
    /// a write and a read.
    func testOwnWorkbookRoundTrips() throws {
        let strings: [Scalar] = [.string("客户 \"A\", 1"), .string("  lead"), .null, .string("a_x0041_b & <c>\n2"), .string("tab\u{1}ctl")]
        let table = try Table(names: ["id", "name", "amount", "day", "ok", "note"], columns: [
            Column.from([.string("001"), .string("002"), .string("003"), .string("004"), .string("005")]),
            Column.from([.string("华东"), .string("华南"), .string("华东"), .null, .string("华北")]),
            Column.from([.double(1.5), .double(-0.1), .null, .double(1e-7), .double(123456.789)]),
            Column.from([date(2024, 6, 30), .null, date(1900, 3, 1), date(9999, 12, 31), date(1970, 1, 1)]),
            Column.from([.bool(true), .bool(false), .null, .bool(true), .bool(false)]),
            Column.from(strings),
        ])
        let path = folder + "/round.xlsx"
        try XLSXWriter.write(table, to: path)
        let back = try DataFileReader.read(path: path, name: "round.xlsx", options: CSVOptions()).table
        XCTAssertEqual(back.names, table.names)
        XCTAssertEqual(back.columns.map(\.type), [.string, .string, .double, .date, .bool, .string])
        for j in 0..<table.columnCount {
            XCTAssertEqual((0..<5).map { back.columns[j][$0] }, (0..<5).map { table.columns[j][$0] }, table.names[j])
        }
    }

    func testWrittenWorkbookHasAFrozenBoldHeaderAndFittedWidths() throws {
        let table = try Table(names: ["客户名称", "n"], columns: [
            Column.from([.string("上海联创重工有限公司"), .string("x")]), Column.from([.int(7), .int(123456789)]),
        ])
        let bytes = try XLSXWriter.workbook(table, sheetName: "tiers")
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        func part(_ p: String) throws -> String {
            var data = Data()
            guard let entry = archive[p] else { XCTFail("no \(p)"); return "" }
            _ = try archive.extract(entry) { data.append($0) }
            return String(decoding: data, as: UTF8.self)
        }
        let sheet = try part("xl/worksheets/sheet1.xml")
        XCTAssertTrue(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        // 10 CJK characters are 20 columns wide, plus 2; the numbers' widest is 9 digits.
        XCTAssertTrue(sheet.contains("<col min=\"1\" max=\"1\" width=\"22\" customWidth=\"1\"/><col min=\"2\" max=\"2\" width=\"11\" customWidth=\"1\"/>"), sheet)
        XCTAssertTrue(sheet.contains("<c r=\"A1\" s=\"1\" t=\"s\"><v>0</v></c>"))
        XCTAssertTrue(try part("xl/styles.xml").contains("<font><b/>"))
        XCTAssertTrue(try part("xl/workbook.xml").contains("<sheet name=\"tiers\" sheetId=\"1\" r:id=\"rId1\"/>"))
        XCTAssertEqual(XLSXWriter.sheetName(forPath: "/tmp/a/客户[1].xlsx"), "客户1")
        XCTAssertEqual(XLSXWriter.sheetName(forPath: "/tmp/[].xlsx"), "Sheet1")
    }

    /// A workbook written by hand, part by part, for what the fixtures do not show.
    func handMade(sheet: String, shared: String = "<sst/>", styles: String = "<styleSheet/>", workbookPr: String = "") throws -> String {
        let ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        let parts: [(String, String)] = [
            ("xl/workbook.xml", "<workbook \(ns)>\(workbookPr)<sheets><sheet name=\"hidden\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/><sheet name=\"data\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>"),
            ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/data.xml\"/></Relationships>"),
            ("xl/worksheets/sheet1.xml", "<worksheet \(ns)><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>hidden</t></is></c></row></sheetData></worksheet>"),
            ("xl/worksheets/data.xml", "<worksheet \(ns)><sheetData>\(sheet)</sheetData></worksheet>"),
            ("xl/sharedStrings.xml", shared),
            ("xl/styles.xml", styles),
        ]
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { p, n in
                data.subdata(in: Int(p)..<Int(p) + n)
            }
        }
        return try write("hand.xlsx", [UInt8](archive.data ?? Data()))
    }

    func testHandMadeWorkbookCellKinds() throws {
        let shared = "<sst><si><r><t>客户</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> 名称</t></r><rPh sb=\"0\" eb=\"1\"><t>kana</t></rPh></si><si><t>a&amp;b &lt;x&gt; line_x000D_</t></si></sst>"
        let styles = "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d h:mm\"/></numFmts><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"20\"/></cellXfs></styleSheet>"
        // Row 1 has no r attributes at all; row 2 has cells out of order of kinds.
        let sheet = "<row><c t=\"s\"><v>0</v></c><c t=\"inlineStr\"><is><t>n</t></is></c><c t=\"inlineStr\"><is><t>when</t></is></c><c t=\"str\"><f>A1</f><v>clock</v></c></row>"
            + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\" t=\"e\"><v>#DIV/0!</v></c><c r=\"C2\" s=\"1\"><v>43890.5</v></c><c r=\"D2\" s=\"2\"><v>0.5</v></c></row>"
            + "<row r=\"3\"><c r=\"A3\" t=\"b\"><v>1</v></c><c r=\"B3\"><v>2.5E-3</v></c><c r=\"C3\" t=\"d\"><v>2024-02-29T00:00:00</v></c><c r=\"D3\" s=\"2\"><v>0.75</v></c></row>"
        let t = try DataFileReader.read(path: try handMade(sheet: sheet, shared: shared, styles: styles, workbookPr: "<workbookPr date1904=\"true\"/>"),
                                        name: "hand.xlsx", options: CSVOptions())
        XCTAssertEqual(t.table.names, ["客户 名称", "n", "when", "clock"])
        XCTAssertEqual(csvRows(t.table), [
            [.string("a&b <x> line\r"), .null, .string("2024-03-01 12:00:00"), .string("12:00:00")],
            [.string("true"), .double(0.0025), .string("2024-02-29"), .string("18:00:00")],
        ])
        XCTAssertEqual(t.warnings, ["1 error cell in sheet 'data' read as null (#DIV/0! at B2)"])
    }

    func testDamagedSheetsAreErrorsNotCrashes() throws {
        let far = "<row r=\"99999999999999\"><c r=\"A99999999999999\"><v>1</v></c></row>"
        XCTAssertEqual(message(try handMade(sheet: far), name: "hand.xlsx"),
                       "sheet 'data' has a cell beyond Excel's last row (1048576) or column (XFD): row 99999999999999, column 1")
        // Letters beyond three are not read (no overflow): ZZZ is column 18278.
        let junk = "<row r=\"1\"><c r=\"ZZZZZZZZZZZZZZZZZZZZZZZZ1\"><v>1</v></c></row>"
        XCTAssertEqual(message(try handMade(sheet: junk), name: "hand.xlsx"),
                       "sheet 'data' has a cell beyond Excel's last row (1048576) or column (XFD): row 1, column 18278")
        let missing = "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c t=\"s\"><v>7</v></c></row>"
        XCTAssertEqual(message(try handMade(sheet: missing), name: "hand.xlsx"),
                       "sheet 'data', cell B1 refers to shared string 7, but the workbook has 0")
        XCTAssertEqual(message(try handMade(sheet: ""), name: "hand.xlsx"), "sheet 'data' of 'hand.xlsx' has no values")
    }
}
