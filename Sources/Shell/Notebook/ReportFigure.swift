import IO

/// A figure of the HTML report besides chart values: drawn from a report value (the
/// migration matrix of a what-if or compare, the curve of a `pareto` step).
public enum ReportFigure: Equatable {
    /// The migration matrix of `whatif` / `compare`: counts by class before (rows) and after (columns).
    case heatmap(rowLabels: [String], columnLabels: [String], counts: [[Double]])
    /// `pareto`: the Lorenz/Pareto curve, share of customers (x) against cumulative share of
    /// the measure (y), both 0...1, with the class boundaries.
    case pareto(points: [Point], boundaries: [Double], measure: String)

    public typealias Point = ParetoReport.Point

    /// Whether there is nothing to draw (a chart of no rows).
    public var isEmpty: Bool {
        switch self {
        case .heatmap(let rows, let columns, _): return rows.isEmpty || columns.isEmpty
        case .pareto(let points, _, _): return points.count < 2
        }
    }

    /// The heatmap of a migration matrix (`whatif`, `compare`): its rows and columns without
    /// the totals, "(new)" and "(gone)" included.
    static func heatmap(_ matrix: MigrationMatrixReport) -> ReportFigure {
        .heatmap(rowLabels: matrix.rowLabels, columnLabels: matrix.columnLabels,
                 counts: matrix.counts.map { $0.map(Double.init) })
    }
}
