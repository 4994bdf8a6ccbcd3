import XCTest
import Language
@testable import Shell

final class DotCommandTests: XCTestCase {
    let commands = Repl.standardCommands

    private func resolved(_ typed: String) -> String? {
        if case .found(let command) = DotCommand.lookup(typed, in: commands) { return command.name }
        return nil
    }

    func testExactNamesAndUnambiguousPrefixes() {
        XCTAssertEqual(resolved(".schema"), ".schema")
        XCTAssertEqual(resolved(".sc"), ".schema")
        XCTAssertEqual(resolved(".ta"), ".tables")
        XCTAssertEqual(resolved(".q"), ".quit")
        XCTAssertEqual(resolved(".edit"), ".edit")  // exact beats being a prefix of .editor
        XCTAssertEqual(resolved(".edito"), ".editor")
        XCTAssertEqual(resolved(".hi"), ".history")
        XCTAssertEqual(resolved(".he"), ".help")
    }

    func testAmbiguousPrefixListsCandidates() {
        guard case .ambiguous(let names) = DotCommand.lookup(".e", in: commands) else { return XCTFail("not ambiguous") }
        XCTAssertEqual(names, [".edit", ".editor", ".exit"])
        guard case .ambiguous(let s) = DotCommand.lookup(".s", in: commands) else { return XCTFail("not ambiguous") }
        XCTAssertEqual(s, [".schema", ".save", ".safe"])
    }

    func testUnknownSuggestsTheClosest() {
        guard case .unknown(let suggestion) = DotCommand.lookup(".shema", in: commands) else { return XCTFail("found") }
        XCTAssertEqual(suggestion, ".schema")
        guard case .unknown(let none) = DotCommand.lookup(".zzzzzz", in: commands) else { return XCTFail("found") }
        XCTAssertNil(none)
    }

    func testSplitKeepsQuotedWords() {
        XCTAssertEqual(DotCommand.split(".read  \"my file.seg\" x"), [".read", "my file.seg", "x"])
        XCTAssertEqual(DotCommand.split(".schema 客户表"), [".schema", "客户表"])
        XCTAssertEqual(DotCommand.split(".read ''"), [".read", ""])
    }

    func testParameterAssignments() {
        XCTAssertEqual(ParameterAssignment("s_recency=45")?.value, .int(45))
        XCTAssertEqual(ParameterAssignment("$mult=0.7")?.name, "mult")
        XCTAssertEqual(ParameterAssignment("mult=0.7")?.value, .double(0.7))
        XCTAssertEqual(ParameterAssignment("asof=2024-06-30")?.value, .date(19904))
        XCTAssertEqual(ParameterAssignment("asof=@2024-06-30")?.value, .date(19904))
        XCTAssertEqual(ParameterAssignment("on=true")?.value, .bool(true))
        XCTAssertEqual(ParameterAssignment("industry=制造业")?.value, .string("制造业"))
        XCTAssertEqual(ParameterAssignment("s=\"45\"")?.value, .string("45"))
        XCTAssertEqual(ParameterAssignment("d=2024-02-30")?.value, .string("2024-02-30"))
        XCTAssertNil(ParameterAssignment("novalue"))
        XCTAssertNil(ParameterAssignment("=3"))
    }
}

/// The language's list of pipeline operators (lexer, parser, completion, the `.help`
/// overview) and the operators a session registers are the same set: an operator added in
/// one place only fails here.
final class OperatorListTests: XCTestCase {
    func testKeywordsListEveryRegisteredOperatorAndNoOther() {
        let session = SegshCLI.makeSession()
        // `moved` is not a step of its own: it follows `whatif ...` and is bound with it.
        XCTAssertEqual(Set(Keywords.operators), Set(session.operators.keywords).union(["moved"]))
        for keyword in session.operators.keywords {
            XCTAssertNotNil(session.help(keyword), "'.help \(keyword)' is missing")
        }
    }
}
