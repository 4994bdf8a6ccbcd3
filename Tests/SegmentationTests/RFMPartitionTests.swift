import Columnar
import Engine
@testable import Segmentation
import XCTest

/// The partitioned rfm accumulation (`RFMRows.accumulatePartitioned`) against the simple one
/// on inputs large enough to take it: the same customers, counts, dates and the same bits
/// in every sum.
final class RFMPartitionTests: XCTestCase {
    /// Orders of `customers` customers (ids "K00042", first seen in random order), dates
    /// from 2023 to a month after asof, amounts with cents, and some null customers, dates
    /// and amounts. Customer "Z" has four hand-made orders (one after asof).
    func orders(rows: Int, customers: Int, nulls: Bool, intKeys: Bool = false) throws -> Table {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        let asof = CivilDate(year: 2025, month: 6, day: 30).daysSinceEpoch
        var custs: [Scalar] = [], dates: [Scalar] = [], amounts: [Scalar] = []
        for i in 0..<rows {
            let k = next(customers)
            custs.append(intKeys ? .int(Int64(k) * 7 - 1000) : .string("K" + String(100000 + k).dropFirst()))
            dates.append(.date(asof - 900 + Int32(next(930))))
            amounts.append(.double(Double(next(2_000_000)) / 100 + (i % 97 == 0 ? 1e9 : 0)))
            if nulls && i % 211 == 5 { custs[i] = .null }
            if nulls && i % 307 == 7 { dates[i] = .null }
            if nulls && i % 401 == 9 { amounts[i] = .null }
        }
        // Z: 0.1 + 0.2 (in the window), 5 (a year and a day before asof: outside it), 99 after asof.
        for (d, x) in [(asof - 3, 0.1), (asof - 366, 5.0), (asof, 0.2), (asof + 1, 99.0)] {
            let at = next(custs.count)
            custs.insert(intKeys ? .int(-999_999) : .string("Z"), at: at)
            dates.insert(.date(d), at: at)
            amounts.insert(.double(x), at: at)
        }
        return try Table(names: ["cust", "day", "amount"], columns: [
            Column.from(custs, type: intKeys ? .int : .string), Column.from(dates, type: .date), Column.from(amounts, type: .double),
        ])
    }

    /// rfm with the given knobs (restored afterwards).
    func rfm(_ table: Table, threshold: Int, shift: Int? = nil, roundRows: Int = 1 << 22, parallelRows: Int = 1 << 17) throws -> Table {
        let saved = (RFMOperator.partitionThreshold, RFMRows.partitionShift, RFMRows.roundRows, RFMRows.parallelRows)
        RFMOperator.partitionThreshold = threshold
        RFMRows.partitionShift = shift
        RFMRows.roundRows = roundRows
        RFMRows.parallelRows = parallelRows
        defer { (RFMOperator.partitionThreshold, RFMRows.partitionShift, RFMRows.roundRows, RFMRows.parallelRows) = saved }
        let h = SegmentationHarness()
        h.session.setTable("orders", table)
        let out = h.run("orders | rfm customer=cust, date=day, amount=amount, asof=@2025-06-30, window=365days")
        return try XCTUnwrap(out.last)
    }

    /// Every value equal, doubles to the bit.
    func assertIdentical(_ a: Table, _ b: Table, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.names, b.names, file: file, line: line)
        XCTAssertEqual(a.rowCount, b.rowCount, file: file, line: line)
        for (x, y) in zip(a.columns, b.columns) {
            switch (x.storage, y.storage) {
            case (.double(let u), .double(let v)):
                XCTAssertEqual(u.map(\.bitPattern), v.map(\.bitPattern), file: file, line: line)
            default:
                XCTAssertEqual((0..<x.count).map { x[$0] }, (0..<y.count).map { y[$0] }, file: file, line: line)
            }
        }
    }

    func checkZ(_ t: Table, key: Scalar, file: StaticString = #filePath, line: UInt = #line) throws {
        let keys = SegmentationHarness.values(t, "cust")
        let z = try XCTUnwrap(keys.firstIndex(of: key), file: file, line: line)
        let asof = CivilDate(year: 2025, month: 6, day: 30).daysSinceEpoch
        XCTAssertEqual(t.row(z), [key, .int(0), .int(2), .double(0.1 + 0.2), .date(asof - 366), .date(asof), .int(3), .double(5.3)],
                       file: file, line: line)
    }

    func testPartitionedEqualsSimpleWithManyCustomersAndNulls() throws {
        let t = try orders(rows: 40_000, customers: 3_000, nulls: true)
        let simple = try rfm(t, threshold: Int.max)
        XCTAssertGreaterThan(simple.rowCount, 2_900)
        try checkZ(simple, key: .string("Z"))
        // Tiny partitions (16 customers), one thread and two, one round and many.
        for (shift, roundRows, parallel) in [(4, 1 << 22, Int.max), (4, 1 << 22, 0), (4, 5_000, 0), (6, 1, 0), (11, 9_999, 0)] {
            let partitioned = try rfm(t, threshold: 0, shift: shift, roundRows: roundRows, parallelRows: parallel)
            assertIdentical(simple, partitioned)
            try checkZ(partitioned, key: .string("Z"))
        }
    }

    func testPartitionedWithDefaultPartitionsAndIntKeys() throws {
        // More customers than one default partition (4096); int keys take the hashed group ids.
        let t = try orders(rows: 60_000, customers: 9_000, nulls: true, intKeys: true)
        let simple = try rfm(t, threshold: Int.max)
        try checkZ(simple, key: .int(-999_999))
        let partitioned = try rfm(t, threshold: 0, parallelRows: 0)
        assertIdentical(simple, partitioned)
        XCTAssertEqual(Array(SegmentationHarness.values(partitioned, "cust").prefix(2)), [Scalar.int(-999_999), Scalar.int(-1000)])
    }

    func testPartitionedStringKeysWithoutNulls() throws {
        let t = try orders(rows: 50_000, customers: 8_000, nulls: false)
        let simple = try rfm(t, threshold: Int.max)
        let partitioned = try rfm(t, threshold: 0, parallelRows: 0)
        assertIdentical(simple, partitioned)
        XCTAssertEqual(Array(SegmentationHarness.values(partitioned, "cust").prefix(3)), strings(["K00000", "K00001", "K00002"]))
        try checkZ(partitioned, key: .string("Z"))
    }
}
