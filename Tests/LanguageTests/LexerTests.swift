import Diagnostics
import XCTest
@testable import Language

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [Token.Kind] {
        Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map { $0.kind }
    }

    func testLiteralsAndUnicodeIdentifiers() {
        XCTAssertEqual(kinds("客户编号 == \"C001\" and d >= @2024-06-30 - 30days"), [
            .identifier("客户编号"), .symbol("=="), .string("C001"), .identifier("and"), .identifier("d"), .symbol(">="),
            .date(year: 2024, month: 6, day: 30), .symbol("-"), .duration(30, .days), .newline, .eof,
        ])
        XCTAssertEqual(kinds("6months 1year 12weeks 3.5 42 `order date` $s_recency"), [
            .duration(6, .months), .duration(1, .years), .duration(12, .weeks), .double(3.5), .int(42),
            .identifier("order date"), .parameter("s_recency"), .newline, .eof,
        ])
    }

    func testNewlinesSeparateStatementsOnlyOutsideBracketsAndPipes() {
        XCTAssertEqual(kinds("a |\nb"), [.identifier("a"), .symbol("|"), .identifier("b"), .newline, .eof])
        XCTAssertEqual(kinds("a\n  | b\nc"), [.identifier("a"), .symbol("|"), .identifier("b"), .newline, .identifier("c"), .newline, .eof])
        XCTAssertEqual(kinds("f(1,\n2)"), [.identifier("f"), .symbol("("), .int(1), .symbol(","), .int(2), .symbol(")"), .newline, .eof])
        XCTAssertEqual(kinds("a; b # comment\n"), [.identifier("a"), .newline, .identifier("b"), .newline, .eof])
    }

    func testErrorsPointAtTheBadText() {
        let (_, diags) = Lexer.tokenize(SourceFile(name: "t", text: "x == \"open\ny == @2024-02-30"))
        XCTAssertEqual(diags.map { $0.message }, ["unterminated string", "@2024-2-30 is not a valid date"])
        let (_, d2) = Lexer.tokenize(SourceFile(name: "t", text: "a ？ b"))
        XCTAssertEqual(d2.first?.message, "unexpected character '？'")
        XCTAssertEqual(d2.first.map { SourceFile(name: "t", text: "a ？ b").location(of: $0.span?.start ?? 0).column }, 3)
    }
}
