import Engine
import Foundation
import Shell
import SegshTestSupport
import XCTest

/// Safe mode (SPEC section 10: `--safe`, `.safe on`): every forbidden action — writing a
/// file (`export`, `.save`, `--update`, `--html`), running a script outside the current
/// directory (`run`, `.read`), reading data outside it (`load`, `from "file"`, through `..`,
/// an absolute path, `~` or a symbolic link) — is refused with a clear error, and nothing
/// is written.
final class SafeModeTests: XCTestCase {
    var root = ""
    var work: String { root + "/work" }
    var outside: String { root + "/outside" }

    override func setUpWithError() throws {
        root = try Robust.temporaryDirectory("safe")
        let fm = FileManager.default
        try fm.createDirectory(atPath: work + "/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "id,amount\n1,10\n2,20\n".write(toFile: work + "/data.csv", atomically: true, encoding: .utf8)
        try "id,amount\n1,10\n".write(toFile: work + "/sub/nested.csv", atomically: true, encoding: .utf8)
        try "secret,value\nkey,42\n".write(toFile: outside + "/secret.csv", atomically: true, encoding: .utf8)
        try "load data from \"data.csv\"\ndata | summarize total = sum(amount)\n"
            .write(toFile: work + "/inside.seg", atomically: true, encoding: .utf8)
        try "load secret from \"\(outside)/secret.csv\"\n".write(toFile: outside + "/outside.seg", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: work + "/link.csv", withDestinationPath: outside + "/secret.csv")
        try fm.createSymbolicLink(atPath: work + "/linkdir", withDestinationPath: outside)
        try "# Notebook\n\n```segsh\nload data from \"data.csv\"\ndata | take 1\n```\n"
            .write(toFile: work + "/nb.md", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: root) }

    func safeSession() -> Session { Robust.session(in: work, safe: true) }

    /// The message of the single error `statement` gives in a fresh safe session.
    func refusal(_ statement: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let run = Robust.run(statement, in: safeSession())
        XCTAssertEqual(run.diagnostics.count, 1, "expected a refusal for \(statement)", file: file, line: line)
        XCTAssertTrue(run.tables.isEmpty, file: file, line: line)
        return run.diagnostics.first?.message ?? ""
    }

    func readRefusal(_ path: String) -> String { "safe mode: reading '\(path)' outside the current directory is not allowed" }

    func testReadingInsideTheCurrentDirectoryIsAllowed() {
        let session = safeSession()
        let run = Robust.run("""
            load data from "data.csv"
            load nested from "sub/nested.csv"
            load again from "./sub/../data.csv"
            from "data.csv" | summarize n = count()
            run "inside.seg"
            """, in: session)
        XCTAssertEqual(run.error, "")
        XCTAssertEqual(run.tables.count, 2)
        XCTAssertEqual(session.table(named: "nested")?.rowCount, 1)
    }

    func testLoadOutsideIsRefused() {
        XCTAssertEqual(refusal("load s from \"../outside/secret.csv\""), readRefusal("../outside/secret.csv"))
        XCTAssertEqual(refusal("load s from \"\(outside)/secret.csv\""), readRefusal("\(outside)/secret.csv"))
        XCTAssertEqual(refusal("load s from \"sub/../../outside/secret.csv\""), readRefusal("sub/../../outside/secret.csv"))
        XCTAssertEqual(refusal("load \"../outside/secret.csv\""), readRefusal("../outside/secret.csv"))
        XCTAssertEqual(refusal("load s from \"~/secret.csv\""), readRefusal("~/secret.csv"))
        XCTAssertEqual(refusal("load s from \"/etc/passwd\" with delimiter=\":\""), readRefusal("/etc/passwd"))
    }

    func testSymbolicLinksOutsideAreRefused() {
        XCTAssertEqual(refusal("load s from \"link.csv\""), readRefusal("link.csv"))
        XCTAssertEqual(refusal("load s from \"linkdir/secret.csv\""), readRefusal("linkdir/secret.csv"))
    }

    func testFromFileOutsideIsRefused() {
        XCTAssertEqual(refusal("from \"../outside/secret.csv\" | take 1"), readRefusal("../outside/secret.csv"))
        XCTAssertEqual(refusal("let v = from \"\(outside)/secret.csv\" | take 1"), readRefusal("\(outside)/secret.csv"))
    }

    func testRunOutsideIsRefused() {
        XCTAssertEqual(refusal("run \"../outside/outside.seg\""), readRefusal("../outside/outside.seg"))
        XCTAssertEqual(refusal("run \"\(outside)/outside.seg\""), readRefusal("\(outside)/outside.seg"))
    }

    func testExportIsRefusedAndWritesNothing() throws {
        let session = safeSession()
        XCTAssertEqual(Robust.run("load data from \"data.csv\"", in: session).error, "")
        for path in ["out.csv", "out.json", "sub/out.md", "\(outside)/out.csv", "data.csv"] {
            let run = Robust.run("export data to \"\(path)\"", in: session)
            XCTAssertEqual(run.diagnostics.first?.message, "safe mode: writing files is not allowed", path)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work).sorted(),
                       ["data.csv", "inside.seg", "link.csv", "linkdir", "nb.md", "sub"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside).sorted(), ["outside.seg", "secret.csv"])
    }

    // MARK: Dot-commands

    func repl(_ lines: [String], safe: Bool) -> (Repl, CapturedOutput) {
        let output = CapturedOutput()
        let session = Robust.session(in: work, safe: safe)
        let repl = Repl(session: session, reader: ScriptedReader(lines: lines), output: output, environment: [:])
        repl.run()
        return (repl, output)
    }

    func testSaveIsRefused() {
        let target = work + "/session.md"
        let (_, output) = repl(["load data from \"\(work)/data.csv\"", ".save \(target)", ".save \(work)/report.html"], safe: true)
        XCTAssertEqual(output.stderr.components(separatedBy: "error: safe mode: .save cannot write files").count, 3, output.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/report.html"))
    }

    func testEditIsRefused() {
        let output = CapturedOutput()
        let repl = Repl(session: Robust.session(in: work, safe: true), reader: ScriptedReader(lines: ["1 + 1", ".edit"]),
                        output: output, environment: ["EDITOR": "touch \(work)/edited; true"])
        repl.run()
        XCTAssertTrue(output.stderr.contains("error: safe mode: .edit cannot write files"), output.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/edited"))
    }

    func testReadOutsideIsRefused() {
        let (repl, output) = repl([".read \(outside)/outside.seg"], safe: true)
        XCTAssertTrue(output.stderr.contains("error: safe mode: reading '\(outside)/outside.seg' outside the current directory is not allowed"),
                      output.stderr)
        XCTAssertNil(repl.session.table(named: "secret"))
    }

    func testSafeOnCannotBeTurnedOff() {
        let (repl, output) = repl([".safe", ".safe on", ".safe off", ".safe", "load data from \"data.csv\"", "export data to \"x.csv\""],
                                  safe: false)
        XCTAssertTrue(repl.session.isSafe)
        XCTAssertTrue(output.stdout.hasPrefix("off\n"), output.stdout)
        XCTAssertTrue(output.stdout.contains("on\n"), output.stdout)
        XCTAssertTrue(output.stderr.contains("error: safe mode cannot be turned off in this session"), output.stderr)
        XCTAssertTrue(output.stderr.contains("error: safe mode: writing files is not allowed"), output.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/x.csv"))
    }

    // MARK: Command line

    func testCommandLine() throws {
        let notebook = try String(contentsOfFile: work + "/nb.md", encoding: .utf8)
        let update = try Segsh.run(["--safe", "nb.md", "--update"], directory: work)
        XCTAssertEqual(update.status, 2)
        XCTAssertEqual(update.stderr, "segsh: safe mode: --update and --html cannot write files\n")
        XCTAssertEqual(try String(contentsOfFile: work + "/nb.md", encoding: .utf8), notebook)

        let html = try Segsh.run(["--safe", "nb.md", "--html", "report.html"], directory: work)
        XCTAssertEqual(html.status, 2)
        XCTAssertEqual(html.stderr, "segsh: safe mode: --update and --html cannot write files\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/report.html"))

        let export = try Segsh.run(["--safe", "-c", "load data from \"data.csv\"\nexport data to \"out.csv\""], directory: work)
        XCTAssertEqual(export.status, 1)
        XCTAssertTrue(export.stderr.contains("error: safe mode: writing files is not allowed"), export.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work + "/out.csv"))

        let read = try Segsh.run(["--safe", "-c", "load s from \"../outside/secret.csv\""], directory: work)
        XCTAssertEqual(read.status, 1)
        XCTAssertTrue(read.stderr.contains(readRefusal("../outside/secret.csv")), read.stderr)

        let inside = try Segsh.run(["--safe", "--format", "csv", "-c", "run \"inside.seg\""], directory: work)
        XCTAssertEqual(inside.status, 0, inside.stderr)
        XCTAssertEqual(inside.stdout, "total\n30\n")

        // Running a notebook (without writing it) is allowed.
        let run = try Segsh.run(["--safe", "nb.md"], directory: work)
        XCTAssertEqual(run.status, 0, run.stderr)
    }
}
