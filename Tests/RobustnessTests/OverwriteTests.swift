import Engine
import Foundation
import IO
import SegshTestSupport
import XCTest

/// Issue 16: no writer of segsh replaces a file the session reads, and writing through a
/// symbolic link writes its target instead of replacing the link.
final class OverwriteTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = try Robust.temporaryDirectory("overwrite")
        try "k,v\n1,2\n".write(toFile: dir + "/f.csv", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func content(_ name: String) -> String { (try? String(contentsOfFile: dir + "/" + name, encoding: .utf8)) ?? "" }

    func testExportRefusesTheFileAViewReadsWithFrom() {
        let s = Robust.session(in: dir)
        let run = Robust.run("let v = from \"f.csv\" | take 1\nexport v to \"./sub/../f.csv\"", in: s)
        XCTAssertEqual(run.diagnostics.first?.message, "refusing to overwrite './sub/../f.csv': view 'v' reads it (from \"f.csv\")")
        XCTAssertEqual(content("f.csv"), "k,v\n1,2\n")
    }

    func testExportRefusesTheRunningScriptAndLoadedFilesThroughALink() throws {
        try FileManager.default.createSymbolicLink(atPath: dir + "/alias.csv", withDestinationPath: "f.csv")
        let s = Robust.session(in: dir)
        s.filesBeingRead = ["run.csv"]
        XCTAssertEqual(Robust.run("load f from \"f.csv\"\nexport f to \"alias.csv\"", in: s).diagnostics.first?.message,
                       "refusing to overwrite 'alias.csv': table 'f' was loaded from it")
        XCTAssertEqual(Robust.run("export f to \"run.csv\"", in: s).diagnostics.first?.message, "refusing to overwrite 'run.csv': segsh is running it")
    }

    func testWritingThroughASymlinkWritesItsTarget() throws {
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: "sub/target.csv")
        try AtomicFile.write("a,b\n", to: dir + "/link.csv")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.csv"), "sub/target.csv")
        XCTAssertEqual(content("sub/target.csv"), "a,b\n")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling.csv", withDestinationPath: "missing/x.csv")
        XCTAssertThrowsError(try AtomicFile.write("a\n", to: dir + "/dangling.csv"))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/dangling.csv"), "missing/x.csv")
    }

    func testHTMLReportRefusesTheNotebookAndLoadedFiles() throws {
        try "# nb\n\n```segsh\nload f from \"f.csv\"\n```\n".write(toFile: dir + "/nb.md", atomically: false, encoding: .utf8)
        let itself = try Segsh.run(["nb.md", "--html", "nb.md"], directory: dir)
        XCTAssertEqual(itself.status, 1)
        XCTAssertTrue(itself.stderr.contains("segsh: refusing to overwrite 'nb.md' with the report: segsh is running it"), itself.stderr)
        let loaded = try Segsh.run(["nb.md", "--html", "f.csv"], directory: dir)
        XCTAssertTrue(loaded.stderr.contains("table 'f' was loaded from it"), loaded.stderr)
        XCTAssertEqual(content("f.csv"), "k,v\n1,2\n")
        XCTAssertTrue(content("nb.md").hasPrefix("# nb"))
    }
}

/// Issue 16: reading a FIFO nobody writes to or a device such as /dev/zero neither hangs nor
/// claims "empty file".
final class SpecialFileTests: XCTestCase {
    func testFIFOWithoutAWriterAndDevicesAreNamedForWhatTheyAre() throws {
        let dir = try Robust.temporaryDirectory("fifo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(mkfifo(dir + "/fifo", 0o600), 0)
        let s = Robust.session(in: dir)
        XCTAssertEqual(Robust.run("load x from \"fifo\"", in: s).diagnostics.first?.message,
                       "'\(dir)/fifo' is a FIFO and nothing was written to it")
        XCTAssertEqual(Robust.run("load x from \"/dev/zero\"", in: s).diagnostics.first?.message,
                       "'/dev/zero' is a device, not a file (segsh reads files and FIFOs)")
        XCTAssertEqual(Robust.run("run \"/dev/zero\"", in: s).diagnostics.first?.message,
                       "cannot read script '/dev/zero': '/dev/zero' is a device, not a file (segsh reads files and FIFOs)")
    }
}
