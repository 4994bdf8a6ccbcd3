import XCTest
import Columnar
import Engine
@testable import SparkConnect
#if canImport(Glibc)
import Glibc
#endif

/// Against a real Spark Connect server: the URL comes from SEGSH_TEST_SPARK
/// (`export SEGSH_TEST_SPARK=$(scripts/spark-server start)`). Without it these tests skip,
/// except under CI=true, where they fail.
final class SparkConnectServerTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func serverURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["SEGSH_TEST_SPARK"], !url.isEmpty { return url }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("SEGSH_TEST_SPARK is not set; under CI the Spark tests must run: export SEGSH_TEST_SPARK=$(scripts/spark-server start)")
        }
        throw XCTSkip("SEGSH_TEST_SPARK is not set; run: export SEGSH_TEST_SPARK=$(scripts/spark-server start)")
    }

    private func connect() throws -> SparkConnectDatabase {
        try SparkConnectDatabase(url: serverURL())
    }

    private func values(_ table: Table, _ name: String) -> [Scalar] {
        guard let column = table.column(name) else { return [.string("no column \(name) in \(table.names)")] }
        return (0..<column.count).map { column[$0] }
    }

    private func date(_ y: Int, _ m: Int, _ d: Int) -> Scalar { .date(CivilDate(year: y, month: m, day: d).daysSinceEpoch) }

    private func errorMessage(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testConnectsAndReportsTheVersion() throws {
        let spark = try connect()
        defer { spark.close() }
        XCTAssertEqual(spark.engineName, "Spark")
        XCTAssertTrue(spark.serverVersion.hasPrefix("4."), spark.serverVersion)
    }

    func testEveryTypeAndNulls() throws {
        let spark = try connect()
        defer { spark.close() }
        let t = try spark.query("""
            SELECT * FROM VALUES
              (CAST(1 AS TINYINT), CAST(-2 AS SMALLINT), 3, CAST(9000000000 AS BIGINT), CAST(1.5 AS FLOAT), 2.25D,
               CAST(12.34 AS DECIMAL(12,2)), '华东 é', DATE'2024-06-30', TIMESTAMP'2024-06-30 00:00:00',
               TIMESTAMP'2024-06-30 13:45:06.5', TIMESTAMP_NTZ'2024-01-02 03:04:05', true, NULL),
              (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            AS t(i8, i16, i32, i64, f, d, dec, s, dt, ts_midnight, ts, ts_ntz, b, n)
            """)
        XCTAssertEqual(t.names, ["i8", "i16", "i32", "i64", "f", "d", "dec", "s", "dt", "ts_midnight", "ts", "ts_ntz", "b", "n"])
        XCTAssertEqual(t.columns.map(\.type), [.int, .int, .int, .int, .double, .double, .double, .string, .date, .date, .string, .string, .bool, .int])
        XCTAssertEqual(t.row(0), [.int(1), .int(-2), .int(3), .int(9_000_000_000), .double(1.5), .double(2.25), .double(12.34),
                                  .string("华东 é"), date(2024, 6, 30), date(2024, 6, 30), .string("2024-06-30 13:45:06.500000"),
                                  .string("2024-01-02 03:04:05"), .bool(true), .null])
        XCTAssertEqual(t.row(1), Array(repeating: .null, count: 14))
    }

    func testSeveralBatchesArriveInOrder() throws {
        let spark = try connect()
        defer { spark.close() }
        try spark.execute("SET spark.sql.execution.arrow.maxRecordsPerBatch=1000")
        let t = try spark.query("SELECT id, CAST(id * 2 AS STRING) AS twice FROM range(0, 25000, 1, 1)")
        XCTAssertEqual(t.rowCount, 25000)
        XCTAssertEqual(values(t, "id"), (0..<25000).map { .int(Int64($0)) })
        XCTAssertEqual(t.column("twice")?[24999], .string("49998"))
    }

    func testEmptyResultKeepsItsColumns() throws {
        let spark = try connect()
        defer { spark.close() }
        let t = try spark.query("SELECT id, 'x' AS label FROM range(0)")
        XCTAssertEqual(t.names, ["id", "label"])
        XCTAssertEqual(t.columns.map(\.type), [.int, .string])
        XCTAssertEqual(t.rowCount, 0)
    }

    func testWriteAndReadBackWithChineseColumnNames() throws {
        let spark = try connect()
        defer { spark.close() }
        let table = try Table(names: ["客户编号", "地区", "金额", "下单日期", "vip"], columns: [
            Column.from([.int(1), .int(2), .null, .int(4)]),
            Column.from([.string("华东"), .null, .string("华南"), .string("")], type: .string),
            Column.from([.double(1200.5), .double(-3.25), .null, .double(0.1)]),
            Column.from([.date(19000), .null, .date(0), .date(-1)]),
            Column.from([.bool(true), .bool(false), .null, .bool(true)]),
        ])
        let name = RemoteTableName(schema: nil, table: "segsh_test_orders")
        try spark.write(table, to: name, replace: true)
        XCTAssertTrue(errorMessage { try spark.write(table, to: name, replace: false) }.hasPrefix("Spark: [TABLE_OR_VIEW_ALREADY_EXISTS]"),
                      errorMessage { try spark.write(table, to: name, replace: false) })
        try spark.write(table, to: name, replace: true)
        let back = try spark.query("SELECT * FROM segsh_test_orders ORDER BY `客户编号` NULLS LAST")
        XCTAssertEqual(back.names, table.names)
        XCTAssertEqual(back.columns.map(\.type), table.columns.map(\.type))
        XCTAssertEqual(back.rowCount, 4)
        for (i, source) in [0, 1, 3, 2].enumerated() { XCTAssertEqual(back.row(i), table.row(source), "row \(i)") }
        XCTAssertEqual(try spark.columns(of: name).map(\.name), table.names)
        XCTAssertEqual(try spark.columns(of: name).map(\.engineType), ["bigint", "string", "double", "date", "boolean"])
        XCTAssertTrue(try spark.tables().contains(name))
        let region = try spark.query("SELECT `地区` AS r FROM segsh_test_orders WHERE `客户编号` = 1")
        XCTAssertEqual(region.row(0), [.string("华东")])
        try spark.execute("DROP TABLE segsh_test_orders")
        XCTAssertFalse(try spark.tables().contains(name))
    }

    /// SparkSQLDialect's text of a double (what `concat` compiles to) against segsh's own
    /// `formatDouble`, value by value, computed by Spark.
    func testDoublesAsTextAreSegshsText() throws {
        let spark = try connect()
        defer { spark.close() }
        let dialect = SparkSQLDialect()
        let values: [Double] = [1, -3, 0, -0.0, 0.1, 2.5, 1e15, 1.5e15, 9.5e15, 1e16, 0.0001, 0.00012345, 1e-05,
                                12345678.5, -0.000123, 1e-300, 1.7976931348623157e308, 123456789012345.67,
                                -2.5e20, 1234567890123.25, .nan, .infinity, -.infinity]
        let items = values.enumerated().map { "\(dialect.text(dialect.double($0.element), of: .double)) AS t\($0.offset)" }
        let row = try spark.query("SELECT " + items.joined(separator: ", ")).row(0)
        XCTAssertEqual(row, values.map { .string(formatDouble($0)) })
    }

    /// The dialect's `segsh_sum_limbs` (its session's SQL functions) rounds
    /// `N = s0·2^96 + s1·2^64 + s2·2^32 + s3` times 2^-80 to the nearest double, ties to even,
    /// for limb sums of any sign and size: against Int128 → Double (exact N, rounded once)
    /// where N fits, and hand-worked ties and huge sums where it does not.
    func testLimbSumsRoundToTheNearestDouble() throws {
        let dialect = SparkSQLDialect()
        let spark = try SparkConnectDatabase(url: serverURL(), sessionSetup: dialect.sessionSetup, functions: dialect.sessionFunctions)
        defer { spark.close() }
        var rng = SystemRandomNumberGenerator()  // a failure names its limb sums
        func limb(_ bits: Int) -> Int64 { Int64.random(in: -(1 << bits)...(1 << bits), using: &rng) }
        var cases: [[Int64]] = [[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, -1], [1, 0, 0, 0], [-1, 0, 0, 0],
                                [0, 1, -(1 << 32), 0], [-1, (1 << 32) - 1, (1 << 32) - 1, 1 << 32]]
        for i in 0..<1_500 {
            switch i % 5 {
            case 0: cases.append([limb(20), limb(40), limb(50), limb(60)])
            case 1: cases.append([0, limb(31), limb(62), limb(62)])
            case 2: cases.append([Int64.random(in: -1...1, using: &rng), -(1 << 32) + limb(2), limb(33), limb(33)])  // cancellation
            case 3: let b = Int.random(in: 0...29, using: &rng); cases.append([limb(b), limb(b + 32), limb(b + 32), limb(b + 32)])
            default:  // N = ±(2^54 + 1)·2^e: halfway between two doubles
                let n = (Int128(1) << 54 + 1) << Int.random(in: 0...60, using: &rng)
                let parts = [n >> 96, (n >> 64) & 0xFFFF_FFFF, (n >> 32) & 0xFFFF_FFFF, n & 0xFFFF_FFFF].map { Int64($0) }
                cases.append(i % 2 == 0 ? parts : parts.map { -$0 })
            }
        }
        var expected = cases.map { s -> Double in
            let n = Int128(s[0]) << 96 + Int128(s[1]) << 64 + Int128(s[2]) << 32 + Int128(s[3])
            return Double(n) * 0x1p-80
        }
        // Beyond Int128: 2^61·2^16 exactly; 2^61 + 256 is halfway between 2^61 and the next
        // double (2^61 + 512): to even without anything below, up with a last bit set.
        cases += [[1 << 61, 0, 0, 0], [1 << 61 + 256, 0, 0, 0], [1 << 61 + 256, 0, 0, 1], [-(1 << 61 + 256), 0, 0, -1]]
        expected += [0x1p77, 0x1p77, (0x1p61 + 512) * 0x1p16, -(0x1p61 + 512) * 0x1p16]
        let rows = cases.map { "(\($0.map { "\($0)L" }.joined(separator: ", ")))" }.joined(separator: ", ")
        let result = try spark.query("SELECT \(dialect.double(ofLimbSums: ["a", "b", "c", "d"])) AS v FROM VALUES \(rows) AS t(a, b, c, d)")
        let got = values(result, "v")
        XCTAssertEqual(got.count, cases.count)
        for (i, (g, e)) in zip(got, expected).enumerated() where g != .double(e) {
            XCTFail("limb sums \(cases[i]): Spark \(g), nearest double \(e)")
        }
    }

    func testAnalysisErrorsAreOneLineWithSparksMessageAndTheSessionGoesOn() throws {
        let spark = try connect()
        defer { spark.close() }
        let table = errorMessage { _ = try spark.query("SELECT * FROM no_such_table") }
        XCTAssertTrue(table.hasPrefix("Spark: [TABLE_OR_VIEW_NOT_FOUND] The table or view `no_such_table` cannot be found."), table)
        XCTAssertFalse(table.contains("\n"), table)
        let column = errorMessage { _ = try spark.query("SELECT no_such_column FROM range(1)") }
        XCTAssertTrue(column.hasPrefix("Spark: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `no_such_column` cannot be resolved."), column)
        XCTAssertEqual(errorMessage { _ = try spark.columns(of: RemoteTableName(schema: nil, table: "no_such_table")) }.prefix(32),
                       "Spark: [TABLE_OR_VIEW_NOT_FOUND]")
        XCTAssertEqual(try spark.query("SELECT 41 + 1 AS answer").row(0), [.int(42)])
    }

    func testAFailingJobIsOneErrorWithSparksMessage() throws {
        let spark = try connect()
        defer { spark.close() }
        let message = errorMessage { _ = try spark.query("SELECT raise_error('the order file is damaged') FROM range(3)") }
        XCTAssertTrue(message.hasPrefix("Spark: [USER_RAISED_EXCEPTION] the order file is damaged"), message)
        XCTAssertEqual(try spark.query("SELECT 1 AS one").row(0), [.int(1)])
    }

    func testUnsupportedTypeIsAnErrorNamingTheColumn() throws {
        let spark = try connect()
        defer { spark.close() }
        let message = errorMessage { _ = try spark.query("SELECT array(1, 2) AS tags") }
        XCTAssertEqual(message, "column 'tags' has Arrow type list, which segsh cannot read; convert it in the query (for example CAST(`tags` AS STRING))")
    }

    func testCancelInterruptsALongQuery() throws {
        let spark = try connect()
        defer { spark.close() }
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { spark.cancel() }
        let message = errorMessage { _ = try spark.query("SELECT max(a.id + b.id) AS s FROM range(0, 100000000) a CROSS JOIN range(0, 100000) b") }
        XCTAssertEqual(message, "the Spark query was cancelled")
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
        XCTAssertEqual(try spark.query("SELECT 2 AS two").row(0), [.int(2)], "the session goes on")
    }

    /// Runs a program and waits for it (posix_spawn and waitpid: Foundation's Process on Linux
    /// never saw `scripts/spark-server restart` end, the server it starts outliving it);
    /// returns its exit status, -1 when it could not run or was killed.
    static func run(_ path: String, _ arguments: [String]) -> Int32 {
        var pid = pid_t()
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        guard posix_spawn(&pid, path, nil, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }

    func testServerRestartStartsANewSessionAndSaysSo() throws {
        let url = try serverURL()
        let script = SparkConnectServerTests.repository.appendingPathComponent("scripts/spark-server").path
        let state = ProcessInfo.processInfo.environment["SEGSH_SPARK_STATE"]
            ?? SparkConnectServerTests.repository.appendingPathComponent(".spark-server").path
        let portFile = state + "/port"
        guard let port = try? String(contentsOfFile: portFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              url.hasSuffix(":\(port)") else {
            throw XCTSkip("the server at \(url) was not started by scripts/spark-server, so this test cannot restart it")
        }
        let dialect = SparkSQLDialect()
        let spark = try SparkConnectDatabase(url: url, sessionSetup: dialect.sessionSetup, functions: dialect.sessionFunctions)
        defer { spark.close() }
        let sum = "SELECT \(dialect.double(ofLimbSums: ["1L", "0L", "0L", "0L"])) AS s"
        XCTAssertEqual(try spark.query(sum).row(0), [.double(65536)], "the functions are created when first called")
        try spark.execute("CREATE OR REPLACE TEMPORARY VIEW segsh_restart AS SELECT 1 AS x")
        XCTAssertEqual(try spark.query("SELECT x FROM segsh_restart").row(0), [.int(1)])
        XCTAssertEqual(SparkConnectServerTests.run(script, ["restart"]), 0, "scripts/spark-server restart")
        let started = Date()
        let message = errorMessage { _ = try spark.query("SELECT x FROM segsh_restart") }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the first call after the restart fails soon")
        XCTAssertTrue(message.hasPrefix("the Spark Connect server at \(url) restarted or the session expired; segsh started a new session (temporary views of the old one are gone): run the statement again"), message)
        XCTAssertEqual(try spark.query("SELECT 3 AS three").row(0), [.int(3)], "the new session works")
        XCTAssertEqual(try spark.query(sum).row(0), [.double(65536)], "the new session has the functions again")
    }
}

/// Failures that need no server.
final class SparkConnectUnreachableTests: XCTestCase {
    func testRefusedConnectionIsOneClearError() throws {
        // A port nothing listens on: bind one, note it, close it.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(probe)
        let started = Date()
        do {
            _ = try SparkConnectDatabase(url: "sc://127.0.0.1:\(port)")
            XCTFail("connected to a closed port")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("cannot reach the Spark Connect server at sc://127.0.0.1:\(port): "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("; check that it runs and the host and port are right"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testSilentServerFailsAtTheConnectTimeout() throws {
        // A socket that listens but never accepts: the kernel completes the TCP handshake, and
        // then nothing answers, like a host behind a dropping firewall.
        let silent = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(silent, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) } }
        XCTAssertEqual(listen(silent, 4), 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let started = Date()
        let message: String
        do {
            _ = try SparkConnectDatabase(url: "sc://127.0.0.1:\(port)", connectTimeout: .seconds(2))
            message = "connected"
        } catch {
            message = "\(error)"
        }
        XCTAssertEqual(message, "the Spark Connect server at sc://127.0.0.1:\(port) did not answer within 2.0 seconds (connect timeout); check the host, the port and the network")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
