import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Language

extension Repl {
    /// The dot-commands of SPEC section 3, in `.help` order.
    public static var standardCommands: [DotCommand] {
        [
            DotCommand(".help", usage: ".help [TOPIC]",
                       summary: "topics, or the page for a statement, operator, function or command", example: ".help rfm") { $0.help($1) },
            DotCommand(".tables", usage: ".tables", summary: "tables and views with their rows and columns", example: ".tables") { repl, _ in
                repl.showTables()
            },
            DotCommand(".databases", usage: ".databases", summary: "attached databases and clusters: engine, version, URL (no password)", example: ".databases") { repl, _ in
                let listing = repl.session.databasesListing()
                if listing.rowCount == 0 {
                    return repl.output.out("nothing attached: attach \"postgresql://user@host/db\" as crm\n")
                }
                repl.output.out(TableRenderer.render(listing, format: .table, options: repl.fullOptions))
            },
            DotCommand(".schema", usage: ".schema TABLE", summary: "the columns of a table and their types", example: ".schema orders") { $0.showSchema($1) },
            DotCommand(".mode", usage: ".mode table|csv|tsv|json|jsonl|markdown|md",
                       summary: "how results are printed (.help formats)", example: ".mode csv") { $0.setMode($1) },
            DotCommand(".maxrows", usage: ".maxrows N", summary: "rows shown per result (0 = all)", example: ".maxrows 100") { $0.setMaxRows($1) },
            DotCommand(".timer", usage: ".timer on|off", summary: "show how long each statement took", example: ".timer off") { $0.setTimer($1) },
            DotCommand(".read", usage: ".read FILE", summary: "run a script in this session", example: ".read segments.seg") { repl, args in
                guard args.count == 1 else { return repl.usageError(".read FILE") }
                // A script that failed (its error is printed) fails the command, so that a
                // script reading it stops there and exits 1.
                if !repl.runScript(path: args[0]) { repl.printer.commandErrors.count += 1 }
            },
            DotCommand(".save", usage: ".save FILE.md|FILE.html",
                       summary: "write the session so far as a notebook (.md) or an HTML report (.html)", example: ".save review.md") { repl, args in
                guard args.count == 1 else { return repl.usageError(".save FILE.md|FILE.html") }
                if repl.session.isSafe { return repl.printer.error("safe mode: .save cannot write files") }
                repl.saveNotebook(to: args[0])
            },
            DotCommand(".params", usage: ".params", summary: "parameters and their values", example: ".params") { repl, _ in repl.showParameters() },
            DotCommand(".rules", usage: ".rules [NAME]", summary: "rule sets, or the text of one", example: ".rules tier") { $0.showRules($1) },
            DotCommand(".history", usage: ".history", summary: "statements typed so far", example: ".history") { repl, _ in repl.showHistory() },
            DotCommand(".last", usage: ".last", summary: "the last result in full, through $PAGER", example: ".last") { repl, _ in repl.showLast() },
            DotCommand(".edit", usage: ".edit", summary: "edit the last statement in $EDITOR and run it", example: ".edit") { repl, _ in
                repl.editLastStatement()
            },
            DotCommand(".editor", usage: ".editor vi|emacs", summary: "key bindings of the line editor", example: ".editor vi") { $0.setEditor($1) },
            DotCommand(".safe", usage: ".safe on", summary: "forbid writing files and reading outside this directory", example: ".safe on") {
                $0.setSafe($1)
            },
            DotCommand(".quit", usage: ".quit", summary: "leave the shell", example: ".quit") { repl, _ in repl.quit() },
            DotCommand(".exit", usage: ".exit", summary: "leave the shell", example: ".exit") { repl, _ in repl.quit() },
        ]
    }

    func usageError(_ usage: String) {
        printer.error("usage: \(usage)")
    }

    // MARK: - .help

    func help(_ args: [String]) {
        guard let topic = args.first else { return output.out(helpIndex()) }
        if topic.hasPrefix(".") {
            switch DotCommand.lookup(topic, in: commands) {
            case .found(let command): return output.out(command.helpPage)
            default: break
            }
        } else if let page = HelpPages.page(topic, session: session) {
            return output.out(ResultPrinter.line(page))
        } else if let list = helpList(topic.lowercased()) {
            return output.out(list)
        }
        let topics = Keywords.statements + Keywords.operators + session.functionNames + commands.map(\.name)
            + HelpPages.topicNames
        // A close name is a likely typo; otherwise still point at the nearest topic.
        let suggestion = closestMatch(to: topic, in: topics)
            ?? topics.min { editDistance(topic, $0) < editDistance(topic, $1) }
        let hints = (suggestion.map { ["did you mean '\($0)'?"] } ?? []) + ["'.help' lists every topic"]
        printer.error("no help for '\(topic)'", hints: hints)
    }

    /// `.help functions`, `.help statements`, `.help operators`, `.help commands`.
    func helpList(_ topic: String) -> String? {
        let width = min(settings.terminalWidth() ?? 80, 100)
        switch topic {
        case "functions":
            return session.functionNames.map { name in
                session.functions.lookup(name).map { "  \($0.signature)\n      \($0.summary)\n      example: \($0.example)\n" } ?? "  \(name)\n"
            }.joined()
        case "statements": return Repl.wrap(Keywords.statements, width: width)
        case "operators": return Repl.wrap(Keywords.operators, width: width)
        case "commands": return commandTable()
        default: return nil
        }
    }

    func commandTable() -> String {
        let usageWidth = commands.map { displayWidth($0.usage) }.max() ?? 0
        return commands.map { command in
            "  " + command.usage + String(repeating: " ", count: usageWidth - displayWidth(command.usage) + 2)
                + command.summary + "\n"
        }.joined()
    }

    func helpIndex() -> String {
        let width = min(settings.terminalWidth() ?? 80, 100)
        var text = "segsh: pipelines over in-memory tables. Type .help TOPIC for a page, e.g. .help rfm,\n.help expressions (the expression language),\n.help keys (line editing) or .help formats (csv, json, ...).\n\n"
        text += "Statements:\n" + Repl.wrap(Keywords.statements, width: width)
        text += "Pipeline operators (after |):\n" + Repl.wrap(Keywords.operators, width: width)
        let functions = session.functionNames
        if !functions.isEmpty { text += "Functions (.help functions describes them all):\n" + Repl.wrap(functions, width: width) }
        return text + "Shell commands:\n" + commandTable()
    }

    static func wrap(_ words: [String], width: Int) -> String {
        var out = "", line = " "
        for word in words {
            if displayWidth(line) + 1 + displayWidth(word) > width && line != " " {
                out += line + "\n"
                line = " "
            }
            line += " " + word
        }
        if line != " " { out += line + "\n" }
        return out + "\n"
    }

    // MARK: - Tables, schema, parameters, rules

    func showTables() {
        let listing = session.tablesListing()
        if listing.rowCount == 0 {
            return output.out("no tables yet: load one with  load NAME from \"PATH\"\n")
        }
        output.out(TableRenderer.render(listing, format: .table, options: fullOptions))
    }

    func showSchema(_ args: [String]) {
        guard args.count == 1 else { return usageError(".schema TABLE") }
        guard let schema = session.schema(of: args[0]) else {
            let hints = didYouMean(args[0], in: session.tableNames).map { [$0] } ?? []
            return printer.error("unknown table '\(args[0])'", hints: hints)
        }
        output.out(TableRenderer.render(schema, format: .table, options: fullOptions))
    }

    func showParameters() {
        let parameters = session.parameters
        if parameters.isEmpty { return output.out("no parameters: define one with  param NAME = VALUE\n") }
        output.out(parameters.map { "$\($0.name) = \(Repl.literal($0.value))\n" }.joined())
    }

    /// A value as it would be written in the language.
    static func literal(_ value: Scalar) -> String {
        switch value {
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .date: return "@" + value.description
        default: return value.description
        }
    }

    func showRules(_ args: [String]) {
        guard let name = args.first else {
            let names = session.ruleSetNames
            return output.out(names.isEmpty ? "no rule sets: define one with  rules NAME { ... }\n"
                                            : names.joined(separator: "\n") + "\n")
        }
        guard let text = session.ruleSetSource(name) else {
            let hints = didYouMean(name, in: session.ruleSetNames).map { [$0] } ?? []
            return printer.error("unknown rule set '\(name)'", hints: hints)
        }
        output.out(ResultPrinter.line(text))
    }

    func showHistory() {
        let entries = reader.history
        let digits = String(entries.count).count
        for (i, entry) in entries.enumerated() {
            let n = String(i + 1)
            output.out(String(repeating: " ", count: digits - n.count + 2) + n + "  " + entry + "\n")
        }
    }

    private var fullOptions: RenderOptions {
        RenderOptions(maxRows: 0, terminalWidth: settings.terminalWidth(), color: settings.color)
    }

    // MARK: - Settings

    func setMode(_ args: [String]) {
        guard let name = args.first else { return output.out(settings.format.rawValue + "\n") }
        guard args.count == 1, let format = OutputFormat(name: name) else {
            return printer.error("unknown mode '\(name)'",
                                 hints: ["modes: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        settings.format = format
    }

    func setMaxRows(_ args: [String]) {
        guard let text = args.first else { return output.out("\(settings.maxRows)\n") }
        guard args.count == 1, let n = Int(text), n >= 0 else { return usageError(".maxrows N (a whole number, 0 = all rows)") }
        settings.maxRows = n
    }

    func setTimer(_ args: [String]) {
        guard let value = args.first else { return output.out(settings.timer ? "on\n" : "off\n") }
        switch value.lowercased() {
        case "on": settings.timer = true
        case "off": settings.timer = false
        default: usageError(".timer on|off")
        }
    }

    func setEditor(_ args: [String]) {
        guard args.count == 1, args[0] == "vi" || args[0] == "emacs" else { return usageError(".editor vi|emacs") }
        if !reader.setEditor(args[0]) { printer.error("line editing is not available: input is not a terminal") }
    }

    func setSafe(_ args: [String]) {
        guard let value = args.first else { return output.out(session.isSafe ? "on\n" : "off\n") }
        switch value.lowercased() {
        case "on": session.isSafe = true
        case "off" where session.isSafe: printer.error("safe mode cannot be turned off in this session")
        case "off": break
        default: usageError(".safe on")
        }
    }

    // MARK: - .last and .edit

    func showLast() {
        guard let table = lastTable else { return printer.error("no result yet") }
        let text = TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: lastTableNumber,
                                                       elapsed: nil)
            + "\n" + TableRenderer.render(table, format: settings.format,
                                          options: RenderOptions(maxRows: 0, terminalWidth: nil, color: settings.color))
        // Safe mode starts no other program: the text is printed directly.
        guard usePager, !session.isSafe else { return output.out(text) }
        let pager = environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -S"
        var pagerEnvironment = environment
        if pagerEnvironment["LESS"] == nil { pagerEnvironment["LESS"] = "-R" }
        if !ExternalCommand.run(pager, input: text, environment: pagerEnvironment) {
            output.out(text)
        }
        _ = InterruptHandler.takeInterrupt()
    }

    func editLastStatement() {
        if session.isSafe { return printer.error("safe mode: .edit cannot write files") }
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        let path = NSTemporaryDirectory() + "segsh-edit-\(getpid()).seg"
        let original = lastStatement ?? ""
        guard FileManager.default.createFile(atPath: path, contents: Data((original + "\n").utf8)) else {
            return printer.error("cannot write a temporary file for the editor")
        }
        defer { unlink(path) }
        guard ExternalCommand.run("\(editor) \"$1\"", arguments: [path], input: nil, environment: environment) else {
            return printer.error("the editor '\(editor)' failed")
        }
        _ = InterruptHandler.takeInterrupt()
        let edited = (ScriptFile.read(path) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !edited.isEmpty else { return }
        output.out(edited + "\n")
        reader.addHistory(edited.contains("\n") ? edited.replacingOccurrences(of: "\n", with: " ") : edited)
        execute(edited)
    }
}

/// Runs a shell command line (`$PAGER`, `$EDITOR`) attached to the terminal.
///
/// The child is spawned with `posix_spawn` in segsh's own process group, so it is in the
/// terminal's foreground group and can read the keyboard (Foundation's `Process` puts the child
/// in a new group, where a pager or an editor is stopped or fails with "Error reading input").
/// SIGINT and SIGPIPE are reset to their defaults in the child.
enum ExternalCommand {
    /// Runs `/bin/sh -c COMMAND sh ARGUMENTS...`, optionally feeding `input` to its stdin.
    /// Returns false when it could not start or exited with a failure.
    static func run(_ command: String, arguments: [String] = [], input: String?, environment: [String: String]) -> Bool {
        var pipeEnds: [Int32] = [-1, -1]
        if input != nil {
            guard pipe(&pipeEnds) == 0 else { return false }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/sh", "-c", command, "sh"] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        if input != nil { close(pipeEnds[0]) }
        guard rc == 0 else {
            if input != nil { close(pipeEnds[1]) }
            return false
        }
        if let input {
            // A pager that quits early closes the pipe: EPIPE (SIGPIPE is ignored in the shell).
            StandardOutput.write(input, to: pipeEnds[1])
            close(pipeEnds[1])
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            if errno != EINTR { return false }
        }
        // Exited normally with status 0.
        return status & 0x7F == 0 && (status >> 8) & 0xFF == 0
    }
}
