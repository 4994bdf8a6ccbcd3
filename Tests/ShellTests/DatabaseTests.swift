import Diagnostics
import Engine
import Foundation
import IO
import SegshTestSupport
import PostgresClient
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

    /// The hidden order column costs a window sort per step that makes it: it is carried only
    /// where something reads it, and every result stays the one computed in memory.
    func testTheRowOrderIsCarriedOnlyWhereItIsRead() throws {
        // The exported table has no order of its own: `sort day` (unique days) fixes one.
        let pipelines = [
            "sort day | summarize total = sum(amount), n = count() by city | sort city",
            "sort day | derive running = cumsum(amount) | summarize last_running = last(running), first_day = first(day) by city | sort city",
            "sort amount desc | take 2",
            "sort day | top 2 by city | derive n = ntile(2, amount)",
            "sort day | distinct city",
            "sort day | where amount > 50 | derive d = day | take 3",
            "sort day | summarize n = count() by city | sort n",
        ]
        let setup = "load people from \"people.csv\"\nattach \"\(url)\" as pg\nexport people to pg.people_order replace\n"
        let (memory, remote) = try outputs(of: pipelines, after: setup, remote: "pg.people_order")
        XCTAssertEqual(remote, memory)
        XCTAssertTrue(memory.contains("│ 上海   │          455 │ 2024-05-02 │"), memory)

        let explained = try Segsh.run(["-c", setup
                                        + "explain pg.people_order | sort day | where amount > 1 | summarize total = sum(amount) by city | sort city\n"
                                        + "explain pg.people_order | sort day | where amount > 1 | summarize n = count() by city | sort n\n"],
                                       directory: directory)
        XCTAssertEqual(explained.status, 0, explained.stderr)
        let statements = explained.stdout.components(separatedBy: "runs in PostgreSQL")
        XCTAssertEqual(statements.count, 3, explained.stdout)
        // Sorted by its group keys: only the final sort's order (made once, read by the ORDER BY).
        XCTAssertEqual(statements[1].components(separatedBy: "__segsh_order").count - 1, 2, statements[1])
        // Sorted by a count: ties keep the groups' order of first appearance, so it travels.
        XCTAssertEqual(statements[2].components(separatedBy: "min(\"__segsh_order\")").count - 1, 1, statements[2])
    }

    /// What segsh prints for each of `pipelines` after `setup`, over the in-memory table
    /// `people`, and over `remote`, its copy in the database.
    func outputs(of pipelines: [String], after setup: String, remote: String) throws -> (memory: String, remote: String) {
        func run(_ source: String) throws -> String {
            let r = try Segsh.run(["-c", setup + pipelines.map { "\(source) | \($0)" }.joined(separator: "\n")], directory: directory)
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.stdout
        }
        return (try run("people"), try run(remote))
    }

    /// A window value is computed once per step, in a step before it: so it may stand in
    /// `where`, in `sort` and inside another window (SQL allows none of these in place), and
    /// a rule set that compares with the same mean in two rules computes it once.
    func testWindowValuesAreComputedOncePerStepAndMayStandAnywhere() throws {
        let setup = "load people from \"people.csv\"\nattach \"\(url)\" as pg\nexport people to pg.people_windows replace\n"
            + "rules band { \"high\" when amount > 1.2 * avg(amount) over city  \"mid\" when amount > 0.5 * avg(amount) over city  \"low\" otherwise }\n"
        let pipelines = [
            "where amount > avg(amount) over city | summarize n = count(), total = sum(amount) by city | sort city",
            "sort -avg(amount) over city, day | select city, day, amount",
            "derive r = dense_rank(-avg(amount) over city) | summarize n = count() by r | sort r",
            "classify band | sort day | select day, band",
        ]
        let (memory, remote) = try outputs(of: pipelines, after: setup, remote: "pg.people_windows")
        XCTAssertEqual(remote, memory)
        // 上海's mean is 205/3: two orders above it (100 and 75); 30 is below half of it.
        XCTAssertTrue(memory.contains("│ 上海   │   2 │   175 │"), memory)
        XCTAssertTrue(memory.contains("│ 2024-06-01 │ high   │"), memory)
        XCTAssertTrue(memory.contains("│ 2024-06-29 │ low    │"), memory)

        let explained = try Segsh.run(["-c", setup + "explain pg.people_windows | classify band"], directory: directory)
        XCTAssertEqual(explained.status, 0, explained.stderr)
        XCTAssertEqual(explained.stdout.components(separatedBy: "count(\"amount\") OVER (PARTITION BY \"city\")").count - 1, 1, explained.stdout)
    }

    /// A timestamp column is a string in the schema, in a loaded table and in a computed
    /// result alike (PostgreSQL's UTC text, with or without a time of day), and `date()` of
    /// text gives the same dates in PostgreSQL as in memory.
    func testTimestampsAreTextEverywhereAndDateOfTextAgrees() throws {
        let db = try PostgresDatabase(conninfo: url)
        defer { db.close() }
        try db.execute("SET TIME ZONE 'UTC'")
        try db.execute("DROP TABLE IF EXISTS ts_kinds")
        try db.execute("""
            CREATE TABLE ts_kinds AS SELECT * FROM (VALUES
              (1, '2024-06-30 12:34:56.5'::timestamp, '2024-06-30 00:00+08'::timestamptz),
              (2, '2024-06-01'::timestamp, '2024-06-01 00:00+00'::timestamptz),
              (3, NULL::timestamp, NULL::timestamptz)) v(id, at, atz)
            """)
        let texts = ["2024-06-30", "2024-02-29", "2023-02-29", "0000-03-01", "9999-12-31", "10000-01-01", "+2024-+6-+3",
                     "2024-6-3", "x", "2024-13-01", "2024-00-10", "1900-02-29", "2000-02-29", "0001-01-01", "2024-06-30 12:00:00",
                     "000000000000002024-01-01", "0000000000000000002024-01-01", "2024--01", "-2024-01-01", "1970-01-01"]
        try ("s\n" + texts.map { "\"\($0)\"" }.joined(separator: "\n") + "\n").write(toFile: directory + "/texts.csv", atomically: true, encoding: .utf8)
        let script = """
            attach "\(url)" as pg
            load texts from "texts.csv"
            export texts to pg.date_texts replace
            .schema pg.ts_kinds
            load kinds from pg.ts_kinds
            kinds | derive day = date(substr(at, 1, 10)) | sort id
            pg.ts_kinds | derive day = date(substr(at, 1, 10)) | sort id
            texts | derive d = date(s), c = date("2024-02-30"), k = date("2024-02-28")
            pg.date_texts | derive d = date(s), c = date("2024-02-30"), k = date("2024-02-28")
            """
        let r = try Segsh.run(["-c", script], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("│ at     │ string │ timestamp without time zone │"), r.stdout)
        XCTAssertTrue(r.stdout.contains("│ atz    │ string │ timestamp with time zone    │"), r.stdout)
        let results = r.stdout.components(separatedBy: "\n[").dropFirst()
            .map { $0.drop { $0 != "\n" }.trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertEqual(results.count, 4, r.stdout)
        guard results.count == 4 else { return }
        XCTAssertEqual(results[0], results[1])   // loaded, then computed here = computed in PostgreSQL
        XCTAssertTrue(results[0].contains("│   1 │ 2024-06-30 12:34:56.5 │ 2024-06-29 16:00:00+00 │ 2024-06-30 │"), results[0])
        XCTAssertEqual(results[2], results[3])   // date() of text: in memory = in PostgreSQL
        XCTAssertTrue(results[2].contains("│ +2024-+6-+3                  │ 2024-06-03 │"), results[2])
        XCTAssertTrue(results[2].contains("│ 2023-02-29                   │ ∅          │"), results[2])
    }

    /// Ctrl-C in the interactive shell during a long remote query: the server stops the
    /// query (PQcancel), the prompt comes back at once, and the attachment and the session's
    /// tables go on. (Tab completes the remote table's name on the way.)
    func testCtrlCCancelsTheRemoteQueryOnTheServer() throws {
        let db = try PostgresDatabase(conninfo: url)
        defer { db.close() }
        try db.execute("CREATE OR REPLACE VIEW slow_rows AS SELECT g AS id FROM generate_series(1, 6) g, LATERAL (SELECT pg_sleep(10)) s")
        func running() throws -> String {
            let t = try db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slow_rows%' AND pid <> pg_backend_pid()")
            return t.columns.first.map { "\($0[0])" } ?? "?"
        }
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        let shell = try TerminalSession(executable: try Segsh.executable(), directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"])
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")
        shell.type("load people from \"people.csv\"\r")
        try shell.waitFor("loaded people")
        shell.type("attach \"\(url)\" as pg\r")
        try shell.waitFor("attached pg")
        try shell.waitFor("segsh> ")
        // Tab completes a remote table name after the alias.
        shell.type("pg.slow_r\t")
        try shell.waitFor("pg.slow_rows ")
        shell.type("| summarize n = count()\r")
        try shell.waitFor("summarize n = count()")   // the echo: the statement is running
        var seen = "0"
        for _ in 0..<50 where seen == "0" { Thread.sleep(forTimeInterval: 0.1); seen = try running() }
        XCTAssertEqual(seen, "1", "the query never showed up in pg_stat_activity")
        let start = Date()
        shell.type("\u{03}")
        try shell.waitFor("segsh> ", timeout: 10)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, shell.transcript)
        XCTAssertTrue(shell.transcript.contains("\nerror: interrupted"), shell.transcript)
        var left = "1"
        for _ in 0..<30 where left != "0" { Thread.sleep(forTimeInterval: 0.1); left = try running() }
        XCTAssertEqual(left, "0", "the query still runs on the server")
        shell.type(".databases\r")
        try shell.waitFor("│ PostgreSQL │")
        shell.type("people | summarize n = count()\r")
        try shell.waitFor("1 row × 1 column")
        try shell.waitFor("segsh> ")
        // (The typed attach line shows it; nothing segsh writes after it does.)
        let after = shell.transcript.components(separatedBy: "attached pg").dropFirst().joined()
        XCTAssertFalse(after.contains(password), "the password appeared")
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
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
