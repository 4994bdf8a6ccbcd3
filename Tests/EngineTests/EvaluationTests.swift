import Columnar
import Diagnostics
import IO
import XCTest
@testable import Engine

/// Runs statements in a session and returns the last table (or the first error).
func runStatements(_ session: Session, _ text: String, file: StaticString = #filePath, line: UInt = #line) -> (Table?, [String]) {
    var last: Table?
    var texts: [String] = []
    let diags = session.run(SourceFile(name: "test.seg", text: text)) { item in
        switch item {
        case .table(let t, _, _): last = t
        case .text(let s): texts.append(s)
        case .chart(let c): texts.append(TextChart.render(c, width: TextChart.defaultWidth))
        case .note, .done: break
        case .report(let r, _):
            for part in ReportLayout.parts(r) {
                switch part {
                case .table(let t, _): last = t
                case .matrix(let m): last = m.table
                case .line(let s): texts.append(s)
                case .chart(let c): texts.append(TextChart.render(c, width: TextChart.defaultWidth))
                case .note, .paretoCurve: break
                }
            }
        }
    }
    if let d = diags.first { return (nil, [d.render()]) }
    return (last, texts)
}

func rows(_ t: Table?) -> [[String]] {
    guard let t else { return [] }
    return (0..<t.rowCount).map { i in t.row(i).map { $0.description } }
}

final class EvaluationTests: XCTestCase {
    func session() -> Session {
        let s = Session()
        let t = try? Table(names: ["id", "grp", "x", "y", "d"], columns: [
            Column.from([.string("a"), .string("b"), .string("c"), .string("d"), .string("e")]),
            Column.from([.string("华东"), .string("华北"), .string("华东"), .null, .string("华北")], type: .string),
            Column.from([.int(10), .int(20), .null, .int(40), .int(20)], type: .int),
            Column.from([.double(2), .double(0), .double(4), .null, .double(5)], type: .double),
            Column.from([.date(CivilDate(year: 2024, month: 1, day: 31).daysSinceEpoch), .null,
                         .date(CivilDate(year: 2024, month: 6, day: 30).daysSinceEpoch),
                         .date(CivilDate(year: 2023, month: 12, day: 1).daysSinceEpoch),
                         .date(CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch)], type: .date),
        ])
        if let t { s.setTable("t", t) }
        return s
    }

    func testNullSemanticsAndDivisionByZero() {
        let (t, err) = runStatements(session(), "t | select id, q = x / y, s = x + y, c = x > 15, n = x == null, nn = y != null")
        XCTAssertEqual(err, [])
        XCTAssertEqual(rows(t), [
            ["a", "5", "12", "false", "false", "true"],
            ["b", "null", "20", "true", "false", "true"],
            ["c", "null", "null", "null", "true", "true"],
            ["d", "null", "null", "true", "false", "false"],
            ["e", "4", "25", "true", "false", "true"],
        ])
    }

    func testThreeValuedLogicInWhere() {
        let (t, _) = runStatements(session(), "t | where x > 15 or y > 3 | select id")
        XCTAssertEqual(rows(t), [["b"], ["c"], ["d"], ["e"]])
        let (t2, _) = runStatements(session(), "t | where not (x > 15) | select id")
        XCTAssertEqual(rows(t2), [["a"]])
    }

    func testDateArithmeticWithCalendarMonths() {
        let (t, err) = runStatements(session(), "t | select id, a = d + 1months, b = d - 30days, c = @2024-06-30 - d, e = year(d)")
        XCTAssertEqual(err, [])
        XCTAssertEqual(rows(t), [
            ["a", "2024-02-29", "2024-01-01", "151", "2024"],
            ["b", "null", "null", "null", "null"],
            ["c", "2024-07-30", "2024-05-31", "0", "2024"],
            ["d", "2024-01-01", "2023-11-01", "212", "2023"],
            ["e", "2024-03-29", "2024-01-30", "122", "2024"],
        ])
    }

    func testGroupKeysWithNullFormOneGroupAndOverBroadcasts() {
        let (t, _) = runStatements(session(), "t | summarize n = count(), s = sum(x), k = count(x) by grp | sort grp")
        XCTAssertEqual(rows(t), [["华东", "2", "10", "1"], ["华北", "2", "40", "2"], ["null", "1", "40", "1"]])
        let (t2, _) = runStatements(session(), "t | derive m = avg(x) over grp, r = rank(x) over grp, total = sum(x) | select id, m, r, total")
        XCTAssertEqual(rows(t2), [["a", "10", "1", "90"], ["b", "20", "1", "90"], ["c", "10", "null", "90"],
                                  ["d", "40", "1", "90"], ["e", "20", "1", "90"]])
    }

    func testQuantileScoreTieRule() {
        let s = Session()
        s.setTable("v", (try? Table(names: ["x"], columns: [Column.from([.int(10), .int(20), .int(20), .int(30), .null], type: .int)])) ?? Table())
        let (t, _) = runStatements(s, "v | derive q = quantile_score(x, 4), n = ntile(2, x)")
        XCTAssertEqual(rows(t), [["10", "1", "1"], ["20", "2", "1"], ["20", "2", "2"], ["30", "4", "2"], ["null", "null", "null"]])
    }

    func testCaseLikeInCoalesce() {
        let (t, err) = runStatements(session(), """
            t | select id, k = case { x >= 20 => "high", x < 20 => "low", else => "?" }, l = grp like "华%", i = id in ("a", "e"), c = coalesce(x, y, 0)
            """)
        XCTAssertEqual(err, [])
        XCTAssertEqual(rows(t), [
            ["a", "low", "true", "true", "10"], ["b", "high", "true", "false", "20"], ["c", "?", "true", "false", "4"],
            ["d", "high", "null", "false", "40"], ["e", "high", "true", "true", "20"],
        ])
    }

    func testViewsFollowParametersAndAreCached() {
        let s = session()
        let (_, e1) = runStatements(s, "param cut = 15\nlet big = t | where x > $cut | select id")
        XCTAssertEqual(e1, [])
        XCTAssertEqual(s.viewEvaluations, 1)
        XCTAssertEqual(rows(runStatements(s, "big").0), [["b"], ["d"], ["e"]])
        XCTAssertEqual(s.viewEvaluations, 1, "an unchanged view is served from its cache")
        XCTAssertEqual(rows(runStatements(s, "param cut = 30\nbig").0), [["d"]])
        XCTAssertEqual(s.viewEvaluations, 2)
        XCTAssertEqual(rows(runStatements(s, "param cut = 15\nbig").0), [["b"], ["d"], ["e"]])
        XCTAssertEqual(s.viewEvaluations, 2, "the earlier result is still cached")
    }

    func testErrorsNameTheProblemAndKeepState() {
        let s = session()
        let (_, e) = runStatements(s, "t | where xx > 1")
        XCTAssertEqual(e.first?.split(separator: "\n").first, "test.seg:1:11: error: unknown column 'xx' (did you mean 'x'?)")
        let (_, e2) = runStatements(s, "t | where grp > 1")
        XCTAssertEqual(e2.first?.split(separator: "\n").first, "test.seg:1:11: error: cannot compare string with int")
        let (_, e3) = runStatements(s, "t | summarize s = sum(grp)")
        XCTAssertEqual(e3.first?.split(separator: "\n").first, "test.seg:1:23: error: sum() needs numbers, but this is string")
        XCTAssertEqual(rows(runStatements(s, "t | summarize n = count()").0), [["5"]], "the table survives errors")
    }

    func testJoinSuffixesTakenNames() {
        let s = session()
        s.setTable("u", (try? Table(names: ["id", "x"], columns: [Column.from([.string("a"), .string("c"), .string("z")]),
                                                                  Column.from([.int(1), .int(2), .int(3)])])) ?? Table())
        XCTAssertEqual(rows(runStatements(s, "t | join u on id | select id, x, x_u").0), [["a", "10", "1"], ["c", "null", "2"]])
        XCTAssertEqual(rows(runStatements(s, "t | join left u on id | select id, x_u").0),
                       [["a", "1"], ["b", "null"], ["c", "2"], ["d", "null"], ["e", "null"]])
        XCTAssertEqual(rows(runStatements(s, "t | join anti u on id | select id").0), [["b"], ["d"], ["e"]])
    }
}
