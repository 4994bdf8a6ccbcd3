import XCTest
import Columnar
@testable import IO

/// Tables written by `ArrowStreamWriter` read back through `ArrowStreamReader` unchanged, and
/// pyarrow reads them too (when a python with pyarrow is found; the check is skipped without).
final class ArrowStreamWriterTests: XCTestCase {
    private func sample(rows: Int) throws -> Table {
        try Table(names: ["客户编号", "名称", "金额", "下单日期", "vip"], columns: [
            Column.from((0..<rows).map { $0 % 7 == 3 ? .null : .int(Int64($0) * 1_000_003 - 500) }),
            Column.from((0..<rows).map { $0 % 5 == 1 ? .null : .string($0 % 2 == 0 ? "上海机械 \($0)" : "") }, type: .string),
            Column.from((0..<rows).map { $0 % 6 == 2 ? .null : .double(Double($0) / 3) }, type: .double),
            Column.from((0..<rows).map { $0 % 4 == 0 ? .null : .date(Int32($0) - 300) }, type: .date),
            Column.from((0..<rows).map { $0 % 9 == 8 ? .null : .bool($0 % 3 == 0) }, type: .bool),
        ])
    }

    func testRoundTripInSeveralBatches() throws {
        for rows in [0, 1, 7, 8, 9, 64, 65, 1000] {
            let table = try sample(rows: rows)
            let bytes = try ArrowStreamWriter.stream(table, batchRows: 64)
            let reader = ArrowStreamReader()
            try reader.read(bytes)
            let back = try reader.finish()
            XCTAssertEqual(back.names, table.names, "\(rows) rows")
            XCTAssertEqual(back.columns.map(\.type), table.columns.map(\.type), "\(rows) rows")
            XCTAssertEqual(back.rowCount, rows)
            for i in 0..<rows { XCTAssertEqual(back.row(i), table.row(i), "row \(i) of \(rows)") }
        }
    }

    func testARangeOfRowsIsWritten() throws {
        let table = try sample(rows: 100)
        let reader = ArrowStreamReader()
        try reader.read(ArrowStreamWriter.stream(table, rows: 40..<60, batchRows: 8))
        let back = try reader.finish()
        XCTAssertEqual(back.rowCount, 20)
        for i in 0..<20 { XCTAssertEqual(back.row(i), table.row(40 + i)) }
    }

    func testPyarrowReadsWhatSegshWrites() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".venv-spark/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no .venv-spark/bin/python with pyarrow (scripts/spark-server start installs it)")
        }
        let path = NSTemporaryDirectory() + "segsh-arrow-\(getpid()).arrows"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(ArrowStreamWriter.stream(try sample(rows: 10), batchRows: 4)).write(to: URL(fileURLWithPath: path))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import pyarrow as pa, sys
            t = pa.ipc.open_stream(sys.argv[1]).read_all()
            print(t.schema.to_string(show_schema_metadata=False))
            print(t.num_rows, t.column(0).null_count, t.column(1)[2], t.column(2)[3], t.column(3)[1], t.column(4)[3])
            """, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(output, """
            客户编号: int64
            名称: string
            金额: double
            下单日期: date32[day]
            vip: bool
            10 1 上海机械 2 1.0 1969-03-08 True

            """)
    }
}
