import Diagnostics
import Engine
import Foundation
import IO
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

    /// A `pareto` the database runs brings its curve with its summary (two small queries), the
    /// same points as in memory: the HTML report draws it without running anything again.
    func testParetoCurveFromTheDatabaseIsTheCurveInMemory() throws {
        let session = SegshCLI.makeSession()
        session.baseDirectory = Segsh.packageRoot.path
        var reports: [ParetoReport] = []
        let errors = session.run(SourceFile(name: "t.seg", text: """
            load orders from "datasets/demo/orders.csv"
            attach "\(url)" as pg
            export orders to pg.orders_pareto replace
            orders | summarize m = sum(amount) by customer_id | pareto m | take 1
            pg.orders_pareto | summarize m = sum(amount) by customer_id | pareto m | take 1
            """)) { item in
            if case .report(.pareto(let p), _) = item { reports.append(p) }
        }
        XCTAssertEqual(errors.map { $0.render() }, [])
        guard reports.count == 2 else { return XCTFail("\(reports.count) pareto reports") }
        let (memory, database) = (reports[0], reports[1])
        XCTAssertEqual(memory.rows, 1769)
        XCTAssertEqual(database.classCounts, memory.classCounts)
        XCTAssertEqual(memory.curve.count, 445)  // (0, 0), every 4th of 1,769 rows (the last among them), two boundary rows
        // (one of which is also a 4th row)
        XCTAssertEqual(database.curve.count, memory.curve.count)
        for (d, m) in zip(database.curve, memory.curve) {
            XCTAssertEqual(d.x, m.x, accuracy: 1e-12)
            XCTAssertEqual(d.y, m.y, accuracy: 1e-9)
        }
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

    /// `clv` and `clv_fit` over a database table: the customer summary runs there (one row
    /// per customer comes back), the fits here; the results are the memory's — x, t_x, T,
    /// p_alive, expected purchases and actual purchases exactly (they rest on whole days),
    /// the values to 1e-9 (an exported table has no row order, so the database adds a day's
    /// amounts in its own order; the golden cases check a table with one bit for bit) —
    /// and so are the notes on skipped rows and the holdout. The count of rows that come
    /// back (1,769) is one per customer with an order up to the holdout end.
    func testCLVSummaryRunsInTheDatabaseWithTheMemorysResults() throws {
        let orders = Segsh.packageRoot.path + "/datasets/demo/orders.csv"
        let clv = "clv customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31, holdout_until=@2025-06-30, discount=0.1, unit=1month"
        let fit = "clv_fit customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31"
        func script(_ source: String) -> String {
            """
            load orders from "\(orders)"
            attach "\(url)" as pg
            export orders to pg.clv_orders replace
            \(source) | where amount > 0 | \(clv) | sort customer_id
            \(source) | \(fit) | where parameter not in ("iterations", "gradient_norm") | select model, parameter, value
            \(source) | clv customer=customer_id, date=order_date, amount=amount | summarize n = count(), alive = sum(p_alive)
            """
        }
        let memory = try Segsh.run(["--format", "csv", "-c", script("orders")], directory: directory)
        let database = try Segsh.run(["--format", "csv", "-c", script("pg.clv_orders")], directory: directory)
        XCTAssertEqual(memory.status, 0, memory.stderr)
        XCTAssertEqual(database.status, 0, database.stderr)
        let m = memory.stdout.split(separator: "\n"), d = database.stdout.split(separator: "\n")
        XCTAssertEqual(m.count, d.count)
        XCTAssertGreaterThan(m.count, 1_500)
        for (a, b) in zip(m, d) where a != b {
            let x = a.split(separator: ",", omittingEmptySubsequences: false), y = b.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(x.count, y.count, "\(a) vs \(b)")
            for (u, v) in zip(x, y) where u != v {
                guard let p = Double(u), let q = Double(v) else { XCTFail("\(a) vs \(b)"); break }
                XCTAssertLessThanOrEqual(abs(p - q), 1e-9 * max(1, abs(p)), "\(a) vs \(b)")
            }
        }
        for note in ["clv: skipped 18 rows with a null customer, date or amount",
                     "clv: holdout to 2025-06-30: 1,556 customers, predicted 3,207.4 purchases, actual 3,351, mean absolute error 1.348 per customer; 213 customers first bought in the holdout period",
                     "clv_fit: 6,710 orders after asof 2025-03-31 not used (213 customers first bought after asof and are not rows)"] {
            XCTAssertTrue(memory.stderr.contains(note), memory.stderr)
            XCTAssertTrue(database.stderr.contains(note), database.stderr)
        }

        let explain = try Segsh.run(["-c", "attach \"\(url)\" as pg\nexplain pg.clv_orders | where amount > 0 | \(clv) | take 3"], directory: directory)
        XCTAssertEqual(explain.status, 0, explain.stderr)
        XCTAssertTrue(explain.stdout.contains("runs in PostgreSQL (pg): the first 1 step and part of step 2"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("  1. [db] where amount > 0"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("  2. [db, then memory] clv customer=customer_id"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("the customer summary (x, t_x, T and the repeat value, one row per customer) runs in the database"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("  3. [memory] take 3"), explain.stdout)
        XCTAssertTrue(explain.stdout.contains("rows that would come back: 1,769"), explain.stdout)
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
