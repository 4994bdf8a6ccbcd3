import Columnar
import Engine
import Foundation
import XCTest

/// In-process and deterministic: with the interrupt flag raised (what the shell's SIGINT
/// handler does), every long operation stops with "interrupted", and the session keeps its
/// tables, views and last result. InterruptTests does the same with a real Ctrl-C.
final class CancellationTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try Robust.temporaryDirectory("cancel")
        try InterruptTests.writeOrders(rows: 300_000, customers: 5_000, to: directory + "/orders.csv")
    }

    override func tearDownWithError() throws {
        Cancellation.reset()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testEveryLongStatementStopsWhenInterrupted() throws {
        let session = Robust.session(in: directory)
        let setup = Robust.run("""
            load orders from "orders.csv"
            let feats = orders | rfm customer=customer_id, date=order_date, amount=amount
            param s = 30
            rules tier {
              "S" when recency <= $s
              "C" otherwise
            }
            let tiered = feats | classify tier
            orders | take 1
            """, in: session)
        XCTAssertEqual(setup.error, "")
        let statements = [
            "load orders from \"orders.csv\"",
            "load again from \"orders.csv\"",
            "from \"orders.csv\" | take 1",
            "orders | rfm customer=customer_id, date=order_date, amount=amount",
            "orders | sort amount desc, customer_id",
            "orders | top 10 by amount",
            "orders | join orders on customer_id | take 1",
            "orders | summarize n = count(), m = median(amount) by customer_id",
            "orders | derive r = rank(amount) over customer_id, q = quantile_score(amount, 5)",
            "orders | distinct customer_id, amount",
            "orders | pareto amount",
            "feats | classify tier",
            "whatif s = 60 on tiered by tier",
            "sweep s from 10 to 90 step 10 on tiered by tier",
            "compare tiered tiered on customer_id by tier",
            "profile orders",
        ]
        for statement in statements {
            Cancellation.request()
            let run = Robust.run(statement, in: session)
            Cancellation.reset()
            XCTAssertEqual(run.diagnostics.first?.message, "interrupted", statement)
            XCTAssertTrue(run.tables.isEmpty, statement)
        }
        // Nothing was lost or replaced.
        XCTAssertEqual(session.table(named: "orders")?.rowCount, 300_000)
        XCTAssertNil(session.table(named: "again"))
        XCTAssertEqual(Robust.run("_", in: session).lastTable?.rowCount, 1)
        let after = Robust.run("tiered | summarize n = count()", in: session)
        XCTAssertEqual(after.lastTable.map(Robust.rows), [[.int(5_000)]])
    }
}
