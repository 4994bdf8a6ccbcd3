import Foundation
import SegshTestSupport
import XCTest

/// What a new user tripped over (issue 17), run through the built binary as they ran it.
final class NewUserTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-newuser-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "id,amount\nA1,100\nA2,250\nA3,75\n".write(toFile: directory + "/t.csv", atomically: true, encoding: .utf8)
        try "load t from \"t.csv\"\nparam s_recency = 30\nparam win = 7days\nt | where amount > $s_recency | take 1 | select id\n"
            .write(toFile: directory + "/p.seg", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // 1. A mistyped --param was silently ignored.
    func testMistypedParamIsAnErrorNamingTheScriptsParameters() throws {
        let r = try Segsh.run(["--param", "s_recenc=45", "p.seg"], directory: directory)
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr, """
            error: --param s_recenc: no script of this run defines or uses a parameter 's_recenc'
            help: did you mean 's_recency'?
            help: the scripts define: $s_recency, $win

            """)
        let fine = try Segsh.run(["--format", "csv", "--param", "s_recency=200", "p.seg"], directory: directory)
        XCTAssertEqual(fine.status, 0, fine.stderr)
        XCTAssertEqual(fine.stdout, "id\nA2\n")
    }

    // 1. Durations and dates on the command line are typed as in a script.
    func testParamDurationsAndDatesAreTypedLikeLiterals() throws {
        let r = try Segsh.run(["--param", "win=30days", "--param", "asof=@2024-06-30",
                               "-c", "param win = 1", "-c", "param asof = 1", "-c", ".params"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("$win = 30\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("$asof = @2024-06-30\n"), r.stdout)
    }

    // 5. `--format md`, and several results separated by one empty line.
    func testFormatMdAndSeveralResultsSplitAtEmptyLines() throws {
        let md = try Segsh.run(["--format", "md", "-c", "load t from \"t.csv\"", "-c", "t | take 1"], directory: directory)
        XCTAssertEqual(md.status, 0, md.stderr)
        XCTAssertEqual(md.stdout, "| id  | amount |\n| --- | -----: |\n| A1  |    100 |\n")
        let csv = try Segsh.run(["--format", "csv", "-c", "load t from \"t.csv\"", "-c", "t | take 2 | select id",
                                 "-c", "t | take 1 | select amount"], directory: directory)
        XCTAssertEqual(csv.stdout, "id\nA1\nA2\n\namount\n100\n")
        let json = try Segsh.run(["--format", "json", "-c", "load t from \"t.csv\"", "-c", "t | take 1 | select id",
                                  "-c", "t | take 1 | select amount"], directory: directory)
        let parts = json.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.count, 2, json.stdout)
        let decoded = try parts.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [[String: Any]] }
        XCTAssertEqual(decoded[0]?.first?["id"] as? String, "A1")
        XCTAssertEqual(decoded[1]?.first?["amount"] as? Int, 100)
    }

    // 4. A notebook's relative paths are relative to its folder; --html says what it wrote.
    func testNotebookRunsFromAnyDirectoryAndHtmlSaysWhatItWrote() throws {
        let notebook = "# t\n\n```segsh\nload t from \"t.csv\"\n```\n\n```output\nloaded t: 3 rows × 2 columns from t.csv\n```\n"
        try notebook.write(toFile: directory + "/nb.md", atomically: true, encoding: .utf8)
        let check = try Segsh.run([directory + "/nb.md", "--check"], directory: NSTemporaryDirectory())
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let html = try Segsh.run([directory + "/nb.md", "--html", directory + "/nb.html"], directory: NSTemporaryDirectory())
        XCTAssertEqual(html.status, 0, html.stderr)
        XCTAssertEqual(html.stdout, "")
        XCTAssertEqual(html.stderr, "wrote \(directory)/nb.html: the report of \(directory)/nb.md (1 cell)\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/nb.html"))
    }

    // 8. Help pages have examples, and an unknown topic points at the nearest one.
    func testHelpShowsExamplesAndSuggestsTheNearestTopic() throws {
        let functions = try Segsh.run(["-c", ".help functions"], directory: directory)
        XCTAssertTrue(functions.stdout.contains("  ntile(n, x) [over COL]\n"), functions.stdout)
        XCTAssertTrue(functions.stdout.contains("      example: ntile(4, monetary)\n"), functions.stdout)
        let unknown = try Segsh.run(["-c", ".help summarise"], directory: directory)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("help: did you mean 'summarize'?"), unknown.stderr)
        let far = try Segsh.run(["-c", ".help foo"], directory: directory)
        XCTAssertTrue(far.stderr.contains("error: no help for 'foo'\nhelp: did you mean '"), far.stderr)
    }

    // 9. `exported 2,000 rows` uses thousands separators like every other message.
    func testExportMessageGroupsThousands() throws {
        let r = try Segsh.run(["-c", "load orders from \"\(Segsh.packageRoot.path)/datasets/demo/orders.csv\"",
                               "-c", "export orders | take 2000 to \"out.csv\""], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("exported 2,000 rows × 6 columns to out.csv"), r.stderr)
    }

    // 2. What-if figures in csv carried float noise (a change of 1743319.4299999997, a
    //    total of 51971596.64999999 for …65): compensated sums, totals equal to the rows.
    func testWhatIfFiguresInCsvAreTheSumsAnAnalystExpects() throws {
        let script = """
            load orders from "\(Segsh.packageRoot.path)/datasets/demo/orders.csv"
            param s_recency = 30
            rules tier {
              "S" when recency <= $s_recency and monetary >= 100000
              "A" when recency <= 90
              "C" otherwise
            }
            let tiered = orders | rfm customer=customer_id, date=order_date, amount=amount | classify tier
            whatif s_recency = 45 on tiered by tier

            """
        try script.write(toFile: directory + "/wi.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["--format", "csv", "wi.seg"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        // The matrix, the per-class figures and the summary row, as three csv results.
        let results = r.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(results.count, 3, r.stdout)
        XCTAssertEqual(results.last, """
            rows,moved,moved_pct,monetary_moved,monetary_moved_pct,monetary_total
            1769,5,0.28,1743319.43,1.29,135393365.74

            """)
        XCTAssertEqual(results.count > 1 ? results[1] + "\n" : "", """
            tier,n_before,n_after,n_change,pct_before,pct_after,monetary_before,monetary_after,monetary_change,monetary_pct_before,monetary_pct_after
            S,132,137,5,7.46,7.74,35716758.57,37460078,1743319.43,26.38,27.67
            A,1029,1024,-5,58.17,57.89,32727754.22,30984434.79,-1743319.43,24.17,22.88
            C,608,608,0,34.37,34.37,66948852.95,66948852.95,0,49.45,49.45
            total,1769,1769,0,100,100,135393365.74,135393365.74,0,100,100

            """)
    }

    // Results as data: a what-if, compare, sweep and profile in json are one object each,
    // naming its kind, with the figures as numbers (jsonl: the same object on one line).
    func testReportsInJsonAreOneObjectEach() throws {
        let script = """
            load orders from "\(Segsh.packageRoot.path)/datasets/demo/orders.csv"
            param s_recency = 30
            rules tier {
              "S" when recency <= $s_recency and monetary >= 100000
              "A" when recency <= 90
              "C" otherwise
            }
            let tiered = orders | rfm customer=customer_id, date=order_date, amount=amount | classify tier
            whatif s_recency = 45 on tiered by tier
            let q2 = tiered | derive tier = if(frequency > 20, "S", tier)
            compare tiered q2 on customer_id by tier
            sweep s_recency from 30 to 60 step 15 on tiered by tier
            profile tiered key tier

            """
        try script.write(toFile: directory + "/reports.seg", atomically: true, encoding: .utf8)
        for format in ["json", "jsonl"] {
            let r = try Segsh.run(["--format", format, "reports.seg"], directory: directory)
            XCTAssertEqual(r.status, 0, r.stderr)
            let results = r.stdout.components(separatedBy: "\n\n")
            XCTAssertEqual(results.count, 4, r.stdout)
            if format == "jsonl" { XCTAssertFalse(results.contains { $0.trimmingCharacters(in: .newlines).contains("\n") }) }
            let objects = try results.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
            XCTAssertEqual(objects.map { $0.keys.sorted() }, [["whatif"], ["compare"], ["sweep"], ["profile"]])
            let whatIf = objects.first?["whatif"] as? [String: Any]
            let summary = whatIf?["summary"] as? [String: Any]
            XCTAssertEqual(summary?["moved"] as? Int, 5)
            XCTAssertEqual(summary?["rows"] as? Int, 1769)
            XCTAssertEqual(summary?["monetary_moved"] as? Double, 1743319.43)
            XCTAssertEqual((whatIf?["changes"] as? [[String: Any]])?.first?["after"] as? Int, 45)
            XCTAssertEqual((whatIf?["matrix"] as? [[String: Any]])?.count, 4)  // S, A, C, total
            let compare = objects.count > 1 ? objects[1]["compare"] as? [String: Any] : nil
            XCTAssertEqual(compare?["class_order"] as? [String], ["S", "A", "C"])
            XCTAssertEqual((compare?["summary"] as? [String: Any])?["changed"] as? Int, 272)
            let sweep = objects.count > 2 ? objects[2]["sweep"] as? [String: Any] : nil
            XCTAssertEqual((sweep?["rows"] as? [[String: Any]])?.map { $0["S"] as? Int }, [132, 137, 139])
            let profile = objects.count > 3 ? objects[3]["profile"] as? [String: Any] : nil
            XCTAssertEqual(profile?["key"] as? String, "tier")
            XCTAssertEqual((profile?["duplicates"] as? [[String: Any]])?.compactMap { $0["count"] as? Int }, [1029, 608, 132])
        }
    }

    // A new user asking how to get csv or json found no page (`.help formats` suggested 'sort').
    func testHelpFormatsSaysHowReportsComeOut() throws {
        let r = try Segsh.run(["-c", ".help formats"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("Output formats (--format FORMAT or .mode FORMAT)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("json: {\"whatif\": {\"view\", \"by\", \"changes\", \"matrix\", \"classes\", \"summary\"}}"), r.stdout)
        let mode = try Segsh.run(["-c", ".help .mode"], directory: directory)
        XCTAssertTrue(mode.stdout.contains("(.help formats)"), mode.stdout)
    }
}
