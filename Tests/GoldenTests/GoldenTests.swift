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
    func caseFiles() throws -> [URL] {
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

    /// Runs a case with `--check` semantics.
    static func run(_ text: String, name: String) -> NotebookRun {
        let session = SegshCLI.makeSession()
        session.baseDirectory = packageRoot
        return NotebookRunner().run(Notebook(parsing: text), name: name, in: session)
    }
}
