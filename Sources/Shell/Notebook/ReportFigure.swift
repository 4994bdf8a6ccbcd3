import Columnar
import Diagnostics
import Engine
import IO
import Language

/// The data of a chart in the HTML report, recognised from a statement and what it produced
/// (the text output of a chart cannot be drawn as SVG; its data can).
public enum ReportFigure: Equatable {
    /// `chart bar LABEL VALUE`.
    case bar(labels: [String], values: [Double], valueName: String)
    /// `chart hist EXPR [bins N]`: bins `[lower, upper)` with counts.
    case histogram(edges: [Double], counts: [Int], valueName: String)
    /// `sweep`: one series (a class count) per class over the swept values.
    case lines(xName: String, xLabels: [String], series: [Series])
    /// The migration matrix of `whatif` / `compare`: counts by class before (rows) and after (columns).
    case heatmap(rowLabels: [String], columnLabels: [String], counts: [[Double]])
    /// `pareto`: the Lorenz/Pareto curve, share of customers (x) against cumulative share of
    /// the measure (y), both 0...1, with the class boundaries.
    case pareto(points: [Point], boundaries: [Double], measure: String)

    public struct Series: Equatable {
        public var name: String
        public var values: [Double]
    }

    public struct Point: Equatable {
        public var x: Double
        public var y: Double
    }

    /// Whether there is nothing to draw (a chart of no rows).
    public var isEmpty: Bool {
        switch self {
        case .bar(let labels, _, _): return labels.isEmpty
        case .histogram(_, let counts, _): return counts.isEmpty
        case .lines(_, let xLabels, let series): return xLabels.isEmpty || series.isEmpty
        case .heatmap(let rows, let columns, _): return rows.isEmpty || columns.isEmpty
        case .pareto(let points, _, _): return points.count < 2
        }
    }

    /// Whether the figure replaces the statement's report text (a text chart drawn again as
    /// SVG) rather than being shown after its tables.
    public var replacesText: Bool {
        switch self {
        case .bar, .histogram, .lines: return true
        case .heatmap, .pareto: return false
        }
    }

    /// The figure of a statement that ran successfully, or nil when it draws none: chart
    /// statements by the last step of their pipeline (re-evaluated without the chart step for
    /// the data), `sweep`, `whatif` and `compare` by the statement kind (from their report
    /// tables), `pareto` by a pipeline step (re-evaluated up to that step, for every row).
    public static func recognise(_ statement: Statement, items: [ResultItem], file: SourceFile,
                                 session: Session) -> ReportFigure? {
        let tables: [Table] = items.compactMap { if case .table(let t, _, _) = $0 { return t } else { return nil } }
        switch statement.kind {
        case .pipeline(let pipeline):
            return try? pipelineFigure(pipeline, file: file, session: session)
        case .sweep(let parameter, _, _, _, _, _, _):
            return tables.first.flatMap { sweepFigure($0, parameter: parameter.text) }
        case .whatIf, .compare:
            return tables.first.flatMap(migrationFigure)
        default:
            return nil
        }
    }

    /// Figures of chart and pareto pipelines.
    static func pipelineFigure(_ pipeline: Pipeline, file: SourceFile, session: Session) throws -> ReportFigure? {
        let parameters = session.currentParameters
        if let last = pipeline.steps.last {
            switch last.kind {
            case .chartBar(let label, let value):
                var data = pipeline
                data.steps.removeLast()
                let table = try session.evaluate(data, file: file, parameters: parameters).table
                let ev = ExpressionEvaluator(table: table, file: file, parameters: { parameters[$0] }, functions: session.functions)
                let labels = try ev.column(label), values = try ev.column(value)
                let shown = min(table.rowCount, 60)
                return .bar(labels: (0..<shown).map { labels.isNull($0) ? "∅" : labels[$0].description },
                            values: (0..<shown).map { values[$0].doubleValue ?? 0 },
                            valueName: file.slice(value.span))
            case .chartHist(let expr, let bins):
                var data = pipeline
                data.steps.removeLast()
                let table = try session.evaluate(data, file: file, parameters: parameters).table
                let ev = ExpressionEvaluator(table: table, file: file, parameters: { parameters[$0] }, functions: session.functions)
                let column = try ev.column(expr)
                let values = (0..<column.count).compactMap { column[$0].doubleValue }.filter { $0.isFinite }
                let (edges, counts) = TextChart.histogramBins(values, bins: bins)
                return .histogram(edges: edges, counts: counts, valueName: file.slice(expr.span))
            default:
                break
            }
        }
        guard let index = pipeline.steps.lastIndex(where: { if case .pareto = $0.kind { return true } else { return false } }),
              case .pareto(let expr, let classes) = pipeline.steps[index].kind else { return nil }
        var data = pipeline
        data.steps = Array(pipeline.steps[...index])
        let table = try session.evaluate(data, file: file, parameters: parameters).table
        guard let x = table.column("customer_share"), let y = table.column("cum_share") else { return nil }
        let boundaries = classes.isEmpty ? [0.8, 0.95] : classes
        // At most about 400 points, plus the last row and, exactly, the first row reaching each
        // boundary (where the report text's "top 26.6% of customers give 80.0%" comes from).
        let n = table.rowCount
        var rows = Set(Swift.stride(from: 0, to: n, by: max(1, n / 400)))
        if n > 0 { rows.insert(n - 1) }
        var next = 0
        for b in boundaries.sorted() {
            while next < n && (y[next].doubleValue ?? -1) < b { next += 1 }
            if next < n { rows.insert(next) }
        }
        var points = [Point(x: 0, y: 0)]
        for row in rows.sorted() {
            if let px = x[row].doubleValue, let py = y[row].doubleValue { points.append(Point(x: px, y: py)) }
        }
        return .pareto(points: points, boundaries: boundaries, measure: file.slice(expr.span))
    }

    static func isTotal(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "total" || lower == "all" || lower == "合计" || lower == "总计" || lower == "(total)"
    }

    /// A sweep's report table: the swept values in the first column, one count column per
    /// class (the integer columns; shares and sums are left out).
    static func sweepFigure(_ table: Table, parameter: String) -> ReportFigure? {
        guard table.columnCount >= 2, table.rowCount >= 1 else { return nil }
        let first = table.columns[0]
        let xLabels = (0..<table.rowCount).map { first.isNull($0) ? "∅" : first[$0].description }
        var series: [Series] = []
        for (name, column) in zip(table.names.dropFirst(), table.columns.dropFirst()) where column.type == .int && !isTotal(name) {
            series.append(Series(name: name, values: (0..<table.rowCount).map { column[$0].doubleValue ?? .nan }))
        }
        guard !series.isEmpty else { return nil }
        return .lines(xName: table.names[0], xLabels: xLabels, series: series)
    }

    /// A migration matrix: class labels in the first column, one numeric column per class
    /// after; total rows and columns are left out.
    static func migrationFigure(_ table: Table) -> ReportFigure? {
        guard table.columnCount >= 2, let labelColumn = table.columns.first, labelColumn.type == .string else { return nil }
        var columnLabels: [String] = [], columns: [Column] = []
        for (name, column) in zip(table.names.dropFirst(), table.columns.dropFirst()) where column.type.isNumeric && !isTotal(name) {
            columnLabels.append(name)
            columns.append(column)
        }
        var rowLabels: [String] = [], counts: [[Double]] = []
        for row in 0..<table.rowCount {
            let label = labelColumn.isNull(row) ? "∅" : labelColumn[row].description
            if isTotal(label) { continue }
            rowLabels.append(label)
            counts.append(columns.map { $0[row].doubleValue ?? 0 })
        }
        guard !columnLabels.isEmpty, !rowLabels.isEmpty else { return nil }
        return .heatmap(rowLabels: rowLabels, columnLabels: columnLabels, counts: counts)
    }
}
