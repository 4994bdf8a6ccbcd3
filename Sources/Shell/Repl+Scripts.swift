import Diagnostics
import Language

extension Repl {
    /// Runs a script's text (a `.seg` file, `-c`, stdin, `.read`): statements go to the
    /// session; a line starting with `.` where a statement could start is a dot-command
    /// (`.mode csv`, `.maxrows 10`, `.tables`), as in DuckDB's shell. Stops at the first
    /// failed statement or unknown command and returns false; diagnostics keep the script's
    /// own line numbers.
    @discardableResult
    public func runScriptText(_ source: SourceFile, recordAs statement: String? = nil) -> Bool {
        var chunk: [Substring] = []
        var chunkLine = 0
        var isFirstChunk = true

        func flush() -> Bool {
            defer { chunk = [] }
            guard chunk.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { return true }
            let text = chunk.joined(separator: "\n")
            let part = SourceFile(name: source.name, text: text, firstLine: source.firstLine + chunkLine)
            // A script recorded as one statement (`run "FILE"`) is recorded once.
            let record = statement.map { isFirstChunk ? $0 : $0 + " (continued)" }
            isFirstChunk = false
            return runSource(part, recordAs: record)
        }

        let lines = source.text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            let atStatementStart = chunk.isEmpty
                || (!needsContinuation(chunk.joined(separator: "\n")) && !trimmed.hasPrefix("|"))
            if atStatementStart && trimmed.hasPrefix(".") && !trimmed.hasPrefix("..") {
                guard flush() else { return false }
                let commandLine = String(trimmed).trimmingTrailingWhitespace()
                if case .found = DotCommand.lookup(DotCommand.split(commandLine).first ?? "", in: commands) {
                    runDotCommand(commandLine)
                    if quitRequested { return true }
                } else {
                    let location = SourceFile(name: source.name, text: String(line), firstLine: source.firstLine + index)
                    printer.output.err("\(location.name):\(location.firstLine): ")
                    runDotCommand(commandLine)
                    return false
                }
                continue
            }
            if chunk.isEmpty { chunkLine = index }
            chunk.append(line)
        }
        return flush()
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var s = self
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
