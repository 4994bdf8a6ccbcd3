import Columnar

/// A table in an attached database or cluster: `ALIAS.TABLE` or `ALIAS.SCHEMA.TABLE` as the
/// user writes it (`schema` is the PostgreSQL schema or the Spark database; nil means the
/// engine's default).
public struct RemoteTableName: Hashable, Sendable, CustomStringConvertible {
    public var schema: String?
    public var table: String
    public init(schema: String?, table: String) { self.schema = schema; self.table = table }
    public var description: String { schema.map { "\($0).\(table)" } ?? table }
}

/// A column of a remote table as the engine reports it.
public struct RemoteColumn: Equatable, Sendable {
    public var name: String
    /// The segsh type the column arrives as.
    public var type: DataType
    /// The engine's own type name (`numeric(12,2)`, `timestamp`), for `.schema` and messages.
    public var engineType: String
    public init(name: String, type: DataType, engineType: String) {
        self.name = name; self.type = type; self.engineType = engineType
    }
}

/// A connection to an engine that runs SQL: PostgreSQL through libpq, Spark through Spark
/// Connect. Clients live in their own targets and conform to this; the engine only sends SQL
/// text produced by a `SQLDialect` and reads back `Table`s.
///
/// Errors thrown are `RemoteError`s whose messages carry the server's words and never the
/// password.
public protocol RemoteDatabase: AnyObject {
    /// "PostgreSQL", "Spark".
    var engineName: String { get }
    /// The server's version string, for `.databases`.
    var serverVersion: String { get }
    /// Runs a query and returns its rows as typed columns, in the order the engine sent them.
    func query(_ sql: String) throws -> Table
    /// Runs statements that return no rows (DDL, `SET`, `DROP`).
    func execute(_ sql: String) throws
    /// The tables and views visible to the connection.
    func tables() throws -> [RemoteTableName]
    /// The schema a table name without one is looked up in (`public`), for completion; nil
    /// when unknown (completion then offers `ALIAS.SCHEMA.TABLE` only).
    var defaultSchema: String? { get }
    /// The columns of one table, in order; throws when the table does not exist.
    func columns(of table: RemoteTableName) throws -> [RemoteColumn]
    /// Writes `table` as a new table `name` in one transaction (bulk, not row by row);
    /// with `replace` an existing table of that name is replaced, else it is an error.
    func write(_ table: Table, to name: RemoteTableName, replace: Bool) throws
    /// Asks the server to cancel the running query; callable from another thread.
    func cancel()
    /// Closes the connection.
    func close()
}

/// An error from a remote engine, already phrased for the user (one line, the server's
/// message, no password).
public struct RemoteError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// SQLSTATE or the engine's error class, when known.
    public var code: String?
    public init(_ message: String, code: String? = nil) { self.message = message; self.code = code }
    public var description: String { message }
}

extension RemoteDatabase {
    public var defaultSchema: String? { nil }
}
