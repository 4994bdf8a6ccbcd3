import Columnar
import Diagnostics
import Foundation
import IO
import Language

/// The statements of SPEC 11: `attach`, `detach`, `explain`, `load T from ALIAS.TABLE`,
/// `export P to ALIAS.TABLE [replace]`.
extension Session {
    func executeDatabaseStatement(_ statement: Statement, file: SourceFile, parameters: [String: Scalar],
                                  emit: (ResultItem) -> Void, elapsed: () -> Double) throws {
        switch statement.kind {
        case .attach(let url, let urlSpan, let alias):
            let a = try attach(url: url, as: alias, urlSpan: urlSpan, file: file)
            emit(.done("attached \(alias.text): \(a.database.engineName) \(a.database.serverVersion) at \(a.redactedURL)", elapsed: elapsed()))

        case .detach(let alias):
            try detach(alias, file: file)
            emit(.done("detached \(alias.text)", elapsed: elapsed()))

        case .explain(let pipeline):
            let plan = try Binder(session: self, file: file, parameters: parameters).bind(pipeline)
            emit(.text(try explain(plan, file: file, parameters: parameters)))

        case .loadRemote(let name, let table):
            guard let (alias, remote) = remoteName(table.text) else {
                throw Diagnostic("'\(table.text)' is not a table of an attached database", at: table.span, in: file,
                                 hints: attachments.isEmpty ? ["attach one first: attach \"postgresql://user@host/db\" as crm"]
                                                            : ["attached: " + attachments.keys.sorted().joined(separator: ", ") + " (write ALIAS.TABLE)"])
            }
            let tableName = name?.text ?? remote.table
            if views[tableName] != nil {
                throw Diagnostic("'\(tableName)' is a view; load into another name", at: name?.span ?? table.span, in: file)
            }
            let source = Source(.table(table.text), table.span)
            let plan = try Binder(session: self, file: file, parameters: parameters)
                .bind(Pipeline(source: source, steps: [], span: table.span))
            let t = try runRemote(plan, steps: 0, alias: alias, file: file, parameters: parameters, rowLimit: nil).table
            setTable(tableName, t)
            emit(.done("loaded \(tableName): \(NumberFormat.shape(rows: t.rowCount, columns: t.columnCount)) from \(alias).\(remote)", elapsed: elapsed()))

        case .exportRemote(let pipeline, let table, let replace):
            guard let (alias, remote) = remoteName(table.text), let a = attachments[alias] else {
                throw Diagnostic("'\(table.text)' is not in an attached database", at: table.span, in: file,
                                 hints: ["write ALIAS.TABLE, e.g. export tiered to crm.customer_tiers"])
            }
            if isSafe { throw Diagnostic("safe mode: writing to a database is not allowed", at: table.span, in: file) }
            let result = try evaluate(pipeline, file: file, parameters: parameters)
            for n in result.notes { emit(.note(n)) }
            do {
                try withCancellation(a) { try a.database.write(result.table, to: remote, replace: replace) }
            } catch let e as RemoteError {
                throw Diagnostic("\(alias): \(e.message)", at: table.span, in: file,
                                 hints: replace ? [] : ["add 'replace' to replace an existing table"])
            }
            a.columnCache[remote] = nil
            a.tableCache = nil
        a.tableCache = nil
            emit(.done("exported \(NumberFormat.grouped(result.table.rowCount)) rows × \(result.table.columnCount) columns to \(alias).\(remote)", elapsed: elapsed()))

        default:
            break
        }
    }

    /// `explain`: each step with its schema and where it runs, and the SQL sent to a database.
    public func explain(_ plan: LogicalPlan, file: SourceFile, parameters: [String: Scalar]) throws -> String {
        var out = ""
        let remoteSteps: Int
        switch plan.sourceLocation {
        case .database(let alias):
            remoteSteps = plan.remotePrefixCount
            let engine = attachments[alias].map { "\($0.database.engineName) (\(alias))" } ?? alias
            var what = remoteSteps == plan.steps.count ? "the whole pipeline" : "the first \(remoteSteps) step\(remoteSteps == 1 ? "" : "s")"
            if plan.splitStep != nil { what = (remoteSteps == 0 ? "" : what + " and ") + "part of step \(remoteSteps + 1)" }
            out += "runs in \(engine): \(what)\n"
        case .memory:
            remoteSteps = 0
            out += "runs in memory\n"
        }
        out += "source: \(file.slice(plan.pipeline.source.span)) → \(describe(plan.sourceSchema))\n"
        for (i, step) in plan.steps.enumerated() {
            let split = i == remoteSteps ? plan.splitStep : nil
            let place = i < remoteSteps ? "db" : split != nil ? "db, then memory" : "memory"
            out += "  \(i + 1). [\(place)] \(file.slice(step.op.step.span)) → \(describe(step.schema))\n"
            if let split { out += "     \(split.splitDescription)\n" }
        }
        if case .database(let alias) = plan.sourceLocation, let a = attachments[alias] {
            let compiler = SQLCompiler(dialect: a.dialect, session: self, alias: alias, file: file, parameters: parameters)
            let sql = try compiler.compile(plan, steps: plan.loweredStepCount)
            for u in compiler.uploads {
                out += "sent as a temporary table: \(NumberFormat.grouped(u.table.rowCount)) in-memory rows as \(u.name)\n"
            }
            do {
                defer { compiler.dropUploads(in: a) }
                try? compiler.uploadTemporaryTables(to: a)
                let counted = try? withCancellation(a) { try a.database.query(a.dialect.countQuery(sql)) }
                if let c = counted?.columns.first, counted?.rowCount == 1, case .int(let n) = c[0] {
                    out += "rows that would come back: \(NumberFormat.grouped(Int(n)))"
                    out += n > RemoteLimits.resultRows ? " (over the limit of \(NumberFormat.grouped(RemoteLimits.resultRows)): add a filter, or '| collect' to bring them anyway)\n" : "\n"
                }
            }
            out += "SQL:\n" + sql + "\n"
        }
        return out
    }

    /// `segsh --tables-in URL`: attaches the database under a hidden name; from then on every
    /// table loaded from a file is also written there (replacing a table of the same name)
    /// and pipelines over it run there. For running the same scripts and notebooks against
    /// a database, and for checking that both give the same results.
    public func placeTables(in url: String) throws {
        let alias = Session.placementAlias
        let file = SourceFile(name: "--tables-in", text: url)
        _ = try attach(url: url, as: Name(alias, Span(0, 0)), urlSpan: Span(0, 0), file: file)
        attachments[alias]?.isHidden = true
        tablePlacement = alias
    }

    static let placementAlias = "__segsh_tables"

    /// Writes a loaded table to the placement database, when there is one.
    func place(_ name: String, at span: Span, file: SourceFile) throws {
        guard let alias = tablePlacement, let a = attachments[alias], let stored = tables[name] else { return }
        let remote = RemoteTableName(schema: nil, table: a.dialect.placementName(name))
        do {
            try withCancellation(a) { try a.database.write(SQLCompiler.withOrderColumn(stored.table), to: remote, replace: true) }
        } catch let e as RemoteError {
            throw Diagnostic("cannot place '\(name)' in the database: \(e.message)", at: span, in: file)
        }
        a.columnCache[remote] = nil
        a.tableCache = nil
        tables[name]?.placement = (alias, remote)
    }

    func describe(_ schema: Schema) -> String {
        "(" + zip(schema.names, schema.types).map { "\($0): \($1.rawValue)" }.joined(separator: ", ") + ")"
    }
}
