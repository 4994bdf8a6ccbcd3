import Columnar
import Engine
@testable import Segmentation
import XCTest

/// `clv`'s customer summary goes through the orders by partitions of customers
/// (`RFMRows.forEachPartition`): tiny partitions, one thread or two, one round or many give
/// the same table to the bit as the defaults, string keys and int keys, with nulls.
final class CLVPartitionTests: XCTestCase {
    func clv(_ table: Table, shift: Int? = nil, roundRows: Int = RFMRows.roundRows, parallelRows: Int = RFMRows.parallelRows) throws -> (Table, [String]) {
        let saved = (RFMRows.partitionShift, RFMRows.roundRows, RFMRows.parallelRows)
        (RFMRows.partitionShift, RFMRows.roundRows, RFMRows.parallelRows) = (shift, roundRows, parallelRows)
        defer { (RFMRows.partitionShift, RFMRows.roundRows, RFMRows.parallelRows) = saved }
        let h = SegmentationHarness()
        h.session.setTable("orders", table)
        let out = h.run("orders | clv customer=cust, date=day, amount=amount, asof=@2025-06-01, holdout_until=@2025-07-15")
        return (try XCTUnwrap(out.last), out.notes)
    }

    func testAnyPartitioningGivesTheSameSummaryAndFit() throws {
        for intKeys in [false, true] {
            let t = try generatedOrders(rows: 12_000, customers: 1_200, nulls: true, intKeys: intKeys)
            let (reference, notes) = try clv(t)
            XCTAssertGreaterThan(reference.rowCount, 1_000)
            // Customers first seen between asof and the holdout end are counted, not rows.
            XCTAssertTrue(notes.contains { $0.contains("customers first bought in the holdout period") }, "\(notes)")
            for (shift, roundRows, parallel) in [(4, 1 << 22, Int.max), (4, 3_000, 0), (6, 1, 0)] {
                let (partitioned, partitionedNotes) = try clv(t, shift: shift, roundRows: roundRows, parallelRows: parallel)
                assertIdentical(reference, partitioned)
                XCTAssertEqual(notes, partitionedNotes)
            }
        }
    }
}
