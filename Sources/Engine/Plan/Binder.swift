import Columnar
import Diagnostics
import Language

/// Turns a parsed pipeline into a `LogicalPlan`: resolves its source (table, view, result,
/// file, remote table) and binds each step through the operator registry, so that unknown
/// columns, type errors and wrong operator arguments are reported with their span before any
/// step runs.
public struct Binder {
    public let session: Session
    public let file: SourceFile
    public let parameters: [String: Scalar]
    /// How many views and nested pipelines deep this binder is (bounded: a chain of views
    /// deeper than `maxDepth` is an error, not a stack overflow).
    let depth: Int
    static let maxDepth = 500

    public init(session: Session, file: SourceFile, parameters: [String: Scalar], depth: Int = 0) {
        self.session = session; self.file = file; self.parameters = parameters; self.depth = depth
    }

    /// A scratch context for learning output schemas (notes and reports made while binding
    /// are dropped).
    public func context() -> StepContext { StepContext(session: session, file: file, parameters: parameters) }

    public func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }

    /// Binds a whole pipeline.
    public func bind(_ pipeline: Pipeline) throws -> LogicalPlan {
        guard depth < Binder.maxDepth else {
            throw error("views and nested pipelines are nested more than \(Binder.maxDepth) deep here", pipeline.source.span,
                        hints: ["build the chain from fewer views"])
        }
        let (source, schema) = try bindSource(pipeline.source)
        var steps = pipeline.steps[...]
        if case .whatIf = pipeline.source.kind {
            guard let first = steps.first, case .moved = first.kind else {
                throw error("a what-if is piped on through 'moved': whatif ... | moved | ...", steps.first?.span ?? pipeline.span)
            }
            steps = steps.dropFirst()
        }
        var plan = LogicalPlan(source: source, sourceSchema: schema, steps: [], pipeline: pipeline)
        var current = schema
        for step in steps {
            let op = try bindStep(step, current)
            current = try op.outputSchema(current, context())
            plan.steps.append(PlanStep(op: op, schema: current))
        }
        return plan
    }

    /// Binds one step against its input schema.
    public func bindStep(_ step: Step, _ input: Schema) throws -> PlanOperator {
        guard let definition = session.operators.definition(step.name) else {
            let suggestion = closestMatch(to: step.name, in: session.operators.keywords).map { " (did you mean '\($0)'?)" } ?? ""
            throw error("unknown pipeline operator '\(step.name)'\(suggestion)", step.span, hints: ["operators: " + session.operators.keywords.joined(separator: ", ")])
        }
        return try definition.bind(step, input, self)
    }

    /// A binder one level deeper (for views and nested pipelines), with the view's own file.
    func nested(file: SourceFile? = nil) -> Binder {
        Binder(session: session, file: file ?? self.file, parameters: parameters, depth: depth + 1)
    }

    /// Resolves where a pipeline starts and its schema.
    public func bindSource(_ source: Source) throws -> (PlanSource, Schema) {
        switch source.kind {
        case .table(let name):
            if let t = session.tables[name] {
                if let (alias, remote) = t.placement, session.attachments[alias] != nil {
                    return (.remote(alias: alias, table: remote), Schema(t.table))
                }
                return (.table(name), Schema(t.table))
            }
            if session.views[name] != nil {
                let plan = try session.viewPlan(name, parameters: parameters, binder: self)
                return (.view(name, plan), plan.schema)
            }
            if let n = session.resultNumber(name) {
                guard let t = session.results[n] else {
                    throw error(name == "_" ? "there is no result yet ('_' names the last result)" : "no result \(name)", source.span,
                                hints: session.results.isEmpty ? [] : ["kept results: " + session.results.keys.sorted().map { "_\($0)" }.joined(separator: ", ")])
                }
                return (.result(n), Schema(t))
            }
            if let (alias, remote) = session.remoteName(name) {
                let columns = try session.remoteColumns(alias: alias, table: remote, span: source.span, file: file)
                let visible = columns.filter { $0.name != SQLCompiler.orderColumn }
                return (.remote(alias: alias, table: remote), Schema(visible.map { ($0.name, $0.type) }))
            }
            let suggestion = closestMatch(to: name, in: session.tableNames).map { " (did you mean '\($0)'?)" } ?? ""
            throw error("unknown table '\(name)'\(suggestion)", source.span,
                        hints: session.tableNames.isEmpty ? ["load one first: load NAME from \"file.csv\""] : ["tables and views: " + session.tableNames.joined(separator: ", ")])
        case .nested(let pipeline):
            let plan = try nested().bind(pipeline)
            return (.nested(plan), plan.schema)
        case .file, .whatIf:
            let result = try session.evaluateSource(source, file: file, parameters: parameters)
            return (.materialized(result.table, notes: result.notes), Schema(result.table))
        }
    }
}

extension Session {
    /// For completion: the columns in scope at the end of a pipeline being typed, from
    /// binding its text up to the last `|` (so columns made by `derive`, `rfm` or `select`
    /// earlier in the same pipeline are offered). `let NAME =` and `export` in front are
    /// skipped. Nil when that text does not parse or bind.
    public func columnsInScope(ofPipelineText text: String) -> [String]? {
        var depth = 0
        var quote: Character?
        var lastPipe: String.Index?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote { if c == q { quote = nil } }
            else if c == "\"" || c == "'" || c == "`" { quote = c }
            else if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            else if c == "|" && depth == 0 { lastPipe = i }
            else if c == ";" && depth == 0 { lastPipe = nil }
            i = text.index(after: i)
        }
        guard let pipe = lastPipe else { return nil }
        var prefix = String(text[..<pipe]).trimmingCharacters(in: .whitespacesAndNewlines)
        if let semicolon = prefix.lastIndex(of: ";") { prefix = String(prefix[prefix.index(after: semicolon)...]) }
        if prefix.hasPrefix("let "), let eq = prefix.firstIndex(of: "=") { prefix = String(prefix[prefix.index(after: eq)...]) }
        if prefix.hasPrefix("export ") { prefix = String(prefix.dropFirst(7)) }
        let file = SourceFile(name: "<completion>", text: prefix)
        let (statements, diagnostics) = Parser.parse(file)
        guard diagnostics.isEmpty, statements.count == 1, case .pipeline(let pipeline) = statements[0].kind else { return nil }
        guard let plan = try? Binder(session: self, file: file, parameters: currentParameters).bind(pipeline) else { return nil }
        return plan.schema.names
    }
}
