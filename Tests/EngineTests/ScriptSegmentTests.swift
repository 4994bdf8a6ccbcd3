import Diagnostics
import XCTest
import Engine

final class ScriptSegmentTests: XCTestCase {
    private func split(_ text: String) -> [ScriptSegment] { ScriptSegment.split(SourceFile(name: "s.seg", text: text)) }

    func testScriptWithoutCommandsIsOnePiece() {
        XCTAssertEqual(split("load a from \"a.csv\"\na | take 1\n"),
                       [.statements(SourceFile(name: "s.seg", text: "load a from \"a.csv\"\na | take 1\n"))])
    }

    func testCommandsCutTheScriptAndStatementsKeepTheirLineNumbers() {
        XCTAssertEqual(split("a | take 1\n.mode csv\n\nb | take 2\n  .tables"), [
            .statements(SourceFile(name: "s.seg", text: "a | take 1")),
            .command(".mode csv", location: "s.seg:2:1"),
            .statements(SourceFile(name: "s.seg", text: "\n\n\nb | take 2")),
            .command(".tables", location: "s.seg:5:3"),
        ])
    }

    func testDotInsideAnOpenStatementIsNotACommand() {
        // After a line ending in `|`, inside braces, inside a string: part of the statement.
        let text = "a |\n.x\nrules r {\n.y\n}\nb | where s == \"\n.z\"\n.help\r"
        XCTAssertEqual(split(text), [
            .statements(SourceFile(name: "s.seg", text: "a |\n.x\nrules r {\n.y\n}\nb | where s == \"\n.z\"")),
            .command(".help", location: "s.seg:8:1"),
        ])
    }
}
