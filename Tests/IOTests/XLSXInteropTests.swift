import XCTest
import Columnar
import Foundation
@testable import IO

/// Workbooks segsh writes, opened by other programs: LibreOffice (converted back to CSV)
/// and openpyxl. Each test is skipped when its program is not installed (`.ci/run` installs
/// neither; `apt-get install libreoffice-calc-nogui` and a venv with openpyxl in `.venv-xlsx`
/// make them run).
final class XLSXInteropTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws { folder = try temporaryFolder("segsh-xlsx-interop") }
    override func tearDown() { if !folder.isEmpty { try? FileManager.default.removeItem(atPath: folder) } }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func table() throws -> Table {
        try Table(names: ["客户编号", "名称", "金额", "数量", "签约日期", "活跃"], columns: [
            Column.from([.string("00123"), .string("C2"), .string("C3")]),
            Column.from([.string("杭州恒信重工"), .string("say \"hi\", twice"), .null]),
            Column.from([.double(1200.5), .double(-0.25), .double(3)]),
            Column.from([.int(3), .null, .int(-12)]),
            Column.from([.date(CivilDate(year: 2024, month: 6, day: 30).daysSinceEpoch), .date(CivilDate(year: 1999, month: 12, day: 31).daysSinceEpoch), .null]),
            Column.from([.bool(true), .bool(false), .bool(true)]),
        ])
    }

    /// Runs a program; nil when it cannot be started.
    func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testLibreOfficeReadsTheWorkbook() throws {
        guard let found = run(["sh", "-c", "command -v libreoffice"]), found.status == 0 else {
            throw XCTSkip("libreoffice is not installed")
        }
        let path = folder + "/tiers.xlsx"
        try XLSXWriter.write(try table(), to: path)
        // UTF-8 (76), comma-separated, quotes as needed; a profile of its own in the folder.
        let converted = run(["libreoffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1",
                             "--outdir", folder + "/out", path], environment: ["HOME": folder])
        XCTAssertEqual(converted?.status, 0, converted?.output ?? "")
        let csv = try String(contentsOfFile: folder + "/out/tiers.csv", encoding: .utf8)
        // LibreOffice quotes text cells: numbers, dates and booleans arrive typed.
        XCTAssertEqual(csv, """
            "客户编号","名称","金额","数量","签约日期","活跃"
            "00123","杭州恒信重工",1200.5,3,2024-06-30,TRUE
            "C2","say ""hi"", twice",-0.25,,1999-12-31,FALSE
            "C3",,3,-12,,TRUE

            """)
    }

    func testOpenpyxlReadsTheWorkbook() throws {
        let venv = Self.root + "/.venv-xlsx/bin/python"
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
        guard let probe = run([python, "-c", "import openpyxl"]), probe.status == 0 else {
            throw XCTSkip("openpyxl is not installed (make .venv-xlsx with it)")
        }
        let path = folder + "/tiers.xlsx"
        try XLSXWriter.write(try table(), to: path)
        let script = """
            import openpyxl, sys
            wb = openpyxl.load_workbook(sys.argv[1])
            ws = wb.active
            print(ws.title, ws.freeze_panes, ws["A1"].font.b, ws.column_dimensions["B"].width)
            for row in ws.iter_rows(values_only=True):
                print(repr(row))
            """
        let result = run([python, "-c", script, path])
        XCTAssertEqual(result?.status, 0, result?.output ?? "")
        XCTAssertEqual(result?.output, """
            tiers A2 True 17.0
            ('客户编号', '名称', '金额', '数量', '签约日期', '活跃')
            ('00123', '杭州恒信重工', 1200.5, 3, datetime.datetime(2024, 6, 30, 0, 0), True)
            ('C2', 'say "hi", twice', -0.25, None, datetime.datetime(1999, 12, 31, 0, 0), False)
            ('C3', None, 3.0, -12, None, True)

            """)
    }
}
