import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Language

/// One statement of the session as it ran, for `.save` (the session as a notebook).
public struct TranscriptEntry {
    /// The statement text as typed (or `run "FILE"` for `.read FILE`).
    public var statement: String
    /// What it printed, as plain text: table mode, no colour, no timings; notes and the
    /// rendered diagnostics included, in order.
    public var output: String
    /// Whether the statement failed.
    public var isError: Bool
    /// The results themselves, for writers that render them another way.
    public var items: [ResultItem]
    /// Its diagnostics (located in the statement's source), for writers that render them
    /// another way (`.save` re-points them into the notebook).
    public var diagnostics: [Diagnostic] = []
    /// Whether Ctrl-C stopped it: `.save` leaves it out (run again, it would not stop).
    public var interrupted = false
}

/// The interactive loop: reads statements (with continuation lines) and dot-commands, runs
/// them in the session and prints results. Also runs `.read` scripts and the `-i` script.
public final class Repl {
    public let session: Session
    public let reader: LineReader
    public let output: ShellOutput
    public var settings: ShellSettings { didSet { printer.settings = settings } }
    public private(set) var printer: ResultPrinter
    /// The dispatch table of dot-commands.
    public var commands: [DotCommand]
    /// Every statement run so far, in order.
    public private(set) var transcript: [TranscriptEntry] = []
    /// The last statement typed (for `.edit`).
    public private(set) var lastStatement: String?
    /// The last table printed (for `.last`); a failed statement does not replace it.
    public private(set) var lastTable: Table?
    /// Its result number (`[3]`), when it has one.
    public private(set) var lastTableNumber: Int?
    /// Whether `.last` pipes through `$PAGER` (stdout is a terminal).
    public var usePager = false
    public var environment: [String: String]
    /// Source name of typed statements in diagnostics.
    public var inputName = "<shell>"
    /// The bar long loads draw on stderr (nil: none, e.g. stderr is not a terminal).
    public var progressBar: ProgressBar? {
        didSet {
            let bar = progressBar
            session.progress = bar.map { bar in { label, fraction in bar.update(label: label, fraction: fraction) } }
        }
    }

    public static let prompt = "segsh> "
    public static let continuationPrompt = "   ...> "

    public internal(set) var quitRequested = false

    public init(session: Session, reader: LineReader, settings: ShellSettings = ShellSettings(),
                output: ShellOutput = StandardOutput(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.session = session
        self.reader = reader
        self.output = output
        self.settings = settings
        self.printer = ResultPrinter(settings: settings, output: output)
        self.environment = environment
        self.commands = Repl.standardCommands
    }

    /// Reads and runs until end of input or `.quit`. Returns the exit code (0).
    @discardableResult
    public func run() -> Int32 {
        var buffer = ""
        while !quitRequested {
            reader.completionContext = buffer
            let result = reader.readLine(prompt: buffer.isEmpty ? Repl.prompt : Repl.continuationPrompt)
            switch result {
            case .eof:
                reader.close()
                return 0
            case .interrupted:
                buffer = ""
                _ = InterruptHandler.takeInterrupt()
            case .line(let line):
                if buffer.isEmpty {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty { continue }
                    if trimmed.hasPrefix(".") {
                        reader.addHistory(trimmed)
                        runDotCommand(trimmed)
                        // A Ctrl-C pressed while a command ran (`.save`, `.last`) was for the
                        // command: it must not stay pending and discard the next line.
                        _ = InterruptHandler.takeInterrupt()
                        continue
                    }
                }
                buffer += buffer.isEmpty ? line : "\n" + line
                if needsContinuation(buffer) { continue }
                let statement = buffer
                buffer = ""
                addToHistory(statement)
                execute(statement)
            }
        }
        reader.close()
        return 0
    }

    /// Runs statements typed by the user (or given by `.edit`), printing their results.
    /// Returns false when a statement failed.
    @discardableResult
    public func execute(_ text: String, sourceName: String? = nil, recordAs statement: String? = nil) -> Bool {
        lastStatement = text
        return runSource(SourceFile(name: sourceName ?? inputName, text: text), recordAs: statement ?? text)
    }

    /// Runs a source through the session: results are printed as they come, diagnostics after.
    @discardableResult
    func runSource(_ source: SourceFile, recordAs statement: String?) -> Bool {
        var entry = evaluate(source)
        if let statement, !entry.interrupted {
            entry.statement = Repl.withoutSecrets(statement)
            transcript.append(entry)
        }
        return !entry.isError
    }

    /// Runs a script's text: statements and dot-commands (`ScriptSegment`), stopping at the
    /// first failure or `.quit`. Recorded as one transcript entry when `statement` is given.
    /// Returns false when a statement or a dot-command failed.
    @discardableResult
    public func runScriptSource(_ source: SourceFile, recordAs statement: String?) -> Bool {
        var combined = TranscriptEntry(statement: Repl.withoutSecrets(statement ?? ""), output: "", isError: false, items: [])
        segments: for segment in ScriptSegment.split(source) {
            switch segment {
            case .statements(let file):
                let entry = evaluate(file)
                combined.output += entry.output
                combined.items += entry.items
                combined.diagnostics += entry.diagnostics
                combined.interrupted = combined.interrupted || entry.interrupted
                if entry.isError {
                    combined.isError = true
                    break segments
                }
            case .command(let line, let location):
                let errorsBefore = printer.commandErrors.count
                printer.commandErrors.location = location
                runDotCommand(line)
                printer.commandErrors.location = nil
                if printer.commandErrors.count > errorsBefore {
                    combined.isError = true
                    break segments
                }
                if quitRequested { break segments }
            }
        }
        if statement != nil, !combined.interrupted { transcript.append(combined) }
        return !combined.isError
    }

    /// Runs a source and returns what it printed, as a transcript entry without its statement.
    private func evaluate(_ source: SourceFile) -> TranscriptEntry {
        Cancellation.reset()
        var items: [ResultItem] = []
        var plain = ""
        let maxRows = settings.maxRows
        let diagnostics = session.withDotCommandRunner({ [unowned self] line, location in self.runNestedDotCommand(line, location: location) }) {
            StatementRunner.run(source, in: session, progress: progressBar, emit: { item in
                printer.print(item)
                items.append(item)
                plain += ResultPrinter.plainText(item, maxRows: maxRows)
                if case .table(let table, let number, _) = item {
                    lastTable = table
                    lastTableNumber = number
                }
            })
        }
        let interrupted = Cancellation.isRequested
        Cancellation.reset()
        var failed = false
        var wasInterrupted = false
        var located: [Diagnostic] = []
        for diagnostic in diagnostics {
            if diagnostic.kind == .interrupted || (interrupted && diagnostic.severity == .error) {
                // Ctrl-C: the terminal echoed `^C`; a caret under the whole statement says nothing.
                output.err("\n")
                located.append(Diagnostic.interrupted())
                wasInterrupted = true
            } else {
                located.append(diagnostic.with(source: source))
            }
            if source.name == inputName {
                printer.printTyped(located[located.count - 1])
            } else {
                printer.print(located[located.count - 1])
            }
            plain += located[located.count - 1].render(color: false)
            if diagnostic.severity == .error { failed = true }
        }
        return TranscriptEntry(statement: "", output: plain, isError: failed, items: items, diagnostics: located,
                               interrupted: wasInterrupted)
    }

    /// Runs a script file in this session (`.read`, `segsh -i`). Its statements are not added
    /// to the history. In safe mode the file must be inside the current directory.
    @discardableResult
    public func runScript(path: String) -> Bool {
        if let refusal = session.checkScriptPath(path) {
            printer.error(refusal)
            return false
        }
        guard let text = ScriptFile.read(path) else {
            printer.error("cannot read '\(path)'")
            return false
        }
        if let cycle = session.scriptCycle(path) {
            printer.error(cycle)
            return false
        }
        return session.runningScript(path) { runScriptSource(SourceFile(name: path, text: text), recordAs: "run \"\(path)\"") }
    }

    /// Runs a line starting with `.`.
    public func runDotCommand(_ line: String) {
        var words = DotCommand.split(line)
        guard !words.isEmpty else { return }
        let typed = words.removeFirst()
        switch DotCommand.lookup(typed, in: commands) {
        case .found(let command):
            command.handler(self, words)
        case .unknown(let suggestion):
            printer.error("unknown command '\(typed)'",
                          hints: (suggestion.map { ["did you mean '\($0)'?"] } ?? []) + ["type .help for the list of commands"])
        case .ambiguous(let names):
            printer.error("ambiguous command '\(typed)': it could be \(names.joined(separator: ", "))")
        }
    }

    /// A dot-command of a file run by the `run` statement, reported at its own place; false
    /// when it failed.
    func runNestedDotCommand(_ line: String, location: String) -> Bool {
        let errorsBefore = printer.commandErrors.count
        let outer = printer.commandErrors.location
        printer.commandErrors.location = location
        runDotCommand(line)
        printer.commandErrors.location = outer
        return printer.commandErrors.count == errorsBefore
    }

    /// Stops the loop after the current command.
    public func quit() { quitRequested = true }

    private func addToHistory(_ statement: String) {
        reader.addHistory(Repl.historyLine(Repl.withoutSecrets(statement)))
    }

    /// A statement as history and saved notebooks keep it: the password of an `attach` URL
    /// masked (SPEC 11: it never appears in history or `.save`d notebooks).
    static func withoutSecrets(_ statement: String) -> String {
        statement.contains("attach") ? Attachment.mask(statement) : statement
    }

    /// A statement as one history entry, recalled as one line: its lines trimmed and joined
    /// with spaces, `#` comments left out (kept, they would comment out the lines after them
    /// once joined). A `#` inside a string or backticks is not a comment.
    static func historyLine(_ statement: String) -> String {
        guard statement.contains("\n") else { return statement }
        var lines: [String] = []
        for line in statement.split(separator: "\n", omittingEmptySubsequences: false) {
            var kept = ""
            var quote: Character?
            var escaped = false
            for c in line {
                if let q = quote {
                    if escaped { escaped = false } else if c == "\\" && q != "`" { escaped = true } else if c == q { quote = nil }
                } else if c == "#" {
                    break
                } else if c == "\"" || c == "'" || c == "`" {
                    quote = c
                }
                kept.append(c)
            }
            let trimmed = kept.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        return lines.joined(separator: " ")
    }
}

/// Reading script files as text (UTF-8, a BOM dropped).
enum ScriptFile {
    static func read(_ path: String) -> String? {
        guard let data = try? FileBytes.read(path: path) else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        return text
    }
}
