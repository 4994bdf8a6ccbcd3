import Columnar
import Diagnostics
import Engine
import IO
import Language

/// The data of a figure in the HTML report besides chart values (those are result items of
/// their own, `ResultItem.chart`), recognised from a statement and what it produced.
public enum ReportFigure: Equatable {
    /// The migration matrix of `whatif` / `compare`: counts by class before (rows) and after (columns).
    case heatmap(rowLabels: [String], columnLabels: [String], counts: [[Double]])
    /// `pareto`: the Lorenz/Pareto curve, share of customers (x) against cumulative share of
    /// the measure (y), both 0...1, with the class boundaries.
    case pareto(points: [Point], boundaries: [Double], measure: String)

    public struct Point: Equatable {
        public var x: Double
        public var y: Double
    }

    /// Whether there is nothing to draw (a chart of no rows).
    public var isEmpty: Bool {
        switch self {
        case .heatmap(let rows, let columns, _): return rows.isEmpty || columns.isEmpty
        case .pareto(let points, _, _): return points.count < 2
        }
    }

    /// The figure of a statement that ran successfully, or nil when it draws none (charts and
    /// sweeps are chart values among its items): `whatif` and `compare` from their
    /// report tables, `pareto` by a pipeline step (re-evaluated up to that step, for every row).
    public static func recognise(_ statement: Statement, items: [ResultItem], file: SourceFile,
                                 session: Session) -> ReportFigure? {
        let tables: [Table] = items.compactMap { if case .table(let t, _, _) = $0 { return t } else { return nil } }
        switch statement.kind {
        case .pipeline(let pipeline):
            if items.contains(where: { if case .chart = $0 { return true } else { return false } }) { return nil }
            return try? paretoFigure(pipeline, file: file, session: session)
        case .whatIf, .compare:
            return tables.first.flatMap(migrationFigure)
        default:
            return nil
        }
    }

    /// The Pareto curve of a pipeline with a `pareto` step.
    static func paretoFigure(_ pipeline: Pipeline, file: SourceFile, session: Session) throws -> ReportFigure? {
        let parameters = session.currentParameters
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
