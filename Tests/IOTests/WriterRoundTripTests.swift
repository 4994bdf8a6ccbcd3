import XCTest
import Columnar
@testable import IO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exported CSV loads back (through `CSVReader`) to the same table.
final class WriterRoundTripTests: XCTestCase {
    func testCSVExportLoadsBackToTheSameTable() throws {
        let folder = try temporaryFolder("segsh-roundtrip")
        defer { _ = system("rm -rf '\(folder)'") }

        let table = try Table(names: ["客户编号", "名称", "金额", "下单日期", "vip", "备注"], columns: [
            Column.from([.int(1), .int(2), .int(3), .int(4)]),
            Column.from([.string("上海机械"), .string("Acme, \"Inc\""), .null, .string("多行\n文本")]),
            Column.from([.double(1200.5), .double(-3.25), .double(0.1), .null]),
            Column.from([.date(19000), .null, .date(0), .date(-1)]),
            Column.from([.bool(true), .bool(false), .null, .bool(true)]),
            Column.from([.string("x"), .string(" padded "), .string("a|b;c"), .null]),
        ])
        let path = folder + "/export.csv"
        try TableWriter.write(table, to: path)
        let loaded = try CSVReader.read(path: path).table

        XCTAssertEqual(loaded.names, table.names)
        XCTAssertEqual(loaded.columns.map(\.type), table.columns.map(\.type))
        XCTAssertEqual(loaded.rowCount, table.rowCount)
        for i in 0..<table.rowCount {
            XCTAssertEqual(loaded.row(i), table.row(i), "row \(i)")
        }
    }
}
