import Columnar
import Diagnostics
import IO
import Language

/// What a pipeline produced: its table, plus report text (pareto summaries, charts) and
/// notes (warnings) gathered along the way.
public struct PipelineResult {
    public var table: Table
    public var texts: [String] = []
    public var notes: [String] = []
    public init(table: Table) { self.table = table }
}

/// A pipeline operator implemented outside the Engine (rfm, classify, pareto live in
/// Segmentation and register here).
public typealias StepHandler = (Step, Table, StepContext) throws -> Table

/// What an operator implementation may use: the session, the source file of the step (for
/// diagnostics), a way to evaluate expressions over a table, and places to put notes and
/// report text.
public final class StepContext {
    public let session: Session
    public let file: SourceFile
    /// Parameter values in force (a what-if evaluates with some of them changed).
    public let parameters: [String: Scalar]
    public var notes: [String] = []
    public var texts: [String] = []

    init(session: Session, file: SourceFile, parameters: [String: Scalar]) {
        self.session = session
        self.file = file
        self.parameters = parameters
    }

    /// An expression evaluator over `table` for expressions written in `file` (a rule set
    /// defined in another script passes its own file).
    public func evaluator(for table: Table, file: SourceFile? = nil) -> ExpressionEvaluator {
        let params = parameters
        return ExpressionEvaluator(table: table, file: file ?? self.file, parameters: { params[$0] },
                                   functions: session.functions)
    }

    public func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }
}

/// Runs pipeline operators over tables.
struct PipelineEvaluator {
    let context: StepContext
    var file: SourceFile { context.file }

    func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }

    func run(_ steps: ArraySlice<Step>, on input: Table) throws -> Table {
        var table = input
        for step in steps {
            try Cancellation.check()
            table = try apply(step, to: table)
        }
        return table
    }

    func apply(_ step: Step, to table: Table) throws -> Table {
        let ev = context.evaluator(for: table)
        switch step.kind {
        case .whereFilter(let e):
            let mask = try ev.condition(e, what: "'where' condition")
            return table.gather(try Kernels.selection(from: mask))
        case .derive(let assignments):
            var out = table
            for a in assignments {
                let current = context.evaluator(for: out)
                let v = try current.evaluate(a.value)
                out.set(a.name.text, try materialize(v, count: out.rowCount, a.value.span))
            }
            return out
        case .select(let items):
            var out = Table()
            for item in items {
                let v = try ev.evaluate(item.value)
                out.set(item.name.text, try materialize(v, count: table.rowCount, item.value.span))
            }
            return Table(uncheckedNames: out.names, columns: out.columns, rowCount: table.rowCount)
        case .drop(let names):
            var out = table
            for n in names {
                guard table.index(of: n.text) != nil else { throw ev.unknownColumn(n.text, n.span) }
                out.remove(n.text)
            }
            return Table(uncheckedNames: out.names, columns: out.columns, rowCount: table.rowCount)
        case .rename(let pairs):
            var out = table
            for p in pairs {
                guard out.index(of: p.old.text) != nil else { throw context.evaluator(for: out).unknownColumn(p.old.text, p.old.span) }
                if p.new.text != p.old.text, out.index(of: p.new.text) != nil {
                    throw error("cannot rename to '\(p.new.text)': a column of that name exists", p.new.span)
                }
                out.rename(p.old.text, to: p.new.text)
            }
            return out
        case .sort(let keys):
            let cols = try keys.map { (column: try ev.column($0.expr), descending: $0.descending) }
            return table.gather(try Kernels.sortPermutation(keys: cols))
        case .take(let n):
            return table.slice(0..<max(0, min(n, table.rowCount)))
        case .top(let n, let keys):
            let cols = try keys.map { (column: try ev.column($0.expr), descending: $0.descending) }
            return table.gather(try Kernels.topPermutation(keys: cols, limit: max(0, n)))
        case .summarize(let items, let by):
            return try summarize(items, by: by, table, ev)
        case .join(let kind, let source, let leftKey, let rightKey):
            let right = try context.session.evaluateSource(source, file: file, parameters: context.parameters).table
            return try join(kind, table, right, rightName: sourceName(source), leftKey, rightKey)
        case .distinct(let names):
            if names.isEmpty {
                return table.gather(try Kernels.distinctRows(keys: table.columns))
            }
            var cols: [Column] = []
            for n in names {
                guard let c = table.column(n.text) else { throw ev.unknownColumn(n.text, n.span) }
                cols.append(c)
            }
            let rows = try Kernels.distinctRows(keys: cols)
            return Table(uncheckedNames: names.map { $0.text }, columns: cols.map { $0.gather(rows) }, rowCount: rows.count)
        case .chartBar(let label, let value):
            let labels = try ev.column(label)
            let values = try ev.column(value)
            guard let (vs, _) = ValueMapping.doubles(values) else {
                throw error("chart bar needs numbers for its values, but this is \(values.type.rawValue)", value.span)
            }
            let shown = min(table.rowCount, 60)
            let texts = (0..<shown).map { labels[$0].isNull ? "∅" : labels[$0].description }
            let nums = (0..<shown).map { values.isNull($0) ? 0 : vs[$0] }
            var chart = TextChart.bar(labels: texts, values: nums, width: context.session.chartWidth, title: nil)
            if table.rowCount > shown { chart += "… \(table.rowCount - shown) more bars\n" }
            context.texts.append(chart)
            return table
        case .chartHist(let e, let bins):
            let values = try ev.column(e)
            guard let (vs, _) = ValueMapping.doubles(values) else {
                throw error("chart hist needs numbers, but this is \(values.type.rawValue)", e.span)
            }
            guard bins >= 1, bins <= 1000 else { throw error("bins must be between 1 and 1000, not \(bins)", step.span) }
            let present = (0..<vs.count).filter { !values.isNull($0) && vs[$0].isFinite }.map { vs[$0] }
            context.texts.append(TextChart.histogram(values: present, bins: bins, width: context.session.chartWidth))
            return table
        case .moved:
            throw error("'moved' only follows a what-if: whatif P = V on VIEW by COL | moved", step.span)
        case .rfm, .classify, .pareto:
            guard let handler = context.session.stepHandlers[step.name] else {
                throw error("the '\(step.name)' operator is not available in this build", step.span)
            }
            return try handler(step, table, context)
        }
    }

    func sourceName(_ s: Source) -> String {
        switch s.kind {
        case .table(let n): return n
        case .file(let p, _): return String(p.split(separator: "/").last?.split(separator: ".").first ?? "right")
        case .whatIf: return "moved"
        case .nested(let p): return sourceName(p.source)
        }
    }

    /// A value as a column of the table's length.
    func materialize(_ v: Value, count: Int, _ span: Span) throws -> Column {
        if case .duration = v {
            throw error("a duration is not a column value; add it to a date (e.g. asof - 30days)", span)
        }
        return v.column(count: count)
    }

    func summarize(_ items: [Assignment], by: [Name], _ table: Table, _ ev: ExpressionEvaluator) throws -> Table {
        var keyCols: [Column] = []
        for n in by {
            guard let c = table.column(n.text) else { throw ev.unknownColumn(n.text, n.span) }
            keyCols.append(c)
        }
        let groups = by.isEmpty ? GroupIndex.single(rowCount: table.rowCount) : try Kernels.groupIDs(keys: keyCols)
        var gev = ev
        gev.groups = groups
        gev.groupKeys = by.map { $0.text }
        var out = Table()
        var names: [String] = []
        var cols: [Column] = []
        for (n, c) in zip(by, keyCols) { names.append(n.text); cols.append(c.gather(groups.firstRow)) }
        for item in items {
            let v = try gev.evaluate(item.value)
            let c = try materialize(v, count: groups.groupCount, item.value.span)
            if let i = names.firstIndex(of: item.name.text) { cols[i] = c } else { names.append(item.name.text); cols.append(c) }
        }
        out = Table(uncheckedNames: names, columns: cols, rowCount: groups.groupCount)
        return out
    }

    func join(_ kind: Language.JoinKind, _ left: Table, _ right: Table, rightName: String, _ lk: Name, _ rk: Name) throws -> Table {
        guard let lcol = left.column(lk.text) else { throw context.evaluator(for: left).unknownColumn(lk.text, lk.span) }
        guard let rcol = right.column(rk.text) else {
            let suggestion = closestMatch(to: rk.text, in: right.names).map { " (did you mean '\($0)'?)" } ?? ""
            throw error("the joined table '\(rightName)' has no column '\(rk.text)'\(suggestion)", rk.span,
                        hints: ["its columns: " + right.names.joined(separator: ", ")])
        }
        let jk: Columnar.JoinKind
        switch kind {
        case .inner: jk = .inner
        case .left: jk = .left
        case .anti: jk = .anti
        }
        if !(lcol.type == rcol.type || (lcol.type.isNumeric && rcol.type.isNumeric)) {
            throw error("cannot join \(lcol.type.rawValue) key '\(lk.text)' with \(rcol.type.rawValue) key '\(rk.text)'", lk.span.to(rk.span),
                        hints: ["load one side with types=\"\(rk.text):\(lcol.type.rawValue)\" so the key types match"])
        }
        let outputColumns = left.columns + (kind == .anti ? [] : right.columns)
        let rowBytes = outputColumns.reduce(0) { $0 + $1.type.bytesPerRow }
        let (li, ri) = try Kernels.hashJoin(left: [lcol], right: [rcol], kind: jk, outputRowBytes: rowBytes)
        var names = left.names
        // Every left row once, in order (each found one match): the left columns as they are.
        let leftKept = li.count == left.rowCount && Kernels.isIdentity(li)
        var gathers: [(Column, [Int32])] = leftKept ? [] : left.columns.map { ($0, li) }
        if kind != .anti {
            let resolved = JoinColumnNames.resolve(left: left.names, right: right.names,
                                                   skip: lk.text == rk.text ? rk.text : nil, rightName: rightName)
            names = resolved.names
            for i in resolved.kept { gathers.append((right.columns[i], ri)) }
        }
        try Cancellation.check()
        let gathered = Kernels.gatherColumns(gathers)
        try Cancellation.check()
        return Table(uncheckedNames: names, columns: (leftKept ? left.columns : []) + gathered, rowCount: li.count)
    }
}
