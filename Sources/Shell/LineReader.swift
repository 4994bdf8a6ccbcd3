/// What one `readLine` call produced.
public enum LineReadResult: Equatable {
    /// A line of input, without its line terminator.
    case line(String)
    /// Ctrl-C while typing: the partial line was discarded.
    case interrupted
    /// End of input (Ctrl-D on an empty line, or the end of a piped stdin).
    case eof
}

/// Where the shell gets its input lines: libedit on a terminal, plain reads otherwise, or a
/// script in tests.
public protocol LineReader: AnyObject {
    /// Shows `prompt` (when the reader shows prompts) and reads one line.
    func readLine(prompt: String) -> LineReadResult
    /// Records a statement typed by the user in the history.
    func addHistory(_ line: String)
    /// The history, oldest first.
    var history: [String] { get }
    /// `vi` or `emacs` key bindings; false when not supported by this reader.
    func setEditor(_ mode: String) -> Bool
    /// Text typed on the lines before the current one (an unfinished statement), so completion
    /// can see the whole statement.
    var completionContext: String { get set }
    /// Saves history where it persists (called on exit).
    func close()
}

extension LineReader {
    public func setEditor(_ mode: String) -> Bool { false }
    public func close() {}
}

/// A reader for tests: hands out prepared results in order, then `.eof`, and records the
/// prompts it was asked to show and the history it was given.
public final class ScriptedReader: LineReader {
    private var pending: [LineReadResult]
    public private(set) var prompts: [String] = []
    public private(set) var history: [String] = []
    public var completionContext: String = ""
    /// Called before each line is handed out (e.g. to simulate Ctrl-C during a statement).
    public var onRead: ((Int) -> Void)?
    private var count = 0

    public init(_ results: [LineReadResult]) { pending = results }

    /// Convenience: every string is a typed line.
    public convenience init(lines: [String]) { self.init(lines.map { .line($0) }) }

    public func readLine(prompt: String) -> LineReadResult {
        prompts.append(prompt)
        onRead?(count)
        count += 1
        if pending.isEmpty { return .eof }
        return pending.removeFirst()
    }

    public func addHistory(_ line: String) {
        if history.last != line { history.append(line) }
    }

    public func setEditor(_ mode: String) -> Bool { mode == "vi" || mode == "emacs" }
}
