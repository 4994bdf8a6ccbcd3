/// An error (or warning) as a value: what went wrong, where, and what might help.
/// Rendered once, at the edge, by `Diagnostic.render`.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    /// What kind of failure this is, for code that reacts to it (never the message text).
    public enum Kind: String, Sendable {
        /// A mistake in a statement, its data or its files: the message says what to do.
        case failure
        /// The user stopped the statement (Ctrl-C); nothing changed.
        case interrupted
    }
    public var severity: Severity
    public var kind: Kind = .failure
    public var message: String
    public var span: Span?
    public var source: SourceFile?
    public var hints: [String]
    /// A location outside any source text, e.g. `orders.csv:17:4` for data errors.
    public var location: String?

    public init(_ message: String, at span: Span? = nil, in source: SourceFile? = nil,
                hints: [String] = [], severity: Severity = .error, location: String? = nil) {
        self.message = message
        self.span = span
        self.source = source
        self.hints = hints
        self.severity = severity
        self.location = location
    }

    /// The error of a statement stopped by Ctrl-C (`kind` `.interrupted`).
    public static func interrupted(at span: Span? = nil, in source: SourceFile? = nil) -> Diagnostic {
        var d = Diagnostic("interrupted", at: span, in: source,
                           hints: ["the statement was stopped; tables and results are as they were"])
        d.kind = .interrupted
        return d
    }

    public func with(source: SourceFile) -> Diagnostic {
        var copy = self
        if copy.source == nil { copy.source = source }
        return copy
    }

    public var description: String { render(color: false) }

    /// `FILE:LINE:COL: error: message`, the source line, a caret under the span and
    /// `help:` lines.
    public func render(color: Bool = false) -> String {
        let red = color ? "\u{1B}[1;31m" : "", bold = color ? "\u{1B}[1m" : "",
            cyan = color ? "\u{1B}[1;36m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = ""
        var prefix = ""
        if let location { prefix = location + ": " }
        if let source, let span {
            let (line, col) = source.location(of: span.start)
            prefix = "\(source.name):\(line):\(col): "
            out += "\(bold)\(prefix)\(reset)\(red)\(severity.rawValue):\(reset) \(bold)\(message)\(reset)\n"
            let li = source.lineIndex(of: min(span.start, source.bytes.count))
            let lineText = source.lineText(li)
            let startCol = col - 1
            let endLoc = source.location(of: span.end)
            let width: Int
            if endLoc.line == line {
                width = max(1, displayWidth(String(lineText.dropFirst(startCol).prefix(endLoc.column - col))))
            } else {
                width = max(1, displayWidth(String(lineText.dropFirst(startCol))))
            }
            let pad = displayWidth(String(lineText.prefix(startCol)))
            let gutter = String(line)
            out += "\(String(repeating: " ", count: gutter.count)) |\n"
            out += "\(gutter) | \(lineText)\n"
            out += "\(String(repeating: " ", count: gutter.count)) | \(String(repeating: " ", count: pad))\(red)^\(String(repeating: "~", count: width - 1))\(reset)\n"
        } else {
            out += "\(bold)\(prefix)\(reset)\(red)\(severity.rawValue):\(reset) \(bold)\(message)\(reset)\n"
        }
        for hint in hints { out += "\(cyan)help:\(reset) \(hint)\n" }
        return out
    }
}

/// Display width in terminal columns: East Asian wide and fullwidth characters count 2,
/// combining marks 0.
public func displayWidth(_ s: String) -> Int {
    var w = 0
    for scalar in s.unicodeScalars { w += scalarWidth(scalar) }
    return w
}

@inline(__always)
public func scalarWidth(_ s: Unicode.Scalar) -> Int {
    let v = s.value
    if v < 0x20 { return 0 }
    if v < 0x7F { return 1 }
    if v < 0xA0 { return 0 }
    if (0x0300...0x036F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFE0F { return 0 }
    if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
        || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
        || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
        || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
        || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
        return 2
    }
    return 1
}

/// Edit distance for "did you mean" suggestions.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}

/// The closest candidate to `name`, if close enough to be a plausible typo: the nearest by
/// edit distance (at most one edit per two characters, at most three), else the shortest
/// candidate that contains `name` or is contained in it, ignoring case (`行业` finds
/// `所属行业`, `amount` finds `order_amount`). This is the one place segsh decides what
/// "did you mean" suggests.
public func closestMatch(to name: String, in candidates: [String]) -> String? {
    var best: (candidate: String, distance: Int)?
    for c in candidates {
        let d = editDistance(name, c)
        if d <= max(1, min(3, name.count / 2)), d < (best?.distance ?? Int.max) { best = (c, d) }
    }
    if let best { return best.candidate }
    let needle = name.lowercased()
    guard !needle.isEmpty else { return nil }
    var contained: String?
    for c in candidates where !c.isEmpty {
        let hay = c.lowercased()
        guard hay.contains(needle) || (hay.count >= 2 && needle.contains(hay)) else { continue }
        if c.count < (contained?.count ?? Int.max) { contained = c }
    }
    return contained
}

/// The hint `did you mean 'amount'?` for `name`, or nil when no candidate is close.
public func didYouMean(_ name: String, in candidates: [String]) -> String? {
    closestMatch(to: name, in: candidates).map { "did you mean '\($0)'?" }
}

/// The message suffix ` (did you mean 'amount'?)` for `name`, or "" when no candidate is close.
public func didYouMeanSuffix(_ name: String, in candidates: [String]) -> String {
    didYouMean(name, in: candidates).map { " (\($0))" } ?? ""
}
