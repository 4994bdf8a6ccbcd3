import Diagnostics
@testable import Engine
import Language
import Segmentation
import XCTest

/// Every `example:` line of `.help` works: statement and operator examples run against the
/// demo data (with the views they name: `feats`, `tiered`, `tiers_q1`, `tiers_q2`), function
/// examples parse as expressions (or, written as a `derive` step, run on `tiered`).
final class HelpExampleTests: XCTestCase {
    static let preamble = """
        load customers from "datasets/demo/customers.csv"
        load orders from "datasets/demo/orders.csv"
        param s_recency = 30
        rules tier { "S" when recency <= $s_recency and monetary > 0  "C" otherwise }
        let feats = orders | rfm customer=customer_id, date=order_date, amount=amount | join customers on customer_id
        let tiered = feats | classify tier
        let tiers_q1 = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31 | classify tier
        let tiers_q2 = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30 | classify tier
        """

    /// The errors of running `text` in the harness's session.
    static func errors(_ h: SegmentationHarness, _ text: String) -> [Diagnostic] {
        h.session.run(SourceFile(name: "<example>", text: text)) { _ in }
    }

    /// The `example:` lines of a help page.
    static func examples(_ page: String) -> [String] {
        page.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.hasPrefix("example: ") else { return nil }
            return String(trimmed.dropFirst("example: ".count))
        }
    }

    func testStatementAndOperatorExamplesRunOnTheDemoData() throws {
        let dir = try SegmentationExampleTests.demoDirectory(for: self)
        let h = SegmentationHarness()
        h.session.baseDirectory = dir.path
        h.run(Self.preamble)
        let registered = h.session.operators.keywords.filter { HelpPages.operators[$0] == nil }
            .compactMap { k in h.session.help(k).map { (key: k, value: $0) } }
        let pages = HelpPages.statements.sorted { $0.key < $1.key } + HelpPages.operators.sorted { $0.key < $1.key } + registered
        var count = 0
        for (topic, page) in pages {
            let examples = Self.examples(page)
            XCTAssertFalse(examples.isEmpty, "'.help \(topic)' has no example")
            for example in examples {
                count += 1
                // Examples about attached databases need one: they must parse (the database
                // statements run against a real server in ShellTests/DatabaseTests).
                if example.contains("crm") || topic == "attach" || topic == "detach" {
                    let (_, errors) = Parser.parse(SourceFile(name: "<example>", text: example))
                    XCTAssertTrue(errors.isEmpty, ".help \(topic): \(example)\n" + errors.map { $0.render() }.joined())
                    continue
                }
                let errors = Self.errors(h, example)
                XCTAssertTrue(errors.isEmpty, ".help \(topic): \(example)\n" + errors.map { $0.render() }.joined())
            }
        }
        XCTAssertGreaterThanOrEqual(count, 25)
    }

    func testFunctionExamplesParseAndDeriveStepsRun() throws {
        let h = SegmentationHarness()
        h.session.baseDirectory = SegmentationExampleTests.repository.path
        h.run(Self.preamble)
        for name in h.session.functions.names {
            let example = try XCTUnwrap(h.session.functions.lookup(name)?.example)
            XCTAssertTrue(example.contains(name), "the example of \(name) does not use it: \(example)")
            if let step = example.split(separator: " ").first, ["derive", "summarize", "where", "select"].contains(String(step)) {
                // A whole step: it runs on the tier view or on the orders with their customers.
                let tried = ["tiered", "orders | join customers on customer_id"].map { Self.errors(h, "\($0) | \(example) | take 1") }
                XCTAssertTrue(tried.contains { $0.isEmpty }, "\(name): \(example)\n" + tried.flatMap { $0 }.map { $0.render() }.joined())
            } else {
                let (_, errors) = Parser.parse(SourceFile(name: name, text: "t | derive x = \(example)"))
                XCTAssertTrue(errors.isEmpty, "\(name): \(example)\n" + errors.map { $0.render() }.joined())
            }
        }
    }
}
