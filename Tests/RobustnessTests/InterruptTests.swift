import Foundation
import SegshTestSupport
import XCTest

/// Ctrl-C during long statements in the interactive shell (SPEC section 3): a `load`, `rfm`,
/// `sort` and `join` over a few million rows each stop with "interrupted", the prompt comes
/// back, and the session keeps its earlier tables and views. Runs the built `segsh` on a
/// pseudo-terminal.
final class InterruptTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try Robust.temporaryDirectory("interrupt")
        try FileManager.default.createDirectory(atPath: directory + "/home", withIntermediateDirectories: true)
        try "id,amount\n1,10\n2,20\n3,30\n".write(toFile: directory + "/small.csv", atomically: true, encoding: .utf8)
        try Self.writeOrders(rows: 2_000_000, customers: 50_000, to: directory + "/big.csv")
        try "old\n".write(toFile: directory + "/export.csv", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    /// `customer_id,order_date,amount` rows, 40 orders per customer.
    static func writeOrders(rows: Int, customers: Int, to path: String) throws {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(rows * 26)
        bytes += Array("customer_id,order_date,amount\n".utf8)
        func append(_ n: Int, width: Int = 0) {
            var digits: [UInt8] = []
            var v = n
            repeat { digits.append(UInt8(48 + v % 10)); v /= 10 } while v > 0
            while digits.count < width { digits.append(48) }
            bytes += digits.reversed()
        }
        for i in 0..<rows {
            bytes.append(UInt8(ascii: "C")); append(i % customers); bytes.append(UInt8(ascii: ","))
            bytes += [50, 48, 50, 52, 45]; append(i % 12 + 1, width: 2); bytes.append(45); append(i % 28 + 1, width: 2)
            bytes.append(UInt8(ascii: ",")); append(i % 997); bytes += [46, 53, 10]
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func testCtrlCStopsLongStatementsAndKeepsTheSession() throws {
        let executable = try Segsh.executable()
        let shell = try TerminalSession(executable: executable, directory: directory,
                                        environment: ["HOME": directory + "/home", "TERM": "xterm", "LANG": "C.UTF-8",
                                                      "PATH": "/usr/bin:/bin"],
                                        columns: 120, keyDelay: 50_000)
        defer { shell.terminate() }
        try shell.waitFor("segsh> ")
        shell.type("load small from \"small.csv\"\r")
        try shell.waitFor("loaded small")
        shell.type("let doubled = small | derive twice = amount * 2\r")
        try shell.waitFor("view doubled")
        try shell.waitFor("segsh> ")

        // Interrupt a load: the prompt returns and `big` does not exist.
        var latencies: [String: Double] = [:]
        latencies["load"] = try interrupt(shell, "load big from \"big.csv\"")
        shell.type(".tables\r")
        try shell.waitFor("segsh> ")
        XCTAssertFalse(shell.lastOutput.contains("big"), shell.lastOutput)
        XCTAssertTrue(shell.lastOutput.contains("doubled"), shell.lastOutput)

        // Load it for real, then interrupt the kernels.
        shell.type("load big from \"big.csv\"\r")
        try shell.waitFor("loaded big", timeout: 300)
        try shell.waitFor("segsh> ")
        // Within 0.2 s (issue 16) for a release build on an idle machine; a debug build (as
        // the tests run) gets three times that, and a loaded machine (load average above the
        // core count) proportionally longer. A neighbour's burst (a JVM collecting garbage)
        // does not show in the load average: a statement over the bound is measured once
        // more, and the shorter time counts; a slow Ctrl-C is slow both times.
        func bound() -> Double {
            var load = [0.0, 0.0, 0.0]
            let cores = Double(max(1, ProcessInfo.processInfo.activeProcessorCount))
            return 0.2 * (executable.contains("/debug/") ? 3 : 1) * max(1, (getloadavg(&load, 3) > 0 ? load[0] : 0) / cores)
        }
        func measure(_ statement: String, after delay: Double = 1.0) throws -> Double {
            let first = try interrupt(shell, statement, after: delay)
            return first < bound() ? first : min(first, try interrupt(shell, statement, after: delay))
        }
        latencies["rfm"] = try measure("big | rfm customer=customer_id, date=order_date, amount=amount | take 3", after: 0.1)
        latencies["sort"] = try measure("big | sort amount desc, order_date, customer_id | take 3", after: 0.2)
        latencies["join"] = try measure("big | join big on customer_id | summarize n = count()")
        latencies["summarize"] = try measure("big | join big on customer_id | summarize n = count() by customer_id, amount")
        // An interrupted export leaves the old file as it was, and no temporary file.
        latencies["export"] = try measure("export big | sort amount to \"export.csv\"", after: 0.5)
        XCTAssertEqual(try String(contentsOfFile: directory + "/export.csv", encoding: .utf8), "old\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") }, [])

        // Ctrl-C during (or just after) `.save`: the session is saved or not, nothing stays
        // pending, and the next line runs rather than being swallowed or interrupted.
        shell.type(".save session.md\r\u{03}")
        try shell.waitFor("segsh> ")
        shell.type("small | summarize saved_then = count()\r")
        try shell.waitFor("saved_then")
        try shell.waitFor("segsh> ")
        XCTAssertFalse(shell.lastOutput.contains("interrupted"), shell.lastOutput)
        XCTAssertTrue(shell.lastOutput.contains("3"), shell.lastOutput)

        // Earlier tables and views still answer.
        shell.type("doubled | summarize total = sum(twice)\r")
        try shell.waitFor("120")
        try shell.waitFor("segsh> ")
        shell.type("big | summarize n = count()\r")
        try shell.waitFor("2,000,000")
        try shell.waitFor("segsh> ")
        shell.type("\u{04}")
        XCTAssertEqual(try shell.waitForExit(), 0)
        print("InterruptTests: seconds from Ctrl-C to the prompt: "
              + latencies.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.2f", $0.value))" }.joined(separator: ", "))
        let limit = bound()
        for (statement, seconds) in latencies {
            XCTAssertLessThan(seconds, limit, "Ctrl-C during \(statement) took \(seconds) s to give the prompt back")
        }
    }

    /// Types a statement, presses Ctrl-C `after` seconds later, and returns the seconds until
    /// the prompt came back with "interrupted".
    func interrupt(_ shell: TerminalSession, _ statement: String, after delay: Double = 1.0,
                   file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        shell.type(statement + "\r")
        shell.pause(seconds: delay)
        if shell.pendingOutput.contains("segsh> ") {
            throw XCTSkip("'\(statement)' finished within \(delay) s on this machine; nothing to interrupt")
        }
        let pressed = Date()
        shell.type("\u{03}")
        try shell.waitFor("interrupted", timeout: 20, file: file, line: line)
        try shell.waitFor("segsh> ", timeout: 20, file: file, line: line)
        return Date().timeIntervalSince(pressed)
    }
}
