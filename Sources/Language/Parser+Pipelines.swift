import Diagnostics

/// Pipelines: a source, then `| step` after `| step`, and the parts of steps.
extension Parser {
    mutating func pipeline() throws -> Pipeline {
        let src = try pipelineSource()
        let steps = try pipelineSteps()
        return Pipeline(source: src, steps: steps, span: src.span.to(steps.last?.span ?? src.span))
    }

    mutating func pipelineSource() throws -> Source {
        let start = current.span
        if isWord("from") {
            advance()
            let (path, ps) = try stringLiteral("a quoted file path after 'from'")
            let opts = try withOptions()
            return Source(.file(path, options: opts), start.to(opts.last?.span ?? ps))
        }
        if isSymbol("(") {
            // Nested pipelines share the expression nesting bound (the recursion is the same stack).
            if nesting >= Parser.maxNesting {
                throw fail(message: "pipeline nested too deeply (more than \(Parser.maxNesting) levels of parentheses)", at: current.span,
                           hints: ["name the inner pipeline with 'let NAME = ...' and start from NAME"])
            }
            nesting += 1
            defer { nesting -= 1 }
            advance()
            let inner = try pipeline()
            let end = current.span
            try expectSymbol(")", "')' to close the nested pipeline")
            return Source(.nested(inner), start.to(end))
        }
        if isWord("whatif") {
            let wi = try whatIf()
            return Source(.whatIf(wi), start.to(tokens[p - 1].span))
        }
        if case .identifier(let s) = current.kind {
            if !current.quoted, Keywords.operators.contains(s), s != "moved" {
                throw fail("a table name", hints: ["a pipeline starts with a table: 'customers | \(s) ...'"])
            }
            let t = try dottedName("a table name")
            return Source(.table(t.text), t.span)
        }
        throw fail("a table name or a statement")
    }

    /// `NAME` or `ALIAS.TABLE` or `ALIAS.SCHEMA.TABLE` (a table of an attached database).
    mutating func dottedName(_ what: String) throws -> Name {
        var n = try name(what)
        while isSymbol("."), p + 1 < tokens.count, case .identifier(let part) = tokens[p + 1].kind {
            _ = advance()
            let t = advance()
            n = Name(n.text + "." + part, n.span.to(t.span))
        }
        return n
    }

    mutating func pipelineSteps() throws -> [Step] {
        var steps: [Step] = []
        while acceptSymbol("|") { steps.append(try step()) }
        return steps
    }

    mutating func step() throws -> Step {
        let start = current.span
        guard case .identifier(let op) = current.kind, !current.quoted else {
            throw fail("a pipeline operator after '|'", hints: ["operators: " + Keywords.operators.joined(separator: ", ")])
        }
        advance()
        func done(_ k: StepKind) -> Step { Step(k, op, start.to(tokens[max(0, p - 1)].span)) }
        switch op {
        case "where": return done(.whereFilter(try expression()))
        case "derive": return done(.derive(try assignments(requireName: true)))
        case "select": return done(.select(try assignments(requireName: false)))
        case "drop": return done(.drop(try names()))
        case "rename":
            var pairs: [RenamePair] = []
            repeat {
                let new = try name("the new column name")
                try expectSymbol("=", "'=' in 'rename NEW = OLD'")
                pairs.append(RenamePair(new: new, old: try name("the old column name")))
            } while acceptSymbol(",")
            return done(.rename(pairs))
        case "sort": return done(.sort(try sortKeys(defaultDescending: false)))
        case "take": return done(.take(try intLiteral("a row count after 'take'")))
        case "top":
            let n = try intLiteral("a row count after 'top'")
            try expectWord("by", "'by EXPR' after 'top \(n)'")
            return done(.top(n, try sortKeys(defaultDescending: true)))
        case "summarize":
            var aggs: [Assignment] = []
            if !isWord("by") { aggs = try assignments(requireName: false) }
            var by: [Name] = []
            if acceptWord("by") { by = try names() }
            if aggs.isEmpty && by.isEmpty { throw fail("aggregates such as 'n = count()' or 'by COLUMN'") }
            return done(.summarize(aggs, by: by))
        case "join":
            var kind = JoinKind.inner
            if acceptWord("inner") { kind = .inner } else if acceptWord("left") { kind = .left } else if acceptWord("anti") { kind = .anti }
            let src = try pipelineSource()
            try expectWord("on", "'on COLUMN' after the joined table")
            let l = try name("a key column after 'on'")
            var r = l
            if acceptSymbol("==") || acceptSymbol("=") { r = try name("the right key column after '=='") }
            return done(.join(kind, table: src, leftKey: l, rightKey: r))
        case "distinct": return done(.distinct(atStepEnd ? [] : try names()))
        case "rfm": return done(.rfm(try assignments(requireName: true)))
        case "classify":
            let rules = try name("a rule set name after 'classify'")
            var asName: Name?
            if acceptWord("as") { asName = try name("a column name after 'as'") }
            return done(.classify(rules, as: asName))
        case "pareto":
            let e = try expression()
            var classes: [Double] = []
            if acceptWord("classes") {
                repeat {
                    switch current.kind {
                    case .double(let v): classes.append(v); advance()
                    case .int(let v): classes.append(Double(v)); advance()
                    default: throw fail("a share such as 0.8 after 'classes'")
                    }
                } while acceptSymbol(",")
            }
            return done(.pareto(e, classes: classes))
        case "chart":
            if acceptWord("bar") {
                let label = try expression()
                _ = acceptSymbol(",")
                let value = try expression()
                return done(.chartBar(label: label, value: value))
            }
            if acceptWord("hist") {
                let e = try expression()
                var bins = 10
                if acceptWord("bins") { bins = try intLiteral("a bin count after 'bins'") }
                return done(.chartHist(e, bins: bins))
            }
            throw fail("'bar' or 'hist' after 'chart'")
        case "moved": return done(.moved)
        case "collect": return done(.collect)
        case "export":
            throw fail(message: "'export' starts a statement, it is not a pipeline operator", at: start,
                       hints: ["write: export PIPELINE to \"PATH\", e.g. export orders | where amount > 0 to \"big.csv\""])
        case let word where Keywords.statements.contains(word):
            throw fail(message: "'\(word)' starts a statement, it is not a pipeline operator", at: start,
                       hints: ["operators: " + Keywords.operators.joined(separator: ", ")])
        case _ where isNamedArgumentList:
            // `NAME key=EXPR, ...`: an operator registered outside the parser (clv, clv_fit);
            // the binder says whether it exists.
            return done(.operatorCall(try assignments(requireName: true)))
        default:
            let hint = closestMatch(to: op, in: Keywords.operators).map { "did you mean '\($0)'?" }
            throw fail(message: "unknown pipeline operator '\(op)'", at: start,
                       hints: (hint.map { [$0] } ?? []) + ["operators: " + Keywords.operators.joined(separator: ", ")])
        }
    }

    /// Whether the tokens ahead are `key=...` (a named argument, not a comparison).
    var isNamedArgumentList: Bool {
        guard case .identifier = current.kind, p + 1 < tokens.count else { return false }
        return isSymbol("=", tokens[p + 1])
    }

    var atStepEnd: Bool { atStatementEnd || isSymbol("|") || isSymbol(")") || isWord("to") }

    mutating func names() throws -> [Name] {
        var out: [Name] = []
        repeat { out.append(try name("a column name")) } while acceptSymbol(",")
        return out
    }

    mutating func sortKeys(defaultDescending: Bool) throws -> [SortKey] {
        var out: [SortKey] = []
        repeat {
            let e = try expression()
            var desc = defaultDescending
            if acceptWord("desc") { desc = true } else if acceptWord("asc") { desc = false }
            out.append(SortKey(e, descending: desc))
        } while acceptSymbol(",")
        return out
    }

    /// `name = expr, ...`; with `requireName == false` a bare expression is named after a
    /// column it references directly, or after its own text.
    mutating func assignments(requireName: Bool) throws -> [Assignment] {
        var out: [Assignment] = []
        repeat {
            if case .identifier(let s) = current.kind, isSymbol("=", next) {
                let t = advance()
                advance()
                out.append(Assignment(Name(s, t.span), try expression()))
            } else if requireName {
                if case .identifier = current.kind {
                    advance()
                    throw fail("'=' after the new column name", hints: ["write NAME = EXPRESSION"])
                }
                throw fail("NAME = EXPRESSION")
            } else {
                let e = try expression()
                let n: String
                if case .column(let c) = e.kind { n = c } else { n = file.slice(e.span) }
                out.append(Assignment(Name(n, e.span), e))
            }
        } while acceptSymbol(",")
        return out
    }
}
