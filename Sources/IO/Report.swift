import Columnar

/// What `whatif`, `compare`, `sweep`, `profile` and a `pareto` step produce, as values: the statements
/// compute them, and each writer shows them its own way — the terminal and Markdown
/// notebooks as lines and boxed tables (`ReportLayout`), the HTML report with a heatmap of
/// the migration matrix, csv/tsv/markdown/json/jsonl as tables and objects (`ReportFormats`).
/// No writer evaluates anything again or reads text back.
public enum Report {
    case whatIf(WhatIfReport)
    case compare(CompareReport)
    case sweep(SweepReport)
    case profile(ProfileReport)
    case pareto(ParetoReport)
    case holdout(HoldoutReport)
}

/// How the keys of one class column moved between two sides: rows are the classes before
/// (`fromSide`: "before" / "old"), columns the classes after ("after" / "new").
public struct MigrationMatrixReport: Sendable {
    /// The class column (`tier`).
    public var by: String
    public var fromSide: String
    public var toSide: String
    /// The classes in order (rule order, else sorted); `∅` for null.
    public var classes: [String]
    /// `counts[b][a]`: keys in class `b` before and `a` after, over `rowLabels` × `columnLabels`.
    public var counts: [[Int]]
    /// Whether there is a "(new)" row (keys only after) and a "(gone)" column (keys only before).
    public var hasNew: Bool
    public var hasGone: Bool

    public static let newLabel = "(new)"
    public static let goneLabel = "(gone)"

    public init(by: String, fromSide: String, toSide: String, classes: [String], counts: [[Int]],
                hasNew: Bool, hasGone: Bool) {
        self.by = by
        self.fromSide = fromSide
        self.toSide = toSide
        self.classes = classes
        self.counts = counts
        self.hasNew = hasNew
        self.hasGone = hasGone
    }

    public var rowLabels: [String] { classes + (hasNew ? [Self.newLabel] : []) }
    public var columnLabels: [String] { classes + (hasGone ? [Self.goneLabel] : []) }

    /// The matrix as a table: first column `tier (before \ after)` with the class before, one
    /// column per class after (and "(gone)"), `total`; last row `total`.
    public var table: Table {
        let rows = rowLabels, columns = columnLabels
        var names = ["\(by) (\(fromSide) \\ \(toSide))"]
        var data: [Column] = [Column.from((rows + ["total"]).map { .string($0) }, type: .string)]
        for a in columns.indices {
            names.append(columns[a])
            let cells = rows.indices.map { Int64(counts[$0][a]) }
            data.append(Column(.int(cells + [cells.reduce(0, +)])))
        }
        names.append("total")
        let rowTotals = rows.indices.map { b in Int64(counts[b].reduce(0, +)) }
        data.append(Column(.int(rowTotals + [rowTotals.reduce(0, +)])))
        return Table(uncheckedNames: names, columns: data, rowCount: rows.count + 1)
    }
}

/// `whatif P = V, ... on VIEW by COL`: the parameters changed, the migration matrix, the
/// per-class figures before and after, and how many rows (and how much of the measure) moved.
public struct WhatIfReport {
    public struct Change: Sendable {
        public var parameter: String
        public var before: Scalar
        public var after: Scalar
        public init(parameter: String, before: Scalar, after: Scalar) {
            self.parameter = parameter
            self.before = before
            self.after = after
        }
    }

    /// The measure's sum over the moved rows and over all rows after.
    public struct MovedMeasure: Sendable {
        public var name: String
        public var moved: Double
        public var total: Double
        public init(name: String, moved: Double, total: Double) {
            self.name = name
            self.moved = moved
            self.total = total
        }
    }

    public var view: String
    public var by: String
    public var changes: [Change]
    public var matrix: MigrationMatrixReport
    /// Per class: `n_before`, `n_after`, `n_change`, `pct_before`, `pct_after`, and the
    /// measure's `M_before`, `M_after`, `M_change`, `M_pct_before`, `M_pct_after`; last row `total`.
    public var classes: Table
    /// Rows of the view before the change.
    public var rows: Int
    public var moved: Int
    public var measure: MovedMeasure?

    public init(view: String, by: String, changes: [Change], matrix: MigrationMatrixReport, classes: Table,
                rows: Int, moved: Int, measure: MovedMeasure?) {
        self.view = view
        self.by = by
        self.changes = changes
        self.matrix = matrix
        self.classes = classes
        self.rows = rows
        self.moved = moved
        self.measure = measure
    }

    /// One row: `rows`, `moved`, `moved_pct` and, with a measure M, `M_moved`, `M_moved_pct`
    /// (of the total after) and `M_total`.
    public var summary: Table {
        var names = ["rows", "moved", "moved_pct"]
        var cells: [Scalar] = [.int(Int64(rows)), .int(Int64(moved)), ReportNumbers.percent(Double(moved), of: Double(rows))]
        if let measure {
            names += ["\(measure.name)_moved", "\(measure.name)_moved_pct", "\(measure.name)_total"]
            cells += [.double(measure.moved), ReportNumbers.percent(measure.moved, of: measure.total), .double(measure.total)]
        }
        return ReportNumbers.oneRow(names, cells)
    }
}

/// `compare OLD NEW on KEY by COL`: the migration matrix between two tables, per old class
/// where its keys went, and the keys in both, new, gone and changed.
public struct CompareReport {
    /// How the classes are ordered (upgrades and downgrades depend on it).
    public enum OrderSource: Sendable {
        /// The rule order of the rule set that made the column.
        case rules
        /// The rule order, then classes the rules do not name, sorted.
        case rulesThenSorted
        /// No rule order is known: sorted.
        case sorted
    }

    public var old: String
    public var new: String
    public var by: String
    public var matrix: MigrationMatrixReport
    /// Per old class: `n_old`, `kept`, `upgraded`, `downgraded`, `gone`, their `_pct`, `arrived`, `n_new`.
    public var rates: Table
    public var matched: Int
    public var added: Int
    public var gone: Int
    /// Keys in both whose class changed.
    public var changed: Int
    public var orderSource: OrderSource

    public init(old: String, new: String, by: String, matrix: MigrationMatrixReport, rates: Table,
                matched: Int, added: Int, gone: Int, changed: Int, orderSource: OrderSource) {
        self.old = old
        self.new = new
        self.by = by
        self.matrix = matrix
        self.rates = rates
        self.matched = matched
        self.added = added
        self.gone = gone
        self.changed = changed
        self.orderSource = orderSource
    }

    /// One row: `in_both`, `new`, `gone`, `changed`, `changed_pct` (of the keys in both).
    public var summary: Table {
        ReportNumbers.oneRow(["in_both", "new", "gone", "changed", "changed_pct"],
                             [.int(Int64(matched)), .int(Int64(added)), .int(Int64(gone)), .int(Int64(changed)),
                              ReportNumbers.percent(Double(changed), of: Double(matched))])
    }
}

/// `sweep P from A to B step S on VIEW by COL`: one row per value (the value, each class's
/// count, and each class's share of the measure), and the class counts as a line chart.
public struct SweepReport {
    public var parameter: String
    public var by: String
    public var table: Table
    public var chart: Chart

    public init(parameter: String, by: String, table: Table, chart: Chart) {
        self.parameter = parameter
        self.by = by
        self.table = table
        self.chart = chart
    }
}

/// `profile T [key K]`: a row per column of T (numbered `_N` like any result) and, with a
/// key, the values that occur more than once (numbered too).
public struct ProfileReport {
    public var summary: Table
    public var number: Int?
    public var key: String?
    /// With a key: its duplicate values and how often each occurs (empty when none).
    public var duplicates: Table?
    public var duplicatesNumber: Int?

    public init(summary: Table, number: Int?, key: String?, duplicates: Table?, duplicatesNumber: Int?) {
        self.summary = summary
        self.number = number
        self.key = key
        self.duplicates = duplicates
        self.duplicatesNumber = duplicatesNumber
    }
}

/// `| pareto EXPR [classes ...]`: how the total of EXPR divides among the rows (sorted by
/// EXPR descending), by class, and the Pareto curve.
public struct ParetoReport {
    /// A point of the curve: share of rows (x) against the cumulative share of the total (y).
    public struct Point: Equatable, Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// EXPR as written (`monetary`).
    public var measure: String
    /// The class boundaries (shares of the total: 0.8, 0.95); classes are A, B, C, ...
    public var boundaries: [Double]
    /// Rows with a value, and their total.
    public var rows: Int
    public var total: Double
    /// Rows and sum of EXPR per class.
    public var classCounts: [Int]
    public var classSums: [Double]
    /// The number of top rows whose cumulative share first reaches the first boundary, and
    /// that share (nil when the total is not positive).
    public var reachingFirst: Int?
    public var shareAtReaching: Double
    /// About 400 points of the curve from (0, 0), with the first row reaching each boundary
    /// exactly; empty when the rows were not here to sample (a database computed them).
    public var curve: [Point]

    public init(measure: String, boundaries: [Double], rows: Int, total: Double, classCounts: [Int], classSums: [Double],
                reachingFirst: Int?, shareAtReaching: Double, curve: [Point]) {
        self.measure = measure
        self.boundaries = boundaries
        self.rows = rows
        self.total = total
        self.classCounts = classCounts
        self.classSums = classSums
        self.reachingFirst = reachingFirst
        self.shareAtReaching = shareAtReaching
        self.curve = curve
    }

    /// The label of class `i`: A, B, C, ...
    public static func classLabel(_ i: Int) -> String { String(UnicodeScalar(UInt8(65 + min(max(i, 0), 25)))) }
}

/// `clv ... holdout_until=DATE`: mean purchases per customer in the holdout period, actual
/// and predicted, by the number of repeat purchases before asof (0, 1, ..., 7+).
public struct HoldoutReport {
    public var labels: [String]
    public var customers: [Int]
    public var actual: [Double]
    public var predicted: [Double]

    public init(labels: [String], customers: [Int], actual: [Double], predicted: [Double]) {
        self.labels = labels
        self.customers = customers
        self.actual = actual
        self.predicted = predicted
    }
}

/// Report figures: percentages with two decimals; sums are compensated where they are made,
/// so files carry `808290.34`, not `808290.3399999999`.
public enum ReportNumbers {
    /// `part / whole` in percent with two decimals, rounded once from the exact ratio; null
    /// when the whole is 0.
    public static func percent(_ part: Double, of whole: Double) -> Scalar {
        whole == 0 ? .null : .double((part / whole * 10_000).rounded() / 100)
    }

    static func oneRow(_ names: [String], _ cells: [Scalar]) -> Table {
        let columns = cells.map { cell -> Column in
            switch cell {
            case .int: return Column.from([cell], type: .int)
            default: return Column.from([cell], type: .double)
            }
        }
        return Table(uncheckedNames: names, columns: columns, rowCount: 1)
    }
}

extension Scalar {
    /// The value as written in a statement (`@2025-06-30`, `"S"`, `0.7`): how reports name
    /// parameter values.
    public var literalText: String {
        switch self {
        case .date: return "@" + description
        case .string(let s): return "\"\(s)\""
        default: return description
        }
    }
}
