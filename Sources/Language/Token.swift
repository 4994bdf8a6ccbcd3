import Diagnostics

/// A lexical token with the byte span it came from.
public struct Token: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case identifier(String)        // plain or `backticked`
        case int(Int64)
        case double(Double)
        case string(String)
        case date(year: Int, month: Int, day: Int)   // @2024-06-30
        case duration(Int, DurationUnit)             // 30days, 6months
        case parameter(String)                       // $name
        case symbol(String)                          // | , ( ) { } [ ] = == != < <= > >= + - * / % => ;
        case newline                                 // statement separator
        case eof
    }
    public var kind: Kind
    public var span: Span
    /// Whether the identifier was written in backticks (never a keyword then).
    public var quoted: Bool = false

    public init(_ kind: Kind, _ span: Span, quoted: Bool = false) {
        self.kind = kind; self.span = span; self.quoted = quoted
    }

    /// How the token reads in an error message: `'where'`, `a number`, `end of input`.
    public var describedForError: String {
        switch kind {
        case .identifier(let s): return "'\(s)'"
        case .int(let v): return "number \(v)"
        case .double(let v): return "number \(v)"
        case .string(let s): return "string \"\(s)\""
        case .date: return "a date"
        case .duration: return "a duration"
        case .parameter(let p): return "'$\(p)'"
        case .symbol(let s): return "'\(s)'"
        case .newline: return "end of line"
        case .eof: return "end of input"
        }
    }
}

public enum DurationUnit: String, Sendable {
    case days, weeks, months, years

    /// Days in one unit where a fixed length is needed: a month counts 30 days and a year 365
    /// (windows and date ± duration use calendar months instead). `n * daysPerUnit` can
    /// overflow: `Duration.days` saturates.
    public var daysPerUnit: Int {
        switch self {
        case .days: return 1
        case .weeks: return 7
        case .months: return 30
        case .years: return 365
        }
    }
}
