import XCTest
import Columnar
import Diagnostics
@testable import IO

final class RenderTableTests: XCTestCase {
    func testHeaderLine() {
        XCTAssertEqual(TableRenderer.headerLine(rows: 1204, columns: 7, number: 3, elapsed: 0.012),
                       "[3] 1,204 rows × 7 columns (12 ms)")
        XCTAssertEqual(TableRenderer.headerLine(rows: 1204, columns: 7, number: nil, elapsed: nil), "1,204 rows × 7 columns")
        XCTAssertEqual(TableRenderer.headerLine(rows: 1, columns: 1, number: nil, elapsed: nil), "1 row × 1 column")
        XCTAssertEqual(TableRenderer.headerLine(rows: 0, columns: 2, number: 1, elapsed: 0.0004), "[1] 0 rows × 2 columns (0.4 ms)")
        XCTAssertEqual(TableRenderer.headerLine(rows: 5, columns: 2, number: nil, elapsed: 1.5234), "5 rows × 2 columns (1.52 s)")
    }

    func testNumberFormatting() {
        XCTAssertEqual(NumberFormat.grouped(Int64(1234567)), "1,234,567")
        XCTAssertEqual(NumberFormat.grouped(Int64(-1234)), "-1,234")
        XCTAssertEqual(NumberFormat.grouped(Int64(999)), "999")
        XCTAssertEqual(NumberFormat.grouped(Int64.min), "-9,223,372,036,854,775,808")
        XCTAssertEqual(NumberFormat.fixed(1234.567, decimals: 2, grouping: true), "1,234.57")
        XCTAssertEqual(NumberFormat.fixed(-0.001, decimals: 2, grouping: true), "0.00")
        XCTAssertEqual(NumberFormat.fixed(-2.5, decimals: 0, grouping: false), "-3")
        XCTAssertEqual(NumberFormat.fixed(.nan, decimals: 2, grouping: true), "NaN")
        XCTAssertEqual(NumberFormat.decimals(for: [1, 2, 300]), 0)
        XCTAssertEqual(NumberFormat.decimals(for: [1.5, 0.001]), 2)
        XCTAssertEqual(NumberFormat.decimals(for: [0.5, 0.25]), 3)
        XCTAssertEqual(NumberFormat.decimals(for: [0.000123, 0]), 6)
        XCTAssertEqual(NumberFormat.elapsed(0.0004), "0.4 ms")
        XCTAssertEqual(NumberFormat.elapsed(0.012), "12 ms")
        XCTAssertEqual(NumberFormat.elapsed(1.52), "1.52 s")
        XCTAssertEqual(NumberFormat.elapsed(250), "250 s")
    }

    func testChineseNullsAndMoreRows() throws {
        let out = TableRenderer.render(try sampleCustomers(), format: .table, options: RenderOptions(maxRows: 3))
        assertGolden(out, """
        ┌───────────┬────────────────────┬─────────┬────────┬────────────┬───────┐
        │ 客户编号  │        name        │ amount  │ share  │   since    │  vip  │
        │    int    │       string       │ double  │ double │    date    │ bool  │
        ├───────────┼────────────────────┼─────────┼────────┼────────────┼───────┤
        │         1 │ 上海机械           │ 1200.50 │ 0.0123 │ 2022-01-08 │ true  │
        │         2 │ Acme, "Inc"\\nline2 │   -3.00 │ 0.5000 │ ∅          │ false │
        │ 1,234,567 │ ∅                  │    0.00 │      ∅ │ 1970-01-01 │ ∅     │
        └───────────┴────────────────────┴─────────┴────────┴────────────┴───────┘
        … 1 more row

        """)
    }

    func testAllRowsWithoutSeparators() throws {
        let t = try Table(names: ["n", "x"], columns: [
            Column.from([.int(1000), .int(-25000)]), Column.from([.double(2), .double(3000)]),
        ])
        let out = TableRenderer.render(t, format: .table, options: RenderOptions(maxRows: 0, thousandsSeparators: false))
        assertGolden(out, """
        ┌────────┬────────┐
        │   n    │   x    │
        │  int   │ double │
        ├────────┼────────┤
        │   1000 │      2 │
        │ -25000 │   3000 │
        └────────┴────────┘

        """)
    }

    func testManyRowsCutWithCount() throws {
        let t = try Table(names: ["id"], columns: [Column(.int(Array(1...1205)))])
        let out = TableRenderer.render(t, format: .table, options: RenderOptions(maxRows: 2))
        assertGolden(out, """
        ┌─────┐
        │ id  │
        │ int │
        ├─────┤
        │   1 │
        │   2 │
        └─────┘
        … 1,203 more rows

        """)
    }

    func testHiddenColumnsToFitTerminal() throws {
        let out = TableRenderer.render(try sampleCustomers(), format: .table, options: RenderOptions(maxRows: 3, terminalWidth: 50))
        assertGolden(out, """
        ┌───────────┬────────────────────┬─────────┐
        │ 客户编号  │        name        │ amount  │
        │    int    │       string       │ double  │
        ├───────────┼────────────────────┼─────────┤
        │         1 │ 上海机械           │ 1200.50 │
        │         2 │ Acme, "Inc"\\nline2 │   -3.00 │
        │ 1,234,567 │ ∅                  │    0.00 │
        └───────────┴────────────────────┴─────────┘
        … 1 more row
        (3 columns hidden: share, since, vip)

        """)
        for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(displayWidth(String(line)), 50) }
    }

    func testFirstColumnIsKeptAndCutWhenTerminalIsNarrow() throws {
        let t = try Table(names: ["名称", "x"], columns: [
            Column.from([.string("上海精密机械有限公司")]), Column.from([.int(1)]),
        ])
        let out = TableRenderer.render(t, format: .table, options: RenderOptions(terminalWidth: 10))
        assertGolden(out, """
        ┌────────┐
        │  名称  │
        │ string │
        ├────────┤
        │ 上海…  │
        └────────┘
        (1 column hidden: x)

        """)
    }

    func testLongCellsAreCut() throws {
        let long = String(repeating: "ab", count: 30)
        let t = try Table(names: ["s"], columns: [Column.from([.string(long), .string(String(repeating: "中", count: 30))])])
        let out = TableRenderer.render(t, format: .table, options: RenderOptions())
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[4], "│ " + String(long.prefix(39)) + "… │")
        XCTAssertEqual(lines[5], "│ " + String(repeating: "中", count: 19) + "…  │")
        XCTAssertEqual(displayWidth(lines[4]), displayWidth(lines[5]))
    }

    func testEmptyTable() throws {
        let t = try Table(names: ["a", "城市"], columns: [Column(.int([])), Column.nulls(.string, count: 0)])
        assertGolden(TableRenderer.render(t, format: .table, options: RenderOptions()), """
        ┌─────┬────────┐
        │  a  │  城市  │
        │ int │ string │
        └─────┴────────┘
        (no rows)

        """)
        XCTAssertEqual(TableRenderer.render(Table(), format: .table, options: RenderOptions()), "(no columns)\n")
    }

    func testColorDimsNullsAndTypes() throws {
        let t = try Table(names: ["a"], columns: [Column.from([.null, .int(5)], type: .int)])
        let out = TableRenderer.render(t, format: .table, options: RenderOptions(color: true))
        XCTAssertTrue(out.contains("│ \u{1B}[2m  ∅\u{1B}[0m │"), out)
        XCTAssertTrue(out.contains("│ \u{1B}[1m a \u{1B}[0m │"), out)
        XCTAssertTrue(out.contains("│ \u{1B}[2mint\u{1B}[0m │"), out)
    }

    func testSmallDoublesGetSignificantDigits() throws {
        let t = try Table(names: ["rate"], columns: [Column.from([.double(0.000123), .double(0.05), .double(0)])])
        assertGolden(TableRenderer.render(t, format: .table, options: RenderOptions()), """
        ┌──────────┐
        │   rate   │
        │  double  │
        ├──────────┤
        │ 0.000123 │
        │ 0.050000 │
        │ 0.000000 │
        └──────────┘

        """)
    }
}
