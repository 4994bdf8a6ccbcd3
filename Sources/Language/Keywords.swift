/// The words of the language, in one place: the lexer, the parser, `.help` and Tab
/// completion all read them from here.
public enum Keywords {
    /// Words that start a statement.
    public static let statements = [
        "load", "let", "param", "rules", "export", "profile", "whatif", "sweep", "compare", "run", "from",
        "attach", "detach", "explain",
    ]
    /// Pipeline operators (the word after `|`).
    public static let operators = [
        "where", "derive", "select", "drop", "rename", "sort", "take", "top", "summarize", "join",
        "distinct", "rfm", "clv", "clv_fit", "classify", "pareto", "chart", "moved", "collect",
    ]
    /// Other reserved words inside statements and expressions.
    public static let other = [
        "by", "on", "with", "to", "as", "and", "or", "not", "in", "between", "like", "case", "else",
        "when", "otherwise", "true", "false", "null", "desc", "asc", "over", "inner", "left", "anti",
        "key", "step", "measure", "classes", "bins", "bar", "hist", "replace",
    ]

    /// Every keyword, for completion.
    public static var all: [String] { statements + operators + other }
}

/// Whether a piece of typed text is an unfinished statement: brackets or braces still open,
/// an unterminated string, or a last line ending in `|`. The shell then shows the
/// continuation prompt and keeps reading.
public func needsContinuation(_ text: String) -> Bool {
    var depth = 0
    var quote: Character? = nil
    var inComment = false
    var lastSignificant: Character? = nil
    for ch in text {
        if inComment { if ch == "\n" { inComment = false }; continue }
        if let q = quote {
            if ch == q { quote = nil }
            else if ch == "\\" && q != "`" { /* escapes handled by lexer; rare at line end */ }
            lastSignificant = ch
            continue
        }
        switch ch {
        case "\"", "'", "`": quote = ch
        case "#": inComment = true; continue
        case "(", "[", "{": depth += 1
        case ")", "]", "}": depth -= 1
        default: break
        }
        if !ch.isWhitespace { lastSignificant = ch }
    }
    if quote == "\"" || quote == "'" || quote == "`" { return true }
    return depth > 0 || lastSignificant == "|"
}
