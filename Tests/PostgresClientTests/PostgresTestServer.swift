import Columnar
import Engine
import Foundation
import PostgresClient
import XCTest

/// The server `scripts/pg-server start` runs: `SEGSH_TEST_PG` (a superuser) and
/// `SEGSH_TEST_PG_READER` (a role without rights). Unset: the tests skip with a message,
/// except under `CI=true`, where they fail.
enum PostgresTestServer {
    static var url: String? { ProcessInfo.processInfo.environment["SEGSH_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 } }
    static var readerURL: String? { ProcessInfo.processInfo.environment["SEGSH_TEST_PG_READER"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The superuser's connection string, or skips (fails under CI) when no server is set up.
    static func requireURL(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        if let url { return url }
        let message = "SEGSH_TEST_PG is not set: start a server with eval \"$(scripts/pg-server start)\" (scripts/test does this)"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CI=true but " + message, file: file, line: line)
        }
        throw XCTSkip(message)
    }

    static func requireReaderURL(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        _ = try requireURL(file: file, line: line)
        guard let readerURL else {
            XCTFail("SEGSH_TEST_PG is set but SEGSH_TEST_PG_READER is not (scripts/pg-server sets both)", file: file, line: line)
            throw XCTSkip("no reader role")
        }
        return readerURL
    }

    /// The password in a URL (`postgresql://user:PASSWORD@host...`).
    static func password(in url: String) -> String? {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") else { return nil }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return nil }
        return String(credentials[credentials.index(after: colon)...])
    }

    /// The URL with another password.
    static func withPassword(_ password: String, in url: String) -> String? {
        guard let old = self.password(in: url), let range = url.range(of: ":" + old + "@") else { return nil }
        return url.replacingCharacters(in: range, with: ":" + password + "@")
    }

    /// The URL with the port replaced.
    static func withPort(_ port: Int, in url: String) -> String? {
        guard let at = url.lastIndex(of: "@") else { return nil }
        let rest = url[url.index(after: at)...]
        guard let colon = rest.firstIndex(of: ":"), let slash = rest.firstIndex(of: "/") else { return nil }
        return String(url[...at]) + rest[..<colon] + ":\(port)" + rest[slash...]
    }
}

/// A test case with a fresh schema on the test server, dropped afterwards.
class PostgresTestCase: XCTestCase {
    var db: PostgresDatabase!
    var schema = ""

    override func setUpWithError() throws {
        let url = try PostgresTestServer.requireURL()
        db = try PostgresDatabase(conninfo: url)
        schema = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try db.execute("CREATE SCHEMA \(schema); SET search_path TO \(schema), public")
    }

    override func tearDownWithError() throws {
        guard let db else { return }
        try? db.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        db.close()
    }

    /// The rows of a table as text cells ("null" for null), for compact assertions.
    func rows(_ table: Table) -> [[String]] {
        (0..<table.rowCount).map { table.row($0).map(\.description) }
    }

    /// Asserts that `body` throws a `RemoteError` and returns it.
    func remoteError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> RemoteError? {
        do {
            try body()
            XCTFail("expected a RemoteError", file: file, line: line)
        } catch let error as RemoteError {
            return error
        } catch {
            XCTFail("expected a RemoteError, got \(error)", file: file, line: line)
        }
        return nil
    }
}
