import Columnar
import Diagnostics
import Foundation
@testable import IO
import Shell
import SegshTestSupport
import XCTest

/// Nothing lost: `export`, `.save`, `--update` and `--html` write a temporary file and
/// rename it (IO/AtomicFile), so a failed, interrupted or killed write leaves the old file
/// exactly as it was; the history file is merged and replaced the same way.
final class AtomicWriteTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try Robust.temporaryDirectory("atomic")
        try "old\n".write(toFile: directory + "/out.csv", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        Cancellation.reset()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var files: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }
    func contents(_ name: String) -> String? { try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) }

    static func numbers(_ n: Int) -> Table {
        Table(uncheckedNames: ["n"], columns: [Column(.int((0..<Int64(n)).map { $0 }))], rowCount: n)
    }

    func testInterruptedExportLeavesTheOldFile() {
        Cancellation.request()
        XCTAssertThrowsError(try TableWriter.write(Self.numbers(100_000), to: directory + "/out.csv")) { error in
            XCTAssertEqual("\(error)", "interrupted")
        }
        XCTAssertEqual(contents("out.csv"), "old\n")
        XCTAssertEqual(files, ["out.csv"], "no temporary file is left")
    }

    func testFailingSerializerLeavesTheOldFile() {
        struct Failure: Error {}
        XCTAssertThrowsError(try AtomicFile.write(to: directory + "/out.csv") { sink in
            sink.append("half of a new file")
            try sink.flush()
            throw Failure()
        })
        XCTAssertEqual(contents("out.csv"), "old\n")
        XCTAssertEqual(files, ["out.csv"])
    }

    func testWriteErrorsAreReportedAndLeaveNothing() {
        XCTAssertThrowsError(try AtomicFile.write("x", to: directory + "/missing/out.csv")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "cannot write '\(directory)/missing/out.csv': No such file or directory")
        }
        XCTAssertThrowsError(try AtomicFile.write("x", to: directory)) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "cannot write '\(directory)': it is a folder")
        }
        XCTAssertEqual(files, ["out.csv"])
    }

    func testExportFailuresLeaveTheOldFile() {
        let session = Robust.session(in: directory)
        _ = Robust.run("param x = 1", in: session)
        session.setTable("t", Self.numbers(10))
        let unknown = Robust.run("export t | select nope to \"out.csv\"", in: session)
        XCTAssertEqual(unknown.diagnostics.first?.message, "unknown column 'nope'")
        let format = Robust.run("export t to \"out.xls\"", in: session)
        XCTAssertEqual(format.diagnostics.first?.message, "cannot tell the format of 'out.xls' (use .csv, .tsv, .json, .jsonl, .md or .xlsx)")
        XCTAssertEqual(contents("out.csv"), "old\n")
        XCTAssertEqual(Robust.run("export t | take 2 to \"out.csv\"", in: session).error, "")
        XCTAssertEqual(contents("out.csv"), "n\n0\n1\n")
        XCTAssertEqual(files, ["out.csv"])
    }

    /// A segsh process killed (SIGKILL) in the middle of an export: the old file is intact.
    func testKilledExportLeavesTheOldFile() throws {
        try XCTSkipUnless(try signalDuringExport(SIGKILL), "the export finished before it could be killed")
        XCTAssertEqual(contents("out.csv"), "old\n")
    }

    /// SIGINT and SIGTERM in script mode end segsh and remove the export's temporary file
    /// (SIGKILL cannot: the next write to that name removes it, see AtomicFile).
    func testInterruptedAndTerminatedScriptsRemoveTheTemporaryFile() throws {
        for sig in [SIGINT, SIGTERM] {
            try XCTSkipUnless(try signalDuringExport(sig), "the export finished before signal \(sig)")
            XCTAssertEqual(contents("out.csv"), "old\n", "signal \(sig)")
            XCTAssertEqual(files.filter { $0.hasSuffix(".tmp") }, [], "signal \(sig)")
        }
    }

    /// Runs a script whose export writes a large `out.csv`, sends `sig` once the temporary
    /// file holds bytes, and waits for segsh to end; false when the export finished first.
    func signalDuringExport(_ sig: Int32) throws -> Bool {
        var bytes = Array("id,amount\n".utf8)
        for i in 0..<1_500_000 { bytes += Array("\(i),\(i % 1000).25\n".utf8) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/big.csv"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Segsh.executable())
        process.arguments = ["-c", "load big from \"big.csv\"\nexport big | derive x = amount * 2 | sort x desc to \"out.csv\""]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the temporary file to appear and grow, then kill.
        let deadline = Date().addingTimeInterval(120)
        var temporary: String?
        while Date() < deadline, process.isRunning {
            if let t = files.first(where: { $0.hasPrefix(".out.csv.") && $0.hasSuffix(".tmp") }),
               let size = try? FileManager.default.attributesOfItem(atPath: directory + "/" + t)[.size] as? Int, size > 0 {
                temporary = t
                break
            }
            usleep(2_000)
        }
        kill(process.processIdentifier, sig)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "signal \(sig)")
        XCTAssertEqual(process.terminationStatus, sig)
        return temporary != nil
    }

    func testHistoryAppendsMergeAndLeaveNoTemporaryFile() throws {
        let path = directory + "/history"
        let first = HistoryFile(path: path), second = HistoryFile(path: path)
        XCTAssertTrue(first.append(["load t from \"a.csv\"", "t | take 3"]))
        XCTAssertTrue(second.append(["客户 | where 行业 == \"制造业\""]))
        XCTAssertEqual(first.entries(), ["load t from \"a.csv\"", "t | take 3", "客户 | where 行业 == \"制造业\""])
        XCTAssertEqual(files, ["history", "out.csv"])
        XCTAssertFalse(HistoryFile(path: directory + "/missing/history").append(["x"]))
        XCTAssertEqual(files, ["history", "out.csv"])
    }
}
