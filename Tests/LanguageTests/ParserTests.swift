import Diagnostics
import XCTest
@testable import Language

final class ParserTests: XCTestCase {
    func parse(_ text: String) -> ([Statement], [String]) {
        let (s, d) = Parser.parse(SourceFile(name: "t.seg", text: text))
        return (s, d.map { $0.render() })
    }

    // 100,000 nested parentheses, unary minuses or `+` terms crashed segsh (stack overflow in
    // the parser or in evaluating the tree); past the limits they are errors now.
    func testDeepOrLongExpressionsAreErrorsNotCrashes() {
        let deep = [String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000),
                    String(repeating: "-", count: 100_000) + "1", String(repeating: "not ", count: 100_000) + "x",
                    String(repeating: "f(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)]
        for e in deep {
            let (_, d) = parse("t | where \(e) > 0")
            XCTAssertEqual(d.count, 1)
            XCTAssertTrue(d.first?.hasPrefix("t.seg:1:") == true && d.first?.contains("error: expression nested too deeply (more than 100 levels)") == true,
                          d.first ?? "")
        }
        let (_, long) = parse("t | where " + Array(repeating: "1", count: 100_000).joined(separator: " + ") + " > 0")
        XCTAssertEqual(long.count, 1)
        XCTAssertTrue(long.first?.hasPrefix("t.seg:1:4015: error: expression too long (more than 1000 operators)") == true, long.first ?? "")
        // At the limits: fine, and the count starts again for each expression.
        let ok = String(repeating: "(", count: 99) + Array(repeating: "1", count: 1_000).joined(separator: " + ") + String(repeating: ")", count: 99)
        XCTAssertEqual(parse("t | where \(ok) > 0 | derive y = \(ok)").1, [])
    }

    func testPipelineWithOperators() throws {
        let (stmts, diags) = parse("customers | where industry == \"制造业\" | derive x = a / b | sort x desc | take 5")
        XCTAssertEqual(diags, [])
        guard case .pipeline(let p) = stmts.first?.kind else { return XCTFail("not a pipeline") }
        XCTAssertEqual(p.source.kind, .table("customers"))
        XCTAssertEqual(p.steps.map { $0.name }, ["where", "derive", "sort", "take"])
        guard case .sort(let keys) = p.steps[2].kind else { return XCTFail() }
        XCTAssertTrue(keys[0].descending)
    }

    func testPrecedence() {
        let (e, d) = Parser.parseExpression(SourceFile(name: "e", text: "a + b * 2 > 3 and not c or d"))
        XCTAssertEqual(d.count, 0)
        guard case .binary(.or, let l, _) = e?.kind, case .binary(.and, let cmp, let neg) = l.kind,
              case .binary(.gt, let sum, _) = cmp.kind, case .binary(.add, _, let mul) = sum.kind,
              case .binary(.mul, _, _) = mul.kind, case .unary(.not, _) = neg.kind else {
            return XCTFail("wrong tree: \(String(describing: e))")
        }
    }

    func testOverAndRulesAndWhatIf() {
        let text = """
        rules tier {
          "S" when recency <= $s and monetary >= 1.5 * avg(monetary) over industry
          "C" otherwise
        }
        whatif s = 45, a = 0.7 on tiered by tier key customer_id | moved | take 3
        sweep s from 15 to 90 step 15 on tiered by tier
        compare q1 q2 on customer_id by tier
        """
        let (stmts, diags) = parse(text)
        XCTAssertEqual(diags, [])
        XCTAssertEqual(stmts.count, 4)
        guard case .rules(let n, let rules) = stmts[0].kind else { return XCTFail() }
        XCTAssertEqual(n.text, "tier")
        XCTAssertEqual(rules.count, 2)
        XCTAssertNil(rules[1].condition)
        guard case .pipeline(let p) = stmts[1].kind, case .whatIf(let w) = p.source.kind else { return XCTFail() }
        XCTAssertEqual(w.assignments.map { $0.name.text }, ["s", "a"])
        XCTAssertEqual(w.key?.text, "customer_id")
        XCTAssertEqual(p.steps.map { $0.name }, ["moved", "take"])
    }

    func testErrorsResynchroniseAtStatements() {
        let (stmts, diags) = parse("a | where x ==\nb | take 2\nc | wher y\n")
        XCTAssertEqual(stmts.count, 1)
        XCTAssertEqual(diags.count, 2)
        XCTAssertTrue(diags[0].hasPrefix("t.seg:1:15: error: expected an expression after '==', but found end of line"), diags[0])
        XCTAssertTrue(diags[1].contains("t.seg:3:5: error: unknown pipeline operator 'wher'"), diags[1])
        XCTAssertTrue(diags[1].contains("help: did you mean 'where'?"))
    }

    func testRulesNeedOtherwiseLast() {
        let (_, diags) = parse("rules t { \"A\" when x > 1 }")
        XCTAssertTrue(diags.first?.contains("rule set 't' must end with an 'otherwise' rule") ?? false, "\(diags)")
    }

    func testCaretCountsCharactersForChinese() {
        let (_, diags) = parse("客户 | where 行业 = \"制造业\"")
        XCTAssertEqual(diags.count, 1)
        // Column 15 counts characters; the caret is indented by display width (CJK = 2).
        XCTAssertTrue(diags[0].hasPrefix("t.seg:1:15: error: expected a comparison operator"), diags[0])
        XCTAssertTrue(diags[0].contains("\n  |                   ^"), diags[0])
    }

    func testEveryPrefixOfAStatementParsesOrDiagnoses() {
        let text = "let t = orders | where amount between 1 and 2 | summarize n = count(), s = sum(amount) by c | sort n desc"
        for cut in 0...text.count {
            let piece = String(text.prefix(cut))
            let (stmts, diags) = parse(piece)
            XCTAssertTrue(!diags.isEmpty || !stmts.isEmpty || piece.trimmingCharacters(in: .whitespaces).isEmpty, "no result for \(piece)")
        }
    }
}
