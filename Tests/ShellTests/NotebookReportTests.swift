import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import SegshTestSupport
import XCTest
@testable import Shell
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Notebooks end to end: the shipped notebook checks clean, `.save` writes notebooks that
/// check clean and HTML reports, `--update` / `--check` behave as SPEC section 7 says, and
/// HTML reports are well-formed XML with one `<svg>` per chart.
final class NotebookReportTests: XCTestCase {
    static let packageRoot = Segsh.packageRoot.path
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-notebook-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs notebook text in a fresh session based at the package root, as `segsh` run from
    /// the repository root does.
    func run(_ text: String, name: String, base: String = packageRoot) -> NotebookRun {
        let session = SegshCLI.makeSession()
        session.baseDirectory = base
        return NotebookRunner().run(Notebook(parsing: text), name: name, in: session)
    }

    /// Checks that `html` is well-formed XML (the report is XHTML) and returns it parsed.
    /// `XMLParser` is the strict check (an error at any point fails, even when parsing goes
    /// on); `XMLDocument` recovers from errors on Linux, so it only serves the queries.
    func parse(_ html: String, file: StaticString = #filePath, line: UInt = #line) throws -> XMLDocument {
        let parser = XMLParser(data: Data(html.utf8))
        let parsed = parser.parse()
        if !parsed || parser.parserError != nil {
            let lines = html.split(separator: "\n", omittingEmptySubsequences: false)
            let at = parser.lineNumber >= 1 && parser.lineNumber <= lines.count ? String(lines[parser.lineNumber - 1].prefix(300)) : ""
            XCTFail("the report is not well-formed: \(parser.parserError.map { "\($0)" } ?? "error") at line \(parser.lineNumber): \(at)",
                    file: file, line: line)
        }
        return try XMLDocument(xmlString: html, options: [])
    }

    func testWellFormednessCheckRejectsBrokenMarkup() {
        for broken in ["<!DOCTYPE html>\n<html><p><b></p></html>", "<html><p>&nbsp;</p></html>", "<html><p a=b></p></html>"] {
            let parser = XMLParser(data: Data(broken.utf8))
            XCTAssertTrue(!parser.parse() || parser.parserError != nil, broken)
        }
    }

    func elements(_ document: XMLDocument, _ name: String) throws -> [XMLNode] {
        try document.nodes(forXPath: "//*[local-name()='\(name)']")
    }

    /// Line `number` (1-based) of `text`.
    func line(_ number: Int, of text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return number <= lines.count ? String(lines[number - 1]) : nil
    }

    /// The `aria-label`s of the report's charts, in order.
    func chartLabels(_ document: XMLDocument) throws -> [String] {
        try document.nodes(forXPath: "//*[local-name()='svg']/@aria-label").compactMap(\.stringValue)
    }

    // MARK: - The shipped notebook

    /// The shipped notebook's folder: its relative paths are relative to it.
    static let demoFolder = packageRoot + "/datasets/demo"

    func shippedNotebook() throws -> String {
        try String(contentsOfFile: Self.packageRoot + "/datasets/demo/monthly-review.md", encoding: .utf8)
    }

    func testShippedNotebookChecksClean() throws {
        let text = try shippedNotebook()
        let result = run(text, name: "monthly-review.md", base: Self.demoFolder)
        XCTAssertEqual(result.failedCells, 0)
        XCTAssertEqual(result.cells.count, 18)
        XCTAssertEqual(result.updatedText, text,
                       "segsh datasets/demo/monthly-review.md --update rewrites it:\n" + result.diff(name: "monthly-review.md"))
    }

    func testReportOfShippedNotebookIsWellFormedWithAChartPerFigure() throws {
        let result = run(try shippedNotebook(), name: "monthly-review.md", base: Self.demoFolder)
        let html = HTMLReport.render(notebook: result, title: "Monthly review", options: NotebookOptions())
        let document = try parse(html)
        // One chart per chart statement, sweep, what-if / compare matrix and pareto, in order
        // (the `whatif ... | moved` pipeline draws none).
        XCTAssertEqual(try chartLabels(document), ["histogram of recency", "bar chart of revenue", "Pareto curve of monetary",
                                                   "migration matrix", "counts by s_recency", "migration matrix"])
        // Each chart draws its data: 12 histogram bins, 4 tier bars, the Pareto curve, 4 × 4
        // and 5 × 4 matrix cells, a line per tier.
        let marks = try elements(document, "svg").map {
            try $0.nodes(forXPath: ".//*[local-name()='rect' and *] | .//*[local-name()='polyline']").count
        }
        XCTAssertEqual(marks, [12, 4, 1, 16, 4, 20])
        // Prose, code and result tables are all there.
        XCTAssertEqual(try elements(document, "h1").first?.stringValue, "月度客户分层复盘 · Monthly segmentation review")
        XCTAssertEqual(try elements(document, "h2").count, 8)
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='pre' and contains(@class, 'code')]").count, 18)
        XCTAssertGreaterThanOrEqual(try document.nodes(forXPath: "//*[local-name()='table' and @class='data']").count, 15)
        XCTAssertTrue(html.contains("<td class=\"num\">26,345,524.59</td>"))
        // Self-contained: nothing to fetch, nothing to run.
        for forbidden in ["<script", "src=", "href=\"http", "@import", "url("] {
            XCTAssertFalse(html.contains(forbidden), forbidden)
        }
    }

    // A cell's `run` of a file with dot-commands: their output lands in the cell, in order.
    func testRunInACellRunsTheFilesDotCommandsIntoTheCell() throws {
        let script = directory + "/inner.seg"
        try "load orders from \"datasets/demo/orders.csv\"\n.tables\norders | summarize n = count()\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let result = run("# Run\n\n```segsh\nrun \"\(script)\"\n```\n", name: "run.md")
        XCTAssertEqual(result.failedCells, 0, result.cells.first?.output ?? "")
        let output = try XCTUnwrap(result.cells.first?.output)
        let tables = try XCTUnwrap(output.range(of: "│ orders │ table  │ 30,000 │       6 │"), output)
        let count = try XCTUnwrap(output.range(of: "│ 30,000 │"), output)
        XCTAssertTrue(output.hasPrefix("loaded orders: 30,000 rows × 6 columns"), output)
        XCTAssertLessThan(tables.lowerBound, count.lowerBound, "the command's output comes before the next statement's")
    }

    // MARK: - Every kind of chart

    func testEveryKindOfChartDrawsAnSVG() throws {
        let text = """
            # Charts

            ```segsh
            load orders from "datasets/demo/orders.csv"
            param s_recency = 30
            rules tier {
              "S" when recency <= $s_recency and monetary >= 1.5 * avg(monetary)
              "A" when recency <= 60
              "C" otherwise
            }
            let early = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31 | classify tier
            let late = orders | rfm customer=customer_id, date=order_date, amount=amount | classify tier
            ```

            ```segsh
            orders | summarize n = count() by product_line | chart bar product_line n
            ```

            ```segsh
            orders | where amount < 5000 | chart hist amount bins 5
            ```

            ```segsh
            sweep s_recency from 10 to 40 step 10 on late by tier
            ```

            ```segsh
            whatif s_recency = 45 on late by tier
            ```

            ```segsh
            compare early late on customer_id by tier
            ```

            ```segsh
            late | pareto monetary | take 3
            ```

            ```segsh
            late | where nope > 1
            ```

            """
        let result = run(text, name: "charts.md")
        XCTAssertEqual(result.failedCells, 1)
        let html = HTMLReport.render(notebook: result, title: "Charts", options: NotebookOptions())
        let document = try parse(html)
        XCTAssertEqual(try chartLabels(document), ["bar chart of n", "histogram of amount", "counts by s_recency",
                                                   "migration matrix", "migration matrix", "Pareto curve of monetary"])
        // The bar chart has a bar per product line, the histogram a bar per bin, the sweep a
        // line per tier, the matrices a cell per class pair, the Pareto curve one polyline.
        let svgs = try elements(document, "svg")
        XCTAssertEqual(try svgs[0].nodes(forXPath: ".//*[local-name()='rect']").count, 6)
        XCTAssertEqual(try svgs[1].nodes(forXPath: ".//*[local-name()='rect']").count, 5)
        XCTAssertEqual(try svgs[2].nodes(forXPath: ".//*[local-name()='polyline']").count, 3)
        XCTAssertEqual(try svgs[3].nodes(forXPath: ".//*[local-name()='rect']").count, 9)
        XCTAssertGreaterThanOrEqual(try svgs[4].nodes(forXPath: ".//*[local-name()='rect']").count, 12)
        XCTAssertEqual(try svgs[5].nodes(forXPath: ".//*[local-name()='polyline']").count, 1)
        // The report's charts replace the text charts; the failed cell shows its error.
        XCTAssertFalse(html.contains("█"))
        // The error names the line of the statement in the notebook as `--update` writes it.
        let lines = result.updatedText.split(separator: "\n", omittingEmptySubsequences: false)
        let failing = try XCTUnwrap(lines.firstIndex(of: "late | where nope > 1")) + 1
        let error = try document.nodes(forXPath: "//*[local-name()='pre' and @class='error']").first?.stringValue ?? ""
        XCTAssertTrue(error.hasPrefix("charts.md:\(failing):14: error: unknown column 'nope'"), error)
    }

    func testParetoCurveMarksTheExactClassBoundaries() throws {
        let result = run("""
            ```segsh
            load orders from "datasets/demo/orders.csv"
            orders | rfm customer=customer_id, date=order_date, amount=amount, window=365days | pareto monetary | take 1
            ```

            """, name: "p.md")
        let html = HTMLReport.render(notebook: result, title: "p", options: NotebookOptions())
        // The summary line says "top 26.6% of customers give 80.0%"; the curve marks the same point.
        XCTAssertTrue(html.contains("top 26.6% of customers give 80.0% of monetary"))
        XCTAssertTrue(html.contains(">26.6% → 80%</text>"), html)
        XCTAssertTrue(html.contains(">54.8% → 95%</text>"))
    }

    func testChartsOfNoRowsSaySo() throws {
        let result = run("""
            ```segsh
            load orders from "datasets/demo/orders.csv"
            orders | where amount > 1e12 | chart hist amount
            orders | where amount < 0 | summarize n = count() by product_line | chart bar product_line n
            ```

            """, name: "empty.md")
        let html = HTMLReport.render(notebook: result, title: "empty", options: NotebookOptions())
        let document = try parse(html)
        XCTAssertEqual(try chartLabels(document), ["empty chart", "empty chart"])
        XCTAssertEqual(html.components(separatedBy: "(no values)").count - 1, 2)
    }

    // MARK: - .save

    func testSaveWritesANotebookThatChecksCleanAndAReport() throws {
        let statements = [
            "load orders from \"datasets/demo/orders.csv\"",
            "orders | summarize n = count() by product_line | sort n desc | chart bar product_line n",
            "orders | where amount > 1000000 | select order_id, amount",
            "orders | where amonut > 1",
            "orders | summarize total = sum(amount)",
        ]
        let session = SegshCLI.makeSession()
        session.baseDirectory = Self.packageRoot
        let reader = ScriptedReader((statements + [".timer on", statements[4],
                                     ".save \(directory)/saved.md", ".save \(directory)/saved.html"]).map { .line($0) })
        let output = CapturedOutput()
        let repl = Repl(session: session, reader: reader, output: output, environment: [:])
        repl.run()
        XCTAssertTrue(output.stderr.contains("saved 6 statements to \(directory)/saved.md"), output.stderr)
        XCTAssertTrue(output.stdout.contains(" ms)"), "the timer is on in the session")

        let saved = try String(contentsOfFile: directory + "/saved.md", encoding: .utf8)
        let notebook = Notebook(parsing: saved)
        XCTAssertEqual(notebook.cells.map(\.code), (statements + [statements[4]]).map { $0 + "\n" })
        // No timings; the error is in its cell's output, pointing at the notebook's line.
        XCTAssertFalse(saved.contains(" ms)"))
        XCTAssertTrue(notebook.cells[2].savedOutput.hasPrefix("[1] 1 row × 2 columns\n"), notebook.cells[2].savedOutput)
        XCTAssertTrue(notebook.cells[3].savedOutput.hasPrefix("saved.md:41:16: error: unknown column 'amonut' (did you mean 'amount'?)"),
                      notebook.cells[3].savedOutput)
        XCTAssertEqual(line(41, of: saved), "orders | where amonut > 1")
        XCTAssertEqual(notebook.cells[1].savedOutput.split(separator: "\n").count, 6)
        // Run again, it gives the same outputs: `segsh saved.md --check` passes.
        let again = run(saved, name: "saved.md")
        XCTAssertEqual(again.updatedText, saved, again.diff(name: "saved.md"))

        let html = try String(contentsOfFile: directory + "/saved.html", encoding: .utf8)
        let document = try parse(html)
        XCTAssertEqual(try chartLabels(document), ["bar chart of n"])
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='table' and @class='data']").count, 3)
        XCTAssertEqual(try document.nodes(forXPath: "//*[local-name()='pre' and @class='error']").count, 1)
    }

    // MARK: - The command line

    func testUpdateRewritesOutputsAndCheckReportsDifferences() throws {
        let path = directory + "/nb.md"
        // The notebook's paths are relative to its folder (it runs from the package root).
        try FileManager.default.copyItem(atPath: Self.demoFolder + "/customers.csv", toPath: directory + "/customers.csv")
        let prose = "# Review\n\nProse *kept* as written.\n\n"
        let text = prose + """
            ```segsh
            load customers from "customers.csv"
            customers | summarize n = count() by size | sort size
            ```

            ```output
            stale
            ```

            Between cells.

            ```segsh
            customers | where nope
            ```

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let root = Self.packageRoot

        let stale = try Segsh.run([path, "--check"], directory: root)
        XCTAssertEqual(stale.status, 1, stale.stderr)
        XCTAssertTrue(stale.stdout.hasPrefix("--- \(path) (saved)\n+++ \(path) (now)\n@@"), stale.stdout)
        XCTAssertTrue(stale.stdout.contains("-stale\n+loaded customers: 2,000 rows × 9 columns"), stale.stdout)
        XCTAssertTrue(stale.stderr.contains("2 of 2 outputs differ"), stale.stderr)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text, "--check writes nothing")

        let update = try Segsh.run([path, "--update"], directory: root)
        XCTAssertEqual(update.status, 0, update.stderr)
        XCTAssertEqual(update.stdout, "")
        let updated = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(updated.hasPrefix(prose + "```segsh\nload customers"))
        XCTAssertTrue(updated.contains("```\n\nBetween cells.\n\n```segsh\ncustomers | where nope\n```\n\n```output\n"))
        XCTAssertTrue(updated.contains("│ 大型   │ 201 │"), updated)
        XCTAssertTrue(updated.contains("nb.md:27:19: error: unknown column 'nope'"), updated)
        XCTAssertEqual(line(27, of: updated), "customers | where nope")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["customers.csv", "nb.md"],
                       "no temporary file left")

        let clean = try Segsh.run([path, "--check"], directory: root)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertEqual(clean.stdout, "")

        // A plain run prints the results and fails (exit 1) because a cell failed.
        let plain = try Segsh.run([path], directory: root)
        XCTAssertEqual(plain.status, 1)
        XCTAssertTrue(plain.stdout.contains("[1] 4 rows × 2 columns"), plain.stdout)
        XCTAssertTrue(plain.stderr.contains("nb.md:27:19: error: unknown column 'nope'"), plain.stderr)

        let html = try Segsh.run([path, "--html", directory + "/nb.html"], directory: root)
        XCTAssertEqual(html.status, 1)
        let report = try String(contentsOfFile: directory + "/nb.html", encoding: .utf8)
        XCTAssertTrue(report.contains("<title>Review</title>"))
        XCTAssertTrue(report.contains("<p>Prose <em>kept</em> as written.</p>"), report)
        _ = try parse(report)
    }
}

/// Reports draw what statements produced when they ran (issue 17): `.save` neither re-parses
/// the transcript nor re-runs pipelines, and a saved notebook passes its own `--check`.
final class SavedReportTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-saved-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func runShell(_ lines: [String]) -> CapturedOutput {
        let session = SegshCLI.makeSession()
        session.baseDirectory = NotebookReportTests.packageRoot
        let output = CapturedOutput()
        Repl(session: session, reader: ScriptedReader(lines.map { .line($0) }), output: output, environment: [:]).run()
        return output
    }

    /// The `n` column of a pipeline's result, by product line, in a fresh session.
    func counts(over threshold: Int) throws -> [String: String] {
        let session = SegshCLI.makeSession()
        session.baseDirectory = NotebookReportTests.packageRoot
        var table: Table?
        let text = "load orders from \"datasets/demo/orders.csv\"\n"
            + "orders | where amount > \(threshold) | summarize n = count() by product_line"
        let errors = session.run(SourceFile(name: "t.seg", text: text)) { if case .table(let t, _, _) = $0 { table = t } }
        XCTAssertEqual(errors.count, 0)
        let t = try XCTUnwrap(table)
        let labels = try XCTUnwrap(t.column("product_line")), n = try XCTUnwrap(t.column("n"))
        var out: [String: String] = [:]
        for i in 0..<t.rowCount { out[labels[i].description] = NumberFormat.grouped(Int(n[i].description) ?? -1) }
        return out
    }

    func testSavedReportDrawsTheBarsTheStatementSawNotTheParametersAtSaveTime() throws {
        _ = runShell([
            "load orders from \"datasets/demo/orders.csv\"",
            "param t = 0",
            "let v = orders | where amount > $t | summarize n = count() by product_line",
            "v | chart bar product_line n",
            "param t = 100000",
            ".save \(directory)/cb.html",
        ])
        let html = try String(contentsOfFile: directory + "/cb.html", encoding: .utf8)
        // Each bar's tooltip is `label: value`.
        var drawn: [String: String] = [:]
        for part in html.components(separatedBy: "<title>").dropFirst() {
            guard let end = part.range(of: "</title>") else { continue }
            let title = part[..<end.lowerBound]
            guard let colon = title.range(of: ": ") else { continue }
            drawn[String(title[..<colon.lowerBound])] = String(title[colon.upperBound...])
        }
        let atRunTime = try counts(over: 0), atSaveTime = try counts(over: 100000)
        XCTAssertEqual(drawn.count, 6)
        XCTAssertEqual(drawn, atRunTime)
        XCTAssertNotEqual(drawn, atSaveTime)
    }

    func testMaxRowsDoesNotCutWhatSaveWrites() throws {
        let output = runShell([
            "load orders from \"datasets/demo/orders.csv\"",
            "orders | sort order_id | take 10",
            ".maxrows 3",
            "orders | sort order_id | take 5",
            ".save \(directory)/m.md",
        ])
        XCTAssertTrue(output.stdout.contains("… 2 more rows"), output.stdout)
        let saved = try String(contentsOfFile: directory + "/m.md", encoding: .utf8)
        let notebook = Notebook(parsing: saved)
        XCTAssertEqual(notebook.cells.count, 3)
        XCTAssertTrue(notebook.cells[1].savedOutput.hasPrefix("[1] 10 rows × 6 columns\n"))
        XCTAssertEqual(notebook.cells[1].savedOutput.split(separator: "\n").count, 1 + 3 + 1 + 10 + 1)
        XCTAssertEqual(notebook.cells[2].savedOutput.split(separator: "\n").count, 1 + 3 + 1 + 5 + 1)
        // `segsh m.md --check` passes.
        let session = SegshCLI.makeSession()
        session.baseDirectory = NotebookReportTests.packageRoot
        let again = NotebookRunner().run(notebook, name: "m.md", in: session)
        XCTAssertEqual(again.updatedText, saved, again.diff(name: "m.md"))
    }

    func testMigrationHeatmapIsColouredByTheShareOfTheRow() {
        XCTAssertEqual(SVGChart.rowShares([[90, 10, 0], [0, 0, 0], [1, 1, 2]]),
                       [[0.9, 0.1, 0], [0, 0, 0], [0.25, 0.25, 0.5]])
    }
}
