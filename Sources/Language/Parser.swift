import Diagnostics

/// Recursive-descent parser for statements and pipelines, with a precedence-climbing
/// expression parser. On an error it records a diagnostic and skips to the next statement,
/// so one mistake does not hide the next.
public struct Parser {
    let file: SourceFile
    var tokens: [Token]
    var p = 0
    public private(set) var diagnostics: [Diagnostic] = []

    struct Failure: Error {}

    public init(_ source: SourceFile) {
        self.file = source
        let lexed = Lexer.tokenize(source)
        self.tokens = lexed.tokens
        self.diagnostics = lexed.diagnostics
    }

    /// Parses every statement of the source. When `diagnostics` is non-empty the statements
    /// must not be run.
    public static func parse(_ source: SourceFile) -> (statements: [Statement], diagnostics: [Diagnostic]) {
        var parser = Parser(source)
        let statements = parser.parseProgram()
        return (statements, parser.diagnostics)
    }

    /// Parses one expression (for `--param` values and tests).
    public static func parseExpression(_ source: SourceFile) -> (Expr?, [Diagnostic]) {
        var parser = Parser(source)
        guard parser.diagnostics.isEmpty else { return (nil, parser.diagnostics) }
        let e = try? parser.expression()
        if e != nil, !parser.atStatementEnd { parser.fail("end of expression") }
        return (parser.diagnostics.isEmpty ? e : nil, parser.diagnostics)
    }

    // MARK: - Token helpers

    var current: Token { tokens[min(p, tokens.count - 1)] }
    var next: Token { tokens[min(p + 1, tokens.count - 1)] }

    var atStatementEnd: Bool {
        switch current.kind { case .newline, .eof: return true; default: return false }
    }

    func isWord(_ w: String, _ t: Token? = nil) -> Bool {
        let t = t ?? current
        if case .identifier(let s) = t.kind, !t.quoted { return s == w }
        return false
    }

    func isSymbol(_ s: String, _ t: Token? = nil) -> Bool {
        if case .symbol(let x) = (t ?? current).kind { return x == s }
        return false
    }

    /// The text of an operator token that needs an operand after it (`>`, `+`, `and`,
    /// `not`, `between`, ...), nil for any other token.
    static func operatorText(_ t: Token) -> String? {
        switch t.kind {
        case .symbol(let s) where ["==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "=", "=>"].contains(s):
            return s
        case .identifier(let w) where ["and", "or", "not", "between", "like", "in"].contains(w):
            return w
        default:
            return nil
        }
    }

    @discardableResult
    mutating func advance() -> Token {
        let t = current
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    mutating func acceptWord(_ w: String) -> Bool {
        if isWord(w) { advance(); return true }
        return false
    }

    mutating func acceptSymbol(_ s: String) -> Bool {
        if isSymbol(s) { advance(); return true }
        return false
    }

    @discardableResult
    mutating func fail(_ expected: String, hints: [String] = []) -> Never_ {
        diagnostics.append(Diagnostic("expected \(expected), but found \(current.describedForError)",
                                      at: current.span, in: file, hints: hints))
        return Never_()
    }

    mutating func fail(message: String, at span: Span, hints: [String] = []) -> Never_ {
        diagnostics.append(Diagnostic(message, at: span, in: file, hints: hints))
        return Never_()
    }

    /// A marker returned by `fail` so call sites read `throw fail(...)`.
    struct Never_: Error {}

    mutating func expectWord(_ w: String, _ what: String? = nil) throws {
        if !acceptWord(w) { throw fail(what ?? "'\(w)'") }
    }

    mutating func expectSymbol(_ s: String, _ what: String? = nil) throws {
        if !acceptSymbol(s) { throw fail(what ?? "'\(s)'") }
    }

    mutating func name(_ what: String = "a name") throws -> Name {
        if case .identifier(let s) = current.kind {
            let t = advance()
            return Name(s, t.span)
        }
        throw fail(what)
    }

    mutating func stringLiteral(_ what: String) throws -> (String, Span) {
        if case .string(let s) = current.kind {
            let t = advance()
            return (s, t.span)
        }
        throw fail(what)
    }

    mutating func intLiteral(_ what: String) throws -> Int {
        if case .int(let v) = current.kind {
            advance()
            return Int(v)
        }
        throw fail(what)
    }

    // MARK: - Statements

    mutating func parseProgram() -> [Statement] {
        var out: [Statement] = []
        while true {
            while case .newline = current.kind { advance() }
            if case .eof = current.kind { break }
            let before = diagnostics.count
            do {
                let s = try statement()
                if !atStatementEnd { throw fail("end of statement", hints: hintForTrailing()) }
                out.append(s)
            } catch {
                if diagnostics.count == before { _ = fail("a statement") }
                // Resynchronise at the next statement boundary.
                while !atStatementEnd { advance() }
            }
        }
        return out
    }

    func hintForTrailing() -> [String] {
        if case .identifier(let w) = current.kind, Keywords.operators.contains(w) {
            return ["pipeline operators are joined with '|': write '| \(w) ...'"]
        }
        return []
    }

    mutating func statement() throws -> Statement {
        let start = current.span
        if case .identifier(let w) = current.kind, !current.quoted {
            switch w {
            case "load": return try loadStatement()
            case "let":
                advance()
                let n = try name("a view name after 'let'")
                try expectSymbol("=", "'=' after the view name")
                let pl = try pipeline()
                return Statement(.letView(n, pl), start.to(pl.span))
            case "param":
                advance()
                let n = try name("a parameter name after 'param'")
                try expectSymbol("=", "'=' after the parameter name")
                let e = try expression()
                return Statement(.param(n, e), start.to(e.span))
            case "rules": return try rulesStatement()
            case "export":
                advance()
                let pl = try pipeline()
                try expectWord("to", "'to \"PATH\"' after the pipeline to export")
                if case .identifier = current.kind {
                    let table = try dottedName("a database table such as crm.customer_tiers after 'to'")
                    let replace = acceptWord("replace")
                    return Statement(.exportRemote(pl, table: table, replace: replace), start.to(tokens[p - 1].span))
                }
                let (path, ps) = try stringLiteral("a quoted file path after 'to'")
                return Statement(.export(pl, path: path, pathSpan: ps), start.to(ps))
            case "attach":
                advance()
                let (url, us) = try stringLiteral("a quoted URL after 'attach', such as \"postgresql://user@host/db\"")
                try expectWord("as", "'as NAME' after the URL")
                let alias = try name("a name for the database after 'as'")
                return Statement(.attach(url: url, urlSpan: us, alias: alias), start.to(alias.span))
            case "detach":
                advance()
                let alias = try name("the name of an attached database after 'detach'")
                return Statement(.detach(alias), start.to(alias.span))
            case "explain":
                advance()
                let pl = try pipeline()
                return Statement(.explain(pl), start.to(pl.span))
            case "profile":
                advance()
                let t = try name("a table name after 'profile'")
                var key: Name?
                if acceptWord("key") { key = try name("a key column after 'key'") }
                return Statement(.profile(t, key: key), start.to(key?.span ?? t.span))
            case "whatif":
                let wi = try whatIf()
                if isSymbol("|") {
                    let src = Source(.whatIf(wi), start.to(tokens[p - 1].span))
                    let steps = try pipelineSteps()
                    let span = start.to(steps.last?.span ?? src.span)
                    return Statement(.pipeline(Pipeline(source: src, steps: steps, span: span)), span)
                }
                return Statement(.whatIf(wi), start.to(tokens[p - 1].span))
            case "sweep":
                advance()
                let param = try parameterName()
                try expectWord("from", "'from' after the swept parameter")
                let a = try expression()
                try expectWord("to", "'to' in 'sweep P from A to B step S'")
                let b = try expression()
                try expectWord("step", "'step' in 'sweep P from A to B step S'")
                let s = try expression()
                try expectWord("on", "'on VIEW' after the sweep range")
                let v = try name("a view name after 'on'")
                try expectWord("by", "'by COLUMN' after the view")
                let by = try name("a class column after 'by'")
                var measure: Name?
                if acceptWord("measure") { measure = try name("a column after 'measure'") }
                return Statement(.sweep(parameter: param, from: a, to: b, step: s, view: v, by: by, measure: measure),
                                 start.to(tokens[p - 1].span))
            case "compare":
                advance()
                let old = try name("the old table after 'compare'")
                let new = try name("the new table after the old one")
                try expectWord("on", "'on KEY' after the two tables")
                let key = try name("a key column after 'on'")
                try expectWord("by", "'by COLUMN' after the key")
                let by = try name("a class column after 'by'")
                return Statement(.compare(old: old, new: new, key: key, by: by), start.to(by.span))
            case "run":
                advance()
                let (path, ps) = try stringLiteral("a quoted script path after 'run'")
                return Statement(.run(path: path, pathSpan: ps), start.to(ps))
            default: break
            }
        }
        let pl = try pipeline()
        return Statement(.pipeline(pl), pl.span)
    }

    mutating func parameterName() throws -> Name {
        if case .parameter(let s) = current.kind {
            let t = advance()
            return Name(s, t.span)
        }
        return try name("a parameter name")
    }

    mutating func loadStatement() throws -> Statement {
        let start = advance().span
        var tableName: Name?
        if case .identifier = current.kind {
            tableName = try name()
            try expectWord("from", "'from \"PATH\"' after the table name")
        }
        if tableName != nil, case .identifier = current.kind {
            let table = try dottedName("a database table such as crm.orders after 'from'")
            return Statement(.loadRemote(name: tableName, table: table), start.to(table.span))
        }
        let (path, ps) = try stringLiteral(tableName == nil ? "a table name or a quoted path after 'load'" : "a quoted file path after 'from'")
        let options = try withOptions()
        return Statement(.load(name: tableName, path: path, pathSpan: ps, options: options),
                         start.to(options.last?.span ?? ps))
    }

    mutating func withOptions() throws -> [OptionPair] {
        guard acceptWord("with") else { return [] }
        var out: [OptionPair] = []
        repeat {
            let key = try name("an option name such as delimiter, header, encoding")
            try expectSymbol("=", "'=' after option '\(key.text)'")
            let e = try primary()
            guard case .literal(let lit) = e.kind else {
                throw fail(message: "option values must be literals", at: e.span)
            }
            out.append(OptionPair(key: key, value: lit, span: key.span.to(e.span)))
        } while acceptSymbol(",")
        return out
    }

    mutating func rulesStatement() throws -> Statement {
        let start = advance().span
        let n = try name("a rule set name after 'rules'")
        try expectSymbol("{", "'{' to open the rule set")
        var rules: [Rule] = []
        while !isSymbol("}") {
            if case .eof = current.kind { throw fail("'}' to close the rule set") }
            if case .newline = current.kind { advance(); continue }
            let label = try primary()
            guard case .literal = label.kind else {
                throw fail(message: "a rule starts with its class label, e.g. \"S\" when ...", at: label.span)
            }
            if acceptWord("otherwise") {
                rules.append(Rule(label: label, condition: nil, span: label.span.to(tokens[p - 1].span)))
            } else {
                try expectWord("when", "'when CONDITION' or 'otherwise' after the label")
                let cond = try expression()
                rules.append(Rule(label: label, condition: cond, span: label.span.to(cond.span)))
            }
            _ = acceptSymbol(",")
        }
        let end = advance().span
        guard let last = rules.last, last.condition == nil else {
            throw fail(message: "rule set '\(n.text)' must end with an 'otherwise' rule", at: end,
                       hints: ["add a last rule such as: \"C\" otherwise"])
        }
        if let bad = rules.dropLast().first(where: { $0.condition == nil }) {
            throw fail(message: "'otherwise' must be the last rule; rules after it can never match", at: bad.span)
        }
        return Statement(.rules(n, rules), start.to(end))
    }

    mutating func whatIf() throws -> WhatIf {
        advance()
        var assigns: [Assignment] = []
        repeat {
            let n = try parameterName()
            try expectSymbol("=", "'=' after parameter '\(n.text)'")
            assigns.append(Assignment(n, try expression()))
        } while acceptSymbol(",")
        try expectWord("on", "'on VIEW' after the parameter values")
        let view = try name("a view name after 'on'")
        try expectWord("by", "'by COLUMN' after the view")
        let by = try name("a class column after 'by'")
        var key: Name?, measure: Name?
        while true {
            if acceptWord("key") { key = try name("a key column after 'key'"); continue }
            if acceptWord("measure") { measure = try name("a column after 'measure'"); continue }
            break
        }
        return WhatIf(assignments: assigns, view: view, by: by, key: key, measure: measure)
    }

    // MARK: - Pipelines

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

    // MARK: - Expressions

    /// How deep expressions may nest (parentheses, function arguments, unary minus, `not`)
    /// and how many binary operators one expression may hold: the tree is evaluated (and
    /// freed) recursively, and a deeper one would overflow the stack instead of failing.
    static let maxNesting = 100
    static let maxOperators = 1_000
    var nesting = 0
    var operators = 0

    public mutating func expression() throws -> Expr {
        if nesting == 0 { operators = 0 }
        try enter()
        defer { nesting -= 1 }
        return try orExpr()
    }

    /// One more level of nesting, refused past `maxNesting`.
    mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw fail(message: "expression nested too deeply (more than \(Parser.maxNesting) levels)", at: current.span,
                       hints: ["split it with derive steps"])
        }
    }

    /// A binary node, refused past `maxOperators` in one expression.
    mutating func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr) throws -> Expr {
        operators += 1
        if operators > Parser.maxOperators {
            throw fail(message: "expression too long (more than \(Parser.maxOperators) operators)", at: r.span,
                       hints: ["split it with derive steps, or use 'in (...)' for a list of values"])
        }
        return Expr(.binary(op, l, r), l.span.to(r.span))
    }

    mutating func orExpr() throws -> Expr {
        var l = try andExpr()
        while acceptWord("or") {
            let r = try andExpr()
            l = try binary(.or, l, r)
        }
        return l
    }

    mutating func andExpr() throws -> Expr {
        var l = try notExpr()
        while acceptWord("and") {
            let r = try notExpr()
            l = try binary(.and, l, r)
        }
        return l
    }

    mutating func notExpr() throws -> Expr {
        if isWord("not") {
            let s = advance().span
            try enter()
            defer { nesting -= 1 }
            let e = try notExpr()
            return Expr(.unary(.not, e), s.to(e.span))
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let l = try additive()
        let ops: [(String, BinaryOp)] = [("==", .eq), ("!=", .ne), ("<=", .le), (">=", .ge), ("<", .lt), (">", .gt)]
        for (sym, op) in ops where isSymbol(sym) {
            advance()
            let r = try additive()
            return try binary(op, l, r)
        }
        if isSymbol("=") {
            throw fail("a comparison operator", hints: ["use '==' to compare; '=' names a column in derive/select"])
        }
        var negated = false
        if isWord("not") && (isWord("in", next) || isWord("between", next) || isWord("like", next)) {
            advance(); negated = true
        }
        if acceptWord("in") {
            try expectSymbol("(", "'(' after 'in'")
            var items: [Expr] = []
            if !isSymbol(")") {
                repeat { items.append(try expression()) } while acceptSymbol(",")
            }
            let end = current.span
            try expectSymbol(")", "')' to close the 'in' list")
            return Expr(.inList(l, items, negated: negated), l.span.to(end))
        }
        if acceptWord("between") {
            let lo = try additive()
            try expectWord("and", "'and' in 'between A and B'")
            let hi = try additive()
            return Expr(.between(l, lo, hi, negated: negated), l.span.to(hi.span))
        }
        if acceptWord("like") {
            let pat = try additive()
            return Expr(.like(l, pat, negated: negated), l.span.to(pat.span))
        }
        if negated { throw fail("'in', 'between' or 'like' after 'not'") }
        return l
    }

    mutating func additive() throws -> Expr {
        var l = try multiplicative()
        while true {
            let op: BinaryOp
            if isSymbol("+") { op = .add } else if isSymbol("-") { op = .sub } else { break }
            advance()
            let r = try multiplicative()
            l = try binary(op, l, r)
        }
        return l
    }

    mutating func multiplicative() throws -> Expr {
        var l = try unary()
        while true {
            let op: BinaryOp
            if isSymbol("*") { op = .mul } else if isSymbol("/") { op = .div } else if isSymbol("%") { op = .mod } else { break }
            advance()
            let r = try unary()
            l = try binary(op, l, r)
        }
        return l
    }

    mutating func unary() throws -> Expr {
        if isSymbol("-") {
            let s = advance().span
            try enter()
            defer { nesting -= 1 }
            let e = try unary()
            if case .literal(.int(let v)) = e.kind { return Expr(.literal(.int(-v)), s.to(e.span)) }
            if case .literal(.double(let v)) = e.kind { return Expr(.literal(.double(-v)), s.to(e.span)) }
            return Expr(.unary(.neg, e), s.to(e.span))
        }
        if isSymbol("+") {
            advance()
            try enter()
            defer { nesting -= 1 }
            return try unary()
        }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        let e = try primary()
        guard case .call(let n, let args, over: nil) = e.kind, isWord("over") else { return e }
        advance()
        var over: [Name] = []
        if acceptSymbol("(") {
            repeat { over.append(try name("a column name after 'over ('")) } while acceptSymbol(",")
            try expectSymbol(")", "')' to close 'over (...)'")
        } else {
            over.append(try name("a column name after 'over'"))
        }
        return Expr(.call(n, args, over: over), e.span.to(tokens[p - 1].span))
    }

    mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(.literal(.int(v)), t.span)
        case .double(let v): advance(); return Expr(.literal(.double(v)), t.span)
        case .string(let s): advance(); return Expr(.literal(.string(s)), t.span)
        case .date(let y, let m, let d): advance(); return Expr(.literal(.date(year: y, month: m, day: d)), t.span)
        case .duration(let n, let u): advance(); return Expr(.literal(.duration(n, u)), t.span)
        case .parameter(let s): advance(); return Expr(.parameter(s), t.span)
        case .symbol("("):
            advance()
            let e = try expression()
            try expectSymbol(")", "')' to close '('")
            return Expr(e.kind, t.span.to(tokens[p - 1].span))
        case .identifier(let s):
            if !t.quoted {
                switch s {
                case "true": advance(); return Expr(.literal(.bool(true)), t.span)
                case "false": advance(); return Expr(.literal(.bool(false)), t.span)
                case "null": advance(); return Expr(.literal(.null), t.span)
                case "case": return try caseExpr()
                default: break
                }
            }
            advance()
            if isSymbol("(") && !t.quoted {
                advance()
                var args: [Expr] = []
                if !isSymbol(")") {
                    repeat { args.append(try expression()) } while acceptSymbol(",")
                }
                let end = current.span
                try expectSymbol(")", "')' to close the arguments of \(s)()")
                return Expr(.call(Name(s, t.span), args, over: nil), t.span.to(end))
            }
            return Expr(.column(s), t.span)
        default:
            // After an operator, say which one is missing its operand: "expected an
            // expression after '>', but found '|'".
            if p > 0, let op = Self.operatorText(tokens[p - 1]) {
                throw fail("an expression after '\(op)'")
            }
            throw fail("an expression")
        }
    }

    mutating func caseExpr() throws -> Expr {
        let start = advance().span
        try expectSymbol("{", "'{' after 'case'")
        var arms: [CaseArm] = []
        var otherwise: Expr?
        while !isSymbol("}") {
            if case .eof = current.kind { throw fail("'}' to close 'case'") }
            if acceptWord("else") {
                try expectSymbol("=>", "'=>' after 'else'")
                otherwise = try expression()
            } else {
                let c = try expression()
                try expectSymbol("=>", "'=>' after the condition")
                arms.append(CaseArm(c, try expression()))
            }
            if !acceptSymbol(",") { break }
        }
        let end = current.span
        try expectSymbol("}", "'}' to close 'case'")
        return Expr(.caseWhen(arms, otherwise: otherwise), start.to(end))
    }
}
