import Foundation
import SegshTestSupport
import XCTest

/// Dot-commands inside scripts (`.seg` files, `-c`, piped stdin), as in DuckDB's shell.
final class ScriptDotCommandTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-dot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "客户编号,city,amount\nA1,上海,100\nA2,北京,250\n".write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testModeInAScriptSwitchesTheOutput() throws {
        let script = "load people from \"people.csv\"\n.mode csv\npeople\n  | sort amount desc\n.maxrows 1\n"
        try script.write(toFile: directory + "/s.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["s.seg"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "客户编号,city,amount\nA2,北京,250\nA1,上海,100\n")
    }

    func testPipedStdinRunsDotCommands() throws {
        let r = try Segsh.run([], stdin: "rules t {\n  \"A\" when amount > 1\n  \"B\" otherwise\n}\n.rules\n", directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "t\n")
    }

    func testUnknownCommandStopsTheScriptWithItsLine() throws {
        let r = try Segsh.run([], stdin: "load people from \"people.csv\"\n\n.tabels\npeople | take 1\n", directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("<stdin>:3:1: error: unknown command '.tabels'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean '.tables'?"), r.stderr)
        XCTAssertEqual(r.stdout, "")  // the statement after the error did not run
    }

    func testErrorsAfterADotCommandKeepTheirLineNumbers() throws {
        let r = try Segsh.run(["-c", "load people from \"people.csv\"\n.timer off\npeople | where amout > 1"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("<command>:3:16: error: unknown column 'amout'"), r.stderr)
    }
}
