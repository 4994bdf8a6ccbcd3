import Diagnostics

/// A shell command starting with `.`: one entry of the dispatch table, which `.help` and
/// completion also read. Add a command by adding an entry to `Repl.standardCommands`.
public struct DotCommand {
    /// With the dot: `.schema`.
    public var name: String
    /// `.schema TABLE`.
    public var usage: String
    /// One line for `.help`.
    public var summary: String
    /// A typical use, shown by `.help .NAME`: `.schema orders`.
    public var example: String
    /// Runs the command with its arguments (quotes removed).
    public var handler: (Repl, [String]) -> Void

    public init(_ name: String, usage: String, summary: String, example: String,
                handler: @escaping (Repl, [String]) -> Void) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.example = example
        self.handler = handler
    }

    /// The help page of the command: usage, summary and example.
    public var helpPage: String { "\(usage)\n    \(summary)\n    example: \(example)\n" }

    /// How a typed command name resolves.
    public enum Lookup {
        case found(DotCommand)
        /// No command starts with it; `suggestion` is the closest name.
        case unknown(suggestion: String?)
        /// Several commands start with it.
        case ambiguous([String])
    }

    /// Finds the command for `typed` (`.sc`): an exact name, else the only name it prefixes.
    public static func lookup(_ typed: String, in commands: [DotCommand]) -> Lookup {
        if let exact = commands.first(where: { $0.name == typed }) { return .found(exact) }
        let matches = commands.filter { $0.name.hasPrefix(typed) }
        if matches.count == 1 { return .found(matches[0]) }
        if matches.isEmpty { return .unknown(suggestion: closestMatch(to: typed, in: commands.map(\.name))) }
        return .ambiguous(matches.map(\.name))
    }

    /// Splits a command line into words; single or double quotes group words with spaces.
    public static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "\"" || ch == "'" {
                quote = ch
                inWord = true
            } else if ch.isWhitespace {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
