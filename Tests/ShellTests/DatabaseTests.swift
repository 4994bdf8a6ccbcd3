import Foundation
import SegshTestSupport
@testable import Shell
import XCTest

/// SPEC 11 as a user meets it, with the built binary against a real PostgreSQL server
/// (`SEGSH_TEST_PG`, started by scripts/test; skipped without one, except under CI=true).
final class DatabaseTests: XCTestCase {
    var directory = ""
    var url = ""

    override func setUpWithError() throws {
        guard let u = ProcessInfo.processInfo.environment["SEGSH_TEST_PG"] else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("SEGSH_TEST_PG is not set"); return }
            throw XCTSkip("SEGSH_TEST_PG is not set: start a server with scripts/pg-server")
        }
        url = u
        directory = NSTemporaryDirectory() + "segsh-db-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "客户编号,city,amount,day\nA1,上海,100,2024-06-01\nA2,北京,250,2024-06-20\nA3,上海,75,2024-05-02\nA1,上海,30,2024-06-29\n"
            .write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if !directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The password in the test URL (postgresql://user:PASSWORD@host...).
    var password: String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@"),
              let colon = url[scheme.upperBound..<at.lowerBound].firstIndex(of: ":") else { return "\u{0}" }
        return String(url[url.index(after: colon)..<at.lowerBound])
    }

    func testAttachRunExplainCollectLoadExportAndDetach() throws {
        let script = """
            load people from "people.csv"
            attach "\(url)" as pg
            export people to pg.people_db replace
            .databases
            pg.people_db | where amount > 80 | summarize total = sum(amount), n = count() by city | sort city
            explain pg.people_db | where city == "上海" | rfm customer=客户编号, date=day, amount=amount, asof=@2024-06-30
            pg.people_db | where city == "上海" | collect | summarize n = count()
            load copied from pg.people_db
            copied | sort amount | take 1
            detach pg
            """
        try script.write(toFile: directory + "/db.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["db.seg"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("│ PostgreSQL │"), r.stdout)
        XCTAssertTrue(r.stdout.contains("│ 上海   │   100 │   1 │\n│ 北京   │   250 │   1 │"), r.stdout)
        XCTAssertTrue(r.stdout.contains("runs in PostgreSQL (pg): the whole pipeline"), r.stdout)
        XCTAssertTrue(r.stdout.contains("rows that would come back: 2"), r.stdout)
        XCTAssertTrue(r.stdout.contains("FROM \"people_db\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("COLLATE \"C\""), r.stdout)
        XCTAssertTrue(r.stdout.contains("│   3 │"), r.stdout)  // collect, then summarize here
        XCTAssertTrue(r.stdout.contains("│ A1       │ 上海   │     30 │ 2024-06-29 │"), r.stdout)
        XCTAssertTrue(r.stderr.contains("loaded copied: 4 rows × 4 columns from pg.people_db"), r.stderr)
        XCTAssertTrue(r.stderr.contains("detached pg"), r.stderr)
        XCTAssertFalse((r.stdout + r.stderr).contains(password), "the password appeared")
    }

    func testEachFailureIsOneErrorWithTheServersWords() throws {
        let refused = try Segsh.run(["-c", "attach \"postgresql://nobody:hunter2@127.0.0.1:1/x\" as pg"], directory: directory)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot attach postgresql://nobody:***@127.0.0.1:1/x"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("hunter2"), refused.stderr)

        let badPassword = url.replacingOccurrences(of: ":\(password)@", with: ":wrong-secret@")
        let bad = try Segsh.run(["-c", "attach \"\(badPassword)\" as pg"], directory: directory)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("password authentication failed"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("wrong-secret"), bad.stderr)

        let missing = try Segsh.run(["-c", "attach \"\(url)\" as pg\npg.no_such_table | take 1"], directory: directory)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("pg.no_such_table"), missing.stderr)

        let column = try Segsh.run(["-c", "load people from \"people.csv\"\nattach \"\(url)\" as pg\nexport people to pg.people_cols replace\npg.people_cols | where amout > 1"], directory: directory)
        XCTAssertEqual(column.status, 1)
        XCTAssertTrue(column.stderr.contains("unknown column 'amout' (did you mean 'amount'?)"), column.stderr)
        XCTAssertFalse((refused.stderr + bad.stderr + missing.stderr + column.stderr).contains(password))
    }

    func testSafeModeRefusesAttach() throws {
        let r = try Segsh.run(["--safe", "-c", "attach \"\(url)\" as pg"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("attach is not allowed in safe mode"), r.stderr)
    }

    func testExportWithoutReplaceRefusesAnExistingTable() throws {
        let script = "load people from \"people.csv\"\nattach \"\(url)\" as pg\nexport people to pg.people_twice replace\nexport people to pg.people_twice\n"
        let r = try Segsh.run(["-c", script], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("add 'replace' to replace an existing table"), r.stderr)
    }
}

/// The password of an `attach` URL never reaches history or a saved notebook.
final class SecretMaskingTests: XCTestCase {
    func testAttachStatementsAreKeptWithTheirPasswordMasked() {
        XCTAssertEqual(Repl.withoutSecrets("attach \"postgresql://ann:s3cr3t@db:5432/crm\" as crm"),
                       "attach \"postgresql://ann:******@db:5432/crm\" as crm")
        XCTAssertEqual(Repl.withoutSecrets("attach \"host=db password=s3cr3t dbname=crm\" as crm"),
                       "attach \"host=db password=****** dbname=crm\" as crm")
        XCTAssertEqual(Repl.withoutSecrets("orders | where d > @2024-01-01"), "orders | where d > @2024-01-01")
    }
}
