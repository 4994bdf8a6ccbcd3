import Diagnostics

/// Turns source text into tokens. Newlines become statement separators only at bracket
/// depth 0, not after a trailing `|`, and not before a line that starts with `|` (so a
/// pipeline may continue on the next line in scripts).
public struct Lexer {
    let source: SourceFile
    let b: [UInt8]
    var i = 0
    var depth = 0
    public private(set) var tokens: [Token] = []
    public private(set) var diagnostics: [Diagnostic] = []

    public init(_ source: SourceFile) {
        self.source = source
        self.b = source.bytes
    }

    /// Lexes the whole source. Errors are collected; the offending bytes are skipped.
    public static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lx = Lexer(source)
        lx.run()
        return (lx.tokens, lx.diagnostics)
    }

    /// Lexical errors reported per source; past this the text is not run anyway, and a
    /// thousand carets under one long line would take longer to render than to fix.
    static let maxErrors = 20

    mutating func error(_ msg: String, _ s: Int, _ e: Int, hints: [String] = []) {
        guard diagnostics.count < Lexer.maxErrors else { return }
        diagnostics.append(Diagnostic(msg, at: Span(s, e), in: source, hints: hints))
    }

    mutating func run() {
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1; continue }
            if c == UInt8(ascii: "#") {
                while i < b.count && b[i] != 0x0A { i += 1 }
                continue
            }
            if c == 0x0A { newline(); continue }
            let start = i
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { lexString(quote: c); continue }
            if c == UInt8(ascii: "`") {
                i += 1
                while i < b.count && b[i] != UInt8(ascii: "`") && b[i] != 0x0A { i += 1 }
                if i >= b.count || b[i] != UInt8(ascii: "`") {
                    error("unterminated backtick identifier", start, i)
                    continue
                }
                let name = String(decoding: b[(start + 1)..<i], as: UTF8.self)
                i += 1
                if name.isEmpty { error("empty backtick identifier", start, i); continue }
                tokens.append(Token(.identifier(name), Span(start, i), quoted: true))
                continue
            }
            if c == UInt8(ascii: "@") { lexDate(); continue }
            if c == UInt8(ascii: "$") {
                i += 1
                let ns = i
                scanIdentifierBody()
                if i == ns { error("expected a parameter name after '$'", start, i); continue }
                tokens.append(Token(.parameter(String(decoding: b[ns..<i], as: UTF8.self)), Span(start, i)))
                continue
            }
            if isDigit(c) || (c == UInt8(ascii: ".") && i + 1 < b.count && isDigit(b[i + 1])) { lexNumber(); continue }
            if isIdentStart(at: i) {
                scanIdentifierBody()
                tokens.append(Token(.identifier(String(decoding: b[start..<i], as: UTF8.self)), Span(start, i)))
                continue
            }
            if let sym = symbol(at: i) {
                i += sym.utf8.count
                switch sym {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth = max(0, depth - 1)
                default: break
                }
                if sym == ";" {
                    if depth == 0 { appendNewline(Span(start, i)) }
                    continue
                }
                tokens.append(Token(.symbol(sym), Span(start, i)))
                continue
            }
            // Unknown character: report it once (whole scalar).
            let len = utf8Length(c)
            let text = String(decoding: b[start..<min(b.count, start + len)], as: UTF8.self)
            i = min(b.count, start + len)
            error("unexpected character '\(text)'", start, i)
        }
        appendNewline(Span(b.count, b.count))
        tokens.append(Token(.eof, Span(b.count, b.count)))
    }

    mutating func newline() {
        let start = i
        i += 1
        if depth > 0 { return }
        if case .symbol("|")? = tokens.last?.kind { return }
        // A following line that starts with `|` continues the statement.
        var j = i
        while j < b.count {
            let c = b[j]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { j += 1; continue }
            if c == UInt8(ascii: "#") { while j < b.count && b[j] != 0x0A { j += 1 }; continue }
            break
        }
        if j < b.count && b[j] == UInt8(ascii: "|") { return }
        appendNewline(Span(start, start + 1))
    }

    mutating func appendNewline(_ span: Span) {
        if let last = tokens.last, last.kind == .newline { return }
        if tokens.isEmpty { return }
        tokens.append(Token(.newline, span))
    }

    mutating func lexString(quote: UInt8) {
        let start = i
        i += 1
        var bytes: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == quote {
                // A doubled quote is an escaped quote, as in SQL and CSV.
                if i + 1 < b.count && b[i + 1] == quote { bytes.append(quote); i += 2; continue }
                i += 1
                tokens.append(Token(.string(String(decoding: bytes, as: UTF8.self)), Span(start, i)))
                return
            }
            if c == UInt8(ascii: "\\") && i + 1 < b.count {
                let n = b[i + 1]
                switch n {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): bytes.append(n)
                default: bytes.append(c); bytes.append(n)
                }
                i += 2
                continue
            }
            if c == 0x0A { break }
            bytes.append(c)
            i += 1
        }
        error("unterminated string", start, i, hints: ["close the string with \(quote == UInt8(ascii: "'") ? "'" : "\"") before the end of the line"])
    }

    mutating func lexDate() {
        let start = i
        i += 1
        var parts: [Int] = []
        var cur = 0, digits = 0
        while i < b.count {
            let c = b[i]
            if isDigit(c) { cur = cur * 10 + Int(c - 48); digits += 1; i += 1; if digits > 4 { break } }
            else if c == UInt8(ascii: "-") && digits > 0 && parts.count < 2 { parts.append(cur); cur = 0; digits = 0; i += 1 }
            else { break }
        }
        if digits > 0 { parts.append(cur) }
        guard parts.count == 3 else {
            error("expected a date like @2024-06-30", start, max(i, start + 1))
            return
        }
        let (y, m, d) = (parts[0], parts[1], parts[2])
        let dim: Int
        switch m {
        case 1, 3, 5, 7, 8, 10, 12: dim = 31
        case 4, 6, 9, 11: dim = 30
        case 2: dim = ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : 28
        default: dim = 0
        }
        guard d >= 1 && d <= dim else {
            error("@\(y)-\(m)-\(d) is not a valid date", start, i)
            return
        }
        tokens.append(Token(.date(year: y, month: m, day: d), Span(start, i)))
    }

    mutating func lexNumber() {
        let start = i
        var isDouble = false
        while i < b.count && (isDigit(b[i]) || b[i] == UInt8(ascii: "_")) { i += 1 }
        if i < b.count && b[i] == UInt8(ascii: ".") && i + 1 < b.count && isDigit(b[i + 1]) {
            isDouble = true
            i += 1
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            var j = i + 1
            if j < b.count && (b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-")) { j += 1 }
            if j < b.count && isDigit(b[j]) {
                isDouble = true
                i = j
                while i < b.count && isDigit(b[i]) { i += 1 }
            }
        }
        let text = String(String(decoding: b[start..<i], as: UTF8.self).filter { $0 != "_" })
        // A unit directly after an integer makes a duration: 30days, 6months, 1year.
        if !isDouble && i < b.count && isIdentStart(at: i) {
            let us = i
            scanIdentifierBody()
            let unitText = String(decoding: b[us..<i], as: UTF8.self).lowercased()
            let unit: DurationUnit?
            switch unitText {
            case "day", "days", "d": unit = .days
            case "week", "weeks", "w": unit = .weeks
            case "month", "months": unit = .months
            case "year", "years", "y": unit = .years
            default: unit = nil
            }
            guard let unit else {
                error("unknown duration unit '\(unitText)'", us, i, hints: ["durations are written like 30days, 12weeks, 6months, 1year"])
                return
            }
            // A count beyond 64 bits is an error at the literal; a count that fits but whose
            // days do not saturates (`Duration.days`: a window that covers everything, a
            // date beyond the range that is null).
            guard let n = Int(text) else {
                error("duration too long: '\(String(decoding: b[start..<i], as: UTF8.self))' counts more than 9223372036854775807 \(unit.rawValue)",
                      start, i, hints: ["durations are written like 30days, 12weeks, 6months, 1year"])
                // The token stays (at the longest duration), so the parser reports nothing more.
                tokens.append(Token(.duration(Int.max, unit), Span(start, i)))
                return
            }
            tokens.append(Token(.duration(n, unit), Span(start, i)))
            return
        }
        if isDouble {
            tokens.append(Token(.double(Double(text) ?? 0), Span(start, i)))
        } else if let v = Int64(text) {
            tokens.append(Token(.int(v), Span(start, i)))
        } else {
            tokens.append(Token(.double(Double(text) ?? 0), Span(start, i)))
        }
    }

    static let symbols3: [String] = []
    static let symbols2 = ["==", "!=", "<=", ">=", "=>", "<>"]
    static let symbols1 = ["|", ",", "(", ")", "{", "}", "[", "]", "=", "<", ">", "+", "-", "*", "/", "%", ";", "."]

    func symbol(at p: Int) -> String? {
        if p + 1 < b.count {
            let two = String(decoding: b[p..<(p + 2)], as: UTF8.self)
            if Lexer.symbols2.contains(two) { return two == "<>" ? nil : two }
        }
        let one = String(decoding: b[p..<(p + 1)], as: UTF8.self)
        return Lexer.symbols1.contains(one) ? one : nil
    }

    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    func utf8Length(_ c: UInt8) -> Int {
        if c < 0x80 { return 1 }
        if c >> 5 == 0b110 { return 2 }
        if c >> 4 == 0b1110 { return 3 }
        if c >> 3 == 0b11110 { return 4 }
        return 1
    }

    /// Decodes the scalar at byte offset p.
    func scalar(at p: Int) -> (Unicode.Scalar, Int)? {
        let n = utf8Length(b[p])
        guard p + n <= b.count else { return nil }
        let s = String(decoding: b[p..<(p + n)], as: UTF8.self)
        guard let u = s.unicodeScalars.first, u != "\u{FFFD}" || n == 3 else { return nil }
        return (u, n)
    }

    func isIdentStart(at p: Int) -> Bool {
        let c = b[p]
        if c < 0x80 { return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") }
        guard let (u, _) = scalar(at: p) else { return false }
        return u.properties.isAlphabetic
    }

    mutating func scanIdentifierBody() {
        while i < b.count {
            let c = b[i]
            if c < 0x80 {
                if (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || isDigit(c) { i += 1; continue }
                return
            }
            guard let (u, n) = scalar(at: i), u.properties.isAlphabetic || u.properties.numericType != nil else { return }
            i += n
        }
    }
}
