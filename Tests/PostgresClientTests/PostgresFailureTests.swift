import Columnar
import Engine
import Foundation
import PostgresClient
import XCTest

/// Each failure is one `RemoteError` line with the server's words, and never the password.
final class PostgresFailureTests: PostgresTestCase {
    func testConnectionRefused() throws {
        let url = try XCTUnwrap(PostgresTestServer.withPort(1, in: try PostgresTestServer.requireURL()))
        let error = remoteError { _ = try PostgresDatabase(conninfo: url) }
        XCTAssertEqual(error?.message, "cannot connect to PostgreSQL: connection to server at \"127.0.0.1\", port 1 failed: Connection refused. Is the server running on that host and accepting TCP/IP connections?")
        assertNoPassword(error, url: url)
    }

    func testBadPasswordNeverShowsEitherPassword() throws {
        let good = try PostgresTestServer.requireURL()
        let bad = try XCTUnwrap(PostgresTestServer.withPassword("Wr0ng-s3cret", in: good))
        let error = remoteError { _ = try PostgresDatabase(conninfo: bad) }
        let port = try XCTUnwrap(good.split(separator: ":").last?.split(separator: "/").first)
        XCTAssertEqual(error?.message, "cannot connect to PostgreSQL: connection to server at \"127.0.0.1\", port \(port) failed: password authentication failed for user \"segsh_test\"")
        assertNoPassword(error, url: bad)
        assertNoPassword(error, url: good)
        XCTAssertFalse(try PostgresDatabase(conninfo: good).displayName.contains(try XCTUnwrap(PostgresTestServer.password(in: good))))
    }

    func testMissingPasswordIsMarkedSoTheShellCanPrompt() throws {
        let good = try PostgresTestServer.requireURL()
        let password = try XCTUnwrap(PostgresTestServer.password(in: good))
        let without = good.replacingOccurrences(of: ":" + password + "@", with: "@")
        setenv("PGPASSFILE", "/nonexistent", 1)
        defer { unsetenv("PGPASSFILE") }
        let error = remoteError { _ = try PostgresDatabase(conninfo: without) }
        XCTAssertEqual(error?.code, PostgresDatabase.passwordRequiredCode)
        XCTAssertEqual(error?.message, "cannot connect to PostgreSQL: connection to server at \"127.0.0.1\", port \(good.split(separator: ":").last?.split(separator: "/").first ?? "") failed: fe_sendauth: no password supplied; give the password in the URI, PGPASSWORD or ~/.pgpass")
    }

    func testMissingTable() throws {
        let error = remoteError { _ = try db.query("SELECT * FROM nope") }
        XCTAssertEqual(error?.message, "PostgreSQL: relation \"nope\" does not exist")
        XCTAssertEqual(error?.code, "42P01")
        XCTAssertEqual(rows(try db.query("SELECT 1 AS one")), [["1"]])  // the connection goes on
    }

    func testPermissionDenied() throws {
        try db.execute("CREATE TABLE secret (x int); INSERT INTO secret VALUES (1)")
        let reader = try PostgresDatabase(conninfo: try PostgresTestServer.requireReaderURL())
        defer { reader.close() }
        let error = remoteError { _ = try reader.query("SELECT * FROM \(schema).secret") }
        XCTAssertEqual(error?.message, "PostgreSQL: permission denied for schema \(schema)")
        XCTAssertEqual(error?.code, "42501")
        try db.execute("GRANT USAGE ON SCHEMA \(schema) TO segsh_reader")
        XCTAssertEqual(remoteError { _ = try reader.query("SELECT * FROM \(schema).secret") }?.message,
                       "PostgreSQL: permission denied for table secret")
        XCTAssertEqual(remoteError { try reader.write(try Table(names: ["x"], columns: [Column.from([.int(1)])]), to: RemoteTableName(schema: schema, table: "mine"), replace: false) }?.message,
                       "PostgreSQL: permission denied for schema \(schema)")
        XCTAssertEqual(rows(try reader.query("SELECT 2 AS two")), [["2"]])  // no transaction left open
    }

    func testStatementTimeout() throws {
        try db.execute("SET statement_timeout = '200ms'")
        let started = ContinuousClock.now
        let error = remoteError { _ = try db.query("SELECT pg_sleep(5) IS NULL AS slept") }
        XCTAssertEqual(error?.message, "PostgreSQL: canceling statement due to statement timeout")
        XCTAssertEqual(error?.code, "57014")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4))
        try db.execute("RESET statement_timeout")
    }

    func testCancelFromAnotherThread() throws {
        let database = try XCTUnwrap(db)
        let started = ContinuousClock.now
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { database.cancel() }
        let error = remoteError { _ = try database.query("SELECT pg_sleep(10) IS NULL AS slept") }
        XCTAssertEqual(error?.message, "query cancelled (PostgreSQL: canceling statement due to user request)")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        // Cancelling when nothing runs does nothing, and the next query is not cancelled.
        database.cancel()
        XCTAssertEqual(rows(try database.query("SELECT 3 AS three")), [["3"]])
    }

    func testInterruptFlagCancelsTheRunningQuery() throws {
        let database = try XCTUnwrap(db)
        let requested = DispatchGroup()
        requested.enter()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { Cancellation.request(); requested.leave() }
        defer {
            // The flag is process-wide: never leave it set for the tests that follow.
            _ = requested.wait(timeout: .now() + 5)
            Cancellation.reset()
        }
        let error = remoteError { try database.execute("SELECT pg_sleep(10)") }
        XCTAssertEqual(error?.message, "query cancelled (PostgreSQL: canceling statement due to user request)")
    }

    func testServerEndingTheConnectionMidQueryThenReconnect() throws {
        let database = try XCTUnwrap(db)
        let pid = try XCTUnwrap(rows(try database.query("SELECT pg_backend_pid() AS pid")).first?.first)
        let killer = try PostgresDatabase(conninfo: try PostgresTestServer.requireURL())
        defer { killer.close() }
        let killed = DispatchGroup()
        killed.enter()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            _ = try? killer.query("SELECT pg_terminate_backend(\(pid)) AS done")
            killed.leave()
        }
        defer { _ = killed.wait(timeout: .now() + 5) }
        let error = remoteError { _ = try database.query("SELECT pg_sleep(10) IS NULL AS slept") }
        XCTAssertEqual(error?.message.hasPrefix("the connection to PostgreSQL was lost: terminating connection due to administrator command"), true, error?.message ?? "")
        XCTAssertEqual(error?.message.hasSuffix("(the next command reconnects)"), true, error?.message ?? "")
        XCTAssertFalse(error?.message.contains("\n") ?? true)
        // The next command reconnects (a new backend, still in UTC).
        let after = try database.query("SELECT pg_backend_pid() AS pid, current_setting('TimeZone') AS tz")
        XCTAssertNotEqual(rows(after).first?.first, pid)
        XCTAssertEqual(rows(after).first?.last, "UTC")
    }

    func testClosedDatabaseSaysSo() throws {
        db.close()
        XCTAssertEqual(remoteError { _ = try db.query("SELECT 1 AS x") }?.message,
                       "the PostgreSQL connection is closed; attach the database again")
    }

    func assertNoPassword(_ error: RemoteError?, url: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let error, let password = PostgresTestServer.password(in: url) else { return }
        XCTAssertFalse(error.message.contains(password), "the message shows the password: \(error.message)", file: file, line: line)
        XCTAssertFalse(error.description.contains(password), file: file, line: line)
    }
}

final class PostgresPasswordTests: XCTestCase {
    /// The shell prompts after `passwordRequiredCode`, then connects with the answer.
    func testPromptedPasswordConnects() throws {
        let good = try PostgresTestServer.requireURL()
        let password = try XCTUnwrap(PostgresTestServer.password(in: good))
        let without = good.replacingOccurrences(of: ":" + password + "@", with: "@")
        let db = try PostgresDatabase(conninfo: without, password: password)
        defer { db.close() }
        XCTAssertEqual(try db.query("SELECT current_user::text AS who").row(0), [.string("segsh_test")])
        XCTAssertFalse(db.displayName.contains(password))
        XCTAssertThrowsError(try PostgresDatabase(conninfo: good, password: "not-it")) { error in
            XCTAssertFalse("\(error)".contains("not-it"))
            XCTAssertFalse("\(error)".contains(password))
        }
    }
}
