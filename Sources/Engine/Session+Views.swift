import Columnar
import Diagnostics
import IO
import Language

/// Views, their dependencies and their cache. A view's result is cached under a
/// fingerprint of everything it depends on (table versions, rule set versions, parameter
/// values), so changing `$s_recency` recomputes exactly the views that use it, and a
/// what-if with other parameter values reuses every view (and every leading run of steps)
/// that does not.
extension Session {
    /// Evaluates a pipeline with the given parameter values: binds it into a plan (so a
    /// mistake in any step is reported before the first step runs), then executes the plan.
    public func evaluate(_ pipeline: Pipeline, file: SourceFile, parameters: [String: Scalar]) throws -> PipelineResult {
        let plan = try Binder(session: self, file: file, parameters: parameters).bind(pipeline)
        return try execute(plan, file: file, parameters: parameters)
    }

    /// Executes a bound plan: the part that runs in a database (up to a `collect`) as one SQL
    /// query there, the rest in memory.
    public func execute(_ plan: LogicalPlan, file: SourceFile, parameters: [String: Scalar]) throws -> PipelineResult {
        let context = StepContext(session: self, file: file, parameters: parameters)
        var result: PipelineResult
        var start = 0
        if case .database(let alias) = plan.sourceLocation {
            start = plan.remotePrefixCount
            result = try runRemote(plan, steps: plan.loweredStepCount, alias: alias, file: file, parameters: parameters)
            if let split = plan.splitStep {
                result.table = try split.finish(result.table, context)
                start += 1
            }
        } else {
            result = try sourceResult(plan.source, file: file, parameters: parameters)
        }
        result.table = try run(plan.steps[start...], on: result.table, context)
        result.notes += context.notes
        result.reports += context.reports
        result.charts += context.charts
        return result
    }

    /// Runs bound steps in memory.
    func run(_ steps: ArraySlice<PlanStep>, on input: Table, _ context: StepContext) throws -> Table {
        var table = input
        for step in steps {
            try Cancellation.check()
            table = try step.op.execute(table, context)
        }
        return table
    }

    /// The rows of a plan's source, in memory.
    func sourceResult(_ source: PlanSource, file: SourceFile, parameters: [String: Scalar]) throws -> PipelineResult {
        switch source {
        case .table(let name):
            guard let t = tables[name] else { throw Diagnostic("table '\(name)' is gone", severity: .error) }
            return PipelineResult(table: t.table)
        case .view(let name, _):
            return PipelineResult(table: try evaluateView(name, parameters: parameters))
        case .result(let n):
            guard let t = results[n] else { throw Diagnostic("no result _\(n)", severity: .error) }
            return PipelineResult(table: t)
        case .materialized(let t, let notes):
            var r = PipelineResult(table: t)
            r.notes = notes
            return r
        case .nested(let plan):
            return try execute(plan, file: file, parameters: parameters)
        case .remote(let alias, _):
            // A remote table read whole (only reached through a plan that runs here).
            return try runRemote(LogicalPlan(source: source, sourceSchema: Schema(names: [], types: []), steps: [],
                                             pipeline: Pipeline(source: Source(.table(alias), Span(0, 0)), steps: [], span: Span(0, 0))),
                                 steps: 0, alias: alias, file: file, parameters: parameters)
        }
    }

    /// A view's bound plan for the given parameter values.
    func viewPlan(_ name: String, parameters: [String: Scalar], binder: Binder) throws -> LogicalPlan {
        guard let view = views[name] else { throw Diagnostic("unknown view '\(name)'", severity: .error) }
        switch view.pipeline.source.kind {
        case .file, .whatIf:
            // Its source can only be known by reading it: the view's (cached) result stands in.
            let table = try evaluateView(name, parameters: parameters)
            return LogicalPlan(source: .materialized(table, notes: []), sourceSchema: Schema(table), steps: [],
                               pipeline: Pipeline(source: Source(.table(name), view.pipeline.span), steps: [], span: view.pipeline.span))
        case .table, .nested: break
        }
        // Bound once per state of what the view depends on, so a chain of views binds each
        // view once, not once per view above it.
        let fp = fingerprint(view.pipeline, parameters: parameters, visiting: [name])
        return try cachedPlan(of: name, view, fingerprint: fp, parameters: parameters, depth: binder.depth + 1)
    }

    /// A view's plan from its cache when nothing it depends on changed, else bound now.
    private func cachedPlan(of name: String, _ view: View, fingerprint fp: String, parameters: [String: Scalar], depth: Int) throws -> LogicalPlan {
        if let cached = view.planCache, cached.fingerprint == fp { return cached.plan }
        try bindChainBelow(view, parameters: parameters)
        let plan = try Binder(session: self, file: view.file, parameters: parameters, depth: depth).bind(view.pipeline)
        views[name]?.planCache = (fp, plan)
        return plan
    }

    /// The table a pipeline starts from.
    public func evaluateSource(_ source: Source, file: SourceFile, parameters: [String: Scalar]) throws -> PipelineResult {
        switch source.kind {
        case .table(let name):
            if let t = tables[name] { return PipelineResult(table: t.table) }
            if views[name] != nil { return PipelineResult(table: try evaluateView(name, parameters: parameters)) }
            if let n = resultNumber(name) {
                guard let t = results[n] else {
                    throw Diagnostic(name == "_" ? "there is no result yet ('_' names the last result)" : "no result \(name)",
                                     at: source.span, in: file,
                                     hints: results.isEmpty ? [] : ["kept results: " + results.keys.sorted().map { "_\($0)" }.joined(separator: ", ")])
                }
                return PipelineResult(table: t)
            }
            let suggestion = closestMatch(to: name, in: tableNames).map { " (did you mean '\($0)'?)" } ?? ""
            throw Diagnostic("unknown table '\(name)'\(suggestion)", at: source.span, in: file,
                             hints: tableNames.isEmpty ? ["load one first: load NAME from \"file.csv\""] : ["tables and views: " + tableNames.joined(separator: ", ")])
        case .file(let path, let options):
            try checkReadable(path, source.span, file)
            let csvOptions: CSVOptions
            do { csvOptions = try CSVOptions(pairs: options.map { (key: $0.key.text, value: $0.value.scalar) }) } catch let d as Diagnostic {
                throw Diagnostic(d.message, at: options.first?.span ?? source.span, in: file, hints: d.hints)
            }
            let result = try DataFileReader.read(path: resolve(path), name: path, options: csvOptions)
            var out = PipelineResult(table: result.table)
            out.notes = result.warnings.map { "warning: \($0)" }
            return out
        case .nested(let pipeline):
            return try evaluate(pipeline, file: file, parameters: parameters)
        case .whatIf(let w):
            guard let handler = whatIfHandler else { throw Diagnostic("whatif is not available in this build", at: source.span, in: file) }
            let outcome = try handler(w, source.span, StepContext(session: self, file: file, parameters: parameters))
            return PipelineResult(table: try outcome.moved())
        }
    }

    /// A view's table for the given parameter values, from the cache when nothing it depends
    /// on has changed.
    public func evaluateView(_ name: String, parameters: [String: Scalar]) throws -> Table {
        guard let view = views[name] else {
            throw Diagnostic("unknown view '\(name)'", severity: .error)
        }
        let fp = fingerprint(view.pipeline, parameters: parameters, visiting: [name])
        if let i = view.cache.firstIndex(where: { $0.fingerprint == fp }) {
            // Least recently used goes first: the result with the parameters in force stays
            // cached through any number of what-ifs.
            let hit = view.cache[i]
            if i > 0 { views[name]?.cache.remove(at: i); views[name]?.cache.insert(hit, at: 0) }
            return hit.table
        }
        viewEvaluations += 1
        viewChain.evaluating += 1
        defer { viewChain.evaluating -= 1 }
        if viewChain.evaluating > ViewChain.maxDepth {
            throw Diagnostic("view '\(name)' stands on more than \(ViewChain.maxDepth) views in a chain", at: view.pipeline.source.span, in: view.file,
                             hints: ["build the chain in fewer, larger steps"])
        }
        let context = StepContext(session: self, file: view.file, parameters: parameters)
        // Steps are run in segments split where a step uses a parameter that no earlier step
        // uses; the table before each split depends only on the parameters used before it and
        // is kept. A what-if that changes a threshold of a late step (classify) restarts from
        // the last kept table whose parameters did not change: the rfm over the orders, the
        // join and the scores before it are not redone.
        let steps = view.pipeline.steps
        var splits: [Int] = []
        var used = Set<String>()
        for (i, step) in steps.enumerated() {
            let p = referencedParameters(of: step)
            if i > 0 && !p.isSubset(of: used) { splits.append(i) }
            used.formUnion(p)
        }
        func prefixFingerprint(_ i: Int) -> String {
            fingerprint(Pipeline(source: view.pipeline.source, steps: Array(steps.prefix(i)), span: view.pipeline.span),
                        parameters: parameters, visiting: [name])
        }
        let plan = try cachedPlan(of: name, view, fingerprint: fp, parameters: parameters, depth: 0)
        if plan.location != .memory || plan.sourceLocation != .memory || plan.steps.count != steps.count {
            // Over a database: the part up to a `collect` runs there as one query.
            let table = try execute(plan, file: view.file, parameters: parameters).table
            var cache = views[name]?.cache ?? []
            cache.insert((fp, table), at: 0)
            if cache.count > 4 { cache.removeLast() }
            views[name]?.cache = cache
            return table
        }
        var table: Table
        var start = 0
        var prints: [Int: String] = [:]
        for i in splits { prints[i] = prefixFingerprint(i) }
        if let i = splits.last(where: { view.prefixCache[$0]?.fingerprint == prints[$0] }), let hit = view.prefixCache[i] {
            table = hit.table
            start = i
        } else {
            try evaluateChainBelow(view, parameters: parameters)
            table = try sourceResult(plan.source, file: view.file, parameters: parameters).table
        }
        for end in splits.filter({ $0 > start }) + [steps.count] {
            table = try run(plan.steps[start..<end], on: table, context)
            if end < steps.count, let fp = prints[end] { views[name]?.prefixCache[end] = (fp, table) }
            start = end
        }
        var cache = views[name]?.cache ?? []
        cache.insert((fp, table), at: 0)
        if cache.count > 4 { cache.removeLast() }
        views[name]?.cache = cache
        return table
    }

    /// Evaluates the views under `view` that are not cached (its source, the source's
    /// source ...) from the bottom up, so each finds the one below it cached and the
    /// recursion stays one level deep however long the chain; a chain of more than
    /// `ViewChain.maxDepth` views to compute is an error. Nothing is walked when the source
    /// is cached (defining view n + 1 on view n).
    /// Binds the views a view stands on, bottom-up, before the view itself: binding a chain
    /// of views top-down would recurse as deep as the chain. Past `ViewChain.maxDepth`
    /// unbound views in a chain it is an error.
    func bindChainBelow(_ view: View, parameters: [String: Scalar]) throws {
        var chain: [(name: String, fingerprint: String)] = []
        var source = view.pipeline.source
        while case .table(let n) = source.kind, tables[n] == nil, n != view.name, let below = views[n] {
            let fp = fingerprint(below.pipeline, parameters: parameters, visiting: [n])
            if let cached = below.planCache, cached.fingerprint == fp { break }
            chain.append((n, fp))
            if chain.count > ViewChain.maxDepth {
                throw Diagnostic("view '\(view.name)' stands on more than \(ViewChain.maxDepth) views in a chain", at: view.pipeline.source.span,
                                 in: view.file, hints: ["build the chain in fewer, larger steps"])
            }
            source = below.pipeline.source
        }
        for (n, fp) in chain.reversed() {
            guard let v = views[n] else { continue }
            if let cached = v.planCache, cached.fingerprint == fp { continue }
            let plan = try Binder(session: self, file: v.file, parameters: parameters, depth: 1).bind(v.pipeline)
            views[n]?.planCache = (fp, plan)
        }
    }

    func evaluateChainBelow(_ view: View, parameters: [String: Scalar]) throws {
        func uncachedView(_ source: Source) -> View? {
            guard case .table(let n) = source.kind, tables[n] == nil, n != view.name, let v = views[n] else { return nil }
            let fp = fingerprint(v.pipeline, parameters: parameters, visiting: [n])
            return v.cache.contains(where: { $0.fingerprint == fp }) ? nil : v
        }
        var chain: [String] = []
        var source = view.pipeline.source
        while let below = uncachedView(source) {
            chain.append(below.name)
            if chain.count > ViewChain.maxDepth {
                throw Diagnostic("view '\(view.name)' stands on more than \(ViewChain.maxDepth) views in a chain", at: view.pipeline.source.span,
                                 in: view.file, hints: ["build the chain in fewer, larger steps"])
            }
            source = below.pipeline.source
        }
        for n in chain.dropFirst().reversed() { _ = try evaluateView(n, parameters: parameters) }
    }

    /// Everything a pipeline's result depends on, as one comparable string.
    func fingerprint(_ pipeline: Pipeline, parameters: [String: Scalar], visiting: Set<String>) -> String {
        var memo: [String: String] = [:]
        var visiting = visiting
        return fingerprint(pipeline, parameters: parameters, visiting: &visiting, memo: &memo)
    }

    /// `memo` holds the fingerprint numbers of the views met so far in this walk, so a view
    /// read many times (joins of joins) is fingerprinted once; a read view stands in by its
    /// number, so the text does not grow with the chain.
    private func fingerprint(_ pipeline: Pipeline, parameters: [String: Scalar], visiting: inout Set<String>,
                             memo: inout [String: String]) -> String {
        var parts: [String] = []
        func source(_ s: Source) {
            switch s.kind {
            case .table(let n):
                if let t = tables[n] { parts.append("t:\(n)=\(t.version)") }
                else if let v = views[n], !visiting.contains(n) {
                    if memo[n] == nil {
                        // Past the depth bound evaluation refuses the view; the text just stops.
                        if visiting.count > ViewChain.maxDepth {
                            memo[n] = "deep"
                        } else if let known = viewChain.knownNumber(of: n, version: (versionCounter, nextResultNumber), parameters: parameters) {
                            memo[n] = "#\(known)"
                        } else {
                            visiting.insert(n)
                            let number = viewChain.number(of: fingerprint(v.pipeline, parameters: parameters, visiting: &visiting, memo: &memo))
                            visiting.remove(n)
                            viewChain.remember(number, of: n, version: (versionCounter, nextResultNumber), parameters: parameters)
                            memo[n] = "#\(number)"
                        }
                    }
                    parts.append("v:\(n)=\(memo[n] ?? "")")
                } else if let r = resultNumber(n) { parts.append("r:\(r)") }
                else { parts.append("?:\(n)") }
            case .file(let p, _): parts.append("f:\(p)@\(versionCounter)")
            case .whatIf: parts.append("w@\(versionCounter)")
            case .nested(let p): parts.append("(\(fingerprint(p, parameters: parameters, visiting: &visiting, memo: &memo)))")
            }
        }
        source(pipeline.source)
        for step in pipeline.steps {
            if case .join(_, let s, _, _) = step.kind { source(s) }
            if case .classify(let r, _) = step.kind { parts.append("rules:\(r.text)=\(ruleSets[r.text]?.version ?? -1)") }
        }
        for p in referencedParameters(of: pipeline).sorted() {
            parts.append("p:\(p)=\(parameters[p].map { "\($0)|\($0.type?.rawValue ?? "null")" } ?? "unset")")
        }
        return parts.joined(separator: ";")
    }

    /// Parameters a pipeline uses directly or through its rule sets (not through the views it
    /// reads: those are fingerprinted on their own).
    func referencedParameters(of pipeline: Pipeline) -> Set<String> {
        var out = Set<String>()
        for s in pipeline.steps { out.formUnion(referencedParameters(of: s)) }
        return out
    }

    func referencedParameters(of step: Step) -> Set<String> {
        var out = Set<String>()
        for e in step.kind.expressions { e.collectParameters(into: &out) }
        if case .classify(let r, _) = step.kind, let set = ruleSets[r.text]?.set {
            for rule in set.rules {
                rule.label.collectParameters(into: &out)
                rule.condition?.collectParameters(into: &out)
            }
        }
        if case .join(_, let s, _, _) = step.kind {
            if case .table(let n) = s.kind, let v = views[n] { out.formUnion(referencedParameters(of: v.pipeline)) }
            if case .nested(let p) = s.kind { out.formUnion(referencedParameters(of: p)) }
        }
        return out
    }

    /// Whether a pipeline reads a view (directly or through other views). Each view is
    /// visited once, so the walk is linear in the views however they share each other.
    func dependsOn(_ pipeline: Pipeline, view: String) -> Bool {
        var seen = Set<String>()
        return dependsOn(pipeline, view: view, seen: &seen)
    }

    private func dependsOn(_ pipeline: Pipeline, view: String, seen: inout Set<String>) -> Bool {
        var sources = [pipeline.source]
        for s in pipeline.steps { if case .join(_, let src, _, _) = s.kind { sources.append(src) } }
        for s in sources {
            if case .nested(let inner) = s.kind, dependsOn(inner, view: view, seen: &seen) { return true }
            guard case .table(let n) = s.kind else { continue }
            if n == view { return true }
            if let v = views[n], seen.insert(n).inserted, dependsOn(v.pipeline, view: view, seen: &seen) { return true }
        }
        return false
    }

    /// All parameters a view depends on, through every view and rule set it uses.
    public func parametersUsed(byView name: String) -> Set<String> {
        var out = Set<String>()
        var seen = Set<String>()
        func visit(_ n: String) {
            guard !seen.contains(n), let v = views[n] else { return }
            seen.insert(n)
            out.formUnion(referencedParameters(of: v.pipeline))
            if case .table(let s) = v.pipeline.source.kind { visit(s) }
            for step in v.pipeline.steps { if case .join(_, let src, _, _) = step.kind, case .table(let s) = src.kind { visit(s) } }
        }
        visit(name)
        return out
    }

    public func isView(_ name: String) -> Bool { views[name] != nil }
}

extension StepKind {
    /// The expressions directly inside an operator.
    var expressions: [Expr] {
        switch self {
        case .whereFilter(let e): return [e]
        case .derive(let a), .select(let a), .rfm(let a), .operatorCall(let a): return a.map { $0.value }
        case .summarize(let a, _): return a.map { $0.value }
        case .sort(let k), .top(_, let k): return k.map { $0.expr }
        case .pareto(let e, _): return [e]
        case .chartBar(let l, let v): return [l, v]
        case .chartHist(let e, _): return [e]
        case .drop, .rename, .take, .join, .distinct, .classify, .moved, .collect: return []
        }
    }
}

extension Expr {
    func collectParameters(into out: inout Set<String>) {
        switch kind {
        case .parameter(let p): out.insert(p)
        case .literal, .column: break
        case .unary(_, let x): x.collectParameters(into: &out)
        case .binary(_, let a, let b): a.collectParameters(into: &out); b.collectParameters(into: &out)
        case .call(_, let args, _): for a in args { a.collectParameters(into: &out) }
        case .inList(let x, let items, _): x.collectParameters(into: &out); for i in items { i.collectParameters(into: &out) }
        case .between(let x, let a, let b, _): for e in [x, a, b] { e.collectParameters(into: &out) }
        case .like(let x, let p, _): x.collectParameters(into: &out); p.collectParameters(into: &out)
        case .caseWhen(let arms, let otherwise):
            for arm in arms { arm.condition.collectParameters(into: &out); arm.value.collectParameters(into: &out) }
            otherwise?.collectParameters(into: &out)
        }
    }
}
