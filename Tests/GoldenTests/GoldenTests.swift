import Foundation
import XCTest
import Shell

/// Golden tests in the notebook format (SPEC section 7): every `cases/*.md` is run like
/// `segsh CASE.md --check` — in-process, through the same `NotebookRunner`, each case in a
/// fresh session made by `SegshCLI.makeSession()` whose base directory is the package root,
/// so cases can `load "datasets/demo/orders.csv"` — and a case fails with the unified diff
/// between its saved outputs and the outputs now.
///
/// `lang-*.md` cases cover the language; `notebook-*.md` cases cover notebooks themselves
/// (errors in cells, notes, charts).
///
/// To accept new outputs, run with `SEGSH_GOLDEN_UPDATE=1`:
///
///     SEGSH_GOLDEN_UPDATE=1 swift test --filter GoldenTests
///
/// which rewrites the output blocks of the case files in Tests/GoldenTests/cases (the
/// sources, not the copies in the test bundle) — review the change with `git diff`.
final class GoldenTests: XCTestCase {
    /// The package root, derived from this file's path (Tests/GoldenTests/GoldenTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// The case files' source folder, for `SEGSH_GOLDEN_UPDATE=1`.
    static let sourceCases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("cases").path

    /// The cases in the test bundle, sorted by name.
    func caseFiles() throws -> [URL] { try GoldenTests.caseFiles() }

    static func caseFiles() throws -> [URL] {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "cases", withExtension: nil), "cases folder missing from the bundle")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryCaseMatchesItsSavedOutputs() throws {
        let files = try caseFiles()
        XCTAssertFalse(files.isEmpty, "no golden cases found")
        let update = ProcessInfo.processInfo.environment["SEGSH_GOLDEN_UPDATE"] == "1"
        var failing: [String] = []
        for file in files {
            let name = file.lastPathComponent
            do {
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    XCTFail("\(name): cannot read the case")
                    continue
                }
                let text = String(decoding: data, as: UTF8.self)
                let run = GoldenTests.run(text, name: name)
                guard run.updatedText != text else { continue }
                if update {
                    let target = GoldenTests.sourceCases + "/" + name
                    XCTAssertNoThrow(try run.updatedText.write(toFile: target, atomically: true, encoding: .utf8))
                    print("golden: updated \(target)")
                } else {
                    failing.append(name)
                    XCTFail("\(name): outputs differ (SEGSH_GOLDEN_UPDATE=1 swift test --filter GoldenTests accepts them)\n"
                            + run.diff(name: name))
                }
            }
        }
        if !failing.isEmpty { print("golden: failing cases: " + failing.joined(separator: ", ")) }
    }

    /// README.md's "Segmentation in a few statements" is `cases/seg-readme-tour.md`: the first
    /// block is the case's first cell, and each `segsh>` statement of the second block is a
    /// later cell, shown with the output the case saves (so the tour also runs, and agrees, with
    /// its tables in PostgreSQL and in Spark: GoldenDatabaseTests).
    func testTheReadmeTourIsThisCase() throws {
        let readme = try String(contentsOfFile: GoldenTests.packageRoot + "/README.md", encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "## Segmentation in a few statements"), "the README has no segmentation tour")
        let blocks = GoldenTests.fencedBlocks(String(readme[start.upperBound...]), fence: "```")
        XCTAssertGreaterThanOrEqual(blocks.count, 2)
        guard blocks.count >= 2 else { return }
        var statements: [(source: [String], output: [String])] = []
        for line in blocks[1] {
            if line.hasPrefix("segsh> ") { statements.append(([String(line.dropFirst(7))], [])) }
            else if line.hasPrefix("   ...> "), !statements.isEmpty { statements[statements.count - 1].source.append(String(line.dropFirst(8))) }
            else if !statements.isEmpty { statements[statements.count - 1].output.append(line) }
        }
        let text = try String(contentsOfFile: GoldenTests.sourceCases + "/seg-readme-tour.md", encoding: .utf8)
        let sources = GoldenTests.fencedBlocks(text, fence: "```segsh"), outputs = GoldenTests.fencedBlocks(text, fence: "```output")
        XCTAssertEqual(sources.count, statements.count + 1, "cells in seg-readme-tour.md")
        XCTAssertEqual(sources.first, blocks[0], "the tour's first block")
        for (i, s) in statements.enumerated() where i + 1 < sources.count && i + 1 < outputs.count {
            XCTAssertEqual(s.source, sources[i + 1], "statement \(i + 1) of the tour")
            XCTAssertEqual(s.output, outputs[i + 1], "the output of statement \(i + 1) of the tour")
        }
    }

    /// The lines of each fenced block opened by a line equal to `fence` (other blocks skipped).
    static func fencedBlocks(_ text: String, fence: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?, inOther = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if inOther {
                if line == "```" { inOther = false }
            } else if current != nil {
                if line == "```" { blocks.append(current ?? []); current = nil } else { current?.append(line) }
            } else if line == fence {
                current = []
            } else if line.hasPrefix("```") {
                inOther = true
            }
        }
        return blocks
    }

    /// Runs a case with `--check` semantics.
    static func run(_ text: String, name: String) -> NotebookRun {
        let session = SegshCLI.makeSession()
        session.baseDirectory = packageRoot
        return NotebookRunner().run(Notebook(parsing: text), name: name, in: session)
    }
}

/// The backend matrix: every golden case again with its tables in PostgreSQL or in Spark
/// (`--tables-in`: each loaded table is written to the database and pipelines over it run
/// there as SQL), and each cell's output must be the one the case gives in memory — as a
/// multiset of lines, since only a `sort` fixes row order. Needs `SEGSH_TEST_PG` /
/// `SEGSH_TEST_SPARK` (scripts/test starts the servers); without one its test is skipped,
/// except under `CI=true`.
final class GoldenDatabaseTests: XCTestCase {
    func testEveryCaseGivesTheSameResultsWithItsTablesInPostgreSQL() throws {
        try compareEveryCase(urlVariable: "SEGSH_TEST_PG", engine: "PostgreSQL", server: "scripts/pg-server")
    }

    /// `SEGSH_GOLDEN_CASES=a.md,b.md` runs only those cases (Spark is slow to start a job).
    func testEveryCaseGivesTheSameResultsWithItsTablesInSpark() throws {
        try compareEveryCase(urlVariable: "SEGSH_TEST_SPARK", engine: "Spark", server: "scripts/spark-server")
    }

    func compareEveryCase(urlVariable: String, engine: String, server: String) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment[urlVariable] else {
            if environment["CI"] == "true" { return XCTFail("\(urlVariable) is not set (scripts/test starts a server)") }
            throw XCTSkip("\(urlVariable) is not set: start a server with \(server) start")
        }
        var files = try GoldenTests.caseFiles()
        if let only = environment["SEGSH_GOLDEN_CASES"] {
            let names = Set(only.split(separator: ",").map(String.init))
            files = files.filter { names.contains($0.lastPathComponent) }
        }
        var agreeing = 0
        for file in files {
            let name = file.lastPathComponent
            let text = String(decoding: FileManager.default.contents(atPath: file.path) ?? Data(), as: UTF8.self)
            let memory = GoldenTests.run(text, name: name).updatedText
            let session = SegshCLI.makeSession()
            session.baseDirectory = GoldenTests.packageRoot
            try session.placeTables(in: url)
            defer { for a in session.attachments.values { a.database.close() } }
            let database = NotebookRunner().run(Notebook(parsing: text), name: name, in: session).updatedText
            let (a, b) = (GoldenDatabaseTests.multisets(memory), GoldenDatabaseTests.multisets(database))
            if a == b { agreeing += 1; continue }
            for (i, (x, y)) in zip(a, b).enumerated() where x != y {
                XCTFail("\(name): output \(i + 1) differs with the tables in \(engine)\nmemory:\n\(x.joined(separator: "\n"))\n\(engine):\n\(y.joined(separator: "\n"))")
                break
            }
            if a.count != b.count { XCTFail("\(name): \(a.count) outputs in memory, \(b.count) in \(engine)") }
        }
        print("golden (\(engine)): \(agreeing) of \(files.count) cases agree")
    }

    /// The lines of each output block, sorted.
    static func multisets(_ notebook: String) -> [[String]] {
        var out: [[String]] = []
        var current: [String]?
        for line in notebook.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil, line.hasPrefix("```output") { current = []; continue }
            if let c = current, line.hasPrefix("```") { out.append(c.sorted()); current = nil; continue }
            current?.append(line)
        }
        return out
    }
}
