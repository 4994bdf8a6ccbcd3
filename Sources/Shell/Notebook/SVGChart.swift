import Diagnostics
import Foundation
import IO

/// Draws chart values and `ReportFigure`s as inline SVG for the HTML report: self-contained (no scripts, no
/// fonts to fetch), XHTML-compatible (quoted attributes, escaped text), sized by `viewBox`
/// so it scales with the page. Text is styled by the report's CSS (`svg text`).
public enum SVGChart {
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#76b7b2", "#edc948",
                          "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    static let width = 760.0

    /// The `<svg>` element of a figure.
    public static func render(_ figure: ReportFigure) -> String {
        if figure.isEmpty { return emptyChart }
        switch figure {
        case .heatmap(let rows, let columns, let counts): return heatmap(rowLabels: rows, columnLabels: columns, counts: counts)
        case .pareto(let points, let boundaries, let measure): return pareto(points: points, boundaries: boundaries, measure: measure)
        }
    }

    /// The `<svg>` element of a chart value: bars, or a histogram over its bin edges.
    public static func render(_ chart: Chart) -> String {
        if chart.isEmpty { return emptyChart }
        switch chart.kind {
        case .bar:
            return bar(labels: chart.labels, values: chart.values, valueName: chart.valueName)
        case .histogram:
            return histogram(edges: chart.edges, counts: chart.values.map { Int(exactly: $0.rounded()) ?? 0 },
                             valueName: chart.valueName)
        case .lines:
            return lines(xName: chart.valueName, xLabels: chart.labels, series: chart.series)
        }
    }

    static var emptyChart: String {
        svg(width: 320, height: 40, label: "empty chart",
            body: text("(no values)", x: 10, y: 24, anchor: "start", cssClass: "axis-title"))
    }

    // MARK: - Charts

    static func bar(labels: [String], values: [Double], valueName: String) -> String {
        let texts = numberTexts(values)
        let labelWidth = min(260, max(40, labels.map(textWidth).max() ?? 40)) + 12
        let valueWidth = (texts.map(textWidth).max() ?? 30) + 12
        let rowHeight = 24.0, top = 10.0
        let height = top + rowHeight * Double(max(1, labels.count)) + 10
        let space = width - labelWidth - valueWidth - 10
        let top0 = max(values.filter(\.isFinite).max() ?? 0, 0)
        var body = ""
        for (i, label) in labels.enumerated() {
            let y = top + rowHeight * Double(i)
            let v = values[i].isFinite ? max(values[i], 0) : 0
            let w = top0 > 0 ? space * v / top0 : 0
            body += text(truncate(label, to: labelWidth - 12), x: labelWidth - 8, y: y + rowHeight / 2 + 4, anchor: "end")
            body += rect(x: labelWidth, y: y + 3, width: w, height: rowHeight - 6, fill: palette[0],
                         title: "\(label): \(texts[i])")
            body += text(texts[i], x: labelWidth + w + 6, y: y + rowHeight / 2 + 4, anchor: "start", cssClass: "value")
        }
        body += line(x1: labelWidth, y1: top, x2: labelWidth, y2: height - 10, stroke: "#888")
        return svg(height: height, label: "bar chart of \(valueName)", body: body)
    }

    static func histogram(edges: [Double], counts: [Int], valueName: String) -> String {
        let left = 60.0, right = 20.0, top = 14.0, bottom = 46.0, plotHeight = 220.0
        let height = top + plotHeight + bottom
        let plotWidth = width - left - right
        let scale = niceScale(Double(counts.max() ?? 0))
        let maxCount = scale.top
        var body = axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, scale: scale)
        let n = max(1, counts.count)
        let binWidth = plotWidth / Double(n)
        let edgeTexts = numberTexts(edges)
        let edgeStep = edges.count > 1 ? (edges[edges.count - 1] - edges[0]) / Double(edges.count - 1) : 0
        let edgeAxisTexts = axisTexts(edges, step: edgeStep)
        for (i, count) in counts.enumerated() {
            let h = maxCount > 0 ? plotHeight * Double(count) / maxCount : 0
            let x = left + binWidth * Double(i)
            let label = i < edgeTexts.count - 1 ? "[\(edgeTexts[i]), \(edgeTexts[i + 1])\(i == n - 1 ? "]" : ")"): \(count)" : "\(count)"
            body += rect(x: x + 1, y: top + plotHeight - h, width: max(1, binWidth - 2), height: h, fill: palette[0], title: label)
        }
        let step = max(1, Int((Double(edges.count) / (plotWidth / 70)).rounded(.up)))
        for (i, edge) in edgeAxisTexts.enumerated() where i % step == 0 || i == edgeAxisTexts.count - 1 {
            body += text(edge, x: left + binWidth * Double(i), y: top + plotHeight + 16, anchor: "middle")
        }
        body += text(valueName, x: left + plotWidth / 2, y: height - 8, anchor: "middle", cssClass: "axis-title")
        body += verticalTitle("rows", x: 14, y: top + plotHeight / 2)
        return svg(height: height, label: "histogram of \(valueName)", body: body)
    }

    static func lines(xName: String, xLabels: [String], series: [Chart.Series]) -> String {
        let legendWidth = min(220, (series.map { textWidth($0.name) }.max() ?? 40) + 40)
        let left = 64.0, right = legendWidth + 10, top = 14.0, bottom = 46.0, plotHeight = 240.0
        let height = top + plotHeight + bottom
        let plotWidth = width - left - right
        let all = series.flatMap(\.values).filter(\.isFinite)
        let scale = niceScale(max(all.max() ?? 1, 1))
        let yMax = scale.top
        var body = axes(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, scale: scale)
        let n = xLabels.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotWidth / 2 : left + 12 + (plotWidth - 24) * Double(i) / Double(n - 1) }
        func y(_ v: Double) -> Double { top + plotHeight - plotHeight * v / yMax }
        let labelStep = max(1, Int((Double(n) / (plotWidth / 56)).rounded(.up)))
        for (i, label) in xLabels.enumerated() where i % labelStep == 0 {
            body += text(label, x: x(i), y: top + plotHeight + 16, anchor: "middle")
        }
        body += text(xName, x: left + plotWidth / 2, y: height - 8, anchor: "middle", cssClass: "axis-title")
        body += verticalTitle("rows per class", x: 14, y: top + plotHeight / 2)
        for (k, s) in series.enumerated() {
            let colour = palette[k % palette.count]
            let points = s.values.prefix(n).enumerated().filter { $0.element.isFinite }
                .map { "\(number(x($0.offset))),\(number(y($0.element)))" }
            body += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            for (i, v) in s.values.prefix(n).enumerated() where v.isFinite {
                body += "<circle cx=\"\(number(x(i)))\" cy=\"\(number(y(v)))\" r=\"3\" fill=\"\(colour)\">"
                    + "<title>\(escape("\(s.name) at \(xLabels[i]): \(numberTexts([v])[0])"))</title></circle>"
            }
            let ly = top + 8 + 20 * Double(k)
            body += rect(x: width - legendWidth, y: ly - 9, width: 14, height: 10, fill: colour, title: nil)
            body += text(truncate(s.name, to: legendWidth - 24), x: width - legendWidth + 20, y: ly, anchor: "start")
        }
        return svg(height: height, label: "counts by \(xName)", body: body)
    }

    static func heatmap(rowLabels: [String], columnLabels: [String], counts: [[Double]]) -> String {
        let cellWidth = max(64, min(110, (columnLabels.map(textWidth).max() ?? 40) + 16))
        let cellHeight = 30.0
        let labelWidth = min(220, max(50, rowLabels.map(textWidth).max() ?? 50)) + 16
        let left = labelWidth + 24, top = 52.0
        let gridWidth = cellWidth * Double(columnLabels.count)
        let svgWidth = max(320, left + gridWidth + 20)
        let height = top + cellHeight * Double(rowLabels.count) + 16
        let shares = rowShares(counts)
        var body = text("after →", x: left + gridWidth / 2, y: 16, anchor: "middle", cssClass: "axis-title")
        body += "<text x=\"14\" y=\"\(number(top + cellHeight * Double(rowLabels.count) / 2))\" text-anchor=\"middle\" "
            + "class=\"axis-title\" transform=\"rotate(-90 14 \(number(top + cellHeight * Double(rowLabels.count) / 2)))\">before →</text>"
        for (j, label) in columnLabels.enumerated() {
            body += text(truncate(label, to: cellWidth - 6), x: left + cellWidth * (Double(j) + 0.5), y: top - 10, anchor: "middle")
        }
        for (i, label) in rowLabels.enumerated() {
            let y = top + cellHeight * Double(i)
            body += text(truncate(label, to: labelWidth - 16), x: left - 8, y: y + cellHeight / 2 + 4, anchor: "end")
            for (j, column) in columnLabels.enumerated() {
                let v = j < counts[i].count ? counts[i][j] : 0
                let t = j < shares[i].count ? shares[i][j] : 0
                let x = left + cellWidth * Double(j)
                let diagonal = label == column
                body += "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(cellWidth))\" height=\"\(number(cellHeight))\" "
                    + "fill=\"\(heat(t))\" stroke=\"\(diagonal ? "#333" : "#fff")\" stroke-width=\"\(diagonal ? "1.5" : "1")\">"
                    + "<title>\(escape("\(label) → \(column): \(numberTexts([v])[0]) (\(percent(t)) of \(label))"))</title></rect>"
                body += text(numberTexts([v])[0], x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, anchor: "middle",
                             cssClass: t > 0.55 ? "value light" : "value")
            }
        }
        return svg(width: svgWidth, height: height, label: "migration matrix", body: body)
    }

    /// Each cell's share of its row (0...1): a heatmap coloured by it shows where each class
    /// went, so a few moves out of a large class stand out as much as those out of a small one
    /// (coloured by the largest count, the big diagonal cells wash every move out).
    static func rowShares(_ counts: [[Double]]) -> [[Double]] {
        counts.map { row in
            let total = row.filter { $0.isFinite && $0 > 0 }.reduce(0, +)
            return row.map { total > 0 && $0.isFinite ? max(0, $0) / total : 0 }
        }
    }

    static func pareto(points: [ReportFigure.Point], boundaries: [Double], measure: String) -> String {
        let left = 64.0, top = 14.0, plotWidth = 420.0, plotHeight = 300.0, bottom = 48.0
        let height = top + plotHeight + bottom
        func x(_ v: Double) -> Double { left + plotWidth * min(max(v, 0), 1) }
        func y(_ v: Double) -> Double { top + plotHeight - plotHeight * min(max(v, 0), 1) }
        var body = ""
        for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
            body += line(x1: left, y1: y(tick), x2: left + plotWidth, y2: y(tick), stroke: "#e4e4e4")
            body += text(percent(tick), x: left - 6, y: y(tick) + 4, anchor: "end")
            body += text(percent(tick), x: x(tick), y: top + plotHeight + 16, anchor: "middle")
        }
        body += line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#888")
        body += line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, stroke: "#888")
        body += "<line x1=\"\(number(x(0)))\" y1=\"\(number(y(0)))\" x2=\"\(number(x(1)))\" y2=\"\(number(y(1)))\" "
            + "stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>"
        for (k, b) in boundaries.enumerated() where b > 0 && b < 1 {
            let colour = palette[(k + 1) % palette.count]
            body += "<line x1=\"\(number(left))\" y1=\"\(number(y(b)))\" x2=\"\(number(left + plotWidth))\" y2=\"\(number(y(b)))\" "
                + "stroke=\"\(colour)\" stroke-dasharray=\"5 3\"/>"
            if let reach = points.first(where: { $0.y >= b }) {
                body += "<line x1=\"\(number(x(reach.x)))\" y1=\"\(number(y(b)))\" x2=\"\(number(x(reach.x)))\" "
                    + "y2=\"\(number(top + plotHeight))\" stroke=\"\(colour)\" stroke-dasharray=\"5 3\"/>"
                body += text("\(percent(reach.x, decimals: 1)) → \(percent(b))", x: x(reach.x) + 6, y: y(b) + 16,
                             anchor: "start", cssClass: "value")
            }
        }
        let path = points.map { "\(number(x($0.x))),\(number(y($0.y)))" }.joined(separator: " ")
        body += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(palette[0])\" stroke-width=\"2.5\"/>"
        body += text("share of customers", x: left + plotWidth / 2, y: height - 8, anchor: "middle", cssClass: "axis-title")
        body += "<text x=\"16\" y=\"\(number(top + plotHeight / 2))\" text-anchor=\"middle\" class=\"axis-title\" "
            + "transform=\"rotate(-90 16 \(number(top + plotHeight / 2)))\">\(escape("cumulative share of \(measure)"))</text>"
        return svg(width: left + plotWidth + 30, height: height, label: "Pareto curve of \(measure)", body: body)
    }

    // MARK: - Pieces

    static func svg(width: Double = width, height: Double, label: String, body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(number(width)) \(number(height))\" "
            + "width=\"\(number(width))\" height=\"\(number(height))\" role=\"img\" aria-label=\"\(escape(label))\">"
            + body + "</svg>"
    }

    /// Axes with horizontal grid lines at the ticks of `scale`, labelled with their values.
    static func axes(left: Double, top: Double, plotWidth: Double, plotHeight: Double, scale: (top: Double, step: Double)) -> String {
        var body = ""
        let count = scale.step > 0 ? Int((scale.top / scale.step).rounded()) : 0
        let ticks = (0...count).map { Double($0) * scale.step }
        let texts = axisTexts(ticks, step: scale.step)
        for (i, tick) in ticks.enumerated() {
            let y = top + plotHeight - (scale.top > 0 ? plotHeight * tick / scale.top : 0)
            body += line(x1: left, y1: y, x2: left + plotWidth, y2: y, stroke: "#e4e4e4")
            body += text(texts[i], x: left - 6, y: y + 4, anchor: "end")
        }
        body += line(x1: left, y1: top, x2: left, y2: top + plotHeight, stroke: "#888")
        body += line(x1: left, y1: top + plotHeight, x2: left + plotWidth, y2: top + plotHeight, stroke: "#888")
        return body
    }

    /// A y axis from 0 for values up to `maxValue`: a round step (1, 2 or 5 times a power of
    /// ten) giving about four intervals, and the first multiple of it at or above `maxValue`.
    static func niceScale(_ maxValue: Double) -> (top: Double, step: Double) {
        guard maxValue.isFinite, maxValue > 0 else { return (1, 1) }
        let rough = maxValue / 4
        let power = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / power
        let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
        return ((maxValue / step - 1e-9).rounded(.up) * step, step)
    }

    /// Axis labels: as many decimals as `step` needs (none for whole steps), thousands separators.
    static func axisTexts(_ values: [Double], step: Double) -> [String] {
        var decimals = 0
        if step.isFinite, step > 0, step < 1 { decimals = min(6, Int(-log10(step).rounded(.up))) }
        if step >= 1, step.isFinite, step != step.rounded(), step < 10 { decimals = 1 }
        return values.map { $0.isFinite ? NumberFormat.fixed($0, decimals: decimals, grouping: true) : "∅" }
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String, cssClass: String? = nil) -> String {
        let cls = cssClass.map { " class=\"\($0)\"" } ?? ""
        return "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\"\(cls)>\(escape(s))</text>"
    }

    /// An axis title written bottom to top, centred on (x, y).
    static func verticalTitle(_ s: String, x: Double, y: Double) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"middle\" class=\"axis-title\" "
            + "transform=\"rotate(-90 \(number(x)) \(number(y)))\">\(escape(s))</text>"
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String?) -> String {
        let open = "<rect x=\"\(number(x))\" y=\"\(number(y))\" width=\"\(number(max(0, width)))\" "
            + "height=\"\(number(max(0, height)))\" fill=\"\(fill)\""
        guard let title else { return open + "/>" }
        return open + "><title>\(escape(title))</title></rect>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(stroke)\"/>"
    }

    /// A blue scale from near-white (0) to dark blue (1).
    static func heat(_ t: Double) -> String {
        let from = (0xF4, 0xF8, 0xFC), to = (0x08, 0x45, 0x94)
        func mix(_ a: Int, _ b: Int) -> Int { Int((Double(a) + (Double(b) - Double(a)) * min(max(t, 0), 1)).rounded()) }
        return String(format: "#%02x%02x%02x", mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
    }

    /// Coordinates with at most one decimal.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    static func percent(_ v: Double, decimals: Int = 0) -> String {
        NumberFormat.fixed(v * 100, decimals: decimals, grouping: false) + "%"
    }

    /// Values as a table column shows them: thousands separators, one number of decimals.
    static func numberTexts(_ values: [Double]) -> [String] {
        let decimals = NumberFormat.decimals(for: values.filter(\.isFinite))
        return values.map { $0.isFinite ? NumberFormat.fixed($0, decimals: decimals, grouping: true) : "∅" }
    }

    /// Approximate width of text at the report's 12px font: 7px per column, CJK 2 columns.
    static func textWidth(_ s: String) -> Double { Double(displayWidth(s)) * 7 }

    static func truncate(_ s: String, to pixels: Double) -> String {
        guard textWidth(s) > pixels else { return s }
        var out = ""
        for ch in s {
            if textWidth(out + String(ch)) + 7 > pixels { break }
            out.append(ch)
        }
        return out + "…"
    }

    static func escape(_ s: String) -> String { HTMLText.escape(s) }
}
