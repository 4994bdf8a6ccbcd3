import Columnar
import Diagnostics
import Engine
import Segmentation
import XCTest

func day(_ s: String) -> Scalar {
    let p = s.split(separator: "-").compactMap { Int($0) }
    return .date(CivilDate(year: p[0], month: p[1], day: p[2]).daysSinceEpoch)
}

final class RFMOperatorTests: XCTestCase {
    /// The edge fixture: asof 2025-06-30, window 30days, so the window is
    /// (2025-05-31, 2025-06-30] — 2025-05-31 is the first excluded day.
    func edgeOrders() throws -> Table {
        let rows: [(String?, String?, Double?)] = [
            ("E", "2025-06-29", 200),
            ("C", "2025-06-20", 110),   // one order; monetary equal to A's
            ("A", "2025-06-30", 100),   // exactly on asof: in the window
            ("A", "2025-07-01", 1000),  // a day after asof: ignored
            ("A", "2025-05-31", 50),    // asof - window: outside the window, in the totals
            ("A", "2025-06-01", 10),    // the window's first day
            ("B", "2025-06-15", nil),   // null amount: skipped
            ("B", nil, 20),             // null date: skipped
            ("B", "2025-01-10", 70),    // B's only valid order, outside the window
            ("D", "2025-07-02", 5),     // D only ordered after asof
            (nil, "2025-06-10", 999),   // null customer: skipped
            ("E", "2025-06-28", 300),
        ]
        return try Table(names: ["cust", "day", "amount"], columns: [
            Column.from(rows.map { $0.0.map { .string($0) } ?? .null }, type: .string),
            Column.from(rows.map { $0.1.map(day) ?? .null }, type: .date),
            Column.from(rows.map { $0.2.map { .double($0) } ?? .null }, type: .double),
        ])
    }

    func testEdgeFixtureExactValues() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try edgeOrders())
        let out = h.run("orders | rfm customer=cust, date=day, amount=amount, asof=@2025-06-30, window=30days")
        let t = try XCTUnwrap(out.last)
        XCTAssertEqual(t.names, ["cust", "recency", "frequency", "monetary", "first_order", "last_order", "orders_total", "amount_total"])
        XCTAssertEqual(t.columns.map { $0.type }, [.string, .int, .int, .double, .date, .date, .int, .double])
        // Sorted by the customer key; D (orders only after asof) is absent.
        XCTAssertEqual(t.rowCount, 4)
        XCTAssertEqual(t.row(0), [.string("A"), .int(0), .int(2), .double(110), day("2025-05-31"), day("2025-06-30"), .int(3), .double(160)])
        XCTAssertEqual(t.row(1), [.string("B"), .int(171), .int(0), .double(0), day("2025-01-10"), day("2025-01-10"), .int(1), .double(70)])
        XCTAssertEqual(t.row(2), [.string("C"), .int(10), .int(1), .double(110), day("2025-06-20"), day("2025-06-20"), .int(1), .double(110)])
        XCTAssertEqual(t.row(3), [.string("E"), .int(1), .int(2), .double(500), day("2025-06-28"), day("2025-06-29"), .int(2), .double(500)])
        XCTAssertEqual(out.notes, ["rfm: skipped 3 rows with a null customer, date or amount"])
    }

    func testFewRowsOfABigDictionaryGroupByHash() throws {
        // After `where`, two rows keep the six-string dictionary: rfm groups them by hash
        // instead of by dictionary code, with the same results.
        let h = SegmentationHarness()
        h.session.setTable("orders", try edgeOrders())
        let out = h.run("orders | where cust == \"E\" | rfm customer=cust, date=day, amount=amount, asof=@2025-06-30, window=30days")
        let t = try XCTUnwrap(out.last)
        XCTAssertEqual(t.rowCount, 1)
        XCTAssertEqual(t.row(0), [.string("E"), .int(1), .int(2), .double(500), day("2025-06-28"), day("2025-06-29"), .int(2), .double(500)])
    }

    func testQuintileScoresKeepEqualMonetaryTogether() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try edgeOrders())
        let out = h.run("""
            orders | rfm customer=cust, date=day, amount=amount, asof=@2025-06-30, window=30days
              | derive r = quantile_score(-recency, 5), f = quantile_score(frequency, 5), m = quantile_score(monetary, 5)
            """)
        // monetary A 110, B 0, C 110, E 500: N = 4; B r=1 → 2; A, C r=2 → ceil(10/4) = 3 both; E r=4 → 5.
        XCTAssertEqual(SegmentationHarness.values(out.last, "m"), ints([3, 2, 3, 5]))
        // -recency: A 0, B -171, C -10, E -1 → B 2, C 3, E 4, A 5.
        XCTAssertEqual(SegmentationHarness.values(out.last, "r"), ints([5, 2, 3, 4]))
        // frequency A 2, B 0, C 1, E 2 → B 2, C 3, A and E ceil(15/4) = 4.
        XCTAssertEqual(SegmentationHarness.values(out.last, "f"), ints([4, 2, 3, 4]))
    }

    func testWithoutAsofAndWindowUsesTheLatestOrderAndAllHistory() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try edgeOrders())
        let out = h.run("orders | rfm customer=cust, date=day, amount=amount")
        let t = try XCTUnwrap(out.last)
        // asof = 2025-07-02 (D's order): everyone's whole history counts.
        XCTAssertEqual(SegmentationHarness.values(t, "cust"), strings(["A", "B", "C", "D", "E"]))
        XCTAssertEqual(SegmentationHarness.values(t, "recency"), ints([1, 173, 12, 0, 3]))
        XCTAssertEqual(SegmentationHarness.values(t, "frequency"), ints([4, 1, 1, 1, 2]))
        XCTAssertEqual(SegmentationHarness.values(t, "monetary"), [.double(1160), .double(70), .double(110), .double(5), .double(500)])
        XCTAssertEqual(SegmentationHarness.values(t, "orders_total"), ints([4, 1, 1, 1, 2]))
    }

    func testMonthWindowUsesCalendarArithmetic() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try Table(names: ["c", "d", "a"], columns: [
            Column.from(strings(["x", "x", "x", "y"])),
            Column.from([day("2025-02-28"), day("2025-03-01"), day("2025-08-31"), day("2025-03-01")]),
            Column.from(ints([1, 2, 4, 8])),
        ]))
        // asof 2025-08-31 - 6 months = 2025-02-28 (day clamped): excluded; 2025-03-01 included.
        let out = h.run("orders | rfm customer=c, date=d, amount=a, asof=@2025-08-31, window=6months")
        XCTAssertEqual(SegmentationHarness.values(out.last, "frequency"), ints([2, 1]))
        XCTAssertEqual(SegmentationHarness.values(out.last, "monetary"), [.double(6), .double(8)])
        XCTAssertEqual(SegmentationHarness.values(out.last, "amount_total"), [.double(7), .double(8)])
        XCTAssertEqual(SegmentationHarness.values(out.last, "recency"), ints([0, 183]))
        // Parameters work for asof; a window of 1 year is 12 calendar months.
        let p = h.run("""
            param asof = @2025-08-31
            orders | rfm customer=c, date=d, amount=a, asof=$asof, window=1year
            """)
        XCTAssertEqual(SegmentationHarness.values(p.last, "frequency"), ints([3, 1]))
        XCTAssertTrue(p.notes.isEmpty, "\(p.notes)")
    }

    func testArgumentErrors() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try edgeOrders())
        func message(_ s: String) -> String { h.run(s, expectError: true).errors.first?.render() ?? "" }
        var m = message("orders | rfm customer=cust, date=day")
        XCTAssertTrue(m.contains("rfm needs 'amount=COLUMN'"), m)
        m = message("orders | rfm customer=cust, date=cust, amount=amount")
        XCTAssertTrue(m.contains("rfm date= needs a date column, but 'cust' is string"), m)
        m = message("orders | rfm customer=cust, date=day, amount=cust")
        XCTAssertTrue(m.contains("rfm amount= needs numbers"), m)
        m = message("orders | rfm customer=cust, date=day, amount=amount, windw=30days")
        XCTAssertTrue(m.contains("rfm has no argument 'windw' (did you mean 'window'?)"), m)
        XCTAssertTrue(m.contains("customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]"), m)
        m = message("orders | rfm customer=custt, date=day, amount=amount")
        XCTAssertTrue(m.contains("unknown column 'custt' (did you mean 'cust'?)"), m)
        m = message("orders | rfm customer=cust, date=day, amount=amount, window=\"30\"")
        XCTAssertTrue(m.contains("needs a duration"), m)
        m = message("orders | rfm customer=cust, date=day, amount=amount, asof=5")
        XCTAssertTrue(m.contains("asof= needs a date"), m)
    }

    func testNoValidOrdersGivesAnEmptyTable() throws {
        let h = SegmentationHarness()
        h.session.setTable("orders", try Table(names: ["c", "d", "a"], columns: [
            Column.from(strings(["x"])), Column.from([day("2025-01-01")]), Column.from([Scalar.null], type: .double),
        ]))
        let out = h.run("orders | rfm customer=c, date=d, amount=a")
        XCTAssertEqual(out.last?.rowCount, 0)
        XCTAssertEqual(out.last?.columnCount, 8)
    }
}

final class RFMFunctionTests: XCTestCase {
    func testRFMSegmentTable() throws {
        let cases: [(Int64, Int64, Int64, String)] = [
            (5, 5, 5, "Champions"), (4, 4, 4, "Champions"),
            (1, 5, 5, "Can't Lose Them"), (1, 4, 4, "Can't Lose Them"),
            (3, 3, 3, "Loyal Customers"), (2, 5, 3, "Loyal Customers"), (5, 3, 5, "Loyal Customers"),
            (2, 2, 2, "At Risk"), (1, 3, 5, "At Risk"), (2, 5, 2, "At Risk"),
            (5, 1, 1, "New Customers"), (4, 1, 1, "New Customers"),
            (3, 1, 1, "Promising"),
            (5, 2, 3, "Potential Loyalist"), (3, 3, 1, "Potential Loyalist"),
            (2, 1, 2, "About To Sleep"), (2, 2, 1, "About To Sleep"),
            (1, 1, 1, "Lost"), (1, 2, 1, "Lost"),
            (1, 1, 5, "Others"), (5, 5, 1, "Others"), (1, 5, 1, "Others"),
        ]
        let h = SegmentationHarness()
        h.session.setTable("s", try Table(names: ["r", "f", "m"], columns: [
            Column.from(cases.map { .int($0.0) } + [.null]),
            Column.from(cases.map { .int($0.1) } + [.int(3)]),
            Column.from(cases.map { .int($0.2) } + [.int(3)]),
        ]))
        let out = h.run("s | derive segment = rfm_segment(r, f, m)")
        XCTAssertEqual(SegmentationHarness.values(out.last, "segment"), strings(cases.map { $0.3 } + [nil]))
        // Need Attention (2-3, 2-3, 2-3) sits below At Risk and Potential Loyalist: with whole
        // scores those take all of its cells; only fractional scores reach it.
        let frac = h.run("s | take 1 | select x = rfm_segment(2.5, 2, 2.5)")
        XCTAssertEqual(SegmentationHarness.values(frac.last, "x"), strings(["Need Attention"]))
        let help = h.session.functions.lookup("rfm_segment")?.helpText ?? ""
        XCTAssertTrue(help.contains("Can't Lose Them     R 1  F 4-5  M 4-5"), help)
    }

    func testRFMClass8Mapping() throws {
        // Every H/L combination around means of 5, and a row exactly at the means (high).
        let combos: [(Int64, Int64, Double, String)] = [
            (0, 10, 10, "重要价值客户"), (10, 10, 10, "重要保持客户"), (0, 0, 10, "重要发展客户"), (10, 0, 10, "重要挽留客户"),
            (0, 10, 0, "一般价值客户"), (10, 10, 0, "一般保持客户"), (0, 0, 0, "一般发展客户"), (10, 0, 0, "一般挽留客户"),
            (5, 5, 5, "重要价值客户"),
        ]
        let h = SegmentationHarness()
        h.session.setTable("c", try Table(names: ["recency", "frequency", "monetary", "g"], columns: [
            Column.from(combos.map { .int($0.0) }),
            Column.from(combos.map { .int($0.1) }),
            Column.from(combos.map { .double($0.2) }),
            Column.from(strings(["p", "p", "p", "p", "p", "p", "p", "p", "q"])),
        ]))
        let out = h.run("c | derive class8 = rfm_class8(recency, frequency, monetary)")
        XCTAssertEqual(SegmentationHarness.values(out.last, "class8"), strings(combos.map { $0.3 }))
        // Within groups: q has one row, which equals its own means → high on all three.
        let grouped = h.run("c | derive class8 = rfm_class8(recency, frequency, monetary) over g")
        XCTAssertEqual(SegmentationHarness.values(grouped.last, "class8"), strings(combos.map { $0.3 }))
        // A group whose means differ: p without the all-high row.
        let shifted = h.run("c | where g == \"p\" | take 2 | derive class8 = rfm_class8(recency, frequency, monetary)")
        // means over (0,10,10) and (10,10,10): recency 5, frequency 10, monetary 10.
        XCTAssertEqual(SegmentationHarness.values(shifted.last, "class8"), strings(["重要价值客户", "重要保持客户"]))
    }
}
