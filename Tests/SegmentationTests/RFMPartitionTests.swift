import Columnar
import Engine
@testable import Segmentation
import XCTest

/// The partitioned rfm accumulation (`RFMRows.accumulatePartitioned`) against the simple one
/// on inputs large enough to take it: the same customers, counts, dates and the same bits
/// in every sum.
final class RFMPartitionTests: XCTestCase {
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

    func checkZ(_ t: Table, key: Scalar, file: StaticString = #filePath, line: UInt = #line) throws {
        let keys = SegmentationHarness.values(t, "cust")
        let z = try XCTUnwrap(keys.firstIndex(of: key), file: file, line: line)
        let asof = CivilDate(year: 2025, month: 6, day: 30).daysSinceEpoch
        XCTAssertEqual(t.row(z), [key, .int(0), .int(2), .double(0.1 + 0.2), .date(asof - 366), .date(asof), .int(3), .double(5.3)],
                       file: file, line: line)
    }

    func testPartitionedEqualsSimpleWithManyCustomersAndNulls() throws {
        let t = try generatedOrders(rows: 40_000, customers: 3_000, nulls: true)
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
        let t = try generatedOrders(rows: 60_000, customers: 9_000, nulls: true, intKeys: true)
        let simple = try rfm(t, threshold: Int.max)
        try checkZ(simple, key: .int(-999_999))
        let partitioned = try rfm(t, threshold: 0, parallelRows: 0)
        assertIdentical(simple, partitioned)
        XCTAssertEqual(Array(SegmentationHarness.values(partitioned, "cust").prefix(2)), [Scalar.int(-999_999), Scalar.int(-1000)])
    }

    func testPartitionedStringKeysWithoutNulls() throws {
        let t = try generatedOrders(rows: 50_000, customers: 8_000, nulls: false)
        let simple = try rfm(t, threshold: Int.max)
        let partitioned = try rfm(t, threshold: 0, parallelRows: 0)
        assertIdentical(simple, partitioned)
        XCTAssertEqual(Array(SegmentationHarness.values(partitioned, "cust").prefix(3)), strings(["K00000", "K00001", "K00002"]))
        try checkZ(partitioned, key: .string("Z"))
    }
}
