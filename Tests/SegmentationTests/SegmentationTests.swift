import Columnar
import Diagnostics
import Engine
import Segmentation
import IO
import XCTest

final class SegmentationClassifyTests: XCTestCase {
    func features(_ h: SegmentationHarness) throws {
        // id, industry, recency, monetary
        h.session.setTable("feats", try Table(names: ["id", "industry", "recency", "monetary"], columns: [
            Column.from(strings(["a", "b", "c", "d", "e", "f"])),
            Column.from(strings(["x", "x", "x", "y", "y", "y"])),
            Column.from(ints([10, 40, 100, 10, nil, 45])),
            Column.from([.double(300), .double(100), .double(50), .double(10), .double(80), .null]),
        ]))
    }

    func testFirstMatchWinsAndOtherwiseTakesTheRest() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            param near = 30
            rules tier {
              "S" when recency <= $near and monetary >= 1.2 * avg(monetary) over industry
              "A" when recency <= $near
              "B" when monetary > 0
              "C" otherwise
            }
            feats | classify tier
            """)
        // x: avg 150 → a (10, 300) S; b (40) not near, monetary 100 → B; c → B.
        // y: avg 45 (80, 10; f null) → d (10, 10) A; e: recency null → rules 1, 2 null → B;
        // f: recency 45 and monetary null → C.
        XCTAssertEqual(SegmentationHarness.values(out.last, "tier"), strings(["S", "B", "B", "A", "B", "C"]))
        XCTAssertEqual(out.last?.names.last, "tier")
        XCTAssertEqual(h.session.classOrders["tier"], ["S", "A", "B", "C"])
    }

    func testParametersAreThoseInForce() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            param near = 50
            rules near { "near" when recency <= $near  "far" otherwise }
            feats | classify near as distance
            """)
        XCTAssertEqual(SegmentationHarness.values(out.last, "distance"), strings(["near", "near", "far", "near", "far", "near"]))
    }

    func testAsReplacesAColumnInPlaceAndIntLabelsGiveInts() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            rules level { 1 when monetary >= 100  2 when monetary >= 50  3 otherwise }
            feats | classify level as industry
            """)
        XCTAssertEqual(out.last?.names, ["id", "industry", "recency", "monetary"])
        XCTAssertEqual(out.last?.column("industry")?.type, .int)
        XCTAssertEqual(SegmentationHarness.values(out.last, "industry"), ints([1, 1, 2, 3, 2, 3]))
        XCTAssertEqual(h.session.classOrders["industry"], ["1", "2", "3"])
    }

    func testUnknownRuleSetSuggestsAName() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            rules tier { "A" when monetary > 100  "B" otherwise }
            feats | classify tierr
            """, expectError: true)
        let text = out.errors.first?.render() ?? ""
        XCTAssertTrue(text.contains("unknown rule set 'tierr' (did you mean 'tier'?)"), text)
        XCTAssertTrue(text.contains(".rules"), text)
    }

    func testConditionErrorsPointIntoTheRules() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            rules tier { "A" when monetry > 100  "B" otherwise }
            feats | classify tier
            """, expectError: true)
        let text = out.errors.first?.render() ?? ""
        XCTAssertTrue(text.contains("unknown column 'monetry' (did you mean 'monetary'?)"), text)
        XCTAssertTrue(text.contains("<test>:1:23"), text)
    }

    func testNonBooleanConditionIsAnError() throws {
        let h = SegmentationHarness()
        try features(h)
        let out = h.run("""
            rules tier { "A" when monetary  "B" otherwise }
            feats | classify tier
            """, expectError: true)
        XCTAssertTrue(out.errors.first?.message.contains("must be true or false") ?? false, out.errors.first?.message ?? "")
    }
}

final class SegmentationParetoTests: XCTestCase {
    func testSharesClassesAndSummary() throws {
        let h = SegmentationHarness()
        h.session.setTable("t", try Table(names: ["id", "x"], columns: [
            Column.from(strings(["c", "a", "e", "b", "d"])),
            Column.from(ints([10, 50, nil, 30, 10])),
        ]))
        let out = h.run("t | pareto x")
        let t = out.last
        XCTAssertEqual(SegmentationHarness.values(t, "id"), strings(["a", "b", "c", "d", "e"]))
        XCTAssertEqual(SegmentationHarness.values(t, "rank"), ints([1, 2, 3, 4, 5]))
        XCTAssertEqual(SegmentationHarness.values(t, "cum_share"), [.double(0.5), .double(0.8), .double(0.9), .double(1.0), .null])
        XCTAssertEqual(SegmentationHarness.values(t, "customer_share"), [.double(0.25), .double(0.5), .double(0.75), .double(1.0), .null])
        // b brings the total to exactly 80%: it is the last A; c starts at 80% so it is B.
        XCTAssertEqual(SegmentationHarness.values(t, "abc"), strings(["A", "A", "B", "B", nil]))
        XCTAssertEqual(out.texts.count, 1)
        let summary = out.texts.first ?? ""
        XCTAssertTrue(summary.hasPrefix("top 50.0% of customers give 80.0% of x\n"), summary)
        XCTAssertTrue(summary.contains("A: 2 customers (50.0%), 80.0% of x"), summary)
        XCTAssertTrue(summary.contains("B: 2 customers (50.0%), 20.0% of x"), summary)
        XCTAssertTrue(summary.contains("C: 0 customers (0.0%), 0.0% of x"), summary)
        // The report is a value: the figures and the curve (from 0, 0; the null row has no point).
        guard case .pareto(let p)? = out.reports.first else { return XCTFail("no pareto report") }
        XCTAssertEqual(p.rows, 4)
        XCTAssertEqual(p.total, 100)
        XCTAssertEqual(p.classCounts, [2, 2, 0])
        XCTAssertEqual(p.classSums, [80, 20, 0])
        XCTAssertEqual(p.reachingFirst, 2)
        XCTAssertEqual(p.curve, [(0, 0), (0.25, 0.5), (0.5, 0.8), (0.75, 0.9), (1, 1)].map { ParetoReport.Point(x: $0.0, y: $0.1) })
    }

    func testCustomClassesAndStableTies() throws {
        let h = SegmentationHarness()
        h.session.setTable("t", try Table(names: ["id", "x"], columns: [
            Column.from(strings(["p", "q", "r", "s"])),
            Column.from([.double(25), .double(25), .double(25), .double(25)]),
        ]))
        let out = h.run("t | pareto x * 2 classes 0.5, 0.7, 0.9")
        XCTAssertEqual(SegmentationHarness.values(out.last, "id"), strings(["p", "q", "r", "s"]))
        // shares before each row: 0, .25, .5, .75 → A, A, B (< .7), C (< .9); no D
        XCTAssertEqual(SegmentationHarness.values(out.last, "abc"), strings(["A", "A", "B", "C"]))
        XCTAssertTrue(out.texts.first?.hasPrefix("top 50.0% of customers give 50.0% of x * 2") ?? false, out.texts.first ?? "")
    }

    func testBadClassesAndNonNumbersAreErrors() throws {
        let h = SegmentationHarness()
        h.session.setTable("t", try Table(names: ["id", "x"], columns: [Column.from(strings(["p"])), Column.from(ints([1]))]))
        XCTAssertTrue(h.run("t | pareto x classes 0.9, 0.8", expectError: true).errors.first?.message.contains("must increase") ?? false)
        XCTAssertTrue(h.run("t | pareto x classes 80", expectError: true).errors.first?.message.contains("between 0 and 1") ?? false)
        XCTAssertTrue(h.run("t | pareto id", expectError: true).errors.first?.message.contains("pareto needs numbers") ?? false)
    }
}
