import Columnar
import Foundation
import SegshTestSupport
import XCTest

/// `--memory-limit`: a load or join that would take the process past the limit fails with a
/// clear error before allocating, and the session keeps what it had.
final class MemoryLimitTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try Robust.temporaryDirectory("memory")
        // 4,000 rows with the same key: joined with itself, 16,000,000 rows.
        var text = "k,v\n"
        for i in 0..<4000 { text += "a,\(i)\n" }
        try text.write(toFile: directory + "/dup.csv", atomically: true, encoding: .utf8)
        // 600,000 rows, 6 MB.
        var bytes = Array("id,amount\n".utf8)
        for i in 0..<600_000 { bytes += Array("\(i),\(i % 1000)\n".utf8) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/rows.csv"))
    }

    override func tearDownWithError() throws {
        MemoryBudget.setLimit(MemoryBudget.defaultLimit)
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testJoinPastTheLimitFailsAndKeepsTheSession() throws {
        let session = Robust.session(in: directory)
        XCTAssertEqual(Robust.run("load d from \"dup.csv\"\nd | take 2", in: session).error, "")
        MemoryBudget.setLimit(MemoryBudget.residentBytes() + 32 << 20)
        let run = Robust.run("d | join d on k | summarize n = count()", in: session)
        XCTAssertTrue(run.error.hasPrefix("<test>:1:1: error: not enough memory: the join would make 16,000,000 rows, about 488 MB more, and segsh already uses "),
                      run.error)
        XCTAssertTrue(run.error.contains("limit (--memory-limit)"), run.error)
        // The table and the last result are still there; a join that fits still runs.
        XCTAssertEqual(Robust.run("_", in: session).lastTable?.rowCount, 2, "a failed statement does not replace _")
        let small = Robust.run("d | where v < 100 | join d on k | summarize n = count()", in: session)
        XCTAssertEqual(small.error, "")
        XCTAssertEqual(small.lastTable.map(Robust.rows), [[.int(400_000)]])
        XCTAssertEqual(session.table(named: "d")?.rowCount, 4000)
    }

    func testLoadPastTheLimitFails() throws {
        let session = Robust.session(in: directory)
        MemoryBudget.setLimit(MemoryBudget.residentBytes() + 8 << 20)
        let run = Robust.run("load r from \"rows.csv\"", in: session)
        XCTAssertTrue(run.error.hasPrefix("<test>:1:1: error: not enough memory: loading 'rows.csv' (about "), run.error)
        XCTAssertNil(session.table(named: "r"))
        MemoryBudget.setLimit(0)
        XCTAssertEqual(Robust.run("load r from \"rows.csv\"", in: session).error, "")
        XCTAssertEqual(session.table(named: "r")?.rowCount, 600_000)
    }

    func testCommandLineOption() throws {
        let join = "load d from \"dup.csv\"\nd | join d on k | summarize n = count()"
        let refused = try Segsh.run(["--memory-limit", "64MB", "-c", join], directory: directory)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("error: not enough memory: the join would make 16,000,000 rows, about 488 MB more"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("of its 64 MB limit (--memory-limit)"), refused.stderr)
        let allowed = try Segsh.run(["--memory-limit", "2GB", "--format", "csv", "-c", join], directory: directory)
        XCTAssertEqual(allowed.status, 0, allowed.stderr)
        XCTAssertEqual(allowed.stdout, "n\n16000000\n")
        let bad = try Segsh.run(["--memory-limit", "lots", "-c", "1"], directory: directory)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--memory-limit expects a size such as 4GB, 500MB or 50%, got 'lots'"), bad.stderr)
    }

    func testSizes() {
        XCTAssertEqual(MemoryBudget.parse("4GB"), 4 << 30)
        XCTAssertEqual(MemoryBudget.parse("500MB"), 500 << 20)
        XCTAssertEqual(MemoryBudget.parse("1.5g"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parse("800K"), 800 << 10)
        XCTAssertEqual(MemoryBudget.parse("1048576"), 1 << 20)
        XCTAssertEqual(MemoryBudget.parse("none"), 0)
        XCTAssertEqual(MemoryBudget.parse("50%"), MemoryBudget.availableMemory / 2)
        for bad in ["", "GB", "-1GB", "lots", "150%", "1e400"] { XCTAssertNil(MemoryBudget.parse(bad), bad) }
        XCTAssertEqual(MemoryBudget.format(488 << 20), "488 MB")
        XCTAssertEqual(MemoryBudget.format(3 << 29), "1.5 GB")
        XCTAssertEqual(MemoryBudget.format(12), "12 bytes")
        XCTAssertEqual(MemoryBudget.grouped(16_000_000), "16,000,000")
        XCTAssertGreaterThan(MemoryBudget.defaultLimit, 0)
        XCTAssertLessThan(MemoryBudget.defaultLimit, MemoryBudget.availableMemory)
    }
}
