import Foundation
import SegshTestSupport
import XCTest

/// The interactive shell end to end, on a pseudo-terminal: typing, Tab completion, history
/// recall, Ctrl-C, Chinese input with backspace, Ctrl-D.
final class PseudoTerminalTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-pty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        try "客户编号,city,amount\nA1,上海,100\nA2,北京,250\nA3,上海,75\n"
            .write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testInteractiveSession() throws {
        let shell = try TerminalSession(executable: try Segsh.executable(), directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8",
                                                      "PATH": "/usr/bin:/bin"])
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")

        // File name completion inside quotes, with the closing quote added.
        shell.type("load people from \"peo\t")
        try shell.waitFor("people.csv\"")
        shell.type("\r")
        try shell.waitFor("loaded people")

        // Table name completion at the start of a statement (needs `load` to work).
        shell.type("peo\t| take 1\r")
        try shell.waitFor("[1] 1 row × 3 columns")

        // Column completion with a Chinese name, then Ctrl-C discards the half-typed line.
        shell.type("people | where 客\t")
        try shell.waitFor("客户编号")
        shell.type("\u{03}")
        try shell.waitFor("segsh> ")
        shell.type("people | take 2\r")
        try shell.waitFor("[2] 2 rows × 3 columns")

        // Up recalls the previous line.
        shell.type("\u{1B}[A")
        try shell.waitFor("people | take 2")
        shell.type("\r")
        try shell.waitFor("[3] 2 rows × 3 columns")

        // Chinese text, and backspace removes one character (not one byte).
        shell.type("people | where city == \"上海海\u{7F}\" | take 5\r")
        try shell.waitFor("[4] 2 rows × 3 columns")

        // Editing inside Chinese text: Left moves over one character, Backspace deletes one.
        // `"上京"` with the cursor at the end: Left Left puts it between 上 and 京, Backspace
        // deletes 上, then 北 is typed there: `"北京"`. Ctrl-E goes back to the end.
        shell.type("people | where city == \"上京\"")
        shell.type("\u{1B}[D\u{1B}[D")
        shell.type("\u{7F}北")
        shell.type("\u{05} | select city\r")
        try shell.waitFor("[5] 1 row × 1 column")
        try shell.waitFor("北京")

        // A line ending in `|` continues on the next line with the continuation prompt.
        shell.type("people |\r")
        try shell.waitFor("   ...> ")
        shell.type("where amount > 90\r")
        try shell.waitFor("[6] 2 rows × 3 columns")

        // Ctrl-R searches the history backwards, Chinese text included; Enter runs the match.
        shell.type("\u{12}")
        shell.type("\"北京")
        shell.type("\r")
        try shell.waitFor("[7] 1 row × 1 column")

        // Ctrl-D on an empty line leaves with status 0 and saves the history.
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
        XCTAssertFalse(shell.transcript.contains("error"), shell.transcript)
        // libedit's own Ctrl-D echoes `^D` after the prompt; segsh's binding does not.
        XCTAssertFalse(shell.transcript.contains("^D"), shell.transcript)
        let history = try String(contentsOfFile: directory + "/home/.segsh_history", encoding: .utf8)
        XCTAssertTrue(history.hasPrefix("_HiStOrY_V2_\n"), history)
        XCTAssertTrue(history.contains("people\\040|\\040take\\0402"), history)
        XCTAssertEqual(history.components(separatedBy: "people\\040|\\040take\\0402\n").count, 2,
                       "consecutive duplicates are dropped: \(history)")
    }

    /// `.edit` runs `$EDITOR` attached to the terminal. Found in tmux: the editor was started
    /// in a process group of its own, so vim said "Error reading input" and `.last`'s pager
    /// quit at once. This editor reads the new statement from the terminal, as vim would.
    func testEditRunsTheEditorOnTheTerminal() throws {
        let editor = directory + "/editor.sh"
        try "IFS= read -r line </dev/tty && printf '%s\\n' \"$line\" > \"$1\"\n"
            .write(toFile: editor, atomically: true, encoding: .utf8)
        let shell = try TerminalSession(executable: try Segsh.executable(), directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8",
                                                      "PATH": "/usr/bin:/bin", "EDITOR": "sh " + editor])
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")
        shell.type("load people from \"people.csv\"\r")
        try shell.waitFor("loaded people")
        shell.type("people | take 1\r")
        try shell.waitFor("[1] 1 row × 3 columns")
        shell.type(".edit\r")
        shell.type("people | where city == \"上海\" | select 客户编号\r")
        try shell.waitFor("[2] 2 rows × 1 column")
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
        XCTAssertFalse(shell.transcript.contains("error"), shell.transcript)
    }

    /// Ctrl-C stops a running statement (here a load); the shell stays, with its tables.
    func testCtrlCStopsARunningLoad() throws {
        var text = "id,group,amount\n"
        text.reserveCapacity(20_000_000)
        for i in 0..<1_000_000 { text += "C\(i),g\(i % 7),\(i % 1000).5\n" }
        try text.write(toFile: directory + "/big.csv", atomically: true, encoding: .utf8)
        let shell = try TerminalSession(executable: try Segsh.executable(), directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8",
                                                      "PATH": "/usr/bin:/bin"])
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")
        shell.type("load people from \"people.csv\"\r")
        try shell.waitFor("loaded people")
        shell.type("load big from \"big.csv\"\r")
        try shell.waitFor("load big from \"big.csv\"")  // the echo: the statement is running
        shell.type("\u{03}")
        try shell.waitFor("segsh> ", timeout: 60)
        if shell.transcript.contains("loaded big") { throw XCTSkip("the load finished before Ctrl-C arrived") }
        XCTAssertTrue(shell.transcript.contains("error: interrupted"), shell.transcript)
        // Said on a line of its own, without a caret under the whole statement.
        XCTAssertTrue(shell.transcript.contains("\nerror: interrupted\n"), shell.transcript)
        XCTAssertFalse(shell.transcript.contains("1 | load big"), shell.transcript)
        shell.type(".tables\r")
        try shell.waitFor("│ people │")
        XCTAssertFalse(shell.transcript.contains("│ big "), shell.transcript)
        shell.type("people | take 1\r")
        try shell.waitFor("[1] 1 row × 3 columns")
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
    }

    /// `bind -v` in ~/.editrc gives vi keys, and Tab still completes. Found in tmux: `bind -v`
    /// reset the key maps and Tab inserted nothing.
    func testViModeFromEditrcKeepsCompletion() throws {
        try "bind -v\n".write(toFile: directory + "/home/.editrc", atomically: true, encoding: .utf8)
        let shell = try TerminalSession(executable: try Segsh.executable(), directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8",
                                                      "PATH": "/usr/bin:/bin"])
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")
        shell.type("load people from \"people.csv\"\r")
        try shell.waitFor("loaded people")
        shell.type("peo\t")
        try shell.waitFor("people")
        // vi command mode: Escape, `$` to the end, `r2` replaces the 9 with 2.
        shell.type("| take 9")
        shell.type("\u{1B}")
        shell.type("$r2")
        shell.type("\r")
        try shell.waitFor("[1] 2 rows × 3 columns")
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
    }
}
