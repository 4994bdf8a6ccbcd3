import Columnar
import Diagnostics
import Engine
import Foundation
import Segmentation
import XCTest

/// Every example script in scripts/examples runs without an error against datasets/demo.
///
/// The scripts load `datasets/demo/...` relative to the current directory, and 01 exports
/// `segmentation_table.csv` there; so each runs in a session whose base directory is a fresh
/// temporary directory holding a `datasets` link to the repository's, and the exported
/// file is checked and removed with it.
final class SegmentationExampleTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func runExample(_ name: String) throws -> (SegmentationHarness.Output, URL) {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("segsh-examples-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? fm.removeItem(at: dir) }
        try fm.createSymbolicLink(at: dir.appendingPathComponent("datasets"),
                                  withDestinationURL: Self.repository.appendingPathComponent("datasets"))
        let script = Self.repository.appendingPathComponent("scripts/examples/\(name)")
        let text = try String(contentsOf: script, encoding: .utf8)
        let h = SegmentationHarness()
        h.session.baseDirectory = dir.path
        var out = SegmentationHarness.Output()
        out.errors = h.session.run(SourceFile(name: name, text: text)) { item in
            switch item {
            case .table(let t, _, _): out.tables.append(t)
            case .text(let s): out.texts.append(s)
            case .note(let s): out.notes.append(s)
            }
        }
        XCTAssertTrue(out.errors.isEmpty, out.errors.map { $0.render() }.joined())
        return (out, dir)
    }

    func testExamplesAreAllCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.repository.appendingPathComponent("scripts/examples").path)
            .filter { $0.hasSuffix(".seg") }.sorted()
        XCTAssertEqual(names, ["01-segmentation-table.seg", "02-rfm-quintiles.seg", "03-rfm-class8.seg", "04-composite-score.seg",
                               "05-value-potential-matrix.seg", "06-pareto-abc.seg", "07-group-accounts.seg"])
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
}
