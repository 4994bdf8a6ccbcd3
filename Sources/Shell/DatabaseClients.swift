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
        // Spark Connect: the client sets each new session up itself (UTC), also after a
        // server restart, so the dialect's sessionSetup is not run here.
        session.connectors["sc"] = { url in
            (try SparkConnectDatabase(url: url), SparkSQLDialect())
        }
    }
}
