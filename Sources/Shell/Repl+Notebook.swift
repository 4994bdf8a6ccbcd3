import Diagnostics
import Engine
import IO

extension Repl {
    /// `.save FILE.md`: writes `transcript` as a notebook (SPEC section 7): each statement a
    /// `segsh` cell, its output (tables, report text, notes, errors — no timings) in the
    /// `output` block after it, so `segsh FILE.md --check` passes on the saved file when the
    /// data has not changed: outputs are written as the notebook runner writes them (40 rows,
    /// whatever `.maxrows` was), and statements stopped by Ctrl-C are left out. Errors are
    /// re-pointed at the notebook's lines.
    /// `.save FILE.html`: writes the HTML report of the transcript (`HTMLReport`).
    /// Both are written atomically; safe mode refuses.
    func saveNotebook(to path: String) {
        guard session.mayWriteFiles else { return printer.error("safe mode: .save cannot write files") }
        let lower = path.lowercased()
        let text: String
        if lower.hasSuffix(".html") || lower.hasSuffix(".htm") {
            text = HTMLReport.render(transcript: transcript, title: "segsh session", maxRows: NotebookOptions().maxRows)
        } else if NotebookCommand.isNotebookPath(path) {
            text = notebookText(name: NotebookCommand.displayName(path))
        } else {
            return printer.error("cannot tell what to write to '\(path)'",
                                 hints: [".save FILE.md writes a notebook, .save FILE.html a report"])
        }
        do {
            try AtomicFile.write(text, to: path)
        } catch {
            return printer.error("cannot write '\(path)': \(NotebookCommand.message(error))")
        }
        let n = transcript.count
        output.err("saved \(n) statement\(n == 1 ? "" : "s") to \(path)\n")
    }

    /// The transcript as notebook text; `name` names the notebook in diagnostics.
    func notebookText(name: String) -> String {
        let heading = "# segsh session\n\nSaved from the segsh shell. `segsh \(name) --update` runs it again and "
            + "rewrites the outputs; `segsh \(name) --check` tells whether they still hold.\n"
        // The options `segsh FILE.md --check` runs with, whatever `.maxrows` says now, so
        // the saved notebook passes its own check.
        let options = NotebookOptions()
        let entries = transcript
        return NotebookWriter.notebook(heading: heading, statements: entries.map(\.statement)) { index, codeLine in
            let entry = entries[index]
            var text = entry.items.map { NotebookOutput.text($0, options: options) }.joined()
            guard entry.isError else { return text }
            guard !entry.diagnostics.isEmpty else { return entry.output }
            for var diagnostic in entry.diagnostics {
                if let source = diagnostic.source, source.name == inputName, source.text == entry.statement {
                    diagnostic.source = SourceFile(name: name, text: source.text, firstLine: codeLine)
                }
                text += diagnostic.render(color: false)
            }
            return text
        }
    }
}
