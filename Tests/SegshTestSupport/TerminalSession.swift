import Foundation
import XCTest

/// segsh on a pseudo-terminal (openpty + posix_spawn in a new session, so the pty is its
/// controlling terminal and Ctrl-C reaches it), driven like a user at a keyboard.
public final class TerminalSession {
    public let master: Int32
    public let pid: pid_t
    /// Everything the child wrote, ANSI escapes removed.
    public private(set) var transcript = ""
    private var consumed = 0
    /// The output between the last two matches of `waitFor`.
    public private(set) var lastOutput = ""
    private var exited = false
    /// The pause after each `type`, so the shell sees keys as a person types them.
    private let keyDelay: useconds_t

    public init(executable: String, directory: String, environment: [String: String], arguments: [String] = [],
                columns: UInt16 = 100, keyDelay: useconds_t = 100_000) throws {
        self.keyDelay = keyDelay
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 30, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
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

    public func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
        usleep(keyDelay)
    }

    /// Reads output for `seconds` without matching anything.
    public func pause(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { readAvailable(waitMilliseconds: 20) }
    }

    /// Output not yet matched by `waitFor`.
    public var pendingOutput: String { String(transcript.dropFirst(consumed)) }

    /// Reads until `text` appears in output not yet matched; fails after `timeout` seconds.
    public func waitFor(_ text: String, timeout: Double = 20, file: StaticString = #filePath, line: UInt = #line) throws {
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
        transcript += TerminalSession.stripEscapes(raw)
    }

    public static func stripEscapes(_ text: String) -> String {
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

    public func waitForExit(timeout: Double = 20) throws -> Int32 {
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

    public func terminate() {
        if !exited {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }
}
