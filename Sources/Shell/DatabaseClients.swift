import Engine
import PostgresClient
import SparkConnect

/// The database and cluster clients `attach` can use, by URL scheme (SPEC 11).
enum DatabaseClients {
    static func install(into session: Session) {
        session.connectors["postgresql"] = { url in
            let database = try PostgresDatabase(conninfo: url)
            let dialect = PostgreSQLDialect()
            for statement in dialect.sessionSetup { try database.execute(statement) }
            return (database, dialect)
        }
        // Spark Connect: the client runs the dialect's sessionSetup in each new session
        // itself, also in the one it starts after a server restart, and creates its
        // functions in a session when a statement first calls one.
        session.connectors["sc"] = { url in
            let dialect = SparkSQLDialect()
            return (try SparkConnectDatabase(url: url, sessionSetup: dialect.sessionSetup, functions: dialect.sessionFunctions), dialect)
        }
    }
}
