import Foundation
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

/// A child process on a pseudo-terminal, driven like a user at a keyboard.
final class TerminalSession {
    let master: Int32
    let pid: pid_t
    /// Everything the child wrote, ANSI escapes removed.
    private(set) var transcript = ""
    private var consumed = 0

    init(executable: String, directory: String, environment: [String: String]) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw XCTSkip("no pseudo-terminal available") }
        self.master = master
        guard let name = ttyname(slave) else { throw XCTSkip("no pseudo-terminal name") }
        let slaveName = String(cString: name)
        close(slave)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // In a new session, opening the terminal makes it the controlling terminal (Ctrl-C works).
        posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID

        // The shell changes to `directory`, then becomes segsh.
        let arguments: [String] = ["/bin/sh", "-c", "cd \"$0\" && exec \"$1\"", directory, executable]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        guard rc == 0 else { throw NSError(domain: "posix_spawn", code: Int(rc)) }
        pid = child
    }

    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
        usleep(100_000)
    }

    /// Reads until `text` appears in output not yet matched; throws after `timeout` seconds.
    func waitFor(_ text: String, timeout: Double = 10, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let pending = String(transcript.dropFirst(consumed))
            if let range = pending.range(of: text) {
                consumed += pending.distance(from: pending.startIndex, to: range.upperBound)
                return
            }
            readAvailable(waitMilliseconds: 100)
        }
        XCTFail("timed out waiting for \(text.debugDescription); output so far:\n\(transcript)", file: file, line: line)
        throw XCTSkip("interactive session stuck")
    }

    private func readAvailable(waitMilliseconds: Int32) {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitMilliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &buffer, buffer.count)
        guard n > 0 else { return }
        var raw = String(decoding: buffer[0..<n], as: UTF8.self)
        if raw.contains("\u{1B}[6n") {
            type("\u{1B}[1;1R")
            raw = raw.replacingOccurrences(of: "\u{1B}[6n", with: "")
        }
        transcript += TerminalSession.stripEscapes(raw)
    }

    /// Removes CSI and OSC escape sequences and carriage returns.
    static func stripEscapes(_ text: String) -> String {
        var out = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let s = iterator.next() {
            if s == "\u{1B}" {
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(0x40...0x7E).contains(c.value) {}
                } else if next == "]" {
                    while let c = iterator.next(), c != "\u{07}" {}
                }
                continue
            }
            if s == "\r" || s == "\u{07}" { continue }
            out.unicodeScalars.append(s)
        }
        return out
    }

    func waitForExit(timeout: Double = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            readAvailable(waitMilliseconds: 50)
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                exited = true
                return (status >> 8) & 0xFF
            }
        }
        XCTFail("the shell did not exit; output:\n\(transcript)")
        return -1
    }

    private var exited = false

    func terminate() {
        if !exited {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }
}
