import Columnar
import Engine
import XCTest

final class CompareTests: XCTestCase {
    /// Last quarter: k1 S, k2 A, k3 A, k4 B, k5 C, k6 B. This quarter: k1 A (down), k2 S (up),
    /// k3 A, k4 B, k5 B (up), k7 S (new); k6 is gone.
    func quarters(_ h: WhatIfHarness) throws {
        func table(_ keys: [String], _ tiers: [String]) throws -> Table {
            try Table(names: ["key", "tier", "x"], columns: [
                Column.from(keys.map { .string($0) }), Column.from(tiers.map { .string($0) }),
                Column.from(keys.indices.map { .int(Int64($0)) }),
            ])
        }
        h.session.setTable("q1", try table(["k1", "k2", "k3", "k4", "k5", "k6"], ["S", "A", "A", "B", "C", "B"]))
        h.session.setTable("q2", try table(["k7", "k5", "k4", "k3", "k2", "k1"], ["S", "B", "B", "A", "S", "A"]))
    }

    func testRuleOrderMatrixAndRates() throws {
        let h = WhatIfHarness()
        try quarters(h)
        h.session.classOrders["tier"] = ["S", "A", "B", "C"]
        let out = h.run("compare q1 q2 on key by tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["tier (old \\ new)", "S", "A", "B", "C", "(gone)", "total"],
            ["S", "0", "1", "0", "0", "0", "1"],
            ["A", "1", "1", "0", "0", "0", "2"],
            ["B", "0", "0", "1", "0", "1", "2"],
            ["C", "0", "0", "1", "0", "0", "1"],
            ["(new)", "1", "0", "0", "0", "0", "1"],
            ["total", "2", "2", "2", "0", "1", "7"],
        ])
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last), [
            ["tier", "n_old", "kept", "upgraded", "downgraded", "gone", "kept_pct", "upgraded_pct", "downgraded_pct", "gone_pct", "arrived", "n_new"],
            ["S", "1", "0", "0", "1", "0", "0", "0", "100", "0", "1", "2"],
            ["A", "2", "1", "1", "0", "0", "50", "50", "0", "0", "0", "2"],
            ["B", "2", "1", "0", "0", "1", "50", "0", "0", "50", "0", "2"],
            ["C", "1", "0", "1", "0", "0", "0", "100", "0", "0", "0", "0"],
        ])
        XCTAssertEqual(out.texts, [
            "5 keys in both, 1 new, 1 gone; 3 of 5 changed class (60.0%)",
            "class order: S, A, B, C (the rule order of 'tier'; upgraded = moved to an earlier class)",
        ])
    }

    func testWithoutRuleOrderClassesAreAlphabeticalAndTheReportSaysSo() throws {
        let h = WhatIfHarness()
        try quarters(h)
        let out = h.run("compare q1 q2 on key by tier")
        XCTAssertEqual(out.tables.first?.names, ["tier (old \\ new)", "A", "B", "C", "S", "(gone)", "total"])
        // Alphabetically A is the best class: k2 A → S is a downgrade.
        XCTAssertEqual(WhatIfHarness.grid(out.tables.last)[1].prefix(5), ["A", "2", "1", "0", "1"])
        XCTAssertEqual(out.texts.last,
                       "class order: A, B, C, S (alphabetical: no rule order is known for 'tier'; upgraded = moved to an earlier class)")
    }

    func testComparesViewsAndResultsAndChecksKeys() throws {
        let h = WhatIfHarness()
        try quarters(h)
        h.run("let q2v = q2 | where key != \"k7\"")
        h.run("q1 | take 6")
        var out = h.run("compare _ q2v on key by tier")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first).last, ["total", "2", "2", "0", "1", "1", "6"])
        out = h.run("compare q1 q2 on kee by tier", expectError: true)
        XCTAssertTrue(out.error.contains("unknown column 'kee' (did you mean 'key'?) in 'q1'"), out.error)
        out = h.run("compare q1 q3 on key by tier", expectError: true)
        XCTAssertTrue(out.error.contains("unknown table 'q3'"), out.error)
        h.run("let twice = q1 | join q1 on tier")
        out = h.run("compare twice q2 on key by tier", expectError: true)
        XCTAssertTrue(out.error.contains("the key 'key' is not unique in 'twice'"), out.error)
    }

    func testKeysOfDifferentDictionariesAndIntKeys() throws {
        let h = WhatIfHarness()
        h.session.setTable("a", try Table(names: ["id", "c"], columns: [
            Column.from([1, 2, 3, 1_000_000_000_000].map { .int($0) }), Column.from(["x", "y", "x", "y"].map { .string($0) })]))
        h.session.setTable("b", try Table(names: ["id", "c"], columns: [
            Column.from([3, 1_000_000_000_000, 2].map { .double(Double($0)) }), Column.from(["y", "y", "y"].map { .string($0) })]))
        let out = h.run("compare a b on id by c")
        XCTAssertEqual(WhatIfHarness.grid(out.tables.first), [
            ["c (old \\ new)", "x", "y", "(gone)", "total"],
            ["x", "0", "1", "1", "2"],
            ["y", "0", "2", "0", "2"],
            ["total", "0", "3", "1", "4"],
        ])
    }
}
