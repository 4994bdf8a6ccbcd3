import Columnar
import Engine

/// A PostgreSQL database reached through libpq.
///
/// - `query` describes the statement first (names and types, without running it), refuses a
///   column type segsh cannot read, then streams `COPY (query) TO STDOUT (FORMAT binary)`
///   into typed columns; `PostgresType` documents the mapping.
/// - `write` creates the table and fills it with `COPY ... FROM STDIN (FORMAT binary)`, in one
///   transaction.
/// - The session runs in UTC with UTF-8 text. A lost connection is reopened by the next call.
/// - Errors are `RemoteError`s: one line, the server's message, never the password.
/// - `cancel()` may be called from any thread while a call runs; Ctrl-C (`Cancellation`)
///   cancels too.
public final class PostgresDatabase: RemoteDatabase, @unchecked Sendable {
    /// `RemoteError.code` when the server wants a password that was not given (so the shell
    /// can prompt for one).
    public static let passwordRequiredCode = "segsh-password-required"

    private let connection: PostgresConnection
    /// The connection string with its password hidden, for display.
    public let displayName: String

    /// Connects: `conninfo` is a libpq URI (`postgresql://user:pass@host:port/db`) or
    /// key/value pairs (`host=... dbname=...`); libpq's environment variables and
    /// `~/.pgpass` apply as usual. `password` (one the shell prompted for after an error with
    /// `passwordRequiredCode`) overrides any in `conninfo`.
    public init(conninfo: String, password: String? = nil) throws {
        let connectionString = try PostgresConnectionString(conninfo, password: password)
        displayName = connectionString.redacted
        connection = try PostgresConnection(connectionString)
    }

    public var engineName: String { "PostgreSQL" }

    public var serverVersion: String { connection.parameter("server_version") ?? "unknown" }

    public func query(_ sql: String) throws -> Table {
        let statement = PostgresDatabase.withoutTrailingSemicolons(sql)
        let columns = try connection.describe(statement)
        guard !columns.isEmpty else {
            throw RemoteError("the statement returns no columns; run it with execute, or select something")
        }
        var decoder = try PostgresCopyDecoder(columns: columns) { oid in self.typeName(oid) }
        let bytesPerRow = decoder.bytesPerRow
        try connection.copyOut("COPY (\n\(statement)\n) TO STDOUT (FORMAT binary)") { message in
            try decoder.consume(message)
            if decoder.rowCount & 0xFFFF == 0xFFFF {
                try MemoryBudget.check(bytesPerRow << 16, for: "reading the query's rows (\(decoder.rowCount) so far)")
            }
        }
        return try decoder.finish()
    }

    public func execute(_ sql: String) throws {
        try connection.execute(sql)
    }

    public func tables() throws -> [RemoteTableName] {
        let rows = try connection.rows("""
            SELECT n.nspname, c.relname
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
            ORDER BY 1, 2
            """)
        return rows.compactMap { row in
            guard row.count == 2, let schema = row[0], let table = row[1] else { return nil }
            return RemoteTableName(schema: schema, table: table)
        }
    }

    public func columns(of table: RemoteTableName) throws -> [RemoteColumn] {
        let relation = PostgresDatabase.quoted(table)
        let found = try connection.rows("SELECT pg_catalog.to_regclass($1)::oid::text", [relation])
        guard let oid = found.first?.first ?? nil else {
            throw RemoteError("PostgreSQL has no table or view \(table) (list them with .tables)", code: "42P01")
        }
        let rows = try connection.rows("""
            SELECT a.attname,
                   (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::text,
                   pg_catalog.format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, [oid])
        return try rows.map { row in
            guard row.count == 3, let name = row[0], let typeOID = row[1].flatMap({ UInt32($0) }), let engineType = row[2] else {
                throw RemoteError("PostgreSQL answered the column list of \(table) in an unexpected form")
            }
            guard let type = PostgresType(rawValue: typeOID) else {
                throw RemoteError("column '\(name)' of \(table) has PostgreSQL type \(engineType), which segsh does not read; cast it in a view (\(name)::text)")
            }
            return RemoteColumn(name: name, type: type.segshType, engineType: engineType)
        }
    }

    public func write(_ table: Table, to name: RemoteTableName, replace: Bool) throws {
        for column in table.names { try PostgresDatabase.checkIdentifier(column, what: "column") }
        try PostgresDatabase.checkIdentifier(name.table, what: "table")
        if let schema = name.schema { try PostgresDatabase.checkIdentifier(schema, what: "schema") }
        try PostgresCopyEncoder.check(table)

        let relation = PostgresDatabase.quoted(name)
        let definitions = zip(table.names, table.columns).map { column, data in
            "\(PostgresDatabase.quoted(column)) \(PostgresType.columnType(for: data.type).sqlName)"
        }
        do {
            try connection.execute("BEGIN")
            if replace { try connection.execute("DROP TABLE IF EXISTS \(relation)") }
            do {
                try connection.execute("CREATE TABLE \(relation) (\(definitions.joined(separator: ", ")))")
            } catch let error as RemoteError where error.code == "42P07" {
                throw RemoteError("\(error.message); write with replace to overwrite it", code: error.code)
            }
            try connection.copyIn("COPY \(relation) FROM STDIN (FORMAT binary)") { send in
                try PostgresCopyEncoder.encode(table, send: send)
            }
            try connection.execute("COMMIT")
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    public func cancel() { connection.cancel() }

    public func close() { connection.close() }

    // MARK: - SQL text

    /// A double-quoted identifier (`"订单"`, `"a""b"`).
    public static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
    }

    /// `"schema"."table"`, or `"table"` (found through the search path).
    public static func quoted(_ name: RemoteTableName) -> String {
        (name.schema.map { quoted($0) + "." } ?? "") + quoted(name.table)
    }

    /// PostgreSQL cuts identifiers at 63 bytes without a word, which could merge two names:
    /// refuse longer ones (a Chinese name has 3 bytes a character, so at most 21).
    static func checkIdentifier(_ identifier: String, what: String) throws {
        let bytes = identifier.utf8.count
        guard bytes > 0 else { throw RemoteError("a \(what) name is empty; PostgreSQL needs a name") }
        guard bytes <= 63 else {
            throw RemoteError("\(what) name '\(identifier)' is \(bytes) bytes long; PostgreSQL names hold at most 63 bytes (21 Chinese characters): rename it")
        }
        guard !identifier.utf8.contains(0) else { throw RemoteError("\(what) name '\(identifier)' holds a NUL character; rename it") }
    }

    /// `COPY (...)` takes one statement without its `;`.
    static func withoutTrailingSemicolons(_ sql: String) -> String {
        var s = Substring(sql)
        while let last = s.last, last == ";" || last.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    /// `uuid`, `jsonb`: the name of a type OID, for messages.
    private func typeName(_ oid: UInt32) -> String {
        let name = try? connection.rows("SELECT pg_catalog.format_type($1::oid, NULL)", [String(oid)]).first?.first ?? nil
        return name ?? "with OID \(oid)"
    }
}
