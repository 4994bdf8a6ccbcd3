import Columnar
import Engine
import Foundation
import XCTest

/// Values at the edges of their types, found by hand-written probes and the mutation tests:
/// each gives the documented value (overflowing ints become doubles, dates beyond the
/// supported range become null) or an error — never a crash or a wrapped-around value.
final class ValueEdgeTests: XCTestCase {
    func values(_ expressions: String, file: StaticString = #filePath, line: UInt = #line) -> [Scalar] {
        let session = Robust.session()
        session.setTable("one", Table(uncheckedNames: ["k"], columns: [Column(.int([1]))], rowCount: 1))
        let run = Robust.run("one | select \(expressions)", in: session)
        XCTAssertEqual(run.error, "", file: file, line: line)
        return run.lastTable.map { $0.row(0) } ?? []
    }

    func error(_ statement: String) -> String {
        let session = Robust.session()
        session.setTable("one", Table(uncheckedNames: ["k"], columns: [Column(.int([1]))], rowCount: 1))
        return Robust.run(statement, in: session).diagnostics.first?.message ?? ""
    }

    func testIntegerOverflowBecomesDouble() {
        XCTAssertEqual(values("a = -(-9223372036854775807 - 1), b = abs(-9223372036854775807 - 1), c = 9223372036854775807 + k"),
                       [.double(9223372036854775808.0), .double(9223372036854775808.0), .double(9223372036854775808.0)])
        XCTAssertEqual(values("a = -(k - 9223372036854775807 - 2), b = abs(k - 9223372036854775807 - 2), c = abs(-k)"),
                       [.double(9223372036854775808.0), .double(9223372036854775808.0), .int(1)])
    }

    func testDatesBeyondTheRangeAreNull() {
        XCTAssertEqual(values("a = @2024-01-01 + 99999999999years, b = @2024-01-01 + 9223372036854775807, c = @2024-01-01 - 3000000000"),
                       [.null, .null, .null])
        XCTAssertEqual(values("a = @2024-01-01 + 9223372036854775807weeks, b = @2024-01-01 - 9223372036854775807months"), [.null, .null])
        XCTAssertEqual(values("a = @2024-01-31 + 1month, b = @2024-01-01 - 1year, c = @2024-01-01 + 2weeks"),
                       [.date(CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch),
                        .date(CivilDate(year: 2023, month: 1, day: 1).daysSinceEpoch),
                        .date(CivilDate(year: 2024, month: 1, day: 15).daysSinceEpoch)])
        // A column of dates: only the rows that leave the range become null.
        let session = Robust.session()
        session.setTable("d", Table(uncheckedNames: ["day", "n"],
                                    columns: [Column(.date([0, 0])), Column(.int([1, 4_000_000_000]))], rowCount: 2))
        let run = Robust.run("d | derive later = day + n, back = day - n * 1", in: session)
        XCTAssertEqual(run.error, "")
        XCTAssertEqual(run.lastTable.map(Robust.rows), [[.date(0), .int(1), .date(1), .date(-1)],
                                                        [.date(0), .int(4_000_000_000), .null, .null]])
    }

    func testHugeDurationsInRFMWindowsCoverEverything() {
        let session = Robust.session()
        session.setTable("o", Table(uncheckedNames: ["c", "d", "a"],
                                    columns: [Column.from([.string("x"), .string("x")]), Column(.date([0, 10])), Column(.int([5, 7]))],
                                    rowCount: 2))
        for window in ["9223372036854775807weeks", "9223372036854775807years", "9223372036854775807days"] {
            let run = Robust.run("o | rfm customer=c, date=d, amount=a, window=\(window) | select frequency, monetary", in: session)
            XCTAssertEqual(run.error, "", window)
            XCTAssertEqual(run.lastTable.map(Robust.rows), [[.int(2), .double(12)]], window)
        }
    }

    func testHistogramBinsAreBounded() {
        XCTAssertEqual(error("one | chart hist k bins 99999999999"), "bins must be between 1 and 1000, not 99999999999")
        XCTAssertEqual(error("one | chart hist k bins 0"), "bins must be between 1 and 1000, not 0")
    }
}
