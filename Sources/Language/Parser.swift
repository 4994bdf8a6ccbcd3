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

    /// How deep the expression being parsed nests, and how many binary operators it holds
    /// (`Parser+Expressions`).
    var nesting = 0
    var operators = 0
}
