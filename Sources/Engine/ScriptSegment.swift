import Diagnostics
import Language

/// A script cut where dot-commands stand, so that `.mode csv`, `.timer on` or `.help rank`
/// work in `segsh FILE`, `segsh -c`, piped stdin, `.read` and `-i` as they do at the prompt.
///
/// A line is a dot-command when it starts with `.` (after spaces) where a new statement could
/// start: not inside brackets, braces or a string, and not after a line ending in `|`. The
/// statement pieces keep their line numbers (earlier lines become empty), so diagnostics still
/// say `FILE:LINE:COL`.
public enum ScriptSegment: Equatable {
    /// Statements, as a source with the same name and line numbers as the script.
    case statements(SourceFile)
    /// A dot-command line and where it stands (`FILE:LINE:COL`).
    case command(String, location: String)

    public static func == (a: ScriptSegment, b: ScriptSegment) -> Bool {
        switch (a, b) {
        case (.statements(let x), .statements(let y)): return x.name == y.name && x.text == y.text
        case (.command(let x, let l), .command(let y, let m)): return x == y && l == m
        default: return false
        }
    }

    /// Cuts `source` into statement pieces and dot-commands, in order. A script without
    /// dot-commands is one piece: `source` itself.
    public static func split(_ source: SourceFile) -> [ScriptSegment] {
        let lines = source.text.split(separator: "\n", omittingEmptySubsequences: false)
        var segments: [ScriptSegment] = []
        var pending: [Substring] = []
        var pendingStart = 0
        var sawCommand = false

        func flush(upTo end: Int) {
            if pending.contains(where: { !$0.allSatisfy(\.isWhitespace) }) {
                let text = String(repeating: "\n", count: pendingStart) + pending.joined(separator: "\n")
                segments.append(.statements(SourceFile(name: source.name, text: text, firstLine: source.firstLine)))
            }
            pending = []
            pendingStart = end
        }

        for (index, line) in lines.enumerated() {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            let statementOpen = needsContinuation(pending.joined(separator: "\n"))
            if trimmed.hasPrefix("."), !statementOpen {
                flush(upTo: index)
                var command = String(trimmed)
                if command.hasSuffix("\r") { command.removeLast() }
                let column = line.count - trimmed.count + 1
                segments.append(.command(command, location: "\(source.name):\(source.firstLine + index):\(column)"))
                sawCommand = true
                pendingStart = index + 1
                continue
            }
            pending.append(line)
        }
        if !sawCommand { return [.statements(source)] }
        flush(upTo: lines.count)
        return segments
    }
}
