import Diagnostics
import Engine
import Foundation
import IO

/// Carries out `segsh FILE.md [--update | --check] [--html OUT]` (see `NotebookRunner.run(_:)`).
struct NotebookCommand {
    let invocation: NotebookInvocation
    let output: ShellOutput

    func run() -> Int32 {
        let paths = invocation.paths
        guard !paths.isEmpty else {
            output.err("segsh: --update, --check and --html need a notebook (FILE.md)\n")
            return 2
        }
        if let script = paths.first(where: { !NotebookCommand.isNotebookPath($0) }) {
            output.err("segsh: '\(script)' is not a notebook (.md): run scripts and notebooks separately\n")
            return 2
        }
        if invocation.htmlOutput != nil && paths.count > 1 {
            output.err("segsh: --html writes the report of one notebook; give one FILE.md\n")
            return 2
        }
        if invocation.safe && (invocation.update || invocation.htmlOutput != nil) {
            output.err("segsh: safe mode: --update and --html cannot write files\n")
            return 2
        }
        var texts: [String] = []
        for path in paths {
            guard let text = ScriptFile.read(path) else {
                output.err("segsh: cannot read '\(path)'\n")
                return 2
            }
            texts.append(text)
        }
        var code: Int32 = 0
        for (path, text) in zip(paths, texts) {
            code = max(code, runNotebook(path: path, text: text))
        }
        return code
    }

    static func isNotebookPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".md") || lower.hasSuffix(".markdown")
    }

    /// The absolute folder a notebook file is in.
    static func folder(of path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
    }

    /// The name of a notebook in diagnostics: its file name.
    static func displayName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    func runNotebook(path: String, text: String) -> Int32 {
        let name = NotebookCommand.displayName(path)
        let session = SegshCLI.makeSession(safe: invocation.safe, parameters: invocation.parameters)
        // Relative paths in a notebook (`load ... from "orders.csv"`, `run "x.seg"`) are
        // relative to the notebook's folder, so it runs the same from any directory.
        session.baseDirectory = NotebookCommand.folder(of: path)
        // A plain run prints results as a script does; `--html` writes the report instead.
        let plain = !invocation.update && !invocation.check && invocation.htmlOutput == nil
        session.filesBeingRead = [path]
        var runner = NotebookRunner(options: NotebookOptions(format: invocation.format, maxRows: invocation.maxRows))
        if plain {
            runner.live = ResultPrinter(settings: invocation.settings, output: output)
            runner.linesAsUpdated = false
        }
        let notebook = Notebook(parsing: text)
        let result = runner.run(notebook, name: name, in: session)

        var code: Int32 = 0
        if invocation.check {
            let diff = result.diff(name: path)
            if !diff.isEmpty {
                output.out(diff)
                output.err("\(path): \(result.changedCells) of \(result.cells.count) outputs differ (segsh \(path) --update rewrites them)\n")
                code = 1
            }
        } else if invocation.update {
            let updated = result.updatedText
            if updated != text {
                do {
                    try AtomicFile.write(updated, to: path)
                } catch {
                    output.err("segsh: cannot write '\(path)': \(NotebookCommand.message(error))\n")
                    return 1
                }
                output.err("\(path): updated \(result.changedCells) of \(result.cells.count) outputs\n")
            } else {
                output.err("\(path): \(result.cells.count) outputs up to date\n")
            }
            if result.failedCells > 0 {
                output.err("\(path): \(result.failedCells) cell\(result.failedCells == 1 ? "" : "s") failed; the errors are in the outputs\n")
            }
        } else if result.failedCells > 0 {
            code = 1
        }

        if let htmlPath = invocation.htmlOutput {
            let title = HTMLReport.title(of: notebook) ?? name
            let html = HTMLReport.render(notebook: result, title: title, options: runner.options)
            if let reader = session.readerOfFile(htmlPath) {
                output.err("segsh: refusing to overwrite '\(htmlPath)' with the report: \(reader)\n")
                return 1
            }
            do {
                try AtomicFile.write(html, to: htmlPath)
            } catch {
                output.err("segsh: cannot write '\(htmlPath)': \(NotebookCommand.message(error))\n")
                return 1
            }
            output.err("wrote \(htmlPath): the report of \(path) (\(result.cells.count) cell\(result.cells.count == 1 ? "" : "s")"
                       + (result.failedCells > 0 ? ", \(result.failedCells) failed" : "") + ")\n")
        }
        return code
    }

    static func message(_ error: Error) -> String {
        if let d = error as? Diagnostics.Diagnostic { return d.message }
        return "\(error)"
    }
}
