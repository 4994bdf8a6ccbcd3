import Columnar
import Diagnostics
import Engine
import Segmentation
import XCTest

/// `clv` and `clv_fit` through the language: the customer summary's exact values, the
/// holdout columns and notes, the argument errors and the degenerate inputs of SPEC 12.
final class CLVOperatorTests: XCTestCase {
    func orders(_ rows: [(String?, String, Double?)]) throws -> Table {
        try Table(names: ["cust", "day", "amount"], columns: [
            Column.from(rows.map { $0.0.map { .string($0) } ?? .null }, type: .string),
            Column.from(rows.map { day($0.1) }, type: .date),
            Column.from(rows.map { $0.2.map { .double($0) } ?? .null }, type: .double),
        ])
    }

    /// A: first day 2025-01-01 (two orders: one purchase of 150), repeats on 01-15 (200) and
    /// 02-12 (300), one holdout purchase; B: one order; C: a repeat of negative value;
    /// F: repeats (10, 30); D: first seen in the holdout; one row with a null amount.
    func fixture() throws -> Table {
        try orders([
            ("A", "2025-01-01", 100), ("A", "2025-01-01", 50), ("A", "2025-01-15", 200), ("A", "2025-02-12", 300),
            ("A", "2025-07-05", 80), ("A", "2025-07-05", 20),
            ("B", "2025-03-01", 40),
            ("C", "2025-05-01", 10), ("C", "2025-06-01", -5),
            ("F", "2025-04-01", 25), ("F", "2025-04-08", 10), ("F", "2025-06-24", 30), ("F", "2025-08-01", 5), ("F", "2025-09-01", 5),
            ("D", "2025-07-10", 60),
            ("E", "2025-02-01", nil),
        ])
    }

    func testSummaryHoldoutAndNotes() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try fixture())
        let out = h.run("orders | clv customer=cust, date=day, amount=amount, asof=@2025-06-30, holdout_until=@2025-12-31")
        let t = try XCTUnwrap(out.last)
        XCTAssertEqual(t.names, ["cust", "x", "t_x", "T", "avg_value", "p_alive", "expected_purchases", "expected_value", "clv", "actual_purchases"])
        XCTAssertEqual(SegmentationHarness.values(t, "cust"), [.string("A"), .string("B"), .string("C"), .string("F")])
        XCTAssertEqual(SegmentationHarness.values(t, "x"), [.int(2), .int(0), .int(1), .int(2)])
        // Weeks: A 42 days from first to last, 180 days to asof; F 84 and 90 days.
        let tx: [Double] = [6, 0, 31.0 / 7, 12]
        let age: [Double] = [180.0 / 7, 121.0 / 7, 60.0 / 7, 90.0 / 7]
        XCTAssertEqual(SegmentationHarness.values(t, "t_x"), tx.map { Scalar.double($0) })
        XCTAssertEqual(SegmentationHarness.values(t, "T"), age.map { Scalar.double($0) })
        XCTAssertEqual(SegmentationHarness.values(t, "avg_value"), [.double(250), .null, .double(-5), .double(20)])
        XCTAssertEqual(SegmentationHarness.values(t, "actual_purchases"), [.int(1), .int(0), .int(0), .int(2)])
        XCTAssertEqual(SegmentationHarness.values(t, "p_alive")[1], .double(1), "no repeat purchase: alive")
        // C's mean repeat value is negative: no expected value or clv, never NaN.
        XCTAssertEqual(SegmentationHarness.values(t, "expected_value")[2], .null)
        XCTAssertEqual(SegmentationHarness.values(t, "clv")[2], .null)
        for name in ["p_alive", "expected_purchases"] {
            for v in SegmentationHarness.values(t, name) {
                guard case .double(let d) = v else { return XCTFail("\(name): \(v)") }
                XCTAssertTrue(d.isFinite && d >= 0, "\(name): \(d)")
            }
        }
        let notes = out.notes.joined(separator: "\n")
        XCTAssertTrue(notes.contains("clv: skipped 1 row with a null customer, date or amount"), notes)
        XCTAssertTrue(notes.contains("1 customer first bought in the holdout period"), notes)
        XCTAssertTrue(notes.contains("actual 3,"), notes)
        XCTAssertTrue(notes.contains("1 repeat customer has a mean repeat value ≤ 0"), notes)
        XCTAssertTrue(notes.contains("clv: BG/NBD r="), notes)
        XCTAssertTrue(notes.contains("expected_purchases over 184 days"), notes)
        // The holdout check is a value (averages by repeat purchases), shown as a table and a chart.
        guard case .holdout(let holdout)? = out.reports.last else { return XCTFail("no holdout report") }
        // x = 0: B; x = 1: C; x = 2: A (1 holdout purchase) and F (2).
        XCTAssertEqual(holdout.labels, ["0", "1", "2"])
        XCTAssertEqual(holdout.customers, [1, 1, 2])
        XCTAssertEqual(holdout.actual, [0, 0, 1.5])
        XCTAssertEqual(holdout.predicted.count, 3)
        let report = out.texts.suffix(2).joined()
        XCTAssertTrue(report.hasPrefix("holdout check: mean purchases per customer in the holdout period"), report)
        XCTAssertTrue(report.contains("a = actual  p = predicted"), report)
    }

    func testFitTable() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try fixture())
        let out = h.run("orders | clv_fit customer=cust, date=day, amount=amount, asof=@2025-06-30, unit=1month")
        let t = try XCTUnwrap(out.last)
        XCTAssertEqual(t.names, ["model", "parameter", "value", "std_error"])
        let names: [String] = ["r", "alpha", "a", "b", "log_likelihood", "customers", "converged", "gradient_norm", "iterations"]
        XCTAssertEqual(Array(SegmentationHarness.values(t, "parameter").prefix(9)), names.map { Scalar.string($0) })
        XCTAssertEqual(SegmentationHarness.values(t, "value")[5], .double(4))
        // Only A and F have repeats of positive value: Gamma-Gamma is fitted on two.
        XCTAssertEqual(SegmentationHarness.values(t, "model").last, .string("gammagamma"))
        XCTAssertEqual(SegmentationHarness.values(t, "value")[13], .double(2))
    }

    func assertError(_ statement: String, _ message: String, table: Table? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try table ?? fixture())
        let out = h.run(statement, expectError: true, file: file, line: line)
        let text = out.errors.first?.render() ?? ""
        XCTAssertTrue(text.contains(message), text, file: file, line: line)
    }

    func testDegenerateInputsAreErrorsThatSayWhatToDo() throws {
        let call = "orders | clv customer=cust, date=day, amount=amount"
        try assertError(call, "no customer bought on two different days",
                        table: try orders([("A", "2025-01-01", 1), ("B", "2025-01-03", 2), ("B", "2025-01-03", 3)]))
        // All purchases on one day.
        try assertError(call, "no customer bought on two different days",
                        table: try orders([("A", "2025-01-01", 1), ("A", "2025-01-01", 2), ("B", "2025-01-01", 3)]))
        try assertError(call, "only one customer has orders on or before asof",
                        table: try orders([("A", "2025-01-01", 1), ("A", "2025-02-01", 2)]))
        try assertError(call + ", asof=@2024-01-01", "no customer has an order on or before asof (2024-01-01)")
        try assertError(call + ", holdout_until=@2025-12-31", "holdout_until= needs asof= too")
        try assertError(call + ", asof=@2025-06-30, holdout_until=@2025-06-01", "holdout_until= must be after asof (2025-06-30)")
        try assertError(call + ", horizn=30days", "clv has no argument 'horizn' (did you mean 'horizon'?)")
        try assertError(call + ", horizon=0days", "clv horizon= must be positive")
        try assertError(call + ", discount=-0.1", "clv discount= needs an annual rate")
        try assertError("orders | clv_fit customer=cust, date=day, amount=amount, horizon=30days", "clv_fit has no argument 'horizon'")
        try assertError("orders | clv customer=cust, date=amount, amount=amount", "clv date= needs a date column")
    }

    func testDiscountLowersValueAndMonthsAreCalendarMonths() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try fixture())
        let plain = try XCTUnwrap(h.run("orders | clv customer=cust, date=day, amount=amount, asof=@2025-06-30, unit=1month, horizon=1year").last)
        let discounted = try XCTUnwrap(h.run("orders | clv customer=cust, date=day, amount=amount, asof=@2025-06-30, unit=1month, horizon=1year, discount=0.1").last)
        // A month is 365.25/12 days.
        XCTAssertEqual(SegmentationHarness.values(plain, "T")[0], .double(180 / (365.25 / 12)))
        guard case .double(let p) = SegmentationHarness.values(plain, "clv")[0],
              case .double(let d) = SegmentationHarness.values(discounted, "clv")[0] else { return XCTFail("clv missing") }
        // Twelve monthly periods at (1.1)^(1/12) each: between the whole year's discount and none.
        XCTAssertLessThan(d, p)
        XCTAssertGreaterThan(d, p / 1.1)
    }
}
