import Columnar
import Diagnostics
@testable import Engine
import Foundation
import IO
import Language
import SegshTestSupport
import XCTest

/// Issue 16: extreme but valid input — integers at ±2^63, doubles at ±1.7e308, durations
/// longer than 64-bit days, pipelines nested 10,000 deep, chains of views and scripts — gives
/// a value or an error with a span, never a trap or a stack overflow. Each case was a crash
/// (exit 132 or 139) or a hang before; the grammar fuzzer (`scripts/fuzz grammar-session`)
/// found the nesting and lexer cases again.
final class BoundaryValueTests: XCTestCase {
    /// A session holding `e`: a string key, doubles at the ends of their range, a class and
    /// text, and a view `w` over it.
    func session() -> Session {
        let s = Robust.session()
        let csv = "customer_id,v,t,s\nC1,1.7e308,S,abc\nC2,-1.7e308,A,defgh\nC3,0,S,x\n"
        XCTAssertNoThrow(try s.setTable("e", CSVReader.read(bytes: Array(csv.utf8), name: "e.csv").table))
        XCTAssertEqual(Robust.run("param p = 1\nlet w = e | derive c = if(v > $p, \"S\", \"C\")", in: s).error, "")
        return s
    }

    func column(_ statement: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Scalar] {
        let run = Robust.run(statement, in: session())
        XCTAssertEqual(run.error, "", file: file, line: line)
        guard let t = run.lastTable, let c = t.column(name) else { XCTFail("no column \(name)", file: file, line: line); return [] }
        return (0..<t.rowCount).map { c[$0] }
    }

    func testDurationsSaturateAndCountsBeyond64BitsAreAnError() {
        // The what-if of the issue trapped in 365 × n: its days saturate (as rfm windows do).
        let s = session()
        let run = Robust.run("whatif p = 30000000000000000years on w by c", in: s)
        XCTAssertEqual(run.error, "")
        XCTAssertTrue((run.texts + run.notes).joined().contains("$p 1 → 9223372036854775807"), (run.texts + run.notes).joined())
        let tooLong = Robust.run("e | derive d = @2024-01-01 + 99999999999999999999days", in: s)
        XCTAssertEqual(tooLong.diagnostics.count, 1, tooLong.error)
        XCTAssertEqual(tooLong.diagnostics.first?.message, "duration too long: '99999999999999999999days' counts more than 9223372036854775807 days")
        XCTAssertTrue(tooLong.error.contains("^~~~~~~~~~~~~~~~~~~~~~~~"), tooLong.error)
        // Dates beyond the range are null.
        XCTAssertEqual(column("e | derive d = @2024-01-01 + 25269512429739111years", "d"), [.null, .null, .null])
    }

    func testQuantileScoreAndNtileTakeAnyCount() {
        // ceil(n × r / N) in 128 bits: r = 1, 2, 3 of N = 3.
        XCTAssertEqual(column("e | derive q = quantile_score(v, 9223372036854775807)", "q"),
                       [.int(9223372036854775807), .int(3074457345618258603), .int(6148914691236517205)])
        XCTAssertEqual(column("e | derive q = ntile(9223372036854775807, v)", "q"), [.int(3), .int(1), .int(2)])
    }

    func testSubstrPositionsAtTheEndsOfInt64() {
        XCTAssertEqual(column("e | derive q = substr(s, 3, 9223372036854775806)", "q"), [.string("c"), .string("fgh"), .string("")])
        XCTAssertEqual(column("e | derive q = substr(s, -9223372036854775807 - 1, 2)", "q"), [.string("ab"), .string("de"), .string("x")])
        XCTAssertEqual(column("e | derive q = substr(s, 9223372036854775807, 9223372036854775807)", "q"), [.string(""), .string(""), .string("")])
    }

    func testSweepsOverTheWholeInt64Range() {
        let s = session()
        let tooMany = Robust.run("sweep p from 0 to 9223372036854775807 step 1 on w by c", in: s)
        XCTAssertEqual(tooMany.diagnostics.first?.message, "a sweep of that many values is too many (at most 1000)")
        let whole = Robust.run("sweep p from -9223372036854775807 - 1 to 9223372036854775807 step 4611686018427387904 on w by c", in: s)
        XCTAssertEqual(whole.error, "")
        let first = whole.tables.first.flatMap { $0.columns.first }
        XCTAssertEqual(first.map { c in (0..<c.count).map { c[$0] } },
                       [.int(-9223372036854775808), .int(-4611686018427387904), .int(0), .int(4611686018427387904)])
        XCTAssertEqual(Robust.run("param p = @2024-01-01", in: s).error, "")
        let dates = Robust.run("sweep p from @2024-01-01 to @9999-12-31 step 1317624576693539401weeks on w by c", in: s)
        XCTAssertEqual(dates.diagnostics.first?.message, "cannot compare double with date")  // the view's `v > $p`; no trap first
    }

    func testChartsOfTheLargestDoublesAndInfinities() {
        let hist = Robust.run("e | chart hist v bins 4", in: session())
        XCTAssertEqual(hist.error, "")
        let lines = hist.texts.joined().split(separator: "\n")
        XCTAssertEqual(lines.count, 4, hist.texts.joined())
        XCTAssertEqual(lines.map { $0.split(separator: " ").last.map(String.init) }, ["1", "0", "1", "1"])
        let bars = Robust.run("e | derive x = v * 10 | chart bar t x", in: session())
        XCTAssertEqual(bars.error, "")
        XCTAssertEqual(bars.texts.joined().split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) }, ["inf", "-inf", "0"])
        XCTAssertEqual(TextChart.histogramBins([.nan, .infinity, -.infinity], bins: 3).counts, [])
        XCTAssertEqual(TextChart.histogramBins([-.greatestFiniteMagnitude, .greatestFiniteMagnitude], bins: 2).counts, [1, 1])
    }

    func testPipelinesNested10000DeepAreAnError() {
        let deep = String(repeating: "(", count: 10_000) + "e" + String(repeating: ")", count: 10_000)
        let run = Robust.run("e | join \(deep) on customer_id", in: session())
        XCTAssertEqual(run.diagnostics.first?.message, "pipeline nested too deeply (more than 100 levels of parentheses)")
        let fine = String(repeating: "(", count: 50) + "e" + String(repeating: ")", count: 50)
        XCTAssertEqual(Robust.run("\(fine) | take 1", in: session()).tables.first?.rowCount, 1)
    }

    /// The grammar fuzzer's timeout: a rule with 1,200 overflowing durations on one line gave
    /// 1,200 diagnostics, each rendering the 33 kB line.
    func testManyLexicalErrorsAreCappedAt20() {
        let line = Array(repeating: "99999999999999999999months", count: 1_200).joined(separator: " + ")
        let (_, diagnostics) = Parser.parse(SourceFile(name: "<fuzz>", text: "rules tier {\n  \"S\" when \(line)\n  \"C\" otherwise\n}"))
        XCTAssertEqual(diagnostics.filter { $0.message.hasPrefix("duration too long") }.count, 20)
        XCTAssertLessThanOrEqual(diagnostics.count, 21)
    }

    func testAThousandChainedViewsDefineInLinearTime() {
        let s = session()
        var script = "let v0 = e | where v > $p\n"
        for i in 1..<1_000 { script += "let v\(i) = v\(i - 1) | where true\n" }
        let before = s.viewEvaluations
        let run = Robust.run(script + "v999 | take 5", in: s)
        XCTAssertEqual(run.error, "")
        XCTAssertEqual(run.lastTable?.rowCount, 1)
        // Each `let` evaluated its own view once: nothing below it again.
        XCTAssertEqual(s.viewEvaluations - before, 1_000)
        // Changing $p invalidates all 1,000: more than 500 to recompute in one chain is an error.
        let changed = Robust.run("param p = -1\nv999 | take 5", in: s)
        XCTAssertEqual(changed.diagnostics.first?.message, "view 'v999' stands on more than 500 views in a chain")
        // A chain of 400 recomputes bottom-up.
        XCTAssertEqual(Robust.run("param p = -2\nv399 | take 5", in: s).lastTable?.rowCount, 2)
    }

    func testRunChainsOf2000ScriptsAreAnError() throws {
        let dir = try Robust.temporaryDirectory("run-chain")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for i in 0..<2_000 {
            try "run \"s\(i + 1).seg\"\n".write(toFile: dir + "/s\(i).seg", atomically: false, encoding: .utf8)
        }
        try "param reached = 1\n".write(toFile: dir + "/s2000.seg", atomically: false, encoding: .utf8)
        let s = Robust.session(in: dir)
        let run = Robust.run("run \"s0.seg\"", in: s)
        XCTAssertTrue(run.diagnostics.contains { $0.message.contains("scripts run inside each other") }, run.error)
    }

    func testSafeModeResolvesSymlinksBeforeDotDot() throws {
        let dir = try Robust.temporaryDirectory("safe-dotdot")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/t", withDestinationPath: "/tmp")
        let s = Robust.session(in: dir, safe: true)
        // t/../etc/passwd is /etc/passwd for the kernel, though it reads as ./etc/passwd.
        let load = Robust.run("load x from \"t/../etc/passwd\"", in: s)
        XCTAssertEqual(load.diagnostics.first?.message, "safe mode: reading 't/../etc/passwd' outside the current directory is not allowed")
        XCTAssertNotNil(s.checkScriptPath("t/../etc/passwd"))
        XCTAssertNil(s.checkScriptPath("inside.seg"))
        XCTAssertFalse(RealPath.isInside(dir + "/t/../etc/passwd", folder: dir))
        XCTAssertTrue(RealPath.isInside(dir + "/not-yet.csv", folder: dir))
        XCTAssertEqual(RealPath.of(dir + "/t/../etc/passwd"), "/etc/passwd")
    }

    /// The issue's examples, run by the built binary: an exit code, never a signal.
    func testTheIssueExamplesEndWithoutASignal() throws {
        let dir = try Robust.temporaryDirectory("boundary-binary")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "customer_id,v,t\nC1,1.7e308,S\nC2,-1.7e308,A\nC3,0,S\n".write(toFile: dir + "/e.csv", atomically: false, encoding: .utf8)
        let setup = "load e from \"e.csv\"; param p = 1; let w = e | derive c = if(v > $p, \"S\", \"C\")"
        for statement in [
            "whatif p = 30000000000000000years on w by c",
            "e | derive q = quantile_score(v, 9223372036854775807)",
            "e | derive q = substr(t, 3, 9223372036854775806)",
            "sweep p from 0 to 9223372036854775807 step 1 on w by c",
            "e | chart hist v",
            "e | derive x = v * 10 | chart hist x bins 1000",
        ] {
            let r = try Segsh.run(["-c", setup, "-c", statement], directory: dir)
            XCTAssertTrue(r.status == 0 || r.status == 1, "\(statement): exit \(r.status)\n\(r.stderr.suffix(500))")
        }
    }
}
