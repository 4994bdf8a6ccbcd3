import IO
import Language

/// The names completion draws on. The shell's implementation asks the `Session` and the file
/// system; tests pass fixed lists.
public protocol CompletionSource {
    var tableNames: [String] { get }
    func columnNames(of table: String) -> [String]?
    var functionNames: [String] { get }
    var parameterNames: [String] { get }
    var ruleSetNames: [String] { get }
    /// Dot-command names with their dot (`.schema`).
    var dotCommandNames: [String] { get }
    /// Entries of a directory (`""` is the current directory), without `.` and `..`.
    func directoryEntries(in directory: String) -> [DirectoryEntry]
    /// The columns in scope at the end of a statement being typed: the schema the binder gives
    /// the pipeline up to its last `|` (columns made by earlier steps included); nil when it
    /// cannot be bound yet.
    func columnsInScope(of statement: String) -> [String]?
    /// Tables of attached databases as `ALIAS.[SCHEMA.]TABLE` (asked of the engine's catalog).
    var remoteTableNames: [String] { get }
}

extension CompletionSource {
    public func columnsInScope(of statement: String) -> [String]? { nil }
    public var remoteTableNames: [String] { [] }
}

/// One file or folder, for completing paths.
public struct DirectoryEntry: Equatable {
    public var name: String
    public var isDirectory: Bool
    public init(name: String, isDirectory: Bool) {
        self.name = name
        self.isDirectory = isDirectory
    }
}

/// What Tab does at a cursor position.
public struct Completion: Equatable {
    /// The partial word before the cursor that the candidates complete.
    public var word: String
    /// Full replacements for `word`, sorted and unique.
    public var candidates: [String]
    /// Text to insert at the cursor: the rest of the longest common prefix, and when the match
    /// is unique a terminator (a space after a word, the closing quote after a file name; a
    /// folder already ends in `/`).
    public var insertion: String

    /// Candidates listed before the others (the columns in scope, in table order).
    public var listedFirst: [String] = []

    public init(word: String, candidates: [String], insertion: String) {
        self.word = word
        self.candidates = candidates
        self.insertion = insertion
    }

    public static let none = Completion(word: "", candidates: [], insertion: "")

    /// Candidates as a listing shows them: file paths without their folder.
    public var displayCandidates: [String] {
        let first = listedFirst.filter { candidates.contains($0) }
        let ordered = first + candidates.filter { !first.contains($0) }
        return ordered.map { candidate in
            guard candidate.contains("/") else { return candidate }
            let trimmed = candidate.hasSuffix("/") ? String(candidate.dropLast()) : candidate
            let name = trimmed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? trimmed
            return candidate.hasSuffix("/") ? name + "/" : name
        }
    }
}

/// Tab completion as pure logic: given the text before the cursor (the whole unfinished
/// statement, earlier lines included), which words could come next. The libedit glue in
/// `LibEditReader` only inserts and lists what this returns.
///
/// The statement is parsed roughly, by tokens: statement keywords and table names at the
/// start of a statement, operators after `|`, tables after `join`/`from`/`profile`/`let X =`,
/// columns of the tables the pipeline reads (its first table, joined tables, a what-if's view)
/// plus functions in expressions, `$parameters`, dot-commands and their arguments, and file
/// paths inside quotes.
public struct Completer {
    public var source: CompletionSource

    public init(source: CompletionSource) { self.source = source }

    public func complete(_ textBeforeCursor: String) -> Completion {
        let scan = Scan(textBeforeCursor)
        if scan.inComment { return .none }
        if let quote = scan.openQuote {
            return completePath(scan.quotedText, closing: quote == "`" ? nil : quote)
        }
        let statement = scan.currentStatement
        let trimmed = statement.drop(while: { $0.isWhitespace })
        if trimmed.hasPrefix(".") { return completeDotCommand(String(trimmed)) }

        let word = trailingWord(of: statement)
        let beforeWord = statement.dropLast(word.count)
        if beforeWord.hasSuffix("$") {
            return finish(word: "$" + word, candidates: source.parameterNames.map { "$" + $0 })
        }
        // `dw.ord` or `dw.sales.ord`: a table of an attached database.
        if beforeWord.hasSuffix("."), word.first?.isNumber != true {
            var qualified = word
            var rest = beforeWord
            while rest.hasSuffix(".") {
                let part = trailingWord(of: rest.dropLast())
                guard !part.isEmpty, part.first?.isNumber != true else { break }
                qualified = part + "." + qualified
                rest = rest.dropLast(part.count + 1)
            }
            if qualified != word {
                let remote = source.remoteTableNames.filter { $0.hasPrefix(qualified) }
                if !remote.isEmpty { return finish(word: qualified, candidates: remote) }
            }
        }
        // Completion never starts in the middle of a number or after a `.` (a decimal).
        if let first = word.first, first.isNumber { return .none }

        let tokens = Token.split(String(beforeWord))
        let scoped = source.columnsInScope(of: String(beforeWord))
        var completion = finish(word: word, candidates: candidates(after: tokens, scoped: scoped))
        // Columns first in a listing: they are what one is usually looking for.
        var seen = Set<String>()
        completion.listedFirst = (scoped ?? sourceTables(of: tokens).flatMap { source.columnNames(of: $0) ?? [] })
            .filter { seen.insert($0).inserted }
        return completion
    }

    // MARK: - Contexts

    /// Words of the expression language offered with columns and functions.
    static let expressionKeywords = ["and", "or", "not", "in", "between", "like", "case", "else", "true", "false",
                                     "null", "over"]

    private func candidates(after tokens: [Token], scoped: [String]?) -> [String] {
        guard let previous = tokens.last else { return Keywords.statements + source.tableNames }
        let first = tokens.first?.text ?? ""
        switch previous.text {
        case "|": return Keywords.operators
        case ";": return Keywords.statements + source.tableNames
        case "join", "from", "profile", "export": return source.tableNames
        case "inner", "left", "anti":
            if tokens.dropLast().last?.text == "join" { return source.tableNames }
        case "classify": return source.ruleSetNames
        case "param", "whatif", "sweep": return source.parameterNames
        case "chart": return ["bar", "hist"]
        case "let", "load", "rules", "run", "to", "as": return []
        case "=":
            if tokens.count == 3 && first == "let" { return source.tableNames }
        case "on":
            // `whatif ... on VIEW`, `sweep ... on VIEW`; `compare OLD NEW on KEY` and
            // `join T on KEY` take a column.
            if first == "whatif" || first == "sweep" { return source.tableNames }
        default:
            // `compare OLD NEW`: the tables.
            if first == "compare" && tokens.count <= 2 { return source.tableNames }
        }
        let columns = scoped ?? sourceTables(of: tokens).flatMap { source.columnNames(of: $0) ?? [] }
        let expression = columns + source.functionNames + Completer.expressionKeywords
        if previous.kind == .string, first == "load" || first == "from" { return ["with"] }
        if previous.text == "by" || previous.text == "key" { return columnsOrExpression(tokens, columns, expression) }
        guard let operatorWord = currentOperator(of: tokens) else {
            // A statement without `|`: `compare ... on KEY by COL`, `whatif ... by COL`.
            if first == "whatif" && previous.text == "," && !tokens.contains(where: { $0.text == "on" }) {
                return source.parameterNames
            }
            if ["compare", "whatif", "sweep"].contains(first) {
                return tokens.contains(where: { $0.text == "on" }) ? columns : []
            }
            return expression
        }
        let afterOperand = (previous.kind != .symbol || previous.text == ")") && previous.text != operatorWord
            && !Completer.expressionKeywords.contains(previous.text)
        switch operatorWord {
        case "drop", "distinct", "rename": return columns
        case "join":
            // `on KEY` or `on LEFT == RIGHT` (`==` is two `=` tokens).
            if previous.text == "on" || previous.text == "=" { return columns }
            return afterOperand ? ["on"] : []
        case "sort": return afterOperand ? expression + ["desc", "asc"] : expression
        case "top": return afterOperand ? expression + ["by", "asc"] : expression
        case "summarize":
            if tokensAfterLastPipe(tokens).contains(where: { $0.text == "by" }) { return columns }
            return afterOperand ? expression + ["by"] : expression
        case "classify": return ["as"]
        case "pareto": return afterOperand ? expression + ["classes"] : expression
        case "chart": return afterOperand ? expression + ["bins"] : expression
        default: return expression
        }
    }

    /// After `by`: `top N by EXPR` takes an expression; `summarize ... by`, `whatif ... by`,
    /// `compare ... by` and `key` take columns.
    private func columnsOrExpression(_ tokens: [Token], _ columns: [String], _ expression: [String]) -> [String] {
        currentOperator(of: tokens) == "top" ? expression : columns
    }

    private func tokensAfterLastPipe(_ tokens: [Token]) -> ArraySlice<Token> {
        guard let pipe = tokens.lastIndex(where: { $0.kind == .symbol && $0.text == "|" }) else { return tokens[...] }
        return tokens[(pipe + 1)...]
    }

    /// The operator word after the last `|` of the statement (outside brackets), if any.
    func currentOperator(of tokens: [Token]) -> String? {
        var depth = 0
        var result: String?
        for (i, token) in tokens.enumerated() where token.kind == .symbol {
            switch token.text {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            case "|" where depth == 0:
                result = i + 1 < tokens.count ? tokens[i + 1].text : nil
            default: break
            }
        }
        return result
    }

    /// The tables whose columns are in scope: the pipeline's first table (after `let X =` or
    /// `export`), every joined table, and the view of `whatif`/`sweep ... on VIEW`.
    func sourceTables(of tokens: [Token]) -> [String] {
        var result: [String] = []
        var i = 0
        if tokens.count >= 3 && tokens[0].text == "let" && tokens[2].text == "=" { i = 3 }
        else if tokens.first?.text == "export" { i = 1 }
        else if tokens.first?.text == "profile" { i = 1 }
        let statementWord = tokens.first?.text ?? ""
        if statementWord == "whatif" || statementWord == "sweep" {
            if let on = tokens.firstIndex(where: { $0.text == "on" }), on + 1 < tokens.count, tokens[on + 1].isIdentifier {
                result.append(tokens[on + 1].text)
            }
        } else if statementWord == "compare" {
            result += tokens.dropFirst().prefix(2).filter(\.isIdentifier).map(\.text)
        } else if i < tokens.count, tokens[i].isIdentifier, !Keywords.statements.contains(tokens[i].text) {
            result.append(tokens[i].text)
        }
        for (k, token) in tokens.enumerated() where token.text == "join" {
            var j = k + 1
            if j < tokens.count, ["inner", "left", "anti"].contains(tokens[j].text) { j += 1 }
            if j < tokens.count, tokens[j].isIdentifier { result.append(tokens[j].text) }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    private func completeDotCommand(_ text: String) -> Completion {
        guard let space = text.firstIndex(where: { $0.isWhitespace }) else {
            return finish(word: text, candidates: source.dotCommandNames)
        }
        let typed = String(text[..<space])
        let argument = String(text[space...].drop(while: { $0.isWhitespace }))
        let matches = source.dotCommandNames.filter { $0.hasPrefix(typed) }
        let command = source.dotCommandNames.contains(typed) ? typed : (matches.count == 1 ? matches[0] : "")
        switch command {
        case ".read", ".save": return completePath(argument, closing: nil)
        default: break
        }
        if argument.contains(where: { $0.isWhitespace }) { return .none }
        let choices: [String]
        switch command {
        case ".schema": choices = source.tableNames
        case ".help": choices = Keywords.statements + Keywords.operators + source.functionNames + source.dotCommandNames
            + HelpPages.topicNames
        case ".mode": choices = OutputFormat.allCases.map(\.rawValue)
        case ".timer": choices = ["on", "off"]
        case ".editor": choices = ["vi", "emacs"]
        case ".safe": choices = ["on"]
        case ".rules": choices = source.ruleSetNames
        default: choices = []
        }
        return finish(word: argument, candidates: choices)
    }

    private func completePath(_ partial: String, closing: Character?) -> Completion {
        let directory: String, prefix: String
        if let slash = partial.lastIndex(of: "/") {
            directory = String(partial[...slash])
            prefix = String(partial[partial.index(after: slash)...])
        } else {
            directory = ""
            prefix = partial
        }
        let entries = source.directoryEntries(in: directory)
            .filter { $0.name.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.name.hasPrefix(".")) }
        let candidates = entries.map { directory + $0.name + ($0.isDirectory ? "/" : "") }
        let terminator: String
        if entries.count == 1 && !entries[0].isDirectory { terminator = closing.map { String($0) } ?? "" } else { terminator = "" }
        return finish(word: partial, candidates: candidates, terminator: terminator)
    }

    // MARK: - Building the answer

    private func finish(word: String, candidates all: [String], terminator: String = " ") -> Completion {
        var seen = Set<String>()
        let candidates = all.filter { $0.hasPrefix(word) && seen.insert($0).inserted }.sorted()
        guard let first = candidates.first else { return Completion(word: word, candidates: [], insertion: "") }
        if candidates.count == 1 {
            let ending = first.hasSuffix("/") ? "" : terminator
            return Completion(word: word, candidates: candidates, insertion: String(first.dropFirst(word.count)) + ending)
        }
        var common = first[...]
        for candidate in candidates.dropFirst() {
            common = common.commonCharacterPrefix(with: candidate[...])
        }
        return Completion(word: word, candidates: candidates, insertion: String(common.dropFirst(word.count)))
    }

    private func trailingWord(of text: Substring) -> String {
        var start = text.endIndex
        while start > text.startIndex {
            let before = text.index(before: start)
            if Token.isIdentifierCharacter(text[before]) { start = before } else { break }
        }
        return String(text[start...])
    }
}

extension Substring {
    func commonCharacterPrefix(with other: Substring) -> Substring {
        var i = startIndex, j = other.startIndex
        while i < endIndex && j < other.endIndex && self[i] == other[j] {
            i = index(after: i)
            j = other.index(after: j)
        }
        return self[startIndex..<i]
    }
}

/// A rough lexical scan of the text before the cursor: where the current statement starts,
/// and whether the cursor is inside a quote or a comment.
struct Scan {
    var currentStatement: Substring
    var openQuote: Character?
    var quotedText: String = ""
    var inComment = false

    init(_ text: String) {
        var statementStart = text.startIndex
        var quote: Character?
        var quoteStart = text.startIndex
        var comment = false
        var depth = 0
        var i = text.startIndex
        while i < text.endIndex {
            let ch = text[i]
            let next = text.index(after: i)
            if comment {
                if ch == "\n" { comment = false }
            } else if let q = quote {
                if ch == "\\" && q != "`" && next < text.endIndex { i = text.index(after: next); continue }
                if ch == q { quote = nil }
            } else {
                switch ch {
                case "\"", "'", "`": quote = ch; quoteStart = next
                case "#": comment = true
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                case ";": if depth == 0 { statementStart = next }
                default: break
                }
            }
            i = next
        }
        currentStatement = text[statementStart...]
        openQuote = quote
        if quote != nil { quotedText = String(text[quoteStart...]) }
        inComment = comment
    }
}

/// A rough token for completion: an identifier, a string literal, a `$parameter` or one
/// punctuation character.
struct Token: Equatable {
    enum Kind { case identifier, string, parameter, symbol }
    var kind: Kind
    var text: String

    var isIdentifier: Bool { kind == .identifier }

    static func isIdentifierCharacter(_ ch: Character) -> Bool {
        ch.isLetter || ch.isNumber || ch == "_"
    }

    static func split(_ text: String) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch.isWhitespace { i += 1; continue }
            if ch == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if ch == "\"" || ch == "'" || ch == "`" {
                var j = i + 1
                while j < chars.count && chars[j] != ch {
                    if chars[j] == "\\" && ch != "`" { j += 1 }
                    j += 1
                }
                let body = String(chars[(i + 1)..<min(j, chars.count)])
                tokens.append(Token(kind: ch == "`" ? .identifier : .string, text: body))
                i = j + 1
                continue
            }
            if isIdentifierCharacter(ch) || ch == "$" {
                var j = i + 1
                while j < chars.count && isIdentifierCharacter(chars[j]) { j += 1 }
                let word = String(chars[i..<j])
                tokens.append(Token(kind: ch == "$" ? .parameter : .identifier, text: word))
                i = j
                continue
            }
            tokens.append(Token(kind: .symbol, text: String(ch)))
            i += 1
        }
        return tokens
    }
}
