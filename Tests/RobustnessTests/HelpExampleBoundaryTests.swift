import Columnar
import Diagnostics
@testable import Engine
import Foundation
import XCTest

/// Every statement, operator and function page's example, run again with each of its number,
/// date and duration literals replaced, one at a time, by a boundary value (0, ±1, ±2^31,
/// ±2^63, ±1.7e308, 5e-324, NaN, years 1 and 9999, the longest durations). Errors are fine;
/// a trap or stack overflow ends the test process, and every error must point inside its text.
final class HelpExampleBoundaryTests: XCTestCase {
    static let numbers = ["0", "-1", "1", "2147483648", "-2147483649", "9223372036854775807", "(-9223372036854775807 - 1)",
                          "1.7e308", "-1.7e308", "5e-324", "(0.0 / 0.0)"]
    static let dates = ["@0001-01-01", "@9999-12-31"]
    static let durations = ["0days", "9223372036854775807days", "307445734561825860months", "25269512429739111years"]

    /// The example with one literal replaced, for every literal and boundary value.
    static func variants(of example: String) -> [String] {
        let patterns: [(String, [String])] = [
            (#"@\d{4}-\d{2}-\d{2}"#, dates),
            (#"(?<![\w@.$-])\d+(days?|weeks?|months?|years?)\b"#, durations),
            (#"(?<![\w@.$-])\d+(\.\d+)?(?![\w.-])"#, numbers),
        ]
        var out: [String] = []
        let text = example as NSString
        for (pattern, values) in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            for match in regex.matches(in: example, range: NSRange(location: 0, length: text.length)) {
                for v in values { out.append(text.replacingCharacters(in: match.range, with: v)) }
            }
        }
        return out
    }

    func testVariantsReplaceEachLiteral() {
        XCTAssertEqual(Self.variants(of: "round(x / 10, 1)").count, 2 * Self.numbers.count)
        XCTAssertTrue(Self.variants(of: "d + 30days").contains("d + 25269512429739111years"))
        XCTAssertTrue(Self.variants(of: "days(a, @2024-06-30)").contains("days(a, @9999-12-31)"))
        XCTAssertFalse(Self.variants(of: "@2024-06-30").contains { $0.contains("@0") && $0.contains("(0.0") })
    }

    func testEveryHelpExampleWithBoundaryArguments() throws {
        let dir = try Robust.temporaryDirectory("help-boundary")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/datasets", withDestinationPath: Robust.packageRoot + "/datasets")
        let session = Robust.session(in: dir)
        // The demo data cut to a few hundred orders, so a thousand runs take seconds.
        let preamble = """
            load customers from "datasets/demo/customers.csv"
            load all_orders from "datasets/demo/orders.csv"
            let orders = all_orders | take 400
            param s_recency = 30
            rules tier { "S" when recency <= $s_recency and monetary > 0  "C" otherwise }
            let feats = orders | rfm customer=customer_id, date=order_date, amount=amount | join customers on customer_id
            let tiered = feats | classify tier
            let tiers_q1 = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31 | classify tier
            let tiers_q2 = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30 | classify tier
            let wide = orders | join customers on customer_id
            """
        XCTAssertEqual(Robust.run(preamble, in: session).error, "")

        var statements: [String] = []
        for (_, page) in (HelpPages.statements.sorted { $0.key < $1.key } + HelpPages.operators.sorted { $0.key < $1.key }) {
            for line in page.split(separator: "\n") {
                let trimmed = line.drop(while: { $0 == " " })
                if trimmed.hasPrefix("example: ") { statements += Self.variants(of: String(trimmed.dropFirst("example: ".count))) }
            }
        }
        for name in session.functions.names {
            guard let example = session.functions.lookup(name)?.example else { continue }
            let isStep = ["derive", "summarize", "where", "select"].contains { example.hasPrefix($0 + " ") }
            for v in Self.variants(of: example) {
                statements.append(isStep ? "tiered | \(v) | take 3" : "wide | derive x = \(v) | take 3")
            }
        }
        XCTAssertGreaterThan(statements.count, 250)
        var failures = 0
        for statement in statements {
            let run = Robust.run(statement, in: session)
            for d in run.diagnostics {
                if let span = d.span, span.start < 0 || span.end > statement.utf8.count {
                    XCTFail("\(statement): error outside the text: \(d.message)")
                }
            }
            if !run.diagnostics.isEmpty { failures += 1 }
        }
        // Most variants run; the rest are errors with a place, not crashes.
        XCTAssertLessThan(failures, statements.count)
    }
}
