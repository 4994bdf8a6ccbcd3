/// Reads lines from a stdin that is not a terminal: no prompt, no echo, no editing.
/// History is kept in memory only (for `.history`).
public final class PlainReader: LineReader {
    public private(set) var history: [String] = []
    public var completionContext: String = ""

    public init() {}

    public func readLine(prompt: String) -> LineReadResult {
        guard var line = Swift.readLine(strippingNewline: true) else { return .eof }
        if line.hasSuffix("\r") { line.removeLast() }
        return .line(line)
    }

    public func addHistory(_ line: String) {
        if history.last != line { history.append(line) }
    }
}
