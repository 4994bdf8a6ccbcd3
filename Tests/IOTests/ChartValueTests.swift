import XCTest
@testable import IO

/// Charts are values (kind, labels, values, title) that each writer draws; the text drawing
/// comes from the value alone.
final class ChartValueTests: XCTestCase {
    func testBarKeepsAtMostSixtyBarsAndCountsTheRest() {
        let labels = (1...75).map { "c\($0)" }
        let chart = Chart.bar(labels: labels, values: (1...75).map(Double.init), valueName: "n")
        XCTAssertEqual(chart.kind, .bar)
        XCTAssertEqual(chart.labels.count, 60)
        XCTAssertEqual(chart.labels.last, "c60")
        XCTAssertEqual(chart.values.last, 60)
        XCTAssertEqual(chart.omitted, 15)
        let text = TextChart.render(chart, width: 40)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 61)
        XCTAssertTrue(lines[59].hasPrefix("c60 ") && lines[59].hasSuffix(" 60"), String(lines[59]))
        XCTAssertEqual(lines[60], "… 15 more bars")
    }

    func testHistogramValueHoldsBinsEdgesAndCounts() {
        let chart = Chart.histogram(of: [1, 2, 2, 3, 5, 8, 13, 21, 34, 55, .nan], bins: 4, valueName: "x")
        XCTAssertEqual(chart.kind, .histogram)
        XCTAssertEqual(chart.labels, ["[1.0, 14.5)", "[14.5, 28.0)", "[28.0, 41.5)", "[41.5, 55.0]"])
        XCTAssertEqual(chart.values, [7, 1, 1, 1])
        XCTAssertEqual(chart.edges, [1, 14.5, 28, 41.5, 55])
        XCTAssertEqual(chart.valueName, "x")
        // The text histogram is drawn from the value.
        XCTAssertEqual(TextChart.render(chart, width: 40), TextChart.histogram(values: [1, 2, 2, 3, 5, 8, 13, 21, 34, 55], bins: 4, width: 40))
    }

    func testEmptyChartsSaySo() {
        XCTAssertTrue(Chart.histogram(of: [.nan], bins: 3, valueName: "x").isEmpty)
        XCTAssertEqual(TextChart.render(Chart.histogram(of: [], bins: 3, valueName: "x"), width: 20), "(no values)\n")
        XCTAssertEqual(TextChart.render(Chart.bar(labels: [], values: [], valueName: "n"), width: 20), "(no values)\n")
        var titled = Chart.bar(labels: ["a"], values: [2], valueName: "n")
        titled.title = "n by a"
        XCTAssertEqual(TextChart.render(titled, width: 20), "n by a\na ████████████████ 2\n")
    }
}
