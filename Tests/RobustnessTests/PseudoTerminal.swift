import Foundation
import XCTest

/// The built `segsh` next to the test bundle, else `.build/debug/segsh`.
enum SegshBinary {
    static func path() throws -> String {
        var candidates: [String] = []
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("segsh").path)
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("segsh").path)
        candidates.append(Robust.packageRoot + "/.build/debug/segsh")
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw XCTSkip("segsh is not built (run `swift build` first); looked in \(candidates)")
    }

    /// Runs segsh with `arguments` in `directory`; returns status, stdout and stderr.
    static func run(_ arguments: [String], directory: String, stdin: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let errReader = BackgroundReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errReader.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// Reads a pipe to its end on another thread.
final class BackgroundReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }
    func wait() -> Data { done.wait(); return data }
}

/// segsh on a pseudo-terminal, driven like a user at a keyboard (a trimmed copy of the
/// harness in Tests/ShellTests/PseudoTerminalTests.swift).
final class PseudoTerminal {
    let master: Int32
    let pid: pid_t
    /// Everything the child wrote, ANSI escapes removed.
    private(set) var transcript = ""
    private var consumed = 0
    /// The output between the last two matches of `waitFor`.
    private(set) var lastOutput = ""
    private var exited = false

    init(executable: String, directory: String, environment: [String: String], arguments: [String] = []) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 30, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw XCTSkip("no pseudo-terminal available") }
        self.master = master
        guard let name = ttyname(slave) else { throw XCTSkip("no pseudo-terminal name") }
        let slaveName = String(cString: name)
        close(slave)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slaveName, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID: the pty becomes the controlling terminal
        let argumentsText = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command: [String] = ["/bin/sh", "-c", "cd \"$0\" && exec \"$1\" \(argumentsText)", directory, executable]
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
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
        usleep(50_000)
    }

    /// Reads output for `seconds` without matching anything.
    func pause(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { readAvailable(waitMilliseconds: 20) }
    }

    /// Output not yet matched by `waitFor`.
    var pendingOutput: String { String(transcript.dropFirst(consumed)) }

    func waitFor(_ text: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let pending = String(transcript.dropFirst(consumed))
            if let range = pending.range(of: text) {
                lastOutput = String(pending[..<range.lowerBound])
                consumed += pending.distance(from: pending.startIndex, to: range.upperBound)
                return
            }
            readAvailable(waitMilliseconds: 20)
        }
        XCTFail("timed out waiting for \(text.debugDescription); output so far:\n\(transcript)", file: file, line: line)
        throw XCTSkip("interactive session stuck")
    }

    private func readAvailable(waitMilliseconds: Int32) {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitMilliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = read(master, &buffer, buffer.count)
        guard n > 0 else { return }
        var raw = String(decoding: buffer[0..<n], as: UTF8.self)
        if raw.contains("\u{1B}[6n") {
            var reply = Array("\u{1B}[1;1R".utf8)
            _ = write(master, &reply, reply.count)
            raw = raw.replacingOccurrences(of: "\u{1B}[6n", with: "")
        }
        transcript += PseudoTerminal.stripEscapes(raw)
    }

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

    func waitForExit(timeout: Double = 20) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            readAvailable(waitMilliseconds: 50)
            if waitpid(pid, &status, WNOHANG) == pid {
                exited = true
                return (status >> 8) & 0xFF
            }
        }
        XCTFail("the shell did not exit; output:\n\(transcript)")
        return -1
    }

    func terminate() {
        if !exited {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }
}
