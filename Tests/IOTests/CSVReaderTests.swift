import XCTest
import Foundation
import Columnar
import Diagnostics
@testable import IO

/// Helpers shared by the CSV reader tests.
func csvLoad(_ text: String, name: String = "t.csv", options: CSVOptions = CSVOptions(),
             file: StaticString = #filePath, line: UInt = #line) throws -> CSVLoadResult {
    try CSVReader.read(bytes: Array(text.utf8), name: name, options: options)
}

/// The rendered first line of the error a load throws (`path:line:col: error: message`).
func csvError(_ text: String, name: String = "t.csv", options: CSVOptions = CSVOptions(),
              file: StaticString = #filePath, line: UInt = #line) -> String {
    csvError(bytes: Array(text.utf8), name: name, options: options, file: file, line: line)
}

func csvError(bytes: [UInt8], name: String = "t.csv", options: CSVOptions = CSVOptions(),
              file: StaticString = #filePath, line: UInt = #line) -> String {
    do {
        _ = try CSVReader.read(bytes: bytes, name: name, options: options)
        XCTFail("expected an error", file: file, line: line)
        return ""
    } catch let d as Diagnostic {
        return String(d.render().split(separator: "\n").first ?? "")
    } catch {
        return "\(error)"
    }
}

func csvRows(_ t: Table) -> [[Scalar]] { (0..<t.rowCount).map { t.row($0) } }
func csvTypes(_ t: Table) -> [DataType] { t.columns.map { $0.type } }
func csvDay(_ s: String) -> Scalar {
    let parts = s.split(separator: "-").compactMap { Int($0) }
    return .date(CivilDate(year: parts[0], month: parts[1], day: parts[2]).daysSinceEpoch)
}

final class CSVReaderTests: XCTestCase {
    func testInfersTypesPerColumnWithHeader() throws {
        let r = try csvLoad("""
        id,name,amount,signup,vip,code
        1,华兴,12.5,2024-06-30,true,00123
        2,"Acme, Inc.",3,2024-07-01,FALSE,00124
        3,,,,,
        """)
        XCTAssertTrue(r.hasHeader)
        XCTAssertEqual(r.table.names, ["id", "name", "amount", "signup", "vip", "code"])
        XCTAssertEqual(csvTypes(r.table), [.int, .string, .double, .date, .bool, .string])
        XCTAssertEqual(csvRows(r.table), [
            [.int(1), .string("华兴"), .double(12.5), csvDay("2024-06-30"), .bool(true), .string("00123")],
            [.int(2), .string("Acme, Inc."), .double(3), csvDay("2024-07-01"), .bool(false), .string("00124")],
            [.int(3), .null, .null, .null, .null, .null],
        ])
        XCTAssertEqual(r.warnings, [])
        XCTAssertEqual(r.skippedRows, 0)
        XCTAssertEqual(r.delimiter, UInt8(ascii: ","))
    }

    func testQuotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let r = try csvLoad("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"line1\nline2\",\"\"\"\"\n")
        XCTAssertEqual(csvRows(r.table), [
            [.string("x,y"), .string("say \"hi\"")],
            [.string("line1\nline2"), .string("\"")],
        ])
    }

    func testBOMAndCRLFAndMixedLineEnds() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("客户,n\r\nA,1\nB,2\r\rC,3\r\n".utf8)
        let r = try CSVReader.read(bytes: bytes, name: "t.csv")
        XCTAssertEqual(r.table.names, ["客户", "n"])
        XCTAssertEqual(csvRows(r.table), [[.string("A"), .int(1)], [.string("B"), .int(2)], [.string("C"), .int(3)]])
    }

    static let gbkBytes: [UInt8] = [191, 205, 187, 167, 177, 224, 186, 197, 44, 195, 251, 179, 198, 44, 189, 240, 182, 238, 10, 67, 48, 48, 49, 44, 201, 207, 186, 163, 187, 170, 208, 203, 187, 250, 208, 181, 211, 208, 207, 222, 185, 171, 203, 190, 44, 49, 50, 46, 53, 10, 67, 48, 48, 50, 44, 177, 177, 190, 169, 178, 226, 202, 212, 44, 55, 10]

    func testGBKIsDetectedWhenNotUTF8() throws {
        let r = try CSVReader.read(bytes: Self.gbkBytes, name: "crm.csv")
        XCTAssertEqual(r.table.names, ["客户编号", "名称", "金额"])
        XCTAssertEqual(csvTypes(r.table), [.string, .string, .double])
        XCTAssertEqual(csvRows(r.table), [
            [.string("C001"), .string("上海华兴机械有限公司"), .double(12.5)],
            [.string("C002"), .string("北京测试"), .double(7)],
        ])
        XCTAssertEqual(r.warnings, ["crm.csv is not valid UTF-8; it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)"])
    }

    func testGBKWhenAsked() throws {
        var o = CSVOptions()
        o.encoding = "gbk"
        let r = try CSVReader.read(bytes: Self.gbkBytes, name: "crm.csv", options: o)
        XCTAssertEqual(r.table.names, ["客户编号", "名称", "金额"])
        XCTAssertEqual(r.warnings, [])
        XCTAssertEqual(r.table.rowCount, 2)
    }

    func testInvalidUTF8WhenUTF8IsAsked() {
        var o = CSVOptions()
        o.encoding = "utf-8"
        XCTAssertEqual(csvError(bytes: Array("a,b\nx,".utf8) + [0xFF, 0x31] + [10], options: o),
                       "t.csv:2:3: error: invalid UTF-8 byte 0xFF")
    }

    func testHeaderDetection() throws {
        // Numbers in the first row that fit the column: data.
        let noHeader = try csvLoad("1,2.5,x\n3,4,y\n")
        XCTAssertFalse(noHeader.hasHeader)
        XCTAssertEqual(noHeader.table.names, ["column1", "column2", "column3"])
        XCTAssertEqual(csvRows(noHeader.table), [[.int(1), .double(2.5), .string("x")], [.int(3), .double(4), .string("y")]])
        // All strings: a header, even when everything else is strings too.
        let allStrings = try csvLoad("name,city\nAcme,上海\n")
        XCTAssertTrue(allStrings.hasHeader)
        XCTAssertEqual(csvRows(allStrings.table), [[.string("Acme"), .string("上海")]])
        // A number-like header over a date column is still a header (2024 does not fit a date).
        let years = try csvLoad("name,2024\nA,2024-01-05\n")
        XCTAssertTrue(years.hasHeader)
        XCTAssertEqual(years.table.names, ["name", "2024"])
        // Single data row.
        let single = try csvLoad("7,2024-01-01\n")
        XCTAssertFalse(single.hasHeader)
        XCTAssertEqual(csvRows(single.table), [[.int(7), csvDay("2024-01-01")]])
        // Explicit header=false.
        var o = CSVOptions()
        o.header = false
        let forced = try csvLoad("a,b\nc,d\n", options: o)
        XCTAssertEqual(forced.table.names, ["column1", "column2"])
        XCTAssertEqual(csvRows(forced.table), [[.string("a"), .string("b")], [.string("c"), .string("d")]])
    }

    func testHeaderOnlyGivesEmptyStringTable() throws {
        let r = try csvLoad("customer_id,amount\n")
        XCTAssertEqual(r.table.names, ["customer_id", "amount"])
        XCTAssertEqual(r.table.rowCount, 0)
        XCTAssertEqual(csvTypes(r.table), [.string, .string])
    }

    func testDuplicateAndEmptyHeaderNames() throws {
        let r = try csvLoad("name,name,,name\na,b,c,d\n")
        XCTAssertEqual(r.table.names, ["name", "name_2", "column3", "name_3"])
        XCTAssertEqual(r.warnings, ["duplicate column name 'name': column 2 renamed to 'name_2'",
                                    "column 3 has no name in the header; it is called 'column3'",
                                    "duplicate column name 'name': column 4 renamed to 'name_3'"])
    }

    func testDelimiterDetection() throws {
        XCTAssertEqual(try csvLoad("a;b;c\n1;2,5;3\n4;5;6\n").delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(try csvLoad("a\tb\n1\t2\n").delimiter, UInt8(ascii: "\t"))
        XCTAssertEqual(try csvLoad("a|b\n1|2\n").delimiter, UInt8(ascii: "|"))
        XCTAssertEqual(try csvLoad("a,b\n\"x;y;z\",2\n").delimiter, UInt8(ascii: ","))
        // .tsv implies tab even when commas are more frequent.
        let tsv = try csvLoad("a,b\tc\n1,2\t3\n", name: "x.tsv")
        XCTAssertEqual(tsv.table.names, ["a,b", "c"])
        XCTAssertEqual(csvRows(tsv.table), [[.string("1,2"), .int(3)]])
        let semi = try csvLoad("a;b\n1;2,5\n")
        XCTAssertEqual(csvRows(semi.table), [[.int(1), .string("2,5")]])
    }

    func testIntTooLargeIsStringWithWarning() throws {
        let r = try csvLoad("id,n\n1,9223372036854775807\n2,9223372036854775808\n")
        XCTAssertEqual(csvTypes(r.table), [.int, .string])
        XCTAssertEqual(csvRows(r.table)[1], [.int(2), .string("9223372036854775808")])
        XCTAssertEqual(r.warnings, ["column 'n': 9223372036854775808 on line 3 does not fit a 64-bit integer; the column is read as string"])
        let neg = try csvLoad("n\n-9223372036854775808\n")
        XCTAssertEqual(csvRows(neg.table), [[.int(Int64.min)]])
    }

    func testImpossibleDateMakesStringColumnWithWarning() throws {
        let r = try csvLoad("d\n2024-02-29\n2024-02-30\n")
        XCTAssertEqual(csvTypes(r.table), [.string])
        XCTAssertEqual(csvRows(r.table), [[.string("2024-02-29")], [.string("2024-02-30")]])
        XCTAssertEqual(r.warnings, ["column 'd': 2024-02-30 on line 3 is not a valid date; the column is read as string"])
    }

    func testDateForms() throws {
        let r = try csvLoad("d\n2024-06-30\n2024/6/30\n2024/06/30\n2024-6-3\n2024年6月30日\n")
        XCTAssertEqual(csvTypes(r.table), [.date])
        XCTAssertEqual(csvRows(r.table).map { $0[0] },
                       [csvDay("2024-06-30"), csvDay("2024-06-30"), csvDay("2024-06-30"), csvDay("2024-06-03"), csvDay("2024-06-30")])
        var o = CSVOptions()
        o.dateFormat = "%d/%m/%Y"
        let eu = try csvLoad("d\n01/02/2024\n31/12/2023\n2024-05-05\n", options: o)
        XCTAssertEqual(csvRows(eu.table).map { $0[0] }, [csvDay("2024-02-01"), csvDay("2023-12-31"), csvDay("2024-05-05")])
        o.dateFormat = "%m/%d/%Y"
        let us = try csvLoad("d\n01/02/2024\n", options: o)
        XCTAssertEqual(csvRows(us.table).map { $0[0] }, [csvDay("2024-01-02")])
        // Without a format, 01/02/2024 is text.
        XCTAssertEqual(csvTypes(try csvLoad("d\n01/02/2024\n").table), [.string])
    }

    func testLeadingZerosStayStrings() throws {
        let r = try csvLoad("code,x\n00123,0\n42,0.5\n")
        XCTAssertEqual(csvTypes(r.table), [.string, .double])
        XCTAssertEqual(csvRows(r.table), [[.string("00123"), .double(0)], [.string("42"), .double(0.5)]])
        XCTAssertEqual(csvTypes(try csvLoad("x\n007.5\n1\n").table), [.string])
    }

    func testNullTokens() throws {
        let r = try csvLoad("a,b\n1,NULL\nnull,NA\nN/A,\n4,x\n")
        XCTAssertEqual(csvTypes(r.table), [.int, .string])
        XCTAssertEqual(csvRows(r.table), [[.int(1), .null], [.null, .null], [.null, .null], [.int(4), .string("x")]])
        XCTAssertEqual(r.table.columns[0].nullCount, 2)
    }

    func testCurrencyNumbersOnlyWhenAsked() throws {
        let text = "amount,n\n\"¥1,200.50\",\"1,234\"\n$3000,\"$3,000\"\n-¥5,7\n"
        let plain = try csvLoad(text)
        XCTAssertEqual(csvTypes(plain.table), [.string, .string])
        var o = CSVOptions()
        o.currencyNumbers = true
        let r = try csvLoad(text, options: o)
        XCTAssertEqual(csvTypes(r.table), [.double, .int])
        XCTAssertEqual(csvRows(r.table), [[.double(1200.5), .int(1234)], [.double(3000), .int(3000)], [.double(-5), .int(7)]])
    }

    func testBoolsAnyCase() throws {
        let r = try csvLoad("b\ntrue\nFALSE\nTrue\n\n")
        XCTAssertEqual(csvRows(r.table), [[.bool(true)], [.bool(false)], [.bool(true)]])
        XCTAssertEqual(csvTypes(try csvLoad("b\nyes\nno\n").table), [.string])
    }

    func testTypesOverride() throws {
        var o = try CSVOptions(pairs: [("types", .string("客户编号:string, amount:double"))])
        let r = try csvLoad("客户编号,amount,n\n123,4,5\n0456,7,8\n", options: o)
        XCTAssertEqual(csvTypes(r.table), [.string, .double, .int])
        XCTAssertEqual(csvRows(r.table), [[.string("123"), .double(4), .int(5)], [.string("0456"), .double(7), .int(8)]])
        o.types = ["amount": .int]
        XCTAssertEqual(csvError("客户编号,amount\n1,2\n2,x\n", options: o),
                       "t.csv:3:3: error: cannot read 'x' as int (column 'amount' has type int from the types option)")
        o.types = ["amout": .int]
        XCTAssertEqual(csvError("客户编号,amount\n1,2\n", options: o), "error: types names an unknown column 'amout'")
    }

    func testSeveralUnknownTypesColumnsNameTheSameOneEveryRun() {
        // The types option is a dictionary (its order changes from one process to the next):
        // the error names the first unknown column in sorted order, not whichever comes first.
        var o = CSVOptions()
        for k in 0..<20 { o.types[String(format: "k%02d", k)] = .int }
        XCTAssertEqual(csvError("a,b\n1,2\n", options: o), "error: types names an unknown column 'k00'")
    }

    func testWrongFieldCountNamesLineAndColumn() {
        XCTAssertEqual(csvError("a,b,c\n1,2,3\n4,5\n", name: "orders.csv"),
                       "orders.csv:3:4: error: row has 2 fields, expected 3")
        XCTAssertEqual(csvError("名称,b\n华兴,2,多余\n", name: "orders.csv"),
                       "orders.csv:2:6: error: row has 3 fields, expected 2")
        // A quoted newline counts as a line; CRLF as one.
        XCTAssertEqual(csvError("a,b\r\n\"x\ny\",1\r\nz\r\n"), "t.csv:4:2: error: row has 1 field, expected 2")
    }

    func testUnterminatedQuote() {
        XCTAssertEqual(csvError("a,b\n1,\"abc\n2,3\n"), "t.csv:2:3: error: unterminated quoted field")
    }

    func testSkipBadRows() throws {
        let o = try CSVOptions(pairs: [("on_error", .string("skip"))])
        let r = try csvLoad("a,b\n1,2\n3\n4,5,6\n7,8\n", name: "o.csv", options: o)
        XCTAssertEqual(csvRows(r.table), [[.int(1), .int(2)], [.int(7), .int(8)]])
        XCTAssertEqual(r.skippedRows, 2)
        XCTAssertEqual(r.warnings, ["skipped 2 malformed rows (first: o.csv:3:2: row has 1 field, expected 2)"])
    }

    func testNULByteIsAnError() {
        XCTAssertEqual(csvError(bytes: Array("a,b\nxy,".utf8) + [0] + Array("1\n".utf8)), "t.csv:2:4: error: NUL byte in the data")
    }

    func testEmptyFile() {
        XCTAssertEqual(csvError(""), "t.csv: error: empty file")
        XCTAssertEqual(csvError("\n\r\n"), "t.csv: error: empty file")
    }

    func testDemotionRereadsEarlierValuesExactly() throws {
        let r = try csvLoad("x,y\n1,5\n\"2\",\n3.5,7\nabc,\"q\"\"\"\n")
        XCTAssertEqual(csvTypes(r.table), [.string, .string])
        XCTAssertEqual(csvRows(r.table), [[.string("1"), .string("5")], [.string("2"), .null], [.string("3.5"), .string("7")],
                                       [.string("abc"), .string("q\"")]])
        // In a one-column file a blank line is a null value.
        let widened = try csvLoad("x\n1\n\n2.25\n")
        XCTAssertEqual(csvRows(widened.table), [[.double(1)], [.null], [.double(2.25)]])
    }

    func testDoublesParseExactly() throws {
        let values = ["0.1", "-2.5e3", "123456789.123456789", "1e-300", "3.", ".5", "9007199254740993", "0.30000000000000004"]
        let r = try csvLoad("x\n" + values.joined(separator: "\n") + "\n1.5\n")
        XCTAssertEqual(csvTypes(r.table), [.double])
        let expected = values.map { Double($0) ?? .nan } + [1.5]
        XCTAssertEqual(csvRows(r.table).map { $0[0] }, expected.map { Scalar.double($0) })
    }

    func testOneMegabyteField() throws {
        let big = String(repeating: "数据,\"x\"\n", count: 100_000)
        let text = "id,blob\n1,\"" + big.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n2,small\n"
        let r = try csvLoad(text)
        XCTAssertEqual(r.table.rowCount, 2)
        XCTAssertEqual(csvRows(r.table)[0][1], .string(big))
        XCTAssertEqual(csvRows(r.table)[1], [.int(2), .string("small")])
    }

    func testReadsAFileWithoutChangingIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csvtest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("orders.csv").path
        let content = Data("order_id,amount\nO1,10.5\nO2,3\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        var fractions: [Double] = []
        let r = try CSVReader.read(path: path, progress: { fractions.append($0) })
        XCTAssertEqual(csvRows(r.table), [[.string("O1"), .double(10.5)], [.string("O2"), .double(3)]])
        XCTAssertEqual(r.bytesRead, content.count)
        XCTAssertEqual(fractions.last, 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), content)
        XCTAssertEqual(csvError(bytes: [], name: path).hasSuffix("error: empty file"), true)
        XCTAssertThrowsError(try CSVReader.read(path: dir.appendingPathComponent("missing.csv").path))
    }

    func testOptionsFromPairs() throws {
        let o = try CSVOptions(pairs: [("delimiter", .string(";")), ("header", .bool(true)), ("encoding", .string("GBK")),
                                       ("dates", .string("%d/%m/%Y")), ("numbers", .string("currency")),
                                       ("on_error", .string("skip")), ("format", .string("csv"))])
        XCTAssertEqual(o.delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(o.header, true)
        XCTAssertEqual(o.encoding, "gbk")
        XCTAssertEqual(o.dateFormat, "%d/%m/%Y")
        XCTAssertTrue(o.currencyNumbers)
        XCTAssertTrue(o.skipBadRows)
        XCTAssertEqual(try CSVOptions(pairs: [("delimiter", .string("\\t"))]).delimiter, UInt8(ascii: "\t"))
        XCTAssertEqual(try CSVOptions(pairs: [("format", .string("tsv"))]).delimiter, UInt8(ascii: "\t"))
        func message(_ pairs: [(key: String, value: Scalar)]) -> String {
            do { _ = try CSVOptions(pairs: pairs); return "" } catch let d as Diagnostic {
                return ([d.message] + d.hints).joined(separator: " | ")
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message([("delimter", .string(";"))]),
                       "unknown load option 'delimter' | did you mean 'delimiter'? | load options: format, delimiter, header, encoding, dates, types, on_error, numbers, quote, skip, sheet, range")
        XCTAssertEqual(message([("delimiter", .string(";;"))]),
                       "load option delimiter must be one ASCII character, not \";;\" | for example delimiter=\";\" or delimiter=\"\\t\"")
        XCTAssertEqual(message([("encoding", .string("latin1"))]),
                       "unsupported encoding \"latin1\" | supported: \"utf-8\", \"gb18030\", \"gbk\"")
        XCTAssertEqual(message([("header", .int(1))]), "load option header must be true or false, not 1")
        XCTAssertEqual(message([("on_error", .string("ignore"))]), "load option on_error must be \"fail\" or \"skip\", not \"ignore\"")
        XCTAssertEqual(message([("types", .string("a:money"))]), "unknown type 'money' for column 'a' in types | types: int, double, date, bool, string")
        XCTAssertEqual(message([("dates", .string("%Y"))]).hasPrefix("bad date format \"%Y\""), true)
    }
}
