import XCTest
import Columnar
import Diagnostics
@testable import IO

final class ProfileTests: XCTestCase {
    let d1 = CivilDate(year: 2024, month: 1, day: 15).daysSinceEpoch
    let d2 = CivilDate(year: 2024, month: 3, day: 1).daysSinceEpoch
    let d3 = CivilDate(year: 2023, month: 12, day: 31).daysSinceEpoch

    func sample() throws -> Table {
        try Table(names: ["客户编号", "行业", "金额", "订单数", "日期", "活跃", "ids"], columns: [
            Column.from(["C1", "C2", "C2", "C3", "C1", "C1"].map { .string($0) }),
            Column.from([.string("制造业"), .string("零售"), .string("制造业"), .null, .string("制造业"), .string("零售")]),
            Column.from([.double(100), .double(250.5), .null, .double(100), .double(49.5), .double(0)]),
            Column.from([.int(3), .int(1), .int(4), .int(1), .int(5), .null]),
            Column.from([.date(d1), .date(d1), .null, .date(d2), .date(d3), .date(d2)]),
            Column.from([.bool(true), .bool(true), .bool(false), .null, .null, .bool(true)]),
            Column.from([10, 20, 30, 40, 50, 60].map { .int($0) }),
        ])
    }

    func testSummaryFigures() throws {
        let (summary, duplicates) = try Profile.profile(try sample())
        XCTAssertNil(duplicates)
        XCTAssertEqual(summary.names, ["column", "type", "rows", "nulls", "distinct", "min", "max", "mean", "p50", "top"])
        XCTAssertEqual(summary.columns.map(\.type), [.string, .string, .int, .int, .int, .string, .string, .double, .double, .string])
        XCTAssertEqual(summary.rowCount, 7)
        func s(_ x: String) -> Scalar { .string(x) }
        XCTAssertEqual(summary.row(0), [s("客户编号"), s("string"), .int(6), .int(0), .int(3), s("C1"), s("C3"), .null, .null,
                                        s("C1 (3), C2 (2), C3 (1)")])
        XCTAssertEqual(summary.row(1), [s("行业"), s("string"), .int(6), .int(1), .int(2), s("制造业"), s("零售"), .null, .null,
                                        s("制造业 (3), 零售 (2)")])
        XCTAssertEqual(summary.row(2), [s("金额"), s("double"), .int(6), .int(1), .int(4), s("0"), s("250.5"), .double(100), .double(100),
                                        s("100 (2), 0 (1), 49.5 (1)")])
        XCTAssertEqual(summary.row(3), [s("订单数"), s("int"), .int(6), .int(1), .int(4), s("1"), s("5"), .double(2.8), .double(3),
                                        s("1 (2), 3 (1), 4 (1)")])
        XCTAssertEqual(summary.row(4), [s("日期"), s("date"), .int(6), .int(1), .int(3), s("2023-12-31"), s("2024-03-01"), .null, .null,
                                        s("2024-01-15 (2), 2024-03-01 (2), 2023-12-31 (1)")])
        XCTAssertEqual(summary.row(5), [s("活跃"), s("bool"), .int(6), .int(2), .int(2), s("false"), s("true"), .null, .null,
                                        s("true (3), false (1)")])
        XCTAssertEqual(summary.row(6), [s("ids"), s("int"), .int(6), .int(0), .int(6), s("10"), s("60"), .double(35), .double(35), .null])
    }

    func testDuplicateKeys() throws {
        let (_, duplicates) = try Profile.profile(try sample(), key: "客户编号")
        let d = try XCTUnwrap(duplicates)
        XCTAssertEqual(d.names, ["key", "count"])
        XCTAssertEqual(d.rowCount, 2)
        XCTAssertEqual(d.row(0), [.string("C1"), .int(3)])
        XCTAssertEqual(d.row(1), [.string("C2"), .int(2)])
    }

    func testDuplicateIntKeysSortedByCountThenKey() throws {
        let t = try Table(names: ["id"], columns: [Column.from([7, 3, 7, 9, 3, 1, 9, 9, 5].map { .int($0) } + [.null, .null])])
        let d = try XCTUnwrap(try Profile.profile(t, key: "id").duplicateKeys)
        XCTAssertEqual(d.columns.map(\.type), [.int, .int])
        XCTAssertEqual((0..<d.rowCount).map { d.row($0) }, [[.int(9), .int(3)], [.int(3), .int(2)], [.int(7), .int(2)]])
    }

    func testNoDuplicatesGivesAnEmptyTable() throws {
        let (_, duplicates) = try Profile.profile(try sample(), key: "ids")
        XCTAssertEqual(duplicates?.rowCount, 0)
        XCTAssertEqual(duplicates?.names, ["key", "count"])
    }

    func testUnknownKeySuggestsAColumn() throws {
        XCTAssertThrowsError(try Profile.profile(try sample(), key: "客户编")) { error in
            let d = error as? Diagnostic
            XCTAssertEqual(d?.message, "unknown column '客户编' (did you mean '客户编号'?)")
            XCTAssertEqual(d?.hints, ["available columns: 客户编号, 行业, 金额, 订单数, 日期, 活跃, ids"])
        }
    }

    func testAllNullColumnAndEmptyTable() throws {
        let t = try Table(names: ["x", "s"], columns: [Column.nulls(.double, count: 3), Column.nulls(.string, count: 3)])
        let summary = try Profile.profile(t).summary
        XCTAssertEqual(summary.row(0), [.string("x"), .string("double"), .int(3), .int(3), .int(0), .null, .null, .null, .null, .null])
        XCTAssertEqual(summary.row(1), [.string("s"), .string("string"), .int(3), .int(3), .int(0), .null, .null, .null, .null, .null])
        let empty = try Profile.profile(Table()).summary
        XCTAssertEqual(empty.rowCount, 0)
        XCTAssertEqual(empty.columnCount, 10)
    }

    func testCancellation() throws {
        Cancellation.request()
        defer { Cancellation.reset() }
        XCTAssertThrowsError(try Profile.profile(try sample()))
    }
}
