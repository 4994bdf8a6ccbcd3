import ArgumentParser
import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Segmentation

extension OutputFormat: ExpressibleByArgument {
    /// `--format md` as well as `--format markdown` (`OutputFormat(name:)`).
    public init?(argument: String) { self.init(name: argument) }
}

/// The command line of SPEC section 2.
public struct SegshCommand: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "segsh",
        abstract: "A shell for customer segmentation: load tables, explore segments with pipelines.",
        discussion: """
            Without FILEs and -c, starts the interactive shell on a terminal, or runs stdin as a script.
            FILEs ending in .md are notebooks. Exit codes: 0 success, 1 a statement failed, 2 bad usage.
            """,
        version: "segsh \(version)")

    @Argument(help: ArgumentHelp("Scripts (.seg) or notebooks (.md) to run in order.", valueName: "FILE"))
    public var files: [String] = []

    @Option(name: .customShort("c"), help: ArgumentHelp("Run STATEMENTS and exit (repeat -c to run several in order).", valueName: "STATEMENTS"))
    public var commands: [String] = []

    @Option(name: .customShort("i"), help: ArgumentHelp("Run FILE, then stay in the interactive shell.", valueName: "FILE"))
    public var interactiveScript: String?

    @Option(help: "Output format: table, csv, tsv, json, jsonl or markdown (md). Several results are separated by an empty line.")
    public var format: OutputFormat = .table

    @Option(name: .customLong("max-rows"), help: "Rows shown per result in table and markdown mode (0 = all).")
    public var maxRows: Int = 40

    @Option(name: .customLong("param"),
            help: ArgumentHelp("Set or override a parameter (repeatable); the script's own `param` does not change it.",
                               valueName: "NAME=VALUE"))
    public var parameters: [String] = []

    @Flag(help: "Show how long each statement took (always on in the interactive shell; .timer off hides it).")
    public var timer = false

    @Flag(name: .customLong("no-color"), help: "No ANSI colours.")
    public var noColor = false

    @Flag(help: "Safe mode: no file writes, no reads outside the current directory.")
    public var safe = false

    @Option(name: .customLong("memory-limit"),
            help: ArgumentHelp("Refuse loads and joins that would take segsh past SIZE (4GB, 500MB, 50%, none; default 80% of memory).",
                               valueName: "SIZE"))
    public var memoryLimit: String?

    @Option(name: .customLong("tables-in"),
            help: ArgumentHelp("Also write every table the script loads into this database (postgresql://...) and run the pipelines over them there.",
                               valueName: "URL"))
    public var tablesIn: String?

    @Flag(help: "Notebooks: rewrite the output blocks.")
    public var update = false

    @Flag(help: "Notebooks: exit 1 with a diff when an output changed.")
    public var check = false

    @Option(help: ArgumentHelp("Notebooks: write an HTML report to OUT.", valueName: "OUT"))
    public var html: String?

    public init() {}

    public func validate() throws {
        if maxRows < 0 { throw ValidationError("--max-rows must be 0 or more") }
        for text in parameters where ParameterAssignment(text) == nil {
            throw ValidationError("--param expects NAME=VALUE, got '\(text)'")
        }
        if update && check { throw ValidationError("--update and --check cannot be used together") }
        if let memoryLimit, MemoryBudget.parse(memoryLimit) == nil {
            throw ValidationError("--memory-limit expects a size such as 4GB, 500MB or 50%, got '\(memoryLimit)'")
        }
    }
}

/// The process entry point: parses arguments and runs scripts, notebooks or the shell.
public enum SegshCLI {
    /// Runs segsh with `arguments` (without the program name) and returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        let options: SegshCommand
        do {
            let parsed = try SegshCommand.parseAsRoot(arguments)
            // `--help` parses to ArgumentParser's own help command rather than throwing.
            guard let command = parsed as? SegshCommand else {
                StandardOutput().out(SegshCommand.helpMessage() + "\n")
                return 0
            }
            options = command
            if let text = command.memoryLimit, let bytes = MemoryBudget.parse(text) { MemoryBudget.setLimit(bytes) }
        } catch {
            let code = SegshCommand.exitCode(for: error)
            let message = SegshCommand.fullMessage(for: error)
            if code == .success {
                StandardOutput().out(message + "\n")
                return 0
            }
            StandardOutput().err(message + "\n")
            return 2
        }
        return Driver(options: options).run()
    }

    /// A session as every run of segsh starts it (scripts, the shell, notebooks, golden
    /// tests): the segmentation operators installed, safe mode and `--param` overrides applied.
    public static func makeSession(safe: Bool = false, parameters: [ParameterAssignment] = []) -> Session {
        let session = Session()
        Segmentation.install(into: session)
        DatabaseClients.install(into: session)
        if safe { session.isSafe = true }
        for assignment in parameters {
            session.overrideParameter(name: assignment.name, value: assignment.value)
        }
        return session
    }
}

/// Carries out one invocation.
struct Driver {
    let options: SegshCommand
    let output = StandardOutput()
    let environment = ProcessInfo.processInfo.environment

    func run() -> Int32 {
        // Ctrl-C or a kill in a script or notebook run still ends segsh, but not before the
        // temporary file of an export in progress is removed (the shell's prompt then takes
        // SIGINT over for itself).
        AtomicFile.removeTemporaryFileOnSignals([SIGINT, SIGTERM])
        var settings = ShellSettings.forTerminal(noColor: options.noColor, environment: environment)
        settings.format = options.format
        settings.maxRows = options.maxRows
        settings.timer = options.timer
        let assignments = options.parameters.compactMap(ParameterAssignment.init)
        if !assignments.isEmpty, options.interactiveScript == nil, let texts = sourceTexts(),
           let error = ParameterAssignment.unknownNames(assignments, texts: texts) {
            output.err(error.render(color: settings.errorColor))
            return 2
        }

        let notebookPaths = options.files.filter { $0.lowercased().hasSuffix(".md") || $0.lowercased().hasSuffix(".markdown") }
        if !notebookPaths.isEmpty || options.update || options.check || options.html != nil {
            return NotebookRunner.run(NotebookInvocation(
                paths: options.files, update: options.update, check: options.check, htmlOutput: options.html,
                format: options.format, maxRows: options.maxRows, parameters: assignments, safe: options.safe,
                settings: settings))
        }

        for path in options.files + [options.interactiveScript].compactMap({ $0 }) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  FileManager.default.isReadableFile(atPath: path) else {
                output.err("segsh: cannot read '\(path)': no such file\n")
                return 2
            }
        }

        let session = SegshCLI.makeSession(safe: options.safe, parameters: assignments)
        session.filesBeingRead = options.files + [options.interactiveScript].compactMap { $0 }
        if let url = options.tablesIn {
            do { try session.placeTables(in: url) } catch let d as Diagnostic {
                output.err("segsh: --tables-in: \(d.message)\n")
                return 2
            } catch {
                output.err("segsh: --tables-in: \(error)\n")
                return 2
            }
        }
        let progressBar = ProgressBar.forStandardError(environment: environment)
        // Scripts run through a shell without a line editor, so dot-commands work in them too.
        let scripts = Repl(session: session, reader: PlainReader(), settings: settings, output: output,
                           environment: environment)
        scripts.progressBar = progressBar

        for path in options.files {
            guard let text = ScriptFile.read(path) else {
                output.err("segsh: cannot read '\(path)'\n")
                return 2
            }
            if !scripts.runScriptSource(SourceFile(name: path, text: text), recordAs: nil) { return 1 }
            if scripts.quitRequested { return 0 }
        }
        for command in options.commands {
            if !scripts.runScriptSource(SourceFile(name: "<command>", text: command), recordAs: nil) { return 1 }
            if scripts.quitRequested { return 0 }
        }

        let stdinIsTerminal = Terminal.isTerminal(0)
        if options.interactiveScript == nil {
            if !options.files.isEmpty || !options.commands.isEmpty { return 0 }
            if !stdinIsTerminal {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                var text = String(decoding: data, as: UTF8.self)
                if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
                return scripts.runScriptSource(SourceFile(name: "<stdin>", text: text), recordAs: nil) ? 0 : 1
            }
        }
        // Settings changed by the scripts' dot-commands (`.mode`, `.maxrows`) carry over.
        return interactive(session: session, settings: scripts.settings, progressBar: progressBar)
    }

    /// The text of everything this run executes — script files, `-c` commands, notebook
    /// cells — for checking `--param` names; nil when the run reads stdin or a file cannot be
    /// read (the run itself reports that).
    func sourceTexts() -> [String]? {
        var texts = options.commands
        for path in options.files {
            guard let text = ScriptFile.read(path) else { return nil }
            let lower = path.lowercased()
            if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") {
                texts += Notebook(parsing: text).cells.map(\.code)
            } else {
                texts.append(text)
            }
        }
        return texts.isEmpty ? nil : texts
    }

    func interactive(session: Session, settings: ShellSettings, progressBar: ProgressBar?) -> Int32 {
        let useEditor = Terminal.isTerminal(0) && Terminal.isTerminal(1)
        let reader: LineReader
        if useEditor {
            InterruptHandler.install()
            signal(SIGPIPE, SIG_IGN)
            let completer = Completer(source: SessionCompletionSource(session: session, commands: Repl.standardCommands))
            if let editor = LibEditReader(historyFile: HistoryFile.standard(environment: environment), completer: completer) {
                editor.mayWriteHistory = { [unowned session] in !session.isSafe }
                reader = editor
            } else {
                reader = PlainReader()
            }
        } else {
            reader = PlainReader()
        }
        var settings = settings
        // At the terminal every result header says how long it took (`[3] 1,204 rows × 7 columns
        // (12 ms)`); `.timer off` hides it. Scripts and notebooks time only with --timer, so
        // their output stays the same from run to run.
        if useEditor { settings.timer = true }
        let repl = Repl(session: session, reader: reader, settings: settings, output: output, environment: environment)
        repl.usePager = useEditor
        repl.progressBar = progressBar
        if useEditor {
            output.out("segsh \(SegshCommand.version): type .help for help, .quit or Ctrl-D to leave\n")
        }
        if let path = options.interactiveScript {
            repl.runScript(path: path)
        }
        return repl.run()
    }
}
