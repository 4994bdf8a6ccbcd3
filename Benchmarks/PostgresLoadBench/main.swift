// Times `PostgresDatabase.query` pulling a whole result into typed columns, the way
// `load T from NAME.TABLE` will. Used by scripts/bench-pg-load; not part of segsh.
//
//   PostgresLoadBench CONNINFO "SELECT * FROM orders"
import Columnar
import PostgresClient
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    fputs("usage: PostgresLoadBench CONNINFO SQL\n", stderr)
    exit(2)
}
do {
    let clock = ContinuousClock()
    let start = clock.now
    let database = try PostgresDatabase(conninfo: arguments[1])
    let table = try database.query(arguments[2])
    let elapsed = clock.now - start
    let types = zip(table.names, table.columns).map { "\($0) \($1.type)" }.joined(separator: ", ")
    print("\(table.rowCount) rows (\(types)) in \(elapsed)")
    database.close()
} catch {
    fputs("PostgresLoadBench: \(error)\n", stderr)
    exit(1)
}
