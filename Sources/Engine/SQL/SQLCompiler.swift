import Columnar
import Diagnostics
import IO
import Language
#if canImport(Glibc)
import Glibc
#endif

/// Lowers a `LogicalPlan` to one SQL query for an attached database: each step becomes a
/// common table expression over the one before (`PlanOperator.lower`), expressions and
/// functions are lowered by `SQLCompiler+Expressions`, and the dialect spells what differs
/// between engines. In-memory tables the query needs (the right side of a join, a view
/// computed here) are sent as temporary tables first, up to `RemoteLimits.temporaryTableRows`.
public final class SQLCompiler {
    /// The hidden column that carries a fixed row order from step to step.
    public static let orderColumn = "__segsh_order"

    public let dialect: SQLDialect
    public let session: Session
    /// The attachment the query runs in.
    let alias: String
    public let file: SourceFile
    public let parameters: [String: Scalar]
    private var counter = 0
    /// Whether the order of the step being lowered is read after it (`RowOrderDemand`): if
    /// not, `select` adds no order column.
    private(set) var orderNeeded = true
    /// While a `summarize` is lowered: aggregate arguments that hold window functions
    /// (`max(zscore(x))`), computed per row in a step before the grouping (SQL cannot nest a
    /// window in an aggregate); nil elsewhere.
    var preAggregated: [(name: String, sql: String)]?
    /// While a `summarize` is lowered: each aggregate (`sum(x)`, `avg(x)`, `count()`), a
    /// column of the grouping step; the items are computed over these columns in the step
    /// after. (Spark cannot analyze one of segsh's SQL functions over aggregates, an exact
    /// sum, inside a function that wants constant arguments, such as `round(..., 2)`.) Nil
    /// elsewhere.
    var aggregated: [(name: String, sql: String, type: DataType)]?
    /// While a step's expressions are lowered by `withWindowColumns`: its window values, each
    /// a hidden column of a step before it; nil elsewhere. Shared with `with(file:)`'s
    /// compilers (a rule set's conditions are part of the `classify` step).
    var windowColumns: WindowColumns?
    /// In-memory tables to send before the query runs, under these names.
    private(set) var uploads: [(name: RemoteTableName, table: Table)] = []
    /// Report queries added by operators (`pareto`'s summary and curve): run after the main
    /// query, each report made into a value from the rows of its queries.
    private(set) var reports: [(sql: [String], render: ([Table]) -> Report)] = []

    /// `table` with the order column (0, 1, 2, …) added, for writing it to a database.
    public static func withOrderColumn(_ table: Table) -> Table {
        var out = table
        out.set(orderColumn, Column(.int((0..<Int64(table.rowCount)).map { $0 })))
        return Table(uncheckedNames: out.names, columns: out.columns, rowCount: table.rowCount)
    }

    /// Adds a report: each of `selects` runs over the relation of `query` (with its CTEs), and
    /// `render` makes the report from their rows, in order.
    public func addReport(over query: SQLQuery, selects: [String], render: @escaping ([Table]) -> Report) {
        var with = ""
        if !query.ctes.isEmpty {
            with = "WITH " + query.ctes.map { "\($0.name) AS (\($0.body))" }.joined(separator: ",\n     ") + "\n"
        }
        reports.append((selects.map { with + $0.replacingOccurrences(of: "{relation}", with: query.relation) }, render))
    }

    public init(dialect: SQLDialect, session: Session, alias: String, file: SourceFile, parameters: [String: Scalar]) {
        self.dialect = dialect; self.session = session; self.alias = alias; self.file = file; self.parameters = parameters
    }

    public func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }

    public func quote(_ name: String) -> String { dialect.quote(name) }

    /// The SQL text of the first `steps` steps of `plan`, ordered by the fixed order if any.
    public func compile(_ plan: LogicalPlan, steps: Int) throws -> String {
        let q = try query(for: plan, steps: steps)
        let columns = q.schema.names.map(quote).joined(separator: ", ")
        var sql = ""
        if !q.ctes.isEmpty {
            sql = "WITH " + q.ctes.map { "\($0.name) AS (\($0.body))" }.joined(separator: ",\n     ") + "\n"
        }
        sql += "SELECT \(columns.isEmpty ? "*" : columns) FROM \(q.relation)"
        if q.ordered { sql += " ORDER BY \(quote(SQLCompiler.orderColumn))" }
        return sql
    }

    /// The query of a plan's first `steps` steps. The hidden order column is carried only
    /// where something after it reads it (`RowOrderDemand`); `resultNeedsOrder` says whether
    /// the order of the plan's result is read.
    func query(for plan: LogicalPlan, steps: Int, resultNeedsOrder: Bool = true) throws -> SQLQuery {
        let needs = RowOrderDemand.demand(plan, steps: steps, resultNeedsOrder: resultNeedsOrder, session: session)
        let outer = orderNeeded
        defer { orderNeeded = outer }
        orderNeeded = needs[0]
        var q = try start(plan)
        for (i, step) in plan.steps.prefix(steps).enumerated() {
            try Cancellation.check()
            if !needs[i] { q.ordered = false }
            orderNeeded = needs[i + 1]
            q = try step.op.lower(q, self)
        }
        if !resultNeedsOrder { q.ordered = false }
        return q
    }

    /// The relation a plan's source gives.
    func start(_ plan: LogicalPlan) throws -> SQLQuery {
        switch plan.source {
        case .remote(let a, let table):
            guard a == alias else {
                throw error("'\(a).\(table)' is in another attachment than '\(alias)'; one query runs in one database",
                            plan.pipeline.source.span, hints: ["bring one side here with '| collect' (or load it) first"])
            }
            // A table segsh wrote (`--tables-in`, a temporary table) keeps its row order in
            // the order column; any other table's order is the engine's.
            let columns = try session.remoteColumns(alias: a, table: table, span: plan.pipeline.source.span, file: file)
            let ordered = columns.contains { $0.name == SQLCompiler.orderColumn }
            let q = SQLQuery(ctes: [], relation: dialect.quoteTable(table), schema: plan.sourceSchema, ordered: ordered)
            // Columns read in another form (timestamps as text) are read so in every query,
            // so that the schema, a loaded table and a computed result agree.
            let read = columns.map { c in (quote(c.name), dialect.readColumn(quote(c.name), engineType: c.engineType)) }
            guard read.contains(where: { $0.1 != nil }) else { return q }
            let items = read.map { name, r in r.map { "\($0) AS \(name)" } ?? name }
            return addStep("SELECT \(items.joined(separator: ", ")) FROM \(q.relation)", to: q, schema: q.schema, ordered: ordered)
        case .view(_, let inner), .nested(let inner):
            if inner.location == .database(alias) { return try query(for: inner, steps: inner.steps.count, resultNeedsOrder: orderNeeded) }
            return try upload(plan)
        case .table, .result, .materialized:
            return try upload(plan)
        }
    }

    /// An in-memory source sent as a temporary table.
    func upload(_ plan: LogicalPlan) throws -> SQLQuery {
        let source = LogicalPlan(source: plan.source, sourceSchema: plan.sourceSchema, steps: [], pipeline: plan.pipeline)
        let table = try session.execute(source, file: file, parameters: parameters).table
        guard table.rowCount <= RemoteLimits.temporaryTableRows else {
            throw error("this in-memory table has \(table.rowCount) rows; segsh sends at most \(RemoteLimits.temporaryTableRows) to \(alias) as a temporary table",
                        plan.pipeline.source.span, hints: ["export it to the database first: export TABLE to \(alias).NAME"])
        }
        counter += 1
        let name = RemoteTableName(schema: nil, table: "segsh_tmp_\(ProcessID.current)_\(uploads.count + 1)")
        uploads.append((name, SQLCompiler.withOrderColumn(table)))
        return SQLQuery(ctes: [], relation: dialect.quoteTable(name), schema: Schema(table), ordered: true)
    }

    /// The right side of a join, as a relation in the same query.
    /// Its order is read only when the join's is (matches of one left row keep it).
    func relation(for plan: LogicalPlan, joinedTo input: SQLQuery, span: Span, orderRead: Bool) throws -> SQLQuery {
        try query(for: plan, steps: plan.steps.count, resultNeedsOrder: orderRead && orderNeeded)
    }

    /// `input` with the common table expressions of `other` added (for joins).
    func merge(_ other: SQLQuery, into input: SQLQuery) -> SQLQuery {
        var q = input
        let known = Set(q.ctes.map(\.name))
        q.ctes += other.ctes.filter { !known.contains($0.name) }
        return q
    }

    /// Sends the temporary tables the query reads; they are dropped again by `dropUploads`.
    func uploadTemporaryTables(to a: Attachment) throws {
        for u in uploads { try a.database.write(u.table, to: u.name, replace: true) }
    }

    /// Drops the tables `uploadTemporaryTables` made.
    func dropUploads(in a: Attachment) {
        for u in uploads { try? a.database.execute("DROP TABLE IF EXISTS \(dialect.quoteTable(u.name))") }
    }

    // MARK: Building steps

    /// The visible columns of `input`, quoted, for a step that passes them on.
    public func passThrough(_ input: SQLQuery) -> [String] { input.schema.names.map(quote) }

    /// Adds `SELECT items FROM input ...` as the next step. The hidden order column is
    /// passed on when `keepOrder` and the input has one; `newOrder` (an ORDER BY list)
    /// fixes a new order instead; neither when nothing after the step reads its order.
    /// With a `limit`, the rows kept are the first in `newOrder` if given, else in
    /// `orderForLimit` (or any rows).
    public func select(_ items: [String], from input: SQLQuery, where condition: String? = nil, groupBy: [String] = [],
                       schema: Schema, keepOrder: Bool = true, newOrder: String? = nil,
                       limit: Int? = nil, orderForLimit: String? = nil) -> SQLQuery {
        var items = items
        var ordered = false
        var orderForLimit = orderForLimit
        if let newOrder, limit != nil { orderForLimit = newOrder }
        if let newOrder, orderNeeded {
            items.append("ROW_NUMBER() OVER (ORDER BY \(newOrder)) AS \(quote(SQLCompiler.orderColumn))")
            ordered = true
            if limit != nil { orderForLimit = quote(SQLCompiler.orderColumn) }
        } else if newOrder == nil && keepOrder && input.ordered && groupBy.isEmpty && orderNeeded {
            items.append(quote(SQLCompiler.orderColumn))
            ordered = true
        }
        var body = "SELECT \(items.isEmpty ? "1 AS \(quote("__segsh_empty"))" : items.joined(separator: ", ")) FROM \(input.relation)"
        if let condition { body += " WHERE \(condition)" }
        if !groupBy.isEmpty { body += " GROUP BY \(groupBy.joined(separator: ", "))" }
        if let limit {
            if let orderForLimit { body += " ORDER BY \(orderForLimit)" }
            body += " LIMIT \(limit)"
        }
        return addStep(body, to: input, schema: schema, ordered: ordered)
    }

    /// Adds a step whose whole `SELECT` is given.
    public func addStep(_ body: String, to input: SQLQuery, schema: Schema, ordered: Bool) -> SQLQuery {
        counter += 1
        var q = input
        let name = "s\(counter)"
        q.ctes.append((name, body))
        q.relation = name
        q.schema = schema
        q.ordered = ordered
        return q
    }

    /// An ORDER BY list for sort keys: explicit nulls placement (last, as segsh sorts), byte
    /// order for strings, and the previous order as the last key so equal keys keep it.
    public func orderBy(_ keys: [SortKey], over input: SQLQuery) throws -> String {
        var parts: [String] = []
        for k in keys {
            let v = try expression(k.expr, over: input)
            let sql = v.type == .string ? dialect.byteOrder(v.sql) : v.sql
            parts.append("\(sql) \(k.descending ? "DESC" : "ASC") NULLS LAST")
        }
        if input.ordered { parts.append(quote(SQLCompiler.orderColumn)) }
        return parts.joined(separator: ", ")
    }
}

/// The process id, for names of temporary tables.
enum ProcessID {
    static let current: Int32 = getpid()
}

extension SQLCompiler {
    /// A compiler for expressions written in another file (a rule set's conditions).
    public func with(file: SourceFile) -> SQLCompiler {
        let c = SQLCompiler(dialect: dialect, session: session, alias: alias, file: file, parameters: parameters)
        c.windowColumns = windowColumns
        return c
    }
}

/// The window values of one step: an aggregate over a partition or the whole table
/// (`avg(monetary) over industry`, `count()`), a window function (`rank(x)`,
/// `quantile_score(x, 5)`), a table-wide function (`rfm_class8`). Each distinct one is
/// computed once, as a hidden column of a step before the step that reads it:
/// - SQL allows no window function in WHERE, nor inside another window (`sort -avg(x) over g`);
/// - a value written twice (a rule set's conditions compare with the same mean) is computed
///   once: engines compute a window per call site, and Spark rounds each exact mean per row.
public final class WindowColumns {
    /// Each value's hidden column, quoted, and its level: 0, or one more than the highest
    /// level of the hidden columns it reads (`rank(avg(x) over g)`), so that each level is
    /// computed in a step of its own.
    private(set) var items: [(column: String, sql: String, level: Int)] = []
    private let quote: (String) -> String

    /// What a window value's SQL writes for the relation it is computed over (`SQLCall.relation`,
    /// PostgreSQL's correlated subquery for `median(x) over g`): the input of the step that
    /// computes it, which for a value reading another hidden column is a step after the
    /// step's own input. `withWindowColumns` writes the name in.
    static let stepInput = "\u{1}segsh_step_input\u{1}"

    init(quote: @escaping (String) -> String) { self.quote = quote }

    /// The hidden column, quoted, that holds `sql`'s value: a new one, or the one `sql`
    /// already has.
    func column(for sql: String) -> String {
        if let known = items.first(where: { $0.sql == sql }) { return known.column }
        let level = items.filter { sql.contains($0.column) }.map { $0.level + 1 }.max() ?? 0
        let column = quote("__segsh_window\(items.count)")
        items.append((column, sql, level))
        return column
    }
}

extension SQLCompiler {
    /// Lowers a step whose expressions may hold window values (`WindowColumns`):
    /// `lowerExpressions` lowers them over `input`, each window value read from a hidden
    /// column; `makeStep` makes the step over the relation it is given: `input`, or, when
    /// there are window values, a step that passes `input` on (its order column too) and
    /// computes them.
    public func withWindowColumns<T>(over input: SQLQuery, _ lowerExpressions: () throws -> T,
                                     step makeStep: (T, SQLQuery) throws -> SQLQuery) throws -> SQLQuery {
        let outer = windowColumns
        let windows = WindowColumns(quote: quote)
        windowColumns = windows
        defer { windowColumns = outer }
        let lowered = try lowerExpressions()
        var source = input
        var computed: [String] = []
        for level in 0..<(windows.items.map { $0.level + 1 }.max() ?? 0) {
            var items = passThrough(input) + computed
            if input.ordered { items.append(quote(SQLCompiler.orderColumn)) }
            for w in windows.items where w.level == level {
                items.append("\(w.sql.replacingOccurrences(of: WindowColumns.stepInput, with: source.relation)) AS \(w.column)")
                computed.append(w.column)
            }
            source = addStep("SELECT \(items.joined(separator: ", ")) FROM \(source.relation)", to: source,
                             schema: input.schema, ordered: input.ordered)
        }
        return try makeStep(lowered, source)
    }
}

extension StepContext {
    /// A context for checking an operator's arguments while compiling it to SQL.
    public static func scratch(_ compiler: SQLCompiler) -> StepContext {
        StepContext(session: compiler.session, file: compiler.file, parameters: compiler.parameters)
    }
}
