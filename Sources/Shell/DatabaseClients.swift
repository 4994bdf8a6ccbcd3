import Engine
import PostgresClient

/// The database and cluster clients `attach` can use, by URL scheme (SPEC 11).
enum DatabaseClients {
    static func install(into session: Session) {
        session.connectors["postgresql"] = { url in
            let database = try PostgresDatabase(conninfo: url)
            let dialect = PostgreSQLDialect()
            for statement in dialect.sessionSetup { try database.execute(statement) }
            return (database, dialect)
        }
    }
}
