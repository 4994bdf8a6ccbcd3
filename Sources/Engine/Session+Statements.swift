import Columnar
import Diagnostics
import Foundation
import IO
import Language

/// The result of a what-if: the report items to print and the table of moved rows (for
/// `whatif ... | moved`), built only when it is asked for.
public struct WhatIfOutcome {
    public var report: [ResultItem]
    private let makeMoved: () throws -> Table
    public init(report: [ResultItem], moved: Table) { self.report = report; self.makeMoved = { moved } }
    public init(report: [ResultItem], movedTable: @escaping () throws -> Table) { self.report = report; self.makeMoved = movedTable }
    /// The moved rows as a table.
    public func moved() throws -> Table { try makeMoved() }
}

extension Session {
    func executeStatement(_ statement: Statement, file: SourceFile, emit: (ResultItem) -> Void) throws {
        let started = DispatchTime.now()
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
        let context = StepContext(session: self, file: file, parameters: currentParameters)
        switch statement.kind {
        case .load(let name, let path, let pathSpan, let options):
            try load(name: name, path: path, pathSpan: pathSpan, options: options, file: file, emit: emit, elapsed: elapsed)

        case .pipeline(let pipeline):
            let result = try evaluate(pipeline, file: file, parameters: context.parameters)
            for n in result.notes { emit(.note(n)) }
            let isChart = pipeline.steps.last.map { if case .chartBar = $0.kind { return true }; if case .chartHist = $0.kind { return true }; return false } ?? false
            if !isChart {
                let n = record(result.table)
                emit(.table(result.table, number: n, elapsed: elapsed()))
            }
            for r in result.reports { emit(.report(r, elapsed: 0)) }
            for c in result.charts { emit(.chart(c)) }

        case .letView(let name, let pipeline):
            guard tables[name.text] == nil else {
                throw Diagnostic("'\(name.text)' is a loaded table; a view needs another name", at: name.span, in: file)
            }
            // Only a redefinition can be reached through other views (a view never reads a
            // name that is not defined); a new name needs no walk of every chain.
            let readsItself = views[name.text] != nil ? dependsOn(pipeline, view: name.text)
                : ([pipeline.source] + pipeline.steps.compactMap { if case .join(_, let s, _, _) = $0.kind { return s } else { return nil } })
                    .contains { if case .table(let n) = $0.kind { return n == name.text } else { return false } }
            if readsItself {
                throw Diagnostic("view '\(name.text)' cannot refer to itself", at: pipeline.source.span, in: file)
            }
            let old = views[name.text]
            if old != nil { viewChain.forget() }
            views[name.text] = View(name: name.text, pipeline: pipeline, file: file)
            do {
                // A view over a database stays lazy: it is bound (so mistakes show now) and
                // runs there when a statement uses it.
                let plan = try Binder(session: self, file: file, parameters: context.parameters).bind(pipeline)
                // (`--tables-in` runs scripts as they run in memory: views are computed.)
                if case .database(let alias) = plan.location, attachments[alias]?.isHidden == false {
                    let engine = attachments[alias]?.database.engineName ?? alias
                    emit(.done("view \(name.text): \(plan.schema.count) column\(plan.schema.count == 1 ? "" : "s"), runs in \(engine) (\(alias)) when used", elapsed: elapsed()))
                    return
                }
                let t = try evaluateView(name.text, parameters: context.parameters)
                emit(.done("view \(name.text): \(NumberFormat.shape(rows: t.rowCount, columns: t.columnCount))", elapsed: elapsed()))
            } catch {
                views[name.text] = old
                if old != nil { viewChain.forget() }
                throw error
            }

        case .param(let name, let expr):
            let ev = ExpressionEvaluator(table: Table(), file: file, parameters: { self.currentParameters[$0] }, functions: functions)
            let v = try ev.evaluate(expr)
            let value: Scalar
            switch v {
            case .scalar(let s): value = s
            case .duration(let n, let u): value = .int(Int64(Duration.days(n, u)))
            case .column: throw Diagnostic("a parameter value must be a constant such as 30, 0.8, \"S\" or @2024-06-30", at: expr.span, in: file)
            }
            if overrides[name.text] != nil {
                emit(.note("param \(name.text) stays \(overrides[name.text]?.description ?? "") (set on the command line)"))
            }
            params[name.text] = value

        case .rules(let name, let rules):
            ruleSets[name.text] = (RuleSet(name: name.text, rules: rules, file: file, span: statement.span), bumpVersion())

        case .export(let pipeline, let path, let pathSpan):
            try checkWritable(path, pathSpan, file)
            guard TableWriter.canWrite(path) else {
                throw Diagnostic("cannot tell the format of '\(path)' (\(TableWriter.extensionsHint))", at: pathSpan, in: file)
            }
            let target = resolve(path)
            if let reader = readerOfFile(target) {
                throw Diagnostic("refusing to overwrite '\(path)': \(reader)", at: pathSpan, in: file,
                                 hints: ["export to another file name"])
            }
            let result = try evaluate(pipeline, file: file, parameters: context.parameters)
            for n in result.notes { emit(.note(n)) }
            do {
                try TableWriter.write(result.table, to: target)
            } catch let d as Diagnostic {
                throw Diagnostic(d.message, at: pathSpan, in: file, hints: d.hints)
            } catch {
                throw Diagnostic("cannot write '\(path)': \(error)", at: pathSpan, in: file)
            }
            emit(.done("exported \(NumberFormat.shape(rows: result.table.rowCount, columns: result.table.columnCount)) to \(path)", elapsed: elapsed()))

        case .profile(let name, let key):
            let source = Source(.table(name.text), name.span)
            let table = try evaluateSource(source, file: file, parameters: context.parameters).table
            if let key, table.index(of: key.text) == nil {
                throw ExpressionEvaluator(table: table, file: file, parameters: { _ in nil }, functions: functions).unknownColumn(key.text, key.span)
            }
            let (summary, duplicates) = try Profile.profile(table, key: key?.text)
            let number = record(summary)
            let duplicatesNumber = duplicates.flatMap { $0.rowCount > 0 ? record($0) : nil }
            emit(.report(.profile(ProfileReport(summary: summary, number: number, key: key?.text, duplicates: duplicates,
                                                duplicatesNumber: duplicatesNumber)), elapsed: elapsed()))

        case .whatIf(let w):
            guard let handler = whatIfHandler else { throw Diagnostic("whatif is not available in this build", at: statement.span, in: file) }
            let outcome = try handler(w, statement.span, context)
            for item in Session.timed(outcome.report, elapsed()) { emit(item) }

        case .sweep:
            guard let handler = sweepHandler else { throw Diagnostic("sweep is not available in this build", at: statement.span, in: file) }
            let report = try handler(statement, context)
            for item in Session.timed(report, elapsed()) { emit(item) }

        case .compare:
            guard let handler = compareHandler else { throw Diagnostic("compare is not available in this build", at: statement.span, in: file) }
            for item in Session.timed(try handler(statement, context), elapsed()) { emit(item) }

        case .attach, .detach, .explain, .loadRemote, .exportRemote:
            try executeDatabaseStatement(statement, file: file, parameters: context.parameters, emit: emit, elapsed: elapsed)

        case .run(let path, let pathSpan):
            try checkReadable(path, pathSpan, file)
            let text: String
            do { text = String(decoding: try FileBytes.read(path: resolve(path)), as: UTF8.self) } catch let d as Diagnostic {
                throw Diagnostic("cannot read script '\(path)': \(d.message)", at: pathSpan, in: file)
            }
            if let cycle = scriptCycle(path) { throw Diagnostic(cycle, at: pathSpan, in: file) }
            let script = SourceFile(name: path, text: text)
            try runningScript(path) {
                guard let runCommand = dotCommandRunner else {
                    if let first = run(script, emit: emit).first { throw first }
                    return
                }
                // Dot-commands run where they stand, between the statements around them.
                for segment in ScriptSegment.split(script) {
                    switch segment {
                    case .statements(let piece):
                        if let first = run(piece, emit: emit).first { throw first }
                    case .command(let line, let location):
                        if !runCommand(line, location) {
                            throw Diagnostic("script '\(path)' stopped at its command \(location)", at: pathSpan, in: file)
                        }
                    }
                }
            }
        }
    }

    /// A report whose first table carries the statement's elapsed time (shown with `--timer`).
    static func timed(_ report: [ResultItem], _ elapsed: Double) -> [ResultItem] {
        var out = report
        for i in out.indices {
            switch out[i] {
            case .table(let t, let number, _): out[i] = .table(t, number: number, elapsed: elapsed)
            case .report(let r, _): out[i] = .report(r, elapsed: elapsed)
            default: continue
            }
            break
        }
        return out
    }

    func load(name: Name?, path: String, pathSpan: Span, options: [OptionPair], file: SourceFile,
              emit: (ResultItem) -> Void, elapsed: () -> Double) throws {
        try checkReadable(path, pathSpan, file)
        let tableName = name?.text ?? Session.stem(of: path)
        if views[tableName] != nil, name != nil {
            throw Diagnostic("'\(tableName)' is a view; load into another name", at: name?.span ?? pathSpan, in: file)
        }
        let csvOptions: CSVOptions
        do {
            csvOptions = try CSVOptions(pairs: options.map { (key: $0.key.text, value: $0.value.scalar) })
        } catch let d as Diagnostic {
            let span = options.first(where: { d.message.contains("'\($0.key.text)'") })?.span ?? options.first?.span ?? pathSpan
            throw Diagnostic(d.message, at: span, in: file, hints: d.hints)
        }
        let target = resolve(path)
        guard FileManager.default.fileExists(atPath: target) else {
            throw Diagnostic("no such file: '\(path)'", at: pathSpan, in: file)
        }
        let report = progress
        let result: CSVLoadResult
        do {
            result = try DataFileReader.read(path: target, name: path, options: csvOptions, progress: report.map { r in { r(tableName, $0) } })
        } catch let d as Diagnostic where d.location == nil && d.span == nil {
            // Workbook errors (no sheet, not a workbook ...) point at the path.
            throw Diagnostic(d.message, at: pathSpan, in: file, hints: d.hints)
        }
        setTable(tableName, result.table, sourcePath: target)
        try place(tableName, at: pathSpan, file: file)
        for w in result.warnings { emit(.note("warning: \(w)")) }
        if result.skippedRows > 0 { emit(.note("skipped \(result.skippedRows) malformed row\(result.skippedRows == 1 ? "" : "s") (on_error=\"skip\")")) }
        let t = result.table
        emit(.done("loaded \(tableName): \(NumberFormat.shape(rows: t.rowCount, columns: t.columnCount)) from \(path)", elapsed: elapsed()))
    }

    static func stem(of path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = last.lastIndex(of: "."), dot != last.startIndex { return String(last[..<dot]) }
        return last
    }

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { return home + path.dropFirst(1) }
        return (baseDirectory as NSString).appendingPathComponent(path)
    }

    /// Whether a path stays inside the base directory (safe mode), by `RealPath`'s rule.
    func isInsideBase(_ path: String) -> Bool { RealPath.isInside(resolve(path), folder: baseDirectory) }

    func checkReadable(_ path: String, _ span: Span, _ file: SourceFile) throws {
        if isSafe && !isInsideBase(path) {
            throw Diagnostic("safe mode: reading '\(path)' outside the current directory is not allowed", at: span, in: file)
        }
    }

    func checkWritable(_ path: String, _ span: Span, _ file: SourceFile) throws {
        if isSafe { throw Diagnostic("safe mode: writing files is not allowed", at: span, in: file) }
    }

    /// Checks a path for `.read` and similar shell commands under safe mode.
    public func checkScriptPath(_ path: String) -> String? {
        if isSafe && !isInsideBase(path) { return "safe mode: reading '\(path)' outside the current directory is not allowed" }
        return nil
    }

    /// Whether writing files is allowed (for `.save` and similar shell commands).
    public var mayWriteFiles: Bool { !isSafe }
}
