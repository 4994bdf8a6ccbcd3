import Foundation
import SegshTestSupport
import XCTest

/// What the interactive shell shows on a real terminal screen: segsh runs inside tmux (a
/// terminal emulator), keys are sent to it and the screen and cursor are read back. The
/// pseudo-terminal tests see only the bytes segsh writes; these see what they draw.
///
/// Nothing here can hang: every tmux command runs with a deadline (then it is killed and the
/// test fails), tmux gets no descriptor of the test process but /dev/null and a private
/// output file (a daemon holding the test runner's pipe would keep `swift test` waiting),
/// segsh inside tmux is ended by `timeout --foreground` (it must own the terminal) after a minute, and the private tmux server is
/// killed when the test ends.
final class ScreenTests: XCTestCase {
    /// A segsh in a detached tmux session on a private server socket.
    final class Screen {
        let socket = "segsh-screen-\(UUID().uuidString.prefix(8))"
        let tmux: String
        let directory: String

        init(directory: String) throws {
            guard let tmux = ["/usr/bin/tmux", "/bin/tmux", "/usr/local/bin/tmux"]
                .first(where: FileManager.default.isExecutableFile(atPath:)),
                  FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout") else {
                throw XCTSkip("tmux is not installed (scripts/setup installs it)")
            }
            self.tmux = tmux
            self.directory = directory
            let command = "env -i HOME=\(directory) LANG=C.UTF-8 TERM=xterm PATH=/usr/bin:/bin "
                + "/usr/bin/timeout --foreground -k 1 60 \(try Segsh.executable())"
            try run(["-f", "/dev/null", "new-session", "-d", "-s", "s", "-x", "100", "-y", "20", "-c", directory, command])
            try waitFor { $0.contains("segsh>") }  // (lines are read with trailing blanks removed)
        }

        /// Runs a tmux command on this screen's server and returns what it printed; a command
        /// still running after `seconds` is killed and the test fails.
        @discardableResult
        func run(_ arguments: [String], seconds: Double = 10) throws -> String {
            let path = directory + "/tmux-\(UUID().uuidString).out"
            defer { try? FileManager.default.removeItem(atPath: path) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            // Every other descriptor of the test process is closed in tmux (its server lives on).
            for fd in 3..<Int32(1024) where fcntl(fd, F_GETFD) != -1 {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
            let argv = ([tmux, "-L", socket] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, tmux, &actions, nil, argv, environ) == 0 else { throw XCTSkip("cannot start tmux") }
            let deadline = Date().addingTimeInterval(seconds)
            var status: Int32 = 0
            while true {
                let waited = waitpid(pid, &status, WNOHANG)
                if waited == pid || (waited == -1 && errno == ECHILD) { break }  // done (or reaped elsewhere)
                if Date() > deadline {
                    kill(pid, SIGKILL)
                    _ = waitpid(pid, &status, 0)
                    XCTFail("tmux \(arguments.joined(separator: " ")) did not finish in \(seconds) s")
                    throw XCTSkip("tmux stuck")
                }
                usleep(5_000)
            }
            return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }

        /// The screen's lines, trailing blanks removed.
        func lines() throws -> [String] {
            try run(["capture-pane", "-p", "-t", "s"]).split(separator: "\n", omittingEmptySubsequences: false)
                .map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
        }

        /// The cursor's column (0-based, in cells).
        func cursorColumn() throws -> Int {
            Int(try run(["display-message", "-p", "-t", "s", "#{cursor_x}"]).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        /// Sends text literally, or a key given as bytes in hex (`1b 5b 43` is Right).
        func type(_ text: String) throws { try run(["send-keys", "-t", "s", "-l", text]); try settle() }
        func key(_ hex: String) throws { try run(["send-keys", "-t", "s", "-H"] + hex.split(separator: " ").map(String.init)); try settle() }

        /// Waits (at most 2 s) until the screen has been the same twice in a row: segsh has drawn.
        func settle() throws {
            var last = try lines()
            for _ in 0..<40 {
                usleep(50_000)
                let now = try lines()
                if now == last { return }
                last = now
            }
        }

        /// Waits at most 10 s for the screen to match.
        func waitFor(_ condition: ([String]) -> Bool, file: StaticString = #filePath, line: UInt = #line) throws {
            for _ in 0..<200 {
                if condition(try lines()) { return }
                usleep(50_000)
            }
            XCTFail("screen never matched:\n" + (try lines()).joined(separator: "\n"), file: file, line: line)
        }

        func close() { _ = try? run(["kill-server"], seconds: 5) }
    }

    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-screen-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static let home = "1b 5b 48", right = "1b 5b 43", backspace = "7f"

    /// The line being edited: the screen's line after the banner.
    func editedLine(_ screen: Screen) throws -> String { try screen.lines()[1] }

    // Issue 17, item 7: libedit's in-place insert/delete of wide characters left the screen
    // showing ` 丙丁戊` while the line was `X丙丁戊`.
    func testEditingInsideChineseTextShowsTheLineAsItIs() throws {
        let screen = try Screen(directory: directory)
        defer { screen.close() }
        try screen.type("甲乙丙丁戊")
        XCTAssertEqual(try editedLine(screen), "segsh> 甲乙丙丁戊")
        XCTAssertEqual(try screen.cursorColumn(), 17)
        let steps: [(key: String?, text: String?, line: String, column: Int)] = [
            (Self.home, nil, "segsh> 甲乙丙丁戊", 7),
            (Self.right, nil, "segsh> 甲乙丙丁戊", 9),
            (Self.backspace, nil, "segsh> 乙丙丁戊", 7),
            (nil, "X", "segsh> X乙丙丁戊", 8),
            (nil, "Y", "segsh> XY乙丙丁戊", 9),
            (Self.backspace, nil, "segsh> X乙丙丁戊", 8),
            (Self.right, nil, "segsh> X乙丙丁戊", 10),
            (Self.backspace, nil, "segsh> X丙丁戊", 8),
        ]
        for (i, step) in steps.enumerated() {
            if let key = step.key { try screen.key(key) }
            if let text = step.text { try screen.type(text) }
            XCTAssertEqual(try editedLine(screen), step.line, "after step \(i + 1)")
            XCTAssertEqual(try screen.cursorColumn(), step.column, "after step \(i + 1)")
        }
        // The buffer is what the screen shows: it runs as the table name `X丙丁戊`.
        try screen.key("05")
        try screen.type(" | take 1")
        try screen.key("0d")
        try screen.waitFor { $0.contains { $0.contains("unknown table 'X丙丁戊'") } }
    }

    // Issue 17, item 7: Ctrl-L clears the screen in vi insert mode as in emacs mode.
    func testCtrlLClearsTheScreenInViInsertMode() throws {
        let screen = try Screen(directory: directory)
        defer { screen.close() }
        try screen.type(".editor vi")
        try screen.key("0d")
        try screen.type("people")
        XCTAssertTrue(try screen.lines()[0].hasPrefix("segsh "), "the banner is on the first line before Ctrl-L")
        try screen.key("0c")
        try screen.waitFor { $0.first == "segsh> people" && $0.dropFirst().allSatisfy(\.isEmpty) }
    }
}
