import Columnar
import Diagnostics
import Engine
import IO
import Language

/// What the command line asks of a notebook run (`segsh nb.md [--update|--check|--html OUT]`).
public struct NotebookInvocation {
    public var paths: [String]
    public var update: Bool
    public var check: Bool
    public var htmlOutput: String?
    public var format: OutputFormat
    public var maxRows: Int
    public var parameters: [ParameterAssignment]
    public var safe: Bool
    public var settings: ShellSettings
}

/// How a notebook's outputs are written. They never depend on the terminal: tables are not
/// fitted to a width, charts are `chartWidth` columns wide, and at most `maxRows` rows of a
/// result are shown.
public struct NotebookOptions {
    /// `--format`: the format of result tables in output blocks (table mode by default).
    public var format: OutputFormat
    /// `--max-rows` (0 = all rows).
    public var maxRows: Int
    /// Width of text charts, in display columns.
    public var chartWidth: Int

    public init(format: OutputFormat = .table, maxRows: Int = 40, chartWidth: Int = 72) {
        self.format = format
        self.maxRows = maxRows
        self.chartWidth = chartWidth
    }
}

/// One statement of a cell as it ran.
public struct StatementRun {
    public var statement: Statement
    /// The cell's source (the statement's span points into it).
    public var file: SourceFile
    /// What it produced, in order.
    public var items: [ResultItem]
    /// Its error, when it failed.
    public var diagnostic: Diagnostic?
}

/// One cell as it ran.
public struct CellRun {
    public var cell: NotebookCell
    /// The output block's new content.
    public var output: String
    /// Whether a statement of the cell failed (or the cell did not parse).
    public var failed: Bool
    /// The statements that ran (up to and including a failing one).
    public var statements: [StatementRun]
    /// Parse errors and the runtime error, in order.
    public var diagnostics: [Diagnostic]
}

/// A notebook after running: its cells' new outputs.
public struct NotebookRun {
    public var notebook: Notebook
    public var cells: [CellRun]

    /// How many cells failed.
    public var failedCells: Int { cells.filter(\.failed).count }
    /// The notebook's text with the new outputs.
    public var updatedText: String { NotebookWriter.text(of: notebook, outputs: cells.map(\.output)) }
    /// How many cells' outputs differ from the saved ones.
    public var changedCells: Int {
        cells.filter { NotebookWriter.normalized($0.output) != $0.cell.savedOutput }.count
    }
    /// A unified diff between the saved notebook and the updated one ("" when they agree).
    public func diff(name: String) -> String {
        LineDiff.unified(notebook.text, updatedText, oldName: "\(name) (saved)", newName: "\(name) (now)")
    }
}

/// Runs a notebook's cells in order in one session and collects each cell's output text:
/// what the shell prints for the cell in the chosen format, without the volatile parts.
///
/// - Tables: the header line without the timing (`[3] 1,204 rows × 7 columns`) and the body.
/// - Report text (what-if reports, charts, pareto summaries) and notes (load summaries,
///   `view tiered: 2,000 rows × 12 columns`, warnings) are included in order: they are what
///   a reader of the notebook wants to see.
/// - Errors are included as their rendered diagnostic without colour, naming the notebook
///   file (its last path component, so the text does not depend on where segsh runs) and
///   the line within it. A failing statement ends its cell; the next cell still runs.
public struct NotebookRunner {
    public var options: NotebookOptions
    /// When set, results are also printed as they come, as a script run prints them.
    public var live: ResultPrinter?
    /// Whether diagnostics name lines of the notebook as `--update` would write it (for
    /// `--update` and `--check`, so that an updated notebook checks clean) rather than lines
    /// of the notebook as it is (a plain run, where the user looks the line up in the file).
    public var linesAsUpdated = true

    public init(options: NotebookOptions = NotebookOptions(), live: ResultPrinter? = nil) {
        self.options = options
        self.live = live
    }

    /// Runs every cell of `notebook` in `session`. `name` names the notebook in diagnostics.
    public func run(_ notebook: Notebook, name: String, in session: Session) -> NotebookRun {
        session.chartWidth = options.chartWidth
        // Diagnostics name lines of the notebook as it is written back, so that an updated
        // notebook checks clean: each cell moves by the lines the outputs above it gained.
        var shift = 0
        var cells: [CellRun] = []
        for cell in notebook.cells {
            let result = run(cell, name: name, firstLine: cell.codeLine + shift, in: session)
            if linesAsUpdated {
                shift += NotebookRunner.lineCount(NotebookWriter.text(of: cell, output: result.output))
                    - NotebookRunner.lineCount(cell.text)
            }
            cells.append(result)
        }
        return NotebookRun(notebook: notebook, cells: cells)
    }

    static func lineCount(_ text: String) -> Int { text.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }

    /// Runs one cell whose code starts at line `firstLine` of the notebook. A line starting
    /// with `.` where a statement could start is a dot-command (`.tables`, `.schema T`,
    /// `.params`, `.rules`, `.help TOPIC`), as in scripts; its text goes to the cell's output.
    public func run(_ cell: NotebookCell, name: String, firstLine: Int, in session: Session) -> CellRun {
        let file = SourceFile(name: name, text: cell.code, firstLine: firstLine)
        var result = CellRun(cell: cell, output: "", failed: false, statements: [], diagnostics: [])
        for segment in ScriptSegment.split(file) {
            switch segment {
            case .statements(let piece):
                runStatements(piece, in: session, into: &result)
            case .command(let line, let location):
                runCommand(line, location: location, in: session, into: &result)
            }
            if result.failed { break }
        }
        return result
    }

    /// Parses and runs statements; all parse errors are reported and then nothing runs.
    private func runStatements(_ file: SourceFile, in session: Session, into result: inout CellRun) {
        let (statements, parseErrors) = Parser.parse(file)
        if !parseErrors.isEmpty {
            for diagnostic in parseErrors { report(diagnostic.with(source: file), into: &result) }
            result.failed = parseErrors.contains { $0.severity == .error }
            return
        }
        for statement in statements {
            Cancellation.reset()
            var items: [ResultItem] = []
            // The statement's text in order: its items, and the output of dot-commands in a
            // file it runs (`run`), which come through the session's command runner.
            let text = CellOutput()
            let diagnostic = session.withDotCommandRunner({ line, location in
                let (output, failed) = commandOutput(line, location: location, in: session)
                text.out(output)
                live?.output.out(output)
                return !failed
            }) {
                session.execute(statement, in: file) { item in
                    items.append(item)
                    live?.print(item)
                    text.out(NotebookOutput.text(item, options: options))
                }
            }
            result.output += text.text
            result.statements.append(StatementRun(statement: statement, file: file, items: items, diagnostic: diagnostic))
            if let diagnostic {
                report(diagnostic, into: &result)
                result.failed = true
                return
            }
        }
    }

    /// Runs a dot-command in a shell without a terminal whose output (both streams, in
    /// order, no colour) becomes part of the cell's output.
    private func runCommand(_ line: String, location: String, in session: Session, into result: inout CellRun) {
        let (output, failed) = commandOutput(line, location: location, in: session)
        result.output += output
        live?.output.out(output)
        if failed { result.failed = true }
    }

    /// What a dot-command prints in a cell, and whether it failed.
    private func commandOutput(_ line: String, location: String, in session: Session) -> (String, failed: Bool) {
        let output = CellOutput()
        var settings = ShellSettings()
        settings.maxRows = options.maxRows
        let shell = Repl(session: session, reader: PlainReader(), settings: settings, output: output)
        shell.printer.commandErrors.location = location
        shell.runDotCommand(line)
        return (output.text, shell.printer.commandErrors.count > 0)
    }

    private func report(_ diagnostic: Diagnostic, into result: inout CellRun) {
        result.diagnostics.append(diagnostic)
        result.output += diagnostic.render(color: false)
        live?.print(diagnostic)
    }
}

/// The output text of one result item in a notebook.
public enum NotebookOutput {
    public static func text(_ item: ResultItem, options: NotebookOptions) -> String {
        if options.format != .table, case .report(let report, _) = item {
            return ResultPrinter.items(report, elapsed: 0).map { text($0, options: options) }.joined()
        }
        guard options.format != .table, case .table(let table, let number, _) = item else {
            return ResultPrinter.plainText(item, maxRows: options.maxRows, chartWidth: options.chartWidth)
        }
        return TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: number, elapsed: nil)
            + "\n" + TableRenderer.render(table, format: options.format, options: RenderOptions(maxRows: options.maxRows))
    }
}

extension NotebookRunner {
    /// `segsh FILE.md ...`: runs notebooks, each in a fresh session (SPEC section 7). Returns
    /// the exit code:
    /// - plain run: prints results as a script run does; 1 if any cell failed, else 0;
    /// - `--update`: rewrites the output blocks in place (atomically) and prints what changed
    ///   on stderr; 0 even when cells failed (their errors are now in the notebook), 1 when
    ///   the file cannot be written;
    /// - `--check`: compares only, prints a unified diff on stdout for each notebook whose
    ///   outputs differ and exits 1 then, 0 when every output matches (failed cells whose
    ///   saved output shows the same error are fine);
    /// - `--html OUT` (one notebook): also writes the HTML report;
    /// - 2: bad usage, or a notebook cannot be read.
    public static func run(_ invocation: NotebookInvocation) -> Int32 {
        NotebookCommand(invocation: invocation, output: StandardOutput()).run()
    }
}

/// What a dot-command printed in a notebook cell: stdout and stderr in the order written.
final class CellOutput: ShellOutput {
    private(set) var text = ""
    func out(_ text: String) { self.text += text }
    func err(_ text: String) { self.text += text }
}
