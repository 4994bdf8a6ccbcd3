import Columnar
import Diagnostics
import Engine
import Foundation
import Segmentation
import IO
import XCTest

/// Every example script in scripts/examples runs without an error against datasets/demo.
///
/// The scripts load `datasets/demo/...` relative to the current directory, and 01 exports
/// `segmentation_table.csv` there; so each runs in a session whose base directory is a fresh
/// temporary directory holding a `datasets` link to the repository's, and the exported
/// file is checked and removed with it.
final class SegmentationExampleTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary directory (removed after the test) holding a `datasets` link to the
    /// repository's, so that `datasets/demo/...` loads and exports stay out of the repository.
    static func demoDirectory(for test: XCTestCase) throws -> URL {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("segsh-demo-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? fm.removeItem(at: dir) }
        try fm.createSymbolicLink(at: dir.appendingPathComponent("datasets"),
                                  withDestinationURL: repository.appendingPathComponent("datasets"))
        return dir
    }

    func runExample(_ name: String) throws -> (SegmentationHarness.Output, URL) {
        let dir = try Self.demoDirectory(for: self)
        let script = Self.repository.appendingPathComponent("scripts/examples/\(name)")
        let text = try String(contentsOf: script, encoding: .utf8)
        let h = SegmentationHarness()
        h.session.baseDirectory = dir.path
        var out = SegmentationHarness.Output()
        out.errors = h.session.run(SourceFile(name: name, text: text)) { item in
            switch item {
            case .table(let t, _, _): out.tables.append(t)
            case .text(let s): out.texts.append(s)
            case .chart(let c): out.texts.append(TextChart.render(c, width: TextChart.defaultWidth))
            case .note(let s), .done(let s, _): out.notes.append(s)
            case .report(let r, _):
                out.reports.append(r)
                reportParts(r, tables: &out.tables, texts: &out.texts, notes: &out.notes)
            }
        }
        XCTAssertTrue(out.errors.isEmpty, out.errors.map { $0.render() }.joined())
        return (out, dir)
    }

    func testExamplesAreAllCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("scripts/examples").path)
            .filter { $0.hasSuffix(".seg") }.sorted()
        XCTAssertEqual(names, ["01-segmentation-table.seg", "02-rfm-quintiles.seg", "03-rfm-class8.seg", "04-composite-score.seg",
                               "05-value-potential-matrix.seg", "06-pareto-abc.seg", "07-group-accounts.seg",
                               "08-quarterly-review.seg", "09-whatif-thresholds.seg", "10-clv-churn-risk.seg"])
    }

    func testSegmentationTable() throws {
        let (out, dir) = try runExample("01-segmentation-table.seg")
        let csv = try String(contentsOf: dir.appendingPathComponent("segmentation_table.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 2001)
        XCTAssertEqual(lines.first, "客户编号,客户名称,联系人,所属行业,企业规模,客户等级,RFM指标,核心需求标签,当前跟进策略,负责人,最后更新时间")
        // C000002 ordered 7 times for 9,847.20 in the year, last 184 days before asof.
        XCTAssertTrue(lines.contains { $0.hasPrefix("C000002,") && $0.contains(",184天/7次/1.0万,") }, String(lines[2]))
        let tiers = try XCTUnwrap(out.tables.first { $0.names == ["客户等级", "客户数"] })
        XCTAssertEqual((0..<tiers.rowCount).map { tiers.columns[1][$0].intValue ?? 0 }.reduce(0, +), 2000)
    }

    func testRFMQuintiles() throws {
        let (out, _) = try runExample("02-rfm-quintiles.seg")
        let segments = try XCTUnwrap(out.tables.first { $0.names.first == "segment" })
        XCTAssertEqual((0..<segments.rowCount).map { segments.columns[1][$0].intValue ?? 0 }.reduce(0, +), 1769)
    }

    func testRFMClass8() throws {
        let (out, _) = try runExample("03-rfm-class8.seg")
        XCTAssertEqual(out.tables.first?.rowCount, 8)
    }

    func testCompositeScore() throws {
        let (out, _) = try runExample("04-composite-score.seg")
        XCTAssertEqual(out.tables.first?.rowCount, 20)
    }

    func testValuePotentialMatrix() throws {
        let (out, _) = try runExample("05-value-potential-matrix.seg")
        XCTAssertEqual(out.tables.first?.names, ["value_half", "高潜力", "低潜力"])
        XCTAssertEqual(out.tables.last?.rowCount, 4)
    }

    func testParetoABC() throws {
        let (out, _) = try runExample("06-pareto-abc.seg")
        XCTAssertEqual(out.texts.count, 2)
        XCTAssertTrue(out.texts.first?.hasPrefix("top 26.6% of customers give 80.0% of monetary") ?? false, out.texts.first ?? "")
        XCTAssertTrue(out.texts.last?.hasPrefix("top 17.1% of customers give 70.0% of monetary") ?? false, out.texts.last ?? "")
    }

    func testGroupAccounts() throws {
        let (out, _) = try runExample("07-group-accounts.seg")
        XCTAssertEqual(out.tables.first?.row(0), [.int(65), .int(178), .int(8)])
    }

    /// The first table whose first column is named `name`.
    func table(_ out: SegmentationHarness.Output, firstColumn name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Table {
        try XCTUnwrap(out.tables.first { $0.names.first == name }, "no table starting with '\(name)'", file: file, line: line)
    }

    /// The row of `table` whose first column is `label`.
    func row(_ table: Table, _ label: Scalar, file: StaticString = #filePath, line: UInt = #line) throws -> [Scalar] {
        let index = try XCTUnwrap((0..<table.rowCount).first { table.columns[0][$0] == label }, "no row \(label)", file: file, line: line)
        return table.row(index)
    }

    func testQuarterlyReview() throws {
        let (out, _) = try runExample("08-quarterly-review.seg")
        // Tiers as of 2025-03-31 (rows) against 2025-06-30 (columns): S, A, B, C, total.
        let matrix = try table(out, firstColumn: "tier (old \\ new)")
        XCTAssertEqual(try row(matrix, .string("S")), [.string("S"), .int(106), .int(23), .int(11), .int(16), .int(156)])
        XCTAssertEqual(try row(matrix, .string("B")), [.string("B"), .int(12), .int(59), .int(413), .int(178), .int(662)])
        XCTAssertEqual(try row(matrix, .string("(new)")), [.string("(new)"), .int(49), .int(46), .int(118), .int(0), .int(213)])
        XCTAssertEqual(try row(matrix, .string("total")), [.string("total"), .int(199), .int(229), .int(733), .int(608), .int(1769)])
        XCTAssertTrue(out.texts.contains { $0.hasPrefix("1,556 keys in both, 213 new, 0 gone; 562 of 1,556 changed class (36.1%)") },
                      out.texts.joined())
        // S churn: 50 of last quarter's 156 S customers are no longer S; B upgrade: 71 of 662 B are now A or S.
        let churn = try XCTUnwrap(out.tables.first { $0.names == ["s_last_quarter", "no_longer_s", "s_churn_rate"] })
        XCTAssertEqual(churn.row(0), [.int(156), .int(50), .double(0.321)])
        let upgrade = try XCTUnwrap(out.tables.first { $0.names == ["b_last_quarter", "now_a_or_s", "b_upgrade_rate"] })
        XCTAssertEqual(upgrade.row(0), [.int(662), .int(71), .double(0.107)])
        // The per-tier summary of compare agrees with them.
        let summary = try table(out, firstColumn: "tier")
        let s = try row(summary, .string("S")), b = try row(summary, .string("B"))
        XCTAssertEqual(s[summary.names.firstIndex(of: "downgraded") ?? 0], .int(50))
        XCTAssertEqual(b[summary.names.firstIndex(of: "upgraded") ?? 0], .int(71))
        // The owners with the most dropped S customers.
        let owners = try XCTUnwrap(out.tables.last)
        XCTAssertEqual(owners.names, ["owner", "dropped", "to_c"])
        XCTAssertEqual(owners.row(0), [.string("徐志强"), .int(6), .int(3)])
        XCTAssertEqual((0..<owners.rowCount).map { owners.columns[1][$0].intValue ?? 0 }.reduce(0, +), 38)
    }

    func testWhatIfThresholds() throws {
        let (out, _) = try runExample("09-whatif-thresholds.seg")
        // s_recency 30 → 45: ten A customers become S, with 808,290.34 of revenue.
        let matrices = out.tables.filter { $0.names.first == "tier (before \\ after)" }
        XCTAssertEqual(matrices.count, 2)
        XCTAssertEqual(try row(matrices[0], .string("A")), [.string("A"), .int(10), .int(219), .int(0), .int(0), .int(229)])
        // ... and with a_mult 0.8 → 0.7 as well, 51 B customers become A.
        XCTAssertEqual(try row(matrices[1], .string("B")), [.string("B"), .int(0), .int(51), .int(682), .int(0), .int(733)])
        XCTAssertTrue(out.texts.contains { $0.hasPrefix("10 of 1,769 rows moved (0.6%); monetary of the moved rows: 808,290.34 (1.6% of the total)") },
                      out.texts.joined())
        XCTAssertTrue(out.texts.contains { $0.hasPrefix("61 of 1,769 rows moved (3.4%); monetary of the moved rows: 1,939,865.54 (3.7% of the total)") },
                      out.texts.joined())
        // The biggest mover, and the moved revenue per move.
        let moved = try XCTUnwrap(out.tables.first { $0.names.first == "customer_id" && $0.names.contains("before") })
        XCTAssertEqual(moved.rowCount, 10)
        XCTAssertEqual(Array(moved.row(0).prefix(5)), [.string("C001964"), .string("呼和浩特鼎盛网络有限责任公司"), .string("信息技术"), .string("A"), .string("S")])
        let flows = try XCTUnwrap(out.tables.first { $0.names == ["before", "after", "customers", "revenue"] })
        XCTAssertEqual(flows.rowCount, 2)
        XCTAssertEqual(Array(flows.row(0).prefix(3)), [.string("B"), .string("A"), .int(51)])
        XCTAssertEqual(flows.columns[3][0].doubleValue ?? 0, 1_131_575.20, accuracy: 0.005)
        XCTAssertEqual(flows.columns[3][1].doubleValue ?? 0, 808_290.34, accuracy: 0.005)
        // The sweeps: S, A, B, C counts per value.
        let recency = try table(out, firstColumn: "s_recency")
        XCTAssertEqual(recency.rowCount, 6)
        XCTAssertEqual(Array(try row(recency, .int(15)).prefix(5)), [.int(15), .int(161), .int(267), .int(733), .int(608)])
        XCTAssertEqual(Array(try row(recency, .int(90)).prefix(5)), [.int(90), .int(227), .int(210), .int(724), .int(608)])
        let mult = try table(out, firstColumn: "a_mult")
        XCTAssertEqual(mult.rowCount, 8)
        let counts = (0..<mult.rowCount).map { r in (1...4).map { mult.columns[$0][r].intValue ?? -1 } }
        XCTAssertEqual(counts[2], [199, 280, 682, 608])  // a_mult 0.7
        XCTAssertEqual(counts[7], [199, 85, 877, 608])   // a_mult 1.2
        XCTAssertEqual(mult.columns[0][2].doubleValue ?? 0, 0.7, accuracy: 1e-9)
    }

    func testCLVChurnRisk() throws {
        let (out, _) = try runExample("10-clv-churn-risk.seg")
        XCTAssertEqual(out.tables.count, 3)
        // The churn-risk list: S and A customers only, all with p_alive < 0.3, most valuable history first.
        let risk = out.tables[0]
        XCTAssertEqual(risk.names, ["customer_id", "name", "tier", "owner", "recency", "monetary", "p_alive", "clv"])
        XCTAssertEqual(risk.rowCount, 13)
        for v in SegmentationHarness.values(risk, "tier") { XCTAssertTrue(v == .string("S") || v == .string("A"), "\(v)") }
        for v in SegmentationHarness.values(risk, "p_alive") {
            guard case .double(let p) = v else { return XCTFail("p_alive \(v)") }
            XCTAssertLessThan(p, 0.3)
        }
        XCTAssertEqual(SegmentationHarness.values(risk, "customer_id").first, .string("C001338"))
        // Per tier: 2 of the S customers and 11 of the A customers are at risk.
        let perTier = out.tables[1]
        XCTAssertEqual(SegmentationHarness.values(perTier, "tier"), ["A", "B", "C", "S"].map { Scalar.string($0) })
        XCTAssertEqual(SegmentationHarness.values(perTier, "at_risk"), [11, 3, 35, 2].map { Scalar.int($0) })
        // The CLV ranking starts at rank 1 and is sorted by clv.
        let ranking = out.tables[2]
        XCTAssertEqual(ranking.rowCount, 15)
        XCTAssertEqual(SegmentationHarness.values(ranking, "clv_rank").first, .int(1))
        XCTAssertEqual(SegmentationHarness.values(ranking, "customer_id").first, .string("C000713"))
    }
}
