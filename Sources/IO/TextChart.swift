import Columnar
import Diagnostics

/// Charts drawn with Unicode text for the terminal and Markdown notebooks (SPEC section 8).
/// Every line is at most `width` display columns (CJK characters count 2) when `width`
/// leaves room for at least a one-column bar, and every output ends with a newline.
public enum TextChart {
    /// The width of charts in the terminal and in notebooks unless told otherwise.
    public static let defaultWidth = 72

    /// The eighth blocks: index k draws k/8 of a cell.
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A horizontal bar chart, one line per label:
    /// ```
    /// 制造业  ████████████████████ 1,200
    /// retail  ██████████▌ 630
    /// ```
    /// Labels are padded to the widest label (cut with `…` beyond a third of `width`), bars
    /// are scaled so the largest value fills the space left after the label and the widest
    /// value text, in eighths of a cell. A negative, zero or non-finite value draws no bar and
    /// still shows its value. Values are formatted like a table column (thousands separators,
    /// one number of decimals for all). `title`, when given, is the first line.
    public static func bar(labels: [String], values: [Double], width: Int, title: String? = nil) -> String {
        bar(labels: labels, values: values, width: width, title: title, labelCap: max(1, width / 3))
    }

    static func bar(labels: [String], values: [Double], width: Int, title: String?, labelCap: Int) -> String {
        var out = ""
        if let title { out += title.visibleControlCharacters.truncated(toDisplayWidth: max(1, width)) + "\n" }
        let n = min(labels.count, values.count)
        guard n > 0 else { return out + "(no values)\n" }
        let decimals = NumberFormat.decimals(for: values.prefix(n))
        let valueTexts = values.prefix(n).map { NumberFormat.fixed($0, decimals: decimals, grouping: true) }
        let valueWidth = valueTexts.map(displayWidth).max() ?? 0
        let shownLabels = labels.prefix(n).map { $0.visibleControlCharacters.truncated(toDisplayWidth: labelCap) }
        let labelWidth = shownLabels.map(displayWidth).max() ?? 0
        let barSpace = max(1, width - labelWidth - valueWidth - 2)
        let top = values.prefix(n).filter { $0.isFinite }.max() ?? 0
        for i in 0..<n {
            out += shownLabels[i].padded(to: labelWidth) + " " + bar(values[i], max: top, cells: barSpace)
            out += (values[i] > 0 && values[i].isFinite && top > 0 ? " " : "") + valueTexts[i] + "\n"
        }
        return out
    }

    /// A bar of `value / max` of `cells` cells, in eighths, empty for values ≤ 0.
    static func bar(_ value: Double, max: Double, cells: Int) -> String {
        guard value.isFinite, value > 0, max > 0 else { return "" }
        let eighthsTotal = CheckedArithmetic.clampedInteger((min(value / max, 1) * Double(cells * 8)).rounded(), to: 0...(cells * 8))
        let full = eighthsTotal / 8, rest = eighthsTotal % 8
        var s = String(repeating: "█", count: full) + eighths[rest]
        if s.isEmpty { s = eighths[1] }  // a positive value always shows something
        return s
    }

    /// A chart value as text, `width` display columns wide: a bar chart (with a `… N more
    /// bars` line for the rows it leaves out), a histogram (labels never cut), or a line chart
    /// ten rows high.
    public static func render(_ chart: Chart, width: Int) -> String {
        switch chart.kind {
        case .bar:
            var out = bar(labels: chart.labels, values: chart.values, width: width, title: chart.title)
            if chart.omitted > 0 { out += "… \(NumberFormat.grouped(chart.omitted)) more bars\n" }
            return out
        case .histogram:
            var out = ""
            if let title = chart.title { out += title.visibleControlCharacters.truncated(toDisplayWidth: max(1, width)) + "\n" }
            if chart.isEmpty { return out + "(no values)\n" }
            return out + bar(labels: chart.labels, values: chart.values, width: width, title: nil, labelCap: Int.max)
        case .lines:
            var out = ""
            if let title = chart.title { out += title.visibleControlCharacters.truncated(toDisplayWidth: max(1, width)) + "\n" }
            return out + lines(series: chart.series.map { (name: $0.name, values: $0.values) }, xLabels: chart.labels,
                               width: width, height: 10)
        }
    }

    /// A histogram of `values` (see `Chart.histogram`) as text.
    public static func histogram(values: [Double], bins: Int, width: Int) -> String {
        render(Chart.histogram(of: values, bins: bins, valueName: ""), width: width)
    }

    /// The bins of `chart hist` (the text chart and the HTML report's SVG share them): `bins`
    /// equal-width bins over [min, max] of the finite values, as the `bins + 1` edges and the
    /// count of each bin; all-equal values give one bin, no finite value none. Works over the
    /// whole range of doubles (±1.7e308 included): positions are taken on half values so
    /// nothing overflows to infinity, and every position is clamped to a bin.
    public static func histogramBins(_ values: [Double], bins: Int) -> (edges: [Double], counts: [Int]) {
        let finite = values.filter { $0.isFinite }
        guard let lo = finite.min(), let hi = finite.max() else { return ([], []) }
        let binCount = lo == hi ? 1 : max(1, bins)
        let halfSpan = hi / 2 - lo / 2
        var counts = [Int](repeating: 0, count: binCount)
        for v in finite {
            let position = halfSpan > 0 ? (v / 2 - lo / 2) / halfSpan * Double(binCount) : 0
            counts[CheckedArithmetic.clampedInteger(position, to: 0...(binCount - 1))] += 1
        }
        // Edge k = lo + (hi - lo) × k / bins, written as a blend of lo and hi so it stays finite.
        let edges = (0...binCount).map { k -> Double in
            if k == binCount { return hi }
            let f = Double(k) / Double(binCount)
            return lo * (1 - f) + hi * f
        }
        return (edges, counts)
    }

    /// A small multi-series chart for `sweep`: a dot plot on a `height`-row grid, one
    /// column position per x value (`xLabels`), each series drawn with its own marker:
    /// ```
    /// 120 ┤          S
    ///     │     S          A
    ///     │ A        A
    ///   0 ┤
    ///     └─┴────┴────┴─
    ///       15   30   45
    /// S = S  A = A
    /// ```
    /// The marker is the series name's first character when that is an ASCII letter or
    /// digit not taken by an earlier series, else the next of `* + o x @ % ~ =`; two series
    /// on one cell show `#`. The y axis runs from min(0, smallest value) to the largest value,
    /// labelled at the top and bottom. A legend line follows (`marker = name`) for the markers that
    /// are not their series' whole name, and for `#` when it was used. Non-finite
    /// values are not drawn.
    public static func lines(series: [(name: String, values: [Double])], xLabels: [String],
                             width: Int, height: Int) -> String {
        let all = series.flatMap { $0.values }.filter { $0.isFinite }
        guard !xLabels.isEmpty, let yMaxRaw = all.max(), let yMinRaw = all.min() else { return "(no values)\n" }
        let rows = max(2, height)
        let yMin = min(0, yMinRaw)
        let yMax = yMaxRaw > yMin ? yMaxRaw : yMin + 1
        let decimals = NumberFormat.decimals(for: [yMin, yMax])
        let topText = NumberFormat.fixed(yMax, decimals: decimals, grouping: true)
        let bottomText = NumberFormat.fixed(yMin, decimals: decimals, grouping: true)
        let axisWidth = max(displayWidth(topText), displayWidth(bottomText))

        // Markers.
        var taken = Set<Character>()
        var fallback = Array("*+ox@%~=")
        let markers: [Character] = series.map { s in
            if let c = s.name.first, c.isASCII, c.isLetter || c.isNumber, !taken.contains(c) {
                taken.insert(c)
                return c
            }
            while let f = fallback.first {
                fallback.removeFirst()
                if !taken.contains(f) { taken.insert(f); return f }
            }
            return "?"
        }

        // Column positions: evenly spaced, wide enough for the x labels when possible.
        let plotWidth = max(xLabels.count, width - axisWidth - 2)
        let labelWidth = (xLabels.map(displayWidth).max() ?? 1) + 1
        let spacing = max(1, min(plotWidth / xLabels.count, max(labelWidth, 2)))
        let positions = (0..<xLabels.count).map { 1 + $0 * spacing }
        let gridWidth = (positions.last ?? 0) + 2

        var grid = [[Character]](repeating: [Character](repeating: " ", count: gridWidth), count: rows)
        var overlaps = false
        for (s, (_, values)) in series.enumerated() {
            for (i, v) in values.prefix(xLabels.count).enumerated() where v.isFinite {
                let r = CheckedArithmetic.clampedInteger(((yMax / 2 - v / 2) / (yMax / 2 - yMin / 2) * Double(rows - 1)).rounded(), to: 0...(rows - 1))
                let row = min(max(r, 0), rows - 1), col = positions[i]
                if grid[row][col] == " " || grid[row][col] == markers[s] {
                    grid[row][col] = markers[s]
                } else {
                    grid[row][col] = "#"
                    overlaps = true
                }
            }
        }

        var out = ""
        for (r, line) in grid.enumerated() {
            let label = r == 0 ? topText : (r == rows - 1 ? bottomText : "")
            let axis = r == 0 || r == rows - 1 ? "┤" : "│"
            out += label.padded(to: axisWidth, rightAligned: true) + " " + axis
            out += String(String(line).reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        // The x axis, ticks under each position, then the labels centred on their ticks.
        var axis = [Character](repeating: "─", count: gridWidth)
        for p in positions { axis[p] = "┴" }
        out += String(repeating: " ", count: axisWidth + 1) + "└" + String(axis) + "\n"
        var labelLine = ""
        var used = 0  // display columns used so far in labelLine (after the axis margin)
        for (i, p) in positions.enumerated() {
            let text = xLabels[i].visibleControlCharacters
            let w = displayWidth(text)
            let start = p + 1 - w / 2  // +1: the corner column
            if start >= used + (used > 0 ? 1 : 0) {
                labelLine += String(repeating: " ", count: start - used) + text
                used = start + w
            }
        }
        out += String(repeating: " ", count: axisWidth + 1) + labelLine + "\n"
        // The legend names the markers that are not the series' own names, and '#'.
        var legend = zip(markers, series).filter { String($0.0) != $0.1.name }.map { "\($0.0) = \($0.1.name)" }
        if overlaps { legend.append("# = several series") }
        if !legend.isEmpty { out += legend.joined(separator: "  ") + "\n" }
        return out
    }
}
