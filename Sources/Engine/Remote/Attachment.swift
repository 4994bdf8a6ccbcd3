import Columnar
import Diagnostics
import Dispatch
import Foundation
import IO
import Language

/// Makes a connection from a URL (`postgresql://...`, `host=... dbname=...`, `sc://...`):
/// the client and the SQL dialect of its engine. The shell registers one per scheme.
public typealias Connector = (_ url: String) throws -> (RemoteDatabase, SQLDialect)

/// An attached database or cluster (`attach URL as NAME`).
public final class Attachment {
    public let alias: String
    /// The URL with any password replaced by `***` (what messages and `.databases` show).
    public let redactedURL: String
    public let database: RemoteDatabase
    public let dialect: SQLDialect
    /// Not listed by `.databases` and `.tables` (the database of `--tables-in`).
    public internal(set) var isHidden = false
    /// Column lists already asked for, by table (cleared by `detach` and by writes).
    var columnCache: [RemoteTableName: [RemoteColumn]] = [:]

    init(alias: String, redactedURL: String, database: RemoteDatabase, dialect: SQLDialect) {
        self.alias = alias; self.redactedURL = redactedURL; self.database = database; self.dialect = dialect
    }
}

/// Limits on what crosses between memory and a database (SPEC 11: nothing is pulled silently).
public enum RemoteLimits {
    /// A pipeline result brought back to print or to feed a what-if is refused above this
    /// many rows unless the user asked for the rows (`load`, `collect`).
    public static var resultRows = 5_000_000
    /// An in-memory table joined to a remote one is sent as a temporary table up to this many rows.
    public static var temporaryTableRows = 1_000_000
}

extension Attachment {
    /// A URL with the password left out: `postgresql://u:secret@h/db` → `postgresql://u:***@h/db`,
    /// `password=secret` → `password=***`, `;token=...` → `;token=***`.
    public static func redact(_ url: String) -> String { replacingSecrets(in: url) { _ in "***" } }

    /// `text` with every secret's characters replaced by `*` of the same UTF-8 length, so
    /// that spans into it still point at the same places (for echoing an `attach` statement
    /// in an error, history or a saved notebook).
    public static func mask(_ text: String) -> String {
        replacingSecrets(in: text) { String(repeating: "*", count: $0.utf8.count) }
    }

    static func replacingSecrets(in text: String, _ replacement: (Substring) -> String) -> String {
        var s = text
        var searchStart = s.startIndex
        while let scheme = s.range(of: "://", range: searchStart..<s.endIndex) {
            let end = s[scheme.upperBound...].firstIndex(where: { $0 == "\"" || $0 == "'" || $0 == " " || $0 == "\n" || $0 == "/" }) ?? s.endIndex
            if let at = s.range(of: "@", options: .backwards, range: scheme.upperBound..<end),
               let colon = s[scheme.upperBound..<at.lowerBound].firstIndex(of: ":") {
                let secret = s.index(after: colon)..<at.lowerBound
                let r = replacement(s[secret])
                s.replaceSubrange(secret, with: r)
                searchStart = s.index(s.index(after: colon), offsetBy: r.count, limitedBy: s.endIndex) ?? s.endIndex
            } else {
                searchStart = scheme.upperBound
            }
        }
        for key in ["password=", "token="] {
            searchStart = s.startIndex
            while let r = s.range(of: key, options: .caseInsensitive, range: searchStart..<s.endIndex) {
                let end = s[r.upperBound...].firstIndex(where: { $0 == " " || $0 == ";" || $0 == "&" || $0 == "\"" || $0 == "\n" }) ?? s.endIndex
                let rep = replacement(s[r.upperBound..<end])
                s.replaceSubrange(r.upperBound..<end, with: rep)
                searchStart = s.index(r.upperBound, offsetBy: rep.count, limitedBy: s.endIndex) ?? s.endIndex
            }
        }
        return s
    }
}

extension Session {
    /// `attach URL as NAME`.
    public func attach(url: String, as alias: Name, urlSpan: Span, file original: SourceFile) throws -> Attachment {
        // Errors echo the statement: with the password masked.
        let file = SourceFile(name: original.name, text: Attachment.mask(original.text), firstLine: original.firstLine)
        if isSafe {
            throw Diagnostic("attach is not allowed in safe mode", at: urlSpan, in: file)
        }
        guard attachments[alias.text] == nil else {
            throw Diagnostic("'\(alias.text)' is attached already", at: alias.span, in: file, hints: ["detach \(alias.text) first"])
        }
        guard tables[alias.text] == nil, views[alias.text] == nil else {
            throw Diagnostic("'\(alias.text)' names a table or view; attach under another name", at: alias.span, in: file)
        }
        let scheme: String
        if let r = url.range(of: "://") { scheme = String(url[..<r.lowerBound]).lowercased() } else { scheme = "postgresql" }
        let key = scheme == "postgres" ? "postgresql" : scheme
        guard let connector = connectors[key] else {
            throw Diagnostic("cannot attach '\(Attachment.redact(url))': no client for '\(scheme)' in this build", at: urlSpan, in: file,
                             hints: ["segsh attaches postgresql://... (or \"host=... dbname=...\") and sc://HOST:PORT (Spark Connect)"])
        }
        let (database, dialect): (RemoteDatabase, SQLDialect)
        do { (database, dialect) = try connector(url) } catch let e as RemoteError {
            throw Diagnostic("cannot attach \(Attachment.redact(url)): \(e.message)", at: urlSpan, in: file)
        }
        let a = Attachment(alias: alias.text, redactedURL: Attachment.redact(url), database: database, dialect: dialect)
        attachments[alias.text] = a
        return a
    }

    /// `detach NAME`.
    public func detach(_ alias: Name, file: SourceFile) throws {
        guard let a = attachments.removeValue(forKey: alias.text) else {
            throw Diagnostic("'\(alias.text)' is not attached", at: alias.span, in: file,
                             hints: attachments.isEmpty ? [] : ["attached: " + attachments.keys.sorted().joined(separator: ", ")])
        }
        a.database.close()
    }

    /// `.databases`: one row per attachment.
    public func databasesListing() -> Table {
        let names = attachments.keys.sorted().filter { attachments[$0]?.isHidden == false }
        let rows = names.compactMap { attachments[$0] }
        return Table(uncheckedNames: ["name", "engine", "version", "url"],
                     columns: [Column.from(names.map { .string($0) }, type: .string),
                               Column.from(rows.map { .string($0.database.engineName) }, type: .string),
                               Column.from(rows.map { .string($0.database.serverVersion) }, type: .string),
                               Column.from(rows.map { .string($0.redactedURL) }, type: .string)],
                     rowCount: names.count)
    }

    /// `crm.orders` → ("crm", orders); `crm.public.orders` → ("crm", public.orders); nil when
    /// the first part is not an attachment.
    public func remoteName(_ name: String) -> (String, RemoteTableName)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, attachments[parts[0]] != nil, !parts.contains(where: \.isEmpty) else { return nil }
        return parts.count == 2 ? (parts[0], RemoteTableName(schema: nil, table: parts[1]))
                                : (parts[0], RemoteTableName(schema: parts[1], table: parts[2]))
    }

    /// The columns of a remote table (asked once per attachment and table).
    func remoteColumns(alias: String, table: RemoteTableName, span: Span, file: SourceFile) throws -> [RemoteColumn] {
        guard let a = attachments[alias] else { throw Diagnostic("'\(alias)' is not attached", at: span, in: file) }
        if let c = a.columnCache[table] { return c }
        do {
            let c = try withCancellation(a) { try a.database.columns(of: table) }
            a.columnCache[table] = c
            return c
        } catch let e as RemoteError {
            throw Diagnostic("\(alias).\(table): \(e.message)", at: span, in: file,
                             hints: ["'.tables' lists the tables of attached databases"])
        }
    }

    /// Tables of every attachment, as `ALIAS.[SCHEMA.]TABLE` (for `.tables` and completion).
    public func remoteTableNames() -> [String] {
        var out: [String] = []
        for alias in attachments.keys.sorted() {
            guard let a = attachments[alias], !a.isHidden, let names = try? a.database.tables() else { continue }
            for n in names { out.append("\(alias).\(n)") }
        }
        return out
    }

    /// Runs `body` (a call into a client) while watching for Ctrl-C: an interrupt asks the
    /// server to cancel the running query.
    func withCancellation<R>(_ a: Attachment, _ body: () throws -> R) throws -> R {
        let done = DispatchSemaphore(value: 0)
        let database = a.database
        let watcher = Thread {
            while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                if Cancellation.isRequested { database.cancel(); _ = done.wait(timeout: .distantFuture); return }
            }
        }
        watcher.start()
        defer { done.signal() }
        do { return try body() } catch let e as RemoteError {
            if Cancellation.isRequested { throw ColumnarError.cancelled }
            throw e
        }
    }

    /// The SQL for the first `steps` steps of a plan whose source is in database `alias`.
    public func compileSQL(_ plan: LogicalPlan, steps: Int, alias: String, file: SourceFile, parameters: [String: Scalar]) throws -> String {
        guard let a = attachments[alias] else {
            throw Diagnostic("'\(alias)' is not attached", at: plan.pipeline.source.span, in: file)
        }
        let compiler = SQLCompiler(dialect: a.dialect, session: self, alias: alias, file: file, parameters: parameters)
        return try compiler.compile(plan, steps: steps)
    }

    /// Compiles and runs the part of a plan that is in a database; returns its rows.
    func runRemote(_ plan: LogicalPlan, steps: Int, alias: String, file: SourceFile, parameters: [String: Scalar],
                   rowLimit: Int? = RemoteLimits.resultRows) throws -> PipelineResult {
        guard let a = attachments[alias] else {
            throw Diagnostic("'\(alias)' is not attached", at: plan.pipeline.source.span, in: file)
        }
        let compiler = SQLCompiler(dialect: a.dialect, session: self, alias: alias, file: file, parameters: parameters)
        let sql = try compiler.compile(plan, steps: steps)
        defer { compiler.dropUploads(in: a) }
        do {
            try compiler.uploadTemporaryTables(to: a)
            // The limit is checked on the result itself (one query, not a count and then the
            // query): at most limit + 1 rows are asked for.
            let limited = rowLimit.flatMap { plan.steps.contains(where: { $0.op.isCollect }) ? nil : $0 }
            let table = try withCancellation(a) { try a.database.query(sql + (limited.map { " LIMIT \($0 + 1)" } ?? "")) }
            if let limited, table.rowCount > limited {
                throw Diagnostic("this would bring more than \(NumberFormat.grouped(limited)) rows from \(alias)",
                                 at: plan.pipeline.span, in: file,
                                 hints: ["narrow it with where/summarize/take, or say you want the rows: '| collect' or 'load NAME from \(alias).TABLE'"])
            }
            var result = PipelineResult(table: table)
            for report in compiler.reports {
                let rows = try report.sql.map { sql in try withCancellation(a) { try a.database.query(sql) } }
                result.reports.append(report.render(rows))
            }
            return result
        } catch let e as RemoteError {
            throw Diagnostic("\(alias): \(e.message)", at: plan.pipeline.span, in: file)
        }
    }
}

