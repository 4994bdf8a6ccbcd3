import Columnar
import Engine
import Foundation
import XCTest
@testable import Shell

final class ReplTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-repl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "客户编号,city,amount\nA1,上海,100\nA2,北京,250\nA3,上海,75\n"
            .write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8)
        try "load people from \"\(directory)/people.csv\"\npeople | take 1\n"
            .write(toFile: directory + "/setup.seg", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeRepl(_ results: [LineReadResult]) -> (Repl, ScriptedReader, CapturedOutput) {
        let reader = ScriptedReader(results)
        let output = CapturedOutput()
        let repl = Repl(session: Session(), reader: reader, output: output, environment: [:])
        return (repl, reader, output)
    }

    private var load: String { "load people from \"\(directory)/people.csv\"" }

    func testStatementPrintsHeaderAndTableOnStdout() {
        let (repl, reader, output) = makeRepl([.line(load), .line("people | where amount > 80")])
        XCTAssertEqual(repl.run(), 0)
        XCTAssertTrue(output.stdout.hasPrefix("[1] 2 rows × 3 columns\n┌"), output.stdout)
        XCTAssertTrue(output.stdout.contains("北京"))
        XCTAssertFalse(output.stdout.contains("上海     │    75"))
        XCTAssertTrue(output.stderr.contains("loaded people"), output.stderr)
        XCTAssertEqual(reader.history, [load, "people | where amount > 80"])
        XCTAssertEqual(repl.lastTable?.rowCount, 2)
        XCTAssertEqual(repl.transcript.map(\.statement), [load, "people | where amount > 80"])
        XCTAssertEqual(repl.transcript.map(\.isError), [false, false])
        XCTAssertTrue(repl.transcript[1].output.hasPrefix("[1] 2 rows × 3 columns\n"))
    }

    func testContinuationLinesFormOneStatement() {
        let (repl, reader, output) = makeRepl([.line(load), .line("people |"), .line("  take 2")])
        repl.run()
        XCTAssertEqual(reader.prompts, [Repl.prompt, Repl.prompt, Repl.continuationPrompt, Repl.prompt])
        XCTAssertTrue(output.stdout.contains("[1] 2 rows × 3 columns"), output.stdout)
        XCTAssertEqual(reader.history.last, "people | take 2")
    }

    // Issue 17, item 6: a multi-line statement with a `#` comment was stored as one history
    // entry per line.
    func testMultiLineStatementWithACommentIsOneHistoryEntry() {
        let (repl, reader, output) = makeRepl([.line(load), .line("people |  # the big ones"),
                                               .line("  where city != \"#1\" |  # not a comment: \"#1\""),
                                               .line("  take 2")])
        repl.run()
        XCTAssertTrue(output.stdout.contains("[1] 2 rows × 3 columns"), output.stdout + output.stderr)
        XCTAssertEqual(reader.history, [load, "people | where city != \"#1\" | take 2"])
        XCTAssertEqual(Repl.historyLine("a |\n  b = 'x#y' # c\n\n  | take 1"), "a | b = 'x#y' | take 1")
        XCTAssertEqual(Repl.historyLine("people | take 1 # one line stays as typed"), "people | take 1 # one line stays as typed")
    }

    func testCtrlCDiscardsTheUnfinishedStatement() {
        let (repl, reader, output) = makeRepl([.line(load), .line("people | where (amount >"), .interrupted,
                                               .line("people | take 1")])
        repl.run()
        XCTAssertEqual(reader.prompts, [Repl.prompt, Repl.prompt, Repl.continuationPrompt, Repl.prompt, Repl.prompt])
        XCTAssertTrue(output.stdout.hasPrefix("[1] 1 row × 3 columns"), output.stdout)
        XCTAssertFalse(output.stderr.contains("error"), output.stderr)
    }

    func testErrorsGoToStderrWithLocationAndKeepTheLastResult() {
        let (repl, _, output) = makeRepl([.line(load), .line("people | take 1"), .line("people | where amout > 1")])
        repl.run()
        // The statement was typed just above: no `<shell>:1:16:` location, but the line and the caret.
        XCTAssertTrue(output.stderr.contains("\nerror: unknown column 'amout'"), output.stderr)
        XCTAssertFalse(output.stderr.contains("<shell>"), output.stderr)
        XCTAssertTrue(output.stderr.contains("1 | people | where amout > 1\n  |                ^~~~~\n"), output.stderr)
        XCTAssertTrue(output.stderr.contains("did you mean 'amount'"), output.stderr)
        XCTAssertFalse(output.stdout.contains("error"))
        XCTAssertEqual(repl.lastTable?.rowCount, 1)
        XCTAssertEqual(repl.transcript.last?.isError, true)
        XCTAssertTrue(repl.transcript.last?.output.contains("error: unknown column") ?? false)
    }

    func testModeCsvKeepsDecorationsOffStdout() {
        let (repl, _, output) = makeRepl([.line(load), .line(".mode csv"), .line("people | sort amount | take 2")])
        repl.run()
        XCTAssertEqual(output.stdout, "客户编号,city,amount\nA3,上海,75\nA1,上海,100\n")
        XCTAssertTrue(output.stderr.contains("[1] 2 rows × 3 columns"), output.stderr)
    }

    func testDotCommands() {
        let (repl, reader, output) = makeRepl([
            .line(load), .line(".maxrows 1"), .line(".timer on"), .line("people"), .line(".ta"), .line(".sch people"),
            .line(".schema nobody"), .line(".e"), .line(".mode xml"), .line(".param"), .line(".help"),
            .line(".help 不存在"), .line(".quit"), .line("people"),
        ])
        XCTAssertEqual(repl.run(), 0)
        XCTAssertEqual(repl.settings.maxRows, 1)
        XCTAssertTrue(repl.settings.timer)
        XCTAssertTrue(output.stdout.contains("[1] 3 rows × 3 columns ("), output.stdout)  // timing shown
        XCTAssertTrue(output.stdout.contains("… 2 more rows"), output.stdout)
        XCTAssertTrue(output.stdout.contains("│ people "), output.stdout)  // .tables
        XCTAssertTrue(output.stdout.contains("客户编号"), output.stdout)  // .schema
        XCTAssertTrue(output.stderr.contains("error: unknown table 'nobody'"), output.stderr)
        XCTAssertTrue(output.stderr.contains("error: ambiguous command '.e': it could be .edit, .editor, .exit"))
        XCTAssertTrue(output.stderr.contains("error: unknown mode 'xml'"))
        XCTAssertTrue(output.stdout.contains("no parameters"))
        XCTAssertTrue(output.stdout.contains("Shell commands:") && output.stdout.contains(".schema TABLE"))
        XCTAssertTrue(output.stderr.contains("error: no help for '不存在'"))
        // `.quit` stops before the last line.
        XCTAssertEqual(reader.prompts.count, 13)
        // Dot-commands are in the history, but not in the transcript.
        XCTAssertEqual(repl.transcript.count, 2)
        XCTAssertTrue(reader.history.contains(".sch people"))
    }

    func testReadRunsAScriptWithoutAddingItsStatementsToHistory() {
        let (repl, reader, output) = makeRepl([.line(".read \(directory)/setup.seg"), .line("people | take 2")])
        repl.run()
        XCTAssertTrue(output.stdout.contains("[1] 1 row × 3 columns"), output.stdout)
        XCTAssertTrue(output.stdout.contains("[2] 2 rows × 3 columns"), output.stdout)
        XCTAssertEqual(reader.history, [".read \(directory)/setup.seg", "people | take 2"])
        XCTAssertEqual(repl.transcript.first?.statement, "run \"\(directory)/setup.seg\"")
    }

    func testSafeModeCannotBeTurnedOffAndRestrictsRead() {
        let (repl, _, output) = makeRepl([.line(".safe on"), .line(".safe off"), .line(".read /etc/passwd")])
        repl.run()
        XCTAssertTrue(repl.session.isSafe)
        XCTAssertTrue(output.stderr.contains("safe mode cannot be turned off"), output.stderr)
        XCTAssertTrue(output.stderr.contains("safe mode: reading '/etc/passwd' outside the current directory is not allowed"), output.stderr)
    }

    func testLastPrintsEveryRowWithoutAPager() {
        let (repl, _, output) = makeRepl([.line(load), .line(".maxrows 1"), .line("people"), .line(".last")])
        repl.run()
        // `.last` repeats the result's header, number included, then every row.
        let parts = output.stdout.components(separatedBy: "[1] 3 rows × 3 columns\n")
        XCTAssertEqual(parts.count, 3, output.stdout)
        XCTAssertFalse(parts[1].contains("A3"), parts[1])
        XCTAssertTrue(parts[2].contains("A3"), parts[2])
    }

    func testInterruptFlagIsResetBeforeEachStatement() {
        let (repl, _, output) = makeRepl([.line(load), .line("people | take 1")])
        Cancellation.request()
        repl.run()
        XCTAssertFalse(Cancellation.isRequested)
        XCTAssertTrue(output.stdout.contains("[1] 1 row"), output.stderr)
    }
}
