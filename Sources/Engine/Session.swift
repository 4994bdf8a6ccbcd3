import Columnar
import Diagnostics
import Foundation
import IO
import Language

/// What running a statement produces, in order. The shell (or the notebook runner) decides
/// how to print each item for the current output mode.
public enum ResultItem {
    /// A result table, numbered `_N` when `number` is set. `elapsed` is the wall time in
    /// seconds (volatile: notebooks leave it out).
    case table(Table, number: Int?, elapsed: Double)
    /// Report text that belongs on stdout (what-if reports, pareto summaries).
    case text(String)
    /// A chart (`chart bar`, `chart hist`) as data; each writer draws it its own way.
    case chart(Chart)
    /// A what-if, compare, sweep or profile as data (`Report`); each writer shows it its own
    /// way. `elapsed` as for a table (shown with the report's first table).
    case report(Report, elapsed: Double)
    /// Information for stderr (warnings, skipped rows, progress results).
    case note(String)
    /// The line that says a statement is done, for stderr (`loaded …`, `view …`, `exported …`),
    /// and its wall time in seconds: the shell appends the time when its timer is on.
    case done(String, elapsed: Double)
}

/// A named, ordered rule set (`rules NAME { ... }`), kept with the file it was written in so
/// its conditions report errors against their own text.
public struct RuleSet {
    public let name: String
    public let rules: [Rule]
    public let file: SourceFile
    public let span: Span
    /// The labels in rule order (the natural order of the classes it makes).
    public var labels: [String] {
        rules.map { r -> String in
            if case .literal(let l) = r.label.kind { return l.scalar.description }
            return file.slice(r.label.span)
        }
    }
    public var text: String { file.slice(span) }
}

/// The state of one analysis session: tables, views, parameters, rule sets and numbered
/// results. The shell, scripts and notebooks all drive a `Session`.
public final class Session {
    public let functions = FunctionRegistry.standard()
    /// Every pipeline operator, by keyword: the Engine's own and those registered by other
    /// targets (`rfm`, `classify`, `pareto`).
    public let operators = EngineOperators.registry()
    /// Attached databases and clusters, by alias (`attach ... as NAME`).
    public internal(set) var attachments: [String: Attachment] = [:]
    /// How each function is written in SQL, by name (`SQLFunctions`; Segmentation adds its own).
    public var sqlFunctions: [String: SQLFunctionLowering] = SQLFunctions.all
    /// How to connect, by URL scheme (`postgresql`, `sc`); the shell registers the clients.
    public var connectors: [String: Connector] = [:]
    /// Statement implementations outside the Engine (what-if, sweep, compare).
    public var whatIfHandler: ((WhatIf, Span, StepContext) throws -> WhatIfOutcome)?
    public var sweepHandler: ((Statement, StepContext) throws -> [ResultItem])?
    public var compareHandler: ((Statement, StepContext) throws -> [ResultItem])?
    /// The natural order of class labels of a column made by `classify` (the rule order), by
    /// column name; `compare`, `whatif` and `sweep` list classes in this order.
    public var classOrders: [String: [String]] = [:]
    /// Called with a label and the fraction done during long loads (the shell draws a bar).
    public var progress: ((String, Double) -> Void)?
    /// Runs a dot-command line of a file named by the `run` statement (`.mode csv`,
    /// `.tables`), given the line and its `FILE:LINE:COL`; prints what it prints and returns
    /// false when it failed (after reporting why). Set by the shell while it runs statements;
    /// without it such a line is a syntax error.
    public var dotCommandRunner: ((_ line: String, _ location: String) -> Bool)?

    /// The scripts running now (by `run` or `.read`), outermost first: canonical path and the
    /// name they were given.
    private var scriptStack: [(path: String, name: String)] = []
    /// How deep `run` and `.read` may nest scripts.
    public static let maxScriptDepth = 100

    /// Why the script at `path` cannot run now, or nil: it is already running (a script that
    /// runs itself, directly or through others, would recurse until the stack overflows).
    /// Also refused: a script nested more than `maxScriptDepth` deep (2,000 scripts that each
    /// run the next overflowed the stack).
    public func scriptCycle(_ path: String) -> String? {
        if scriptStack.count >= Session.maxScriptDepth {
            return "scripts run inside each other more than \(Session.maxScriptDepth) deep (\(scriptStack.first?.name ?? "") → … → \(path))"
        }
        let canonical = canonicalPath(path)
        guard let first = scriptStack.firstIndex(where: { $0.path == canonical }) else { return nil }
        let chain = scriptStack[first...].map(\.name) + [path]
        return "script '\(path)' is already running (\(chain.joined(separator: " → ")))"
    }

    /// Runs `body` with the script at `path` marked as running (see `scriptCycle`).
    public func runningScript<R>(_ path: String, _ body: () throws -> R) rethrows -> R {
        scriptStack.append((canonicalPath(path), path))
        defer { scriptStack.removeLast() }
        return try body()
    }

    func canonicalPath(_ path: String) -> String {
        RealPath.of(resolve(path)) ?? resolve(path)
    }

    /// Runs `body` with `runner` as the `dotCommandRunner`, then puts the previous one back.
    public func withDotCommandRunner<R>(_ runner: @escaping (_ line: String, _ location: String) -> Bool, _ body: () throws -> R) rethrows -> R {
        let previous = dotCommandRunner
        dotCommandRunner = runner
        defer { dotCommandRunner = previous }
        return try body()
    }
    /// Width for text charts.
    public var chartWidth = 72
    /// Safe mode (SPEC section 10): no writing files, no reading outside `baseDirectory`.
    public var isSafe: Bool = false
    public var baseDirectory: String = FileManager.default.currentDirectoryPath
    /// Files the shell is reading while the session runs (the notebook or the scripts given on
    /// the command line): `export` and the writers of reports must not replace them.
    public var filesBeingRead: [String] = []

    struct StoredTable {
        var table: Table
        var sourcePath: String?
        var version: Int
        /// Where a copy of the table lives in a database (`placeTables(in:)`): pipelines over
        /// the table then run there.
        var placement: (alias: String, table: RemoteTableName)?
    }

    /// The attachment every loaded table is also written to (`segsh --tables-in URL`), nil
    /// for memory only.
    public internal(set) var tablePlacement: String?

    struct View {
        let name: String
        let pipeline: Pipeline
        let file: SourceFile
        var cache: [(fingerprint: String, table: Table)] = []
        /// Intermediate results kept for re-evaluation with other parameter values: for a
        /// step count `i` where step `i` uses a parameter that the steps before it do not,
        /// the table after the first `i` steps and the fingerprint it was computed under
        /// (see `Session.evaluateView`).
        var prefixCache: [Int: (fingerprint: String, table: Table)] = [:]
        /// The view's bound plan and the fingerprint it was bound under.
        var planCache: (fingerprint: String, plan: LogicalPlan)?
    }

    var tables: [String: StoredTable] = [:]
    var views: [String: View] = [:]
    let viewChain = ViewChain()
    /// Per rule set: parameter-free subexpressions of its last classification.
    var classifyMemos: [String: ExpressionMemo] = [:]
    var params: [String: Scalar] = [:]
    var overrides: [String: Scalar] = [:]
    var ruleSets: [String: (set: RuleSet, version: Int)] = [:]
    var results: [Int: Table] = [:]
    var lastResult: Int?
    var nextResultNumber = 1
    var versionCounter = 0
    /// Statistics for tests and `.timer`: how many view evaluations missed the cache.
    public internal(set) var viewEvaluations = 0

    public init() {}

    // MARK: Introspection for the shell

    /// Names of loaded tables and views, sorted.
    public var tableNames: [String] { (Array(tables.keys) + Array(views.keys)).sorted() }

    /// Column names of a table, view or numbered result (`_3`, `_`), nil when unknown.
    public func columnNames(of name: String) -> [String]? {
        if let t = tables[name] { return t.table.names }
        if let n = resultNumber(name), let t = results[n] { return t.names }
        if views[name] != nil { return (try? evaluateView(name, parameters: currentParameters))?.names }
        return nil
    }

    /// Parameter names without `$`, sorted.
    public var parameterNames: [String] { currentParameters.keys.sorted() }

    /// Parameters and their current values, sorted by name (for `.params`).
    public var parameters: [(name: String, value: Scalar)] {
        currentParameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Parameter values in force: script values, with command-line overrides on top.
    public var currentParameters: [String: Scalar] { params.merging(overrides) { _, o in o } }

    /// `--param NAME=VALUE`: fixes a parameter for the session; the script's own
    /// `param NAME = ...` does not change it.
    public func overrideParameter(name: String, value: Scalar) {
        overrides[name] = value
    }

    /// Names of every function, sorted, for completion and `.help`.
    public var functionNames: [String] { functions.names }

    /// Names of rule sets (for `.rules`), and the source text of one (for `.rules NAME`).
    public var ruleSetNames: [String] { ruleSets.keys.sorted() }
    public func ruleSetSource(_ name: String) -> String? { ruleSets[name]?.set.text }
    public func ruleSet(_ name: String) -> RuleSet? { ruleSets[name]?.set }

    /// `.tables`: one row per table or view with its kind, rows and columns.
    public func tablesListing() -> Table {
        var names: [Scalar] = [], kinds: [Scalar] = [], rows: [Scalar] = [], cols: [Scalar] = []
        for name in tableNames {
            names.append(.string(name))
            if let t = tables[name] {
                kinds.append(.string("table")); rows.append(.int(Int64(t.table.rowCount))); cols.append(.int(Int64(t.table.columnCount)))
            } else {
                kinds.append(.string("view"))
                let t = try? evaluateView(name, parameters: currentParameters)
                rows.append(t.map { .int(Int64($0.rowCount)) } ?? .null)
                cols.append(t.map { .int(Int64($0.columnCount)) } ?? .null)
            }
        }
        // Tables of attached databases: rows are not counted (that would be a query each).
        for name in remoteTableNames() {
            guard let (alias, remote) = remoteName(name) else { continue }
            names.append(.string(name)); kinds.append(.string("\(attachments[alias]?.database.engineName ?? alias) table"))
            rows.append(.null)
            let columns = try? remoteColumns(alias: alias, table: remote, span: Span(0, 0), file: SourceFile(name: ".tables", text: ""))
            cols.append(columns.map { .int(Int64($0.count)) } ?? .null)
        }
        return Table(uncheckedNames: ["name", "kind", "rows", "columns"],
                     columns: [Column.from(names, type: .string), Column.from(kinds, type: .string),
                               Column.from(rows, type: .int), Column.from(cols, type: .int)],
                     rowCount: names.count)
    }

    /// `.schema T`: one row per column with its name, type and null count; nil when T is unknown.
    public func schema(of name: String) -> Table? {
        let table: Table?
        if let t = tables[name] { table = t.table }
        else if let n = resultNumber(name) { table = results[n] }
        else if views[name] != nil { table = try? evaluateView(name, parameters: currentParameters) }
        else if let (alias, remote) = remoteName(name),
                let columns = try? remoteColumns(alias: alias, table: remote, span: Span(0, 0), file: SourceFile(name: ".schema", text: "")) {
            return Table(uncheckedNames: ["column", "type", "engine type"],
                         columns: [Column.from(columns.map { .string($0.name) }, type: .string),
                                   Column.from(columns.map { .string($0.type.rawValue) }, type: .string),
                                   Column.from(columns.map { .string($0.engineType) }, type: .string)],
                         rowCount: columns.count)
        }
        else { table = nil }
        guard let t = table else { return nil }
        return Table(uncheckedNames: ["column", "type", "nulls"],
                     columns: [Column.from(t.names.map { .string($0) }, type: .string),
                               Column.from(t.columns.map { .string($0.type.rawValue) }, type: .string),
                               Column.from(t.columns.map { .int(Int64($0.nullCount)) }, type: .int)],
                     rowCount: t.columnCount)
    }

    /// The last numbered result (for `.last`).
    public var lastResultTable: Table? { lastResult.flatMap { results[$0] } }

    func resultNumber(_ name: String) -> Int? {
        if name == "_" { return lastResult }
        guard name.hasPrefix("_"), let n = Int(name.dropFirst()) else { return nil }
        return n
    }

    // MARK: Running

    /// Runs every statement of `source` in order. Parse errors are all reported (the
    /// statements are not run); otherwise execution stops at the first failing statement.
    /// Returns the diagnostics (empty on success).
    @discardableResult
    public func run(_ source: SourceFile, emit: (ResultItem) -> Void) -> [Diagnostic] {
        let (statements, diagnostics) = Parser.parse(source)
        if !diagnostics.isEmpty { return diagnostics }
        for statement in statements {
            if let d = execute(statement, in: source, emit: emit) { return [d] }
        }
        return []
    }

    /// Runs one parsed statement; returns its diagnostic when it fails. A failed statement
    /// leaves every table, view and result as it was.
    public func execute(_ statement: Statement, in file: SourceFile, emit: (ResultItem) -> Void) -> Diagnostic? {
        do {
            try executeStatement(statement, file: file, emit: emit)
            return nil
        } catch let d as Diagnostic {
            return d.with(source: file)
        } catch ColumnarError.cancelled {
            return Diagnostic.interrupted(at: statement.span, in: file)
        } catch let e as ColumnarError {
            return Diagnostic(e.description, at: statement.span, in: file)
        } catch {
            return Diagnostic("\(error)", at: statement.span, in: file)
        }
    }

    func bumpVersion() -> Int { versionCounter += 1; return versionCounter }

    /// Stores a numbered result and returns its number.
    func record(_ table: Table) -> Int {
        let n = nextResultNumber
        nextResultNumber += 1
        results[n] = table
        lastResult = n
        // Keep memory bounded: old numbered results beyond the last 50 are dropped.
        if let old = results.keys.min(), results.count > 50 { results[old] = nil }
        return n
    }

    /// Registers a table under a name (used by `load` and by tests).
    public func setTable(_ name: String, _ table: Table, sourcePath: String? = nil) {
        views[name] = nil
        tables[name] = StoredTable(table: table, sourcePath: sourcePath, version: bumpVersion())
    }

    public func table(named name: String) -> Table? { tables[name]?.table }
}
