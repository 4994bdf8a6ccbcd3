import Columnar
import Diagnostics
import Engine
import Language
import Segmentation
import IO
import XCTest

/// A session with the segmentation operators and the what-if statements installed, and what
/// running statements in it produced.
final class WhatIfHarness: SegmentationHarness {
    override init() {
        super.init()
        WhatIfCommands.install(into: session)
    }

    /// A table's rows as text (`null` for nulls), header first.
    static func grid(_ t: Table?) -> [[String]] {
        guard let t else { return [] }
        return [t.names] + (0..<t.rowCount).map { t.row($0).map(\.description) }
    }

    /// Eight customers with known recency and monetary, and the tier rules of the tests:
    ///
    /// | id | recency | monetary | before (30, 0.8) | after (45, 0.7) |
    /// | c1 | 10  | 2000 | S | S |
    /// | c2 | 40  | 1500 | A | S |
    /// | c3 | 20  |  900 | A | A |
    /// | c4 | 50  |  750 | B | A |
    /// | c5 | 70  | 5000 | B | B |
    /// | c6 | 100 | 3000 | C | C |
    /// | c7 | 44  | 1200 | A | S |
    /// | c8 | 55  |  100 | B | B |
    func loadTiers() throws {
        session.setTable("feats", try Table(names: ["id", "recency", "monetary"], columns: [
            Column.from((1...8).map { .string("c\($0)") }),
            Column.from([10, 40, 20, 50, 70, 100, 44, 55].map { .int($0) }),
            Column.from([2000, 1500, 900, 750, 5000, 3000, 1200, 100].map { .double($0) }),
        ]))
        run("""
            param s_recency = 30
            param a_mult = 0.8
            param unused = 1
            rules tier {
              "S" when recency <= $s_recency and monetary >= 1000
              "A" when recency <= 60 and monetary >= $a_mult * 1000
              "B" when recency <= 90 and monetary > 0
              "C" otherwise
            }
            let tiered = feats | classify tier
            """)
    }
}

final class WhatIfTests: XCTestCase {
    /// A measure that the changed parameter changes is summed on each side (the after side
    /// is not derived from the before side's sums).
    func testAMeasureThatDependsOnTheChangedParameter() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("let scaled = tiered | derive m = monetary * $s_recency")
        let out = h.run("whatif s_recency = 45 on scaled by tier measure m")
        let grid = WhatIfHarness.grid(out.tables.dropFirst().first)
        let m = grid.first.map { names in grid.dropFirst().map { row in [row[0]] + ["m_before", "m_after"].map { row[names.firstIndex(of: $0) ?? 0] } } }
        // Before ×30: S c1; after ×45: S c1 c2 c7.
        XCTAssertEqual(m?.first, ["S", "60000", "211500"])
        XCTAssertEqual(m?.last, ["total", "433500", "650250"])
    }

    func testMigrationMatrixPerClassFiguresAndMovedLine() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif s_recency = 45, a_mult = 0.7 on tiered by tier")
        XCTAssertEqual(out.tables.count, 2)
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["tier (before \\ after)", "S", "A", "B", "C", "total"],
            ["S", "1", "0", "0", "0", "1"],
            ["A", "2", "1", "0", "0", "3"],
            ["B", "0", "1", "2", "0", "3"],
            ["C", "0", "0", "0", "1", "1"],
            ["total", "3", "2", "2", "1", "8"],
        ])
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last), [
            ["tier", "n_before", "n_after", "n_change", "pct_before", "pct_after",
             "monetary_before", "monetary_after", "monetary_change", "monetary_pct_before", "monetary_pct_after"],
            ["S", "1", "3", "2", "12.5", "37.5", "2000", "4700", "2700", "13.84", "32.53"],
            ["A", "3", "2", "-1", "37.5", "25", "3600", "1650", "-1950", "24.91", "11.42"],
            ["B", "3", "2", "-1", "37.5", "25", "5850", "5100", "-750", "40.48", "35.29"],
            ["C", "1", "1", "0", "12.5", "12.5", "3000", "3000", "0", "20.76", "20.76"],
            ["total", "8", "8", "0", "100", "100", "14450", "14450", "0", "100", "100"],
        ])
        XCTAssertEqual(out.texts, [
            "what-if on tiered by tier: $s_recency 30 → 45, $a_mult 0.8 → 0.7",
            "3 of 8 rows moved (37.5%); monetary of the moved rows: 3,450.00 (23.9% of the total)",
        ])
        XCTAssertEqual(out.notes, [])
    }

    /// The what-if is a value: the matrix as counts, the moved rows and the measure they carry.
    func testTheReportIsAValue() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif s_recency = 45, a_mult = 0.7 on tiered by tier")
        guard out.reports.count == 1, case .whatIf(let w) = out.reports[0] else { return XCTFail("\(out.reports)") }
        XCTAssertEqual(w.changes.map(\.parameter), ["s_recency", "a_mult"])
        XCTAssertEqual(w.changes.map(\.after), [.int(45), .double(0.7)])
        XCTAssertEqual(w.matrix.classes, ["S", "A", "B", "C"])
        XCTAssertEqual(w.matrix.counts, [[1, 0, 0, 0], [2, 1, 0, 0], [0, 1, 2, 0], [0, 0, 0, 1]])
        XCTAssertFalse(w.matrix.hasNew || w.matrix.hasGone)
        XCTAssertEqual(w.rows, 8)
        XCTAssertEqual(w.moved, 3)
        XCTAssertEqual(w.measure?.name, "monetary")
        XCTAssertEqual(w.measure?.moved, 3450)
        XCTAssertEqual(w.measure?.total, 14450)
        XCTAssertEqual(ReportFormats.results(.whatIf(w), format: .csv, options: RenderOptions()).last,
                       "rows,moved,moved_pct,monetary_moved,monetary_moved_pct,monetary_total\n8,3,37.5,3450,23.88,14450\n")
    }

    func testParametersAreUnchangedAfterAWhatIf() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("whatif s_recency = 45, a_mult = 0.7 on tiered by tier")
        let params = Dictionary(uniqueKeysWithValues: h.session.parameters.map { ($0.name, $0.value) })
        XCTAssertEqual(params["s_recency"], .int(30))
        XCTAssertEqual(params["a_mult"], .double(0.8))
        let out = h.run("tiered | summarize n = count() by tier | sort tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last), [["tier", "n"], ["A", "3"], ["B", "3"], ["C", "1"], ["S", "1"]])
    }

    func testMovedRowsPipeOnLikeATable() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        var out = h.run("whatif s_recency = 45, a_mult = 0.7 on tiered by tier | moved")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last), [
            ["id", "before", "after", "recency", "monetary"],
            ["c2", "A", "S", "40", "1500"],
            ["c4", "B", "A", "50", "750"],
            ["c7", "A", "S", "44", "1200"],
        ])
        out = h.run("whatif s_recency = 45 on tiered by tier key id | moved | where monetary > 1400 | select id, after")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last), [["id", "after"], ["c2", "S"]])
    }

    func testUnknownParameterSuggestsAName() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif s_recncy = 45 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("unknown parameter 's_recncy' (did you mean 's_recency'?)"), out.error)
        XCTAssertTrue(out.error.contains("<test>:1:8"), out.error)
    }

    func testUnknownViewColumnAndTableAreErrors() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        var out = h.run("whatif s_recency = 45 on tierd by tier", expectError: true)
        XCTAssertTrue(out.error.contains("unknown view 'tierd' (did you mean 'tiered'?)"), out.error)
        out = h.run("whatif s_recency = 45 on feats by tier", expectError: true)
        XCTAssertTrue(out.error.contains("'feats' is a table, not a view"), out.error)
        out = h.run("whatif s_recency = 45 on tiered by tirr", expectError: true)
        XCTAssertTrue(out.error.contains("unknown column 'tirr' (did you mean 'tier'?)"), out.error)
        out = h.run("whatif s_recency = 45 on tiered by tier measure id", expectError: true)
        XCTAssertTrue(out.error.contains("the measure 'id' must be a number column"), out.error)
    }

    func testParameterTheViewDoesNotUseGivesANote() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif unused = 2 on tiered by tier")
        XCTAssertEqual(out.notes, ["note: the view 'tiered' does not depend on $unused"])
        XCTAssertEqual(out.texts.last, "0 of 8 rows moved (0.0%); monetary of the moved rows: 0.00 (0.0% of the total)")
    }

    func testDuplicateKeyIsAnErrorNamingTheKey() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif s_recency = 45 on tiered by tier key tier", expectError: true)
        XCTAssertTrue(out.error.contains("the key 'tier' is not unique in view 'tiered' before the what-if: A occurs more than once"), out.error)
    }

    func testMeasureAndKeyOptions() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("whatif s_recency = 45 on tiered by tier key id measure recency")
        XCTAssertEqual(out.tables.last?.names.suffix(2), ["recency_pct_before", "recency_pct_after"])
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last)[1].prefix(9), ["S", "1", "3", "2", "12.5", "37.5", "10", "94", "84"])
        XCTAssertEqual(out.texts.last, "2 of 8 rows moved (25.0%); recency of the moved rows: 84.00 (21.6% of the total)")
    }

    func testRowsFilteredByAParameterAreNewOrGone() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("""
            param max_recency = 60
            let near = tiered | where recency <= $max_recency
            """)
        let out = h.run("whatif max_recency = 45 on near by tier")
        // Before: c1 S, c2 A, c3 A, c4 B, c7 A, c8 B; after: c4 (50) and c8 (55) are gone.
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["tier (before \\ after)", "S", "A", "B", "C", "(gone)", "total"],
            ["S", "1", "0", "0", "0", "0", "1"],
            ["A", "0", "3", "0", "0", "0", "3"],
            ["B", "0", "0", "0", "0", "2", "2"],
            ["C", "0", "0", "0", "0", "0", "0"],
            ["total", "1", "3", "0", "0", "2", "6"],
        ])
        let moved = h.run("whatif max_recency = 45 on near by tier | moved")
        XCTAssertEqual(WhatIfHarness.grid(moved.tables.last), [
            ["id", "before", "after", "recency", "monetary"],
            ["c4", "B", "null", "50", "750"],
            ["c8", "B", "null", "55", "100"],
        ])
    }

    func testIntegerClassesAndNullClass() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("""
            let levels = feats | derive level = case { recency <= $s_recency => 1, recency <= 60 => 2, monetary > 4000 => null, else => 3 }
            """)
        let out = h.run("whatif s_recency = 45 on levels by level")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["level (before \\ after)", "1", "2", "3", "∅", "total"],
            ["1", "2", "0", "0", "0", "2"],
            ["2", "2", "2", "0", "0", "4"],
            ["3", "0", "0", "1", "0", "1"],
            ["∅", "0", "0", "0", "1", "1"],
            ["total", "4", "2", "1", "1", "8"],
        ])
        let moved = h.run("whatif s_recency = 45 on levels by level | moved")
        XCTAssertEqual(moved.tables.last?.column("before")?.type, .int)
        XCTAssertEqual(WhatIfHarness.grid(moved.tables.last).map { $0.prefix(3) }, [["id", "before", "after"], ["c2", "2", "1"], ["c7", "2", "1"]])
    }

    /// The acceptance criterion of the what-if speed: changing a tier threshold re-runs the
    /// classification, never the rfm over the orders behind it.
    func testWhatIfReusesTheFeaturesView() throws {
        let h = WhatIfHarness()
        var customers: [Scalar] = [], dates: [Scalar] = [], amounts: [Scalar] = []
        for c in 0..<20 {
            for k in 0...(c % 4) {
                customers.append(.string("c\(c)"))
                dates.append(.date(CivilDate(year: 2025, month: 6, day: 30).daysSinceEpoch - Int32(c * 5 + k * 7)))
                amounts.append(.double(Double(100 * (c + 1) + k)))
            }
        }
        h.session.setTable("orders", try Table(names: ["customer_id", "order_date", "amount"],
                                               columns: [Column.from(customers), Column.from(dates), Column.from(amounts)]))
        h.run("""
            param s_recency = 30
            rules tier {
              "S" when recency <= $s_recency and monetary >= avg(monetary)
              "A" when recency <= 60
              "C" otherwise
            }
            let feats = orders | rfm customer=customer_id, date=order_date, amount=amount
            let tiered = feats | classify tier
            """)
        let evaluations = h.session.viewEvaluations
        let out = h.run("whatif s_recency = 60 on tiered by tier")
        XCTAssertEqual(h.session.viewEvaluations - evaluations, 1, "only 'tiered' (after) is evaluated again")
        XCTAssertEqual(out.tables.first?.names, ["tier (before \\ after)", "S", "A", "C", "total"])
        // The same what-if again is all cache hits.
        h.run("whatif s_recency = 60 on tiered by tier")
        XCTAssertEqual(h.session.viewEvaluations - evaluations, 1)
    }

    func testWhatIfOnALateParameterDoesNotRedoTheRFMOfTheSameView() throws {
        // One view: rfm (using $asof) | classify (using $s_recency). A what-if on s_recency
        // restarts from the table kept before classify; one on asof redoes the rfm.
        let h = WhatIfHarness()
        var rfmRuns = 0
        guard let rfm = h.session.operators.definition("rfm") else { return XCTFail("no rfm operator") }
        h.session.operators.register(OperatorDefinition(keyword: "rfm", syntax: rfm.syntax, summary: rfm.summary, example: rfm.example) { step, input, binder in
            CountingOperator(inner: try rfm.bind(step, input, binder), onExecute: { rfmRuns += 1 })
        })
        h.session.setTable("orders", try Table(names: ["customer_id", "order_date", "amount"], columns: [
            Column.from(["a", "a", "b", "c"].map { .string($0) }),
            Column.from([(6, 1), (6, 20), (5, 1), (6, 25)].map { .date(CivilDate(year: 2025, month: $0.0, day: $0.1).daysSinceEpoch) }),
            Column.from([100.0, 50, 400, 10].map { .double($0) }),
        ]))
        h.run("""
            param asof = @2025-06-30
            param s_recency = 30
            rules tier {
              "S" when recency <= $s_recency and monetary >= 100
              "C" otherwise
            }
            let tiered = orders | rfm customer=customer_id, date=order_date, amount=amount, asof=$asof | classify tier
            tiered | take 1
            """)
        XCTAssertEqual(rfmRuns, 1)
        let out = h.run("whatif s_recency = 60 on tiered by tier")
        XCTAssertEqual(rfmRuns, 1, "the rfm does not use s_recency")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["tier (before \\ after)", "S", "C", "total"],
            ["S", "1", "0", "1"],
            ["C", "1", "1", "2"],
            ["total", "2", "1", "3"],
        ])
        h.run("whatif asof = @2025-07-31 on tiered by tier")
        XCTAssertEqual(rfmRuns, 2, "the rfm uses asof")
    }

    func testTheCurrentResultStaysCachedThroughManyWhatIfs() throws {
        // Each what-if evaluates only its "after" side: the view with the parameters in force
        // is the most recently used cache entry, never evicted by the what-ifs' results.
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("tiered | take 1")
        let evaluations = h.session.viewEvaluations
        for k in 0..<8 { h.run("whatif s_recency = \(31 + k) on tiered by tier") }
        XCTAssertEqual(h.session.viewEvaluations - evaluations, 8)
    }
}

/// Counts the runs of an operator (binding, which learns the output schema, is not a run).
private struct CountingOperator: PlanOperator {
    let inner: PlanOperator
    let onExecute: () -> Void
    var step: Step { inner.step }
    func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema { try inner.outputSchema(input, context) }
    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        onExecute()
        return try inner.execute(input, context)
    }
}
