/// A chart as a value: what `chart bar` and `chart hist` produce when the statement runs.
/// The terminal and Markdown notebooks draw it as text (`TextChart.render`), the HTML report
/// as SVG; neither evaluates anything again, so a report drawn later shows the data the
/// statement saw, with the parameters in force then.
public struct Chart: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        /// One bar per label (`chart bar LABEL VALUE`).
        case bar
        /// Counts of values in equal-width bins (`chart hist EXPR [bins N]`).
        case histogram
        /// One line of points per series over the labels (a `sweep`'s class counts).
        case lines
    }

    /// A named line of a line chart, one value per label.
    public struct Series: Equatable, Sendable {
        public var name: String
        public var values: [Double]
        public init(name: String, values: [Double]) { self.name = name; self.values = values }
    }

    public var kind: Kind
    /// Shown above the chart when set.
    public var title: String?
    /// One per bar: the label column's text (`∅` for null), or a histogram bin `[lo, hi)`.
    public var labels: [String]
    /// One per bar: the value (a histogram's counts). Null values are drawn as 0. Empty for
    /// a line chart, whose values are in `series`.
    public var values: [Double]
    /// What the values are of, as written in the statement (`revenue`, `amount`); for a line
    /// chart, what the labels are values of (the swept parameter).
    public var valueName: String
    /// The lines of a line chart; empty for bars and histograms.
    public var series: [Series] = []
    /// Histogram bin edges, `labels.count + 1` of them (the last bin is closed); empty for bars.
    public var edges: [Double]
    /// Rows left out of a bar chart (it draws at most `Chart.maxBars`).
    public var omitted: Int

    /// How many bars a bar chart draws at the most; the rest are counted in `omitted`.
    public static let maxBars = 60

    public init(kind: Kind, title: String? = nil, labels: [String], values: [Double], valueName: String,
                edges: [Double] = [], omitted: Int = 0) {
        self.kind = kind
        self.title = title
        self.labels = labels
        self.values = values
        self.valueName = valueName
        self.edges = edges
        self.omitted = omitted
    }

    /// A bar chart of the first `maxBars` labels and values; the rest are counted as omitted.
    public static func bar(labels: [String], values: [Double], valueName: String, title: String? = nil) -> Chart {
        let shown = min(labels.count, values.count, maxBars)
        return Chart(kind: .bar, title: title, labels: Array(labels.prefix(shown)), values: Array(values.prefix(shown)),
                     valueName: valueName, omitted: max(0, min(labels.count, values.count) - shown))
    }

    /// A histogram: `bins` equal-width bins over [min, max] of the finite values, labelled
    /// `[lo, hi)` (the last bin `[lo, hi]`, closed), with their counts. Bin edges share one
    /// number of decimals: none when the minimum and the bin width are whole, else enough to
    /// tell neighbouring edges apart. All-equal values give one bin `[v, v]`; no finite
    /// values give no bins.
    public static func histogram(of values: [Double], bins: Int, valueName: String) -> Chart {
        // TextChart.histogramBins keeps ±1.7e308 finite (no inf step, no NaN bin index).
        let (edges, counts) = TextChart.histogramBins(values, bins: bins)
        guard let lo = edges.first, let hi = edges.last else {
            return Chart(kind: .histogram, labels: [], values: [], valueName: valueName)
        }
        let binCount = counts.count
        let step = hi / Double(binCount) - lo / Double(binCount)
        var decimals = 0
        if !(lo == lo.rounded() && step == step.rounded()) && step.isFinite && step > 0 {
            var exponent = 0  // floor(log10(step)); the loops end because step is finite and > 0
            var x = step
            while x < 1 { x *= 10; exponent -= 1 }
            while x >= 10 { x /= 10; exponent += 1 }
            decimals = min(10, max(1, 1 - exponent))
        }
        func edge(_ k: Int) -> String { NumberFormat.fixed(edges[k], decimals: decimals, grouping: true) }
        let labels = (0..<binCount).map { k in
            "[\(edge(k)), \(edge(k + 1))\(k == binCount - 1 ? "]" : ")")"
        }
        return Chart(kind: .histogram, labels: labels, values: counts.map(Double.init), valueName: valueName, edges: edges)
    }

    /// A line chart: one line per series over `labels` (the x values, in order).
    public static func lines(labels: [String], series: [Series], xName: String, title: String? = nil) -> Chart {
        var chart = Chart(kind: .lines, title: title, labels: labels, values: [], valueName: xName)
        chart.series = series
        return chart
    }

    /// Whether there is nothing to draw.
    public var isEmpty: Bool {
        kind == .lines ? labels.isEmpty || series.isEmpty : labels.isEmpty || values.isEmpty
    }
}
