import XCTest
import Columnar
import Diagnostics
@testable import IO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A new, empty folder under /tmp.
func temporaryFolder(_ prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap(mkdtemp) }
    guard let made else { throw XCTSkip("cannot create a temporary folder") }
    return String(cString: made)
}

final class WriterTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = try temporaryFolder("segsh-writer")
    }

    override func tearDown() {
        if !folder.isEmpty { _ = system("rm -rf '\(folder)'") }
    }

    func read(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: buf[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    func filesIn(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func testWritesEachFormatByExtension() throws {
        let t = try sampleCustomers()
        for (ext, format) in [("csv", OutputFormat.csv), ("tsv", .tsv), ("json", .json), ("jsonl", .jsonl), ("md", .markdown)] {
            let path = folder + "/out." + ext
            try TableWriter.write(t, to: path)
            XCTAssertEqual(read(path), TableRenderer.render(t, format: format, options: RenderOptions(maxRows: 0)), ext)
        }
        XCTAssertEqual(filesIn(folder), ["out.csv", "out.json", "out.jsonl", "out.md", "out.tsv"])
    }

    func testExplicitFormatOverridesExtension() throws {
        let t = try Table(names: ["a"], columns: [Column.from([.int(1)])])
        let path = folder + "/data.txt"
        try TableWriter.write(t, to: path, format: .tsv)
        XCTAssertEqual(read(path), "a\n1\n")
    }

    func testUnknownExtensionIsADiagnostic() throws {
        let t = try Table(names: ["a"], columns: [Column.from([.int(1)])])
        XCTAssertThrowsError(try TableWriter.write(t, to: folder + "/x.foo")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message,
                           "cannot tell the format of '\(self.folder)/x.foo' (use .csv, .tsv, .json, .jsonl, .md or .xlsx)")
        }
        XCTAssertEqual(filesIn(folder), [])
    }

    func testLargeTableStreamsInChunks() throws {
        let n = 100_000
        let dict = StringDictionary(["北京", "上海", "with,comma"])
        let t = try Table(names: ["id", "city", "x"], columns: [
            Column(.int((0..<n).map { Int64($0) })),
            Column(.string(codes: (0..<n).map { Int32($0 % 3) }, dictionary: dict)),
            Column(.double((0..<n).map { Double($0) / 4 })),
        ])
        let path = folder + "/big.csv"
        try TableWriter.write(t, to: path)
        let text = try XCTUnwrap(read(path))
        XCTAssertEqual(text, TableRenderer.render(t, format: .csv, options: RenderOptions()))
        XCTAssertTrue(text.hasSuffix("99999,北京,24999.75\n"))
    }

    func testAtomicWriteReplacesAndKeepsMode() throws {
        let path = folder + "/a.txt"
        try AtomicFile.write("old", to: path)
        chmod(path, 0o600)
        try AtomicFile.write("new 内容", to: path)
        XCTAssertEqual(read(path), "new 内容")
        var st = stat()
        XCTAssertEqual(stat(path, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)
        XCTAssertEqual(filesIn(folder), ["a.txt"])
    }

    // A segsh killed with SIGKILL mid-export left its `.NAME.PID.N.tmp` beside the target
    // for good; the next write of the same name removes it once its process is gone and it
    // has not changed for ten minutes.
    func testLeftoverTemporaryFilesOfDeadWritersAreRemoved() throws {
        let path = folder + "/out.csv"
        func make(_ file: String, ageSeconds: Int) {
            let full = folder + "/" + file
            XCTAssertTrue(FileManager.default.createFile(atPath: full, contents: Data("half".utf8)))
            let when = time(nil) - ageSeconds
            var times = [timeval(tv_sec: when, tv_usec: 0), timeval(tv_sec: when, tv_usec: 0)]
            XCTAssertEqual(utimes(full, &times), 0)
        }
        let dead = "2147483000"  // beyond any pid_max: no such process
        make(".out.csv.\(dead).0.tmp", ageSeconds: 3600)        // dead, old: removed
        make(".out.csv.\(dead).1.tmp", ageSeconds: 30)          // dead but recent: kept
        make(".out.csv.\(getpid()).7.tmp", ageSeconds: 3600)    // a live process: kept
        make(".other.csv.\(dead).0.tmp", ageSeconds: 3600)      // another name: kept
        make(".out.csv.notapid.0.tmp", ageSeconds: 3600)         // not our pattern: kept
        try AtomicFile.write("new\n", to: path)
        XCTAssertEqual(read(path), "new\n")
        XCTAssertEqual(filesIn(folder), [".other.csv.\(dead).0.tmp", ".out.csv.\(dead).1.tmp", ".out.csv.\(getpid()).7.tmp",
                                         ".out.csv.notapid.0.tmp", "out.csv"].sorted())
    }

    func testFailingSerializerLeavesOldFile() throws {
        struct Boom: Error {}
        let path = folder + "/keep.csv"
        try AtomicFile.write("old content\n", to: path)
        XCTAssertThrowsError(try AtomicFile.write(to: path) { sink in
            sink.append("half a fi")
            try sink.flush()
            throw Boom()
        }) { XCTAssertTrue($0 is Boom) }
        XCTAssertEqual(read(path), "old content\n")
        XCTAssertEqual(filesIn(folder), ["keep.csv"], "the temporary file is removed")
    }

    func testInterruptedExportLeavesOldFile() throws {
        let path = folder + "/keep.csv"
        try AtomicFile.write("old\n", to: path)
        let t = try Table(names: ["id"], columns: [Column(.int((0..<10_000).map { Int64($0) }))])
        Cancellation.request()
        defer { Cancellation.reset() }
        XCTAssertThrowsError(try TableWriter.write(t, to: path))
        XCTAssertEqual(read(path), "old\n")
        XCTAssertEqual(filesIn(folder), ["keep.csv"])
    }

    func testMissingFolderAndFolderTargetAreDiagnostics() throws {
        let t = try Table(names: ["a"], columns: [Column.from([.int(1)])])
        XCTAssertThrowsError(try TableWriter.write(t, to: folder + "/no/such/dir/x.csv")) { error in
            XCTAssertTrue((error as? Diagnostic)?.message.hasPrefix("cannot write '\(self.folder)/no/such/dir/x.csv'") ?? false, "\(error)")
        }
        XCTAssertEqual(mkdir(folder + "/sub.csv", 0o755), 0)
        XCTAssertThrowsError(try TableWriter.write(t, to: folder + "/sub.csv")) { error in
            XCTAssertEqual((error as? Diagnostic)?.message, "cannot write '\(self.folder)/sub.csv': it is a folder")
        }
        XCTAssertEqual(filesIn(folder), ["sub.csv"])
    }

    func testReadOnlyFolderLeavesOldFile() throws {
        guard getuid() != 0 else { throw XCTSkip("root ignores folder permissions") }
        let dir = folder + "/ro"
        XCTAssertEqual(mkdir(dir, 0o755), 0)
        try AtomicFile.write("old\n", to: dir + "/x.csv")
        chmod(dir, 0o555)
        defer { chmod(dir, 0o755) }
        let t = try Table(names: ["a"], columns: [Column.from([.int(1)])])
        XCTAssertThrowsError(try TableWriter.write(t, to: dir + "/x.csv"))
        XCTAssertEqual(read(dir + "/x.csv"), "old\n")
    }

    func testStreamsToFileDescriptor() throws {
        let path = folder + "/fd.jsonl"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let t = try Table(names: ["a"], columns: [Column.from([.int(1), .int(2)])])
        try TableWriter.write(t, format: .jsonl, options: RenderOptions(), toFileDescriptor: fd)
        close(fd)
        XCTAssertEqual(read(path), "{\"a\":1}\n{\"a\":2}\n")
    }
}
