import Foundation
import SegshTestSupport
import XCTest

/// The built binary in script mode: exit codes, stdout vs stderr, error locations.
final class ScriptModeTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "segsh-script-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "客户编号,city,amount\nA1,上海,100\nA2,北京,250\nA3,上海,75\n"
            .write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8)
        try "load people from \"people.csv\"\npeople\n  | where amount > 80\n  | sort amount desc\n"
            .write(toFile: directory + "/good.seg", atomically: true, encoding: .utf8)
        try "load people from \"people.csv\"\n\npeople | where amout > 1\npeople | take 1\n"
            .write(toFile: directory + "/bad.seg", atomically: true, encoding: .utf8)
        try "load people from \"people.csv\"\nparam min_amount = 80\npeople | where amount > $min_amount | sort amount\n"
            .write(toFile: directory + "/param.seg", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testScriptSucceeds() throws {
        let r = try Segsh.run(["good.seg"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("[1] 2 rows × 3 columns\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("│ A2       │ 北京   │    250 │"), r.stdout)
        XCTAssertTrue(r.stderr.contains("loaded people"), r.stderr)
    }

    // Found trying `segsh -c '.help rank'` and `echo .tables | segsh`: dot-commands were
    // parse errors ("expected a table name or a statement, but found '.'") outside the prompt.
    func testDotCommandsWorkInScripts() throws {
        let help = try Segsh.run(["-c", ".help rank"], directory: directory)
        XCTAssertEqual(help.status, 0, help.stderr)
        XCTAssertTrue(help.stdout.hasPrefix("rank(x) [over COL]"), help.stdout)

        try "load people from \"people.csv\"\n.mode csv\npeople | sort amount | select 客户编号\n.tables\n"
            .write(toFile: directory + "/dots.seg", atomically: true, encoding: .utf8)
        let script = try Segsh.run(["dots.seg"], directory: directory)
        XCTAssertEqual(script.status, 0, script.stderr)
        XCTAssertTrue(script.stdout.hasPrefix("客户编号\nA3\nA1\nA2\n"), script.stdout)
        XCTAssertTrue(script.stdout.contains("│ people │ table  │    3 │       3 │"), script.stdout)

        let piped = try Segsh.run([], stdin: "load people from \"people.csv\"\n.mode json\npeople | take 1 | select city\n",
                                  directory: directory)
        XCTAssertEqual(piped.status, 0, piped.stderr)
        XCTAssertEqual(piped.stdout, "[\n{\"city\":\"上海\"}\n]\n")
    }

    // With the timer on, the lines that say a load, a view or an export is done carry their
    // time as result headers do (a 10M-row load was the slowest statement and showed none).
    func testTimerTimesLoadsViewsAndExports() throws {
        let script = "load people from \"people.csv\"\nlet big = people | where amount > 80\nexport big to \"big.csv\"\n"
        let timed = try Segsh.run(["--timer", "-c", script], directory: directory)
        XCTAssertEqual(timed.status, 0, timed.stderr)
        let pattern = #"loaded people: 3 rows × 3 columns from people.csv \([0-9.]+ (ms|s)\)\nview big: 2 rows × 3 columns \([0-9.]+ (ms|s)\)\nexported 2 rows × 3 columns to big.csv \([0-9.]+ (ms|s)\)\n"#
        XCTAssertNotNil(timed.stderr.range(of: pattern, options: .regularExpression), timed.stderr)
        let plain = try Segsh.run(["-c", script.replacingOccurrences(of: "big.csv", with: "big2.csv")], directory: directory)
        XCTAssertEqual(plain.stderr, "loaded people: 3 rows × 3 columns from people.csv\nview big: 2 rows × 3 columns\nexported 2 rows × 3 columns to big2.csv\n")
    }

    // Found by the CSV differential tester: `-c 'load …' -c '.tables'` kept only the last -c.
    func testRepeatedCommandsRunInOrder() throws {
        let r = try Segsh.run(["-c", "load people from \"people.csv\"", "-c", ".mode csv", "-c", "people | sort amount | select 客户编号"],
                              directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "客户编号\nA3\nA1\nA2\n")
        let failed = try Segsh.run(["-c", "people", "-c", ".tables"], directory: directory)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("<command>:1:1: error: unknown table 'people'"), failed.stderr)
        XCTAssertEqual(failed.stdout, "")  // the second -c did not run
    }

    // A file run by the `run` statement takes dot-commands as a script does (they were
    // syntax errors there).
    func testRunStatementRunsDotCommandsInItsFile() throws {
        try "load people from \"people.csv\"\n.mode csv\npeople | sort amount | select 客户编号\n"
            .write(toFile: directory + "/inner.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["-c", "run \"inner.seg\"\npeople | take 1 | select city"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        // .mode csv holds after the run; an empty line separates the two results.
        XCTAssertEqual(r.stdout, "客户编号\nA3\nA1\nA2\n\ncity\n上海\n")

        try "load people from \"people.csv\"\n.schema peeple\npeople | take 1\n"
            .write(toFile: directory + "/bad-inner.seg", atomically: true, encoding: .utf8)
        let failed = try Segsh.run(["-c", "run \"bad-inner.seg\"\npeople | take 1"], directory: directory)
        XCTAssertEqual(failed.status, 1)
        XCTAssertTrue(failed.stderr.contains("bad-inner.seg:2:1: error: unknown table 'peeple'"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("<command>:1:5: error: script 'bad-inner.seg' stopped at its command bad-inner.seg:2:1"), failed.stderr)
        XCTAssertEqual(failed.stdout, "")  // nothing after the failed command ran
    }

    // A script that ran itself (`run`, `.read`, or both in turn) recursed until the stack
    // overflowed and segsh crashed.
    func testScriptsThatRunThemselvesAreRefused() throws {
        try "run \"self.seg\"\n".write(toFile: directory + "/self.seg", atomically: true, encoding: .utf8)
        let direct = try Segsh.run(["-c", "run \"self.seg\""], directory: directory)
        XCTAssertEqual(direct.status, 1, direct.stderr)
        XCTAssertTrue(direct.stderr.contains("self.seg:1:5: error: script 'self.seg' is already running (self.seg → self.seg)"), direct.stderr)

        try ".read b.seg\n".write(toFile: directory + "/a.seg", atomically: true, encoding: .utf8)
        try "load people from \"people.csv\"\nrun \"a.seg\"\n".write(toFile: directory + "/b.seg", atomically: true, encoding: .utf8)
        let mixed = try Segsh.run(["-c", ".read a.seg\npeople | take 1"], directory: directory)
        XCTAssertEqual(mixed.status, 1, mixed.stderr)
        XCTAssertTrue(mixed.stderr.contains("b.seg:2:5: error: script 'a.seg' is already running (a.seg → b.seg → a.seg)"), mixed.stderr)
        XCTAssertEqual(mixed.stdout, "")  // the failed .read stopped the script
    }

    // `.read` of a script with an error went on with the next line and exited 0.
    func testFailedReadFailsTheScript() throws {
        try "people | where amout > 1\n".write(toFile: directory + "/typo.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["-c", "load people from \"people.csv\"\n.read typo.seg\npeople | take 1"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("typo.seg:1:16: error: unknown column 'amout'"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testFailedDotCommandStopsTheScriptWithItsLocation() throws {
        try "load people from \"people.csv\"\n  .schema peeple\npeople | take 1\n"
            .write(toFile: directory + "/baddot.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["baddot.seg"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("baddot.seg:2:3: error: unknown table 'peeple'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'people'?"), r.stderr)
        XCTAssertEqual(r.stdout, "")
        // Line numbers after a dot-command stay those of the file.
        try "load people from \"people.csv\"\n.timer off\n\npeople | where amout > 1\n"
            .write(toFile: directory + "/after.seg", atomically: true, encoding: .utf8)
        let after = try Segsh.run(["after.seg"], directory: directory)
        XCTAssertEqual(after.status, 1)
        XCTAssertTrue(after.stderr.contains("after.seg:4:16: error: unknown column 'amout'"), after.stderr)
        // `.quit` ends a script with status 0.
        let quit = try Segsh.run(["-c", "load people from \"people.csv\"\n.quit\npeople | where nope > 1"], directory: directory)
        XCTAssertEqual(quit.status, 0, quit.stderr)
    }

    func testFirstErrorExitsOneWithFileLineAndColumn() throws {
        let r = try Segsh.run(["bad.seg"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad.seg:3:16: error: unknown column 'amout'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("3 | people | where amout > 1\n  |                ^~~~~"), r.stderr)
        XCTAssertEqual(r.stdout, "")  // the statement after the error did not run
    }

    func testCommandCsvOutputIsClean() throws {
        let r = try Segsh.run(["--format", "csv", "-c", "load people from \"people.csv\"; people | sort amount | take 2"],
                              directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "客户编号,city,amount\nA3,上海,75\nA1,上海,100\n")
        XCTAssertTrue(r.stderr.contains("[1] 2 rows × 3 columns"), r.stderr)
    }

    func testCommandErrorsAreNamedCommand() throws {
        let r = try Segsh.run(["-c", "nosuch | take 1"], directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("<command>:1:1: error: unknown table 'nosuch'"), r.stderr)
    }

    func testStdinIsAScript() throws {
        let r = try Segsh.run(["--format", "tsv"], stdin: "load people from \"people.csv\"\npeople\n| take 1\n",
                              directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "客户编号\tcity\tamount\nA1\t上海\t100\n")
        let bad = try Segsh.run([], stdin: "people | take 1\n", directory: directory)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("<stdin>:1:1: error:"), bad.stderr)
    }

    func testParamOverridesTheScriptsParam() throws {
        let r = try Segsh.run(["--format", "csv", "--param", "min_amount=90", "param.seg"], directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "客户编号,city,amount\nA1,上海,100\nA2,北京,250\n")
        let plain = try Segsh.run(["--format", "csv", "-c", "load people from \"people.csv\"; param min_amount = 100; people | where amount > $min_amount"],
                                  directory: directory)
        XCTAssertEqual(plain.stdout, "客户编号,city,amount\nA2,北京,250\n", plain.stderr)
    }

    func testBadUsageExitsTwo() throws {
        let unknown = try Segsh.run(["--bogus"], directory: directory)
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("Unknown option '--bogus'"), unknown.stderr)
        let missing = try Segsh.run(["missing.seg"], directory: directory)
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("cannot read 'missing.seg'"), missing.stderr)
        let badParam = try Segsh.run(["--param", "novalue", "-c", "x"], directory: directory)
        XCTAssertEqual(badParam.status, 2)
        let badFormat = try Segsh.run(["--format", "xml", "-c", "x"], directory: directory)
        XCTAssertEqual(badFormat.status, 2)
    }

    func testVersionAndHelpExitZero() throws {
        let version = try Segsh.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("segsh "), version.stdout)
        let help = try Segsh.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--max-rows"), help.stdout)
    }

    func testInteractiveScriptWithPipedStdinKeepsTables() throws {
        // `-i` runs the script and then reads statements (here from a pipe, without prompts).
        try "load people from \"people.csv\"\n".write(toFile: directory + "/init.seg", atomically: true, encoding: .utf8)
        let r = try Segsh.run(["-i", "init.seg"], stdin: ".tables\npeople | take 1\n", directory: directory)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stdout.contains("segsh>"))
        XCTAssertTrue(r.stdout.contains("│ people "), r.stdout)
        XCTAssertTrue(r.stdout.contains("[1] 1 row × 3 columns"), r.stdout)
    }

    func testSafeModeRefusesToWrite() throws {
        let r = try Segsh.run(["--safe", "-c", "load people from \"people.csv\"; export people to \"out.csv\""],
                              directory: directory)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("safe mode"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out.csv"))
    }
}
