import Columnar
import Engine
import XCTest

final class SweepTests: XCTestCase {
    func testOneRowPerValueWithCountsAndMeasureShares() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let out = h.run("sweep s_recency from 30 to 60 step 15 on tiered by tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["s_recency", "S", "A", "B", "C", "S_monetary_pct", "A_monetary_pct", "B_monetary_pct", "C_monetary_pct"],
            ["30", "1", "3", "3", "1", "13.84", "24.91", "40.48", "20.76"],
            ["45", "3", "1", "3", "1", "32.53", "6.23", "40.48", "20.76"],
            ["60", "3", "1", "3", "1", "32.53", "6.23", "40.48", "20.76"],
        ])
        XCTAssertEqual(out.tables.first?.column("s_recency")?.type, .int)
        XCTAssertEqual(out.texts.count, 1)
        let chart = out.texts.first ?? ""
        XCTAssertTrue(chart.hasPrefix("tier counts by $s_recency:\n"), chart)
        // Markers are the class names themselves, so no legend for them; '#' marks overlaps.
        XCTAssertFalse(chart.contains("S = S"), chart)
        XCTAssertTrue(chart.hasSuffix("# = several series\n"), chart)
        // The session's parameter is unchanged.
        XCTAssertEqual(h.session.parameters.first { $0.name == "s_recency" }?.value, .int(30))
    }

    /// Sweeps and what-ifs keep state between statements (the classify memo, the class
    /// baseline): after another parameter changes, and after each other, they give what a
    /// fresh session gives.
    func testKeptStateNeverOutlivesAChangedParameter() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        let sweep = "sweep s_recency from 30 to 60 step 15 on tiered by tier"
        let whatif = "whatif s_recency = 45, a_mult = 0.9 on tiered by tier"
        let first = WhatIfHarness.grid(h.run(sweep).tables.first)
        h.run(whatif)
        h.run("param a_mult = 0.7")
        let second = WhatIfHarness.grid(h.run(sweep).tables.first)
        let afterSweep = h.run(whatif).tables.map { WhatIfHarness.grid($0) }
        let fresh = WhatIfHarness()
        try fresh.loadTiers()
        fresh.run("param a_mult = 0.7")
        XCTAssertEqual(second, WhatIfHarness.grid(fresh.run(sweep).tables.first))
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(second[1].prefix(5), ["30", "1", "4", "2", "1"])
        XCTAssertEqual(afterSweep, fresh.run(whatif).tables.map { WhatIfHarness.grid($0) })
    }

    func testDoubleStepsIncludeTheEndAndNegativeStepsGoDown() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        var out = h.run("sweep a_mult from 0.7 to 0.9 step 0.1 on tiered by tier measure recency")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first).map { $0.prefix(5) }, [
            ["a_mult", "S", "A", "B", "C"],
            ["0.7", "1", "4", "2", "1"],
            ["0.8", "1", "3", "3", "1"],
            ["0.9", "1", "3", "3", "1"],
        ])
        XCTAssertEqual(out.tables.first?.names.last, "C_recency_pct")
        out = h.run("sweep s_recency from 60 to 30 step -30 on tiered by tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first).map { $0.prefix(2) }, [["s_recency", "S"], ["60", "3"], ["30", "1"]])
    }

    func testDateSweepWithADurationStep() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        h.run("""
            param cutoff = @2025-01-31
            let dated = feats | derive seen = @2025-06-30 - recency | derive tier = if(seen >= $cutoff, "recent", "old")
            """)
        let out = h.run("sweep cutoff from @2025-01-31 to @2025-04-30 step 1month on dated by tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first).map { $0.prefix(1) },
                       [["cutoff"], ["2025-01-31"], ["2025-02-28"], ["2025-03-31"], ["2025-04-30"]])
    }

    func testBadRangesAreErrors() throws {
        let h = WhatIfHarness()
        try h.loadTiers()
        var out = h.run("sweep s_recency from 30 to 60 step 0 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("the step of a sweep cannot be 0"), out.error)
        out = h.run("sweep s_recency from 30 to 60 step -5 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("the step goes the wrong way"), out.error)
        out = h.run("sweep s_recency from 0 to 100000 step 1 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("a sweep of 100,001 values is too many (at most 1000)"), out.error)
        out = h.run("sweep s_recency from \"a\" to 60 step 5 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("sweep values must be numbers"), out.error)
        out = h.run("sweep s_recenc from 30 to 60 step 5 on tiered by tier", expectError: true)
        XCTAssertTrue(out.error.contains("unknown parameter 's_recenc' (did you mean 's_recency'?)"), out.error)
    }
}
