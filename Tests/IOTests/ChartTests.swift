import XCTest
import Diagnostics
@testable import IO

final class ChartTests: XCTestCase {
    func testBarWithChineseLabels() {
        let out = TextChart.bar(labels: ["制造业", "retail", "零售", "负数"], values: [1200, 600, 3, -5], width: 30,
                                title: "金额 by 行业")
        assertGolden(out, """
        金额 by 行业
        制造业 █████████████████ 1,200
        retail ████████▌ 600
        零售   ▏ 3
        负数   -5

        """)
        for line in out.split(separator: "\n") { XCTAssertLessThanOrEqual(displayWidth(String(line)), 30) }
    }

    func testBarEighths() {
        let out = TextChart.bar(labels: ["a", "b", "c"], values: [8, 1, 4.5], width: 15, title: nil)
        // 8 cells of bar space: 8 → 8 cells, 1 → 1 cell, 4.5 → 4 cells and 4/8.
        assertGolden(out, """
        a ████████ 8.00
        b █ 1.00
        c ████▌ 4.50

        """)
    }

    func testBarEdgeCases() {
        XCTAssertEqual(TextChart.bar(labels: [], values: [], width: 20, title: nil), "(no values)\n")
        XCTAssertEqual(TextChart.bar(labels: ["z"], values: [0], width: 20, title: nil), "z 0\n")
    }

    func testHistogram() {
        let out = TextChart.histogram(values: [1, 2, 2, 3, 5, 8, 13, 21, 34, 55, .nan], bins: 4, width: 40)
        assertGolden(out, """
        [1.0, 14.5)  █████████████████████████ 7
        [14.5, 28.0) ███▋ 1
        [28.0, 41.5) ███▋ 1
        [41.5, 55.0] ███▋ 1

        """)
    }

    func testHistogramWholeEdgesAndSingleValue() {
        assertGolden(TextChart.histogram(values: [0, 10, 20, 30, 40], bins: 2, width: 20), """
        [0, 20)  ██████ 2
        [20, 40] █████████ 3

        """)
        XCTAssertEqual(TextChart.histogram(values: [5, 5], bins: 3, width: 20), "[5, 5] ███████████ 2\n")
        XCTAssertEqual(TextChart.histogram(values: [], bins: 3, width: 20), "(no values)\n")
    }

    func testLinesChart() {
        let out = TextChart.lines(series: [("S", [10, 20, 30, 40]), ("A", [40, 30, 20, 10]), ("重要", [0, 0, 0, 5])],
                                  xLabels: ["15", "30", "45", "60"], width: 40, height: 5)
        assertGolden(out, """
        40 ┤ A        S
           │    A  S
           │    S  A
           │ S        A
         0 ┤ *  *  *  *
           └─┴──┴──┴──┴─
            15 30 45 60
        * = 重要

        """)
        // Two series on one cell show '#', and the legend says so.
        let overlap = TextChart.lines(series: [("S", [1, 2]), ("A", [1, 3])], xLabels: ["a", "b"], width: 20, height: 3)
        XCTAssertTrue(overlap.contains(" # "), overlap)
        XCTAssertTrue(overlap.hasSuffix("# = several series\n"), overlap)
    }
}
