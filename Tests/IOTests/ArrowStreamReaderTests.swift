import XCTest
import Columnar
@testable import IO

/// Reads Arrow IPC streams written by pyarrow (Tests/IOTests/ArrowFixtures, made by
/// make-fixtures.py there): every type, null bitmaps, several batches, empty results, and the
/// types and values segsh refuses with an error naming the column.
final class ArrowStreamReaderTests: XCTestCase {
    private func fixture(_ name: String) throws -> [UInt8] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ArrowFixtures")
        return Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    private func read(_ name: String) throws -> Table {
        let reader = ArrowStreamReader()
        try reader.read(fixture(name))
        return try reader.finish()
    }

    private func values(_ table: Table, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Scalar] {
        guard let column = table.column(name) else {
            XCTFail("no column \(name) in \(table.names)", file: file, line: line)
            return []
        }
        return (0..<column.count).map { column[$0] }
    }

    private func date(_ text: String) -> Scalar {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        return .date(CivilDate(year: parts[0], month: parts[1], day: parts[2]).daysSinceEpoch)
    }

    private func ints(_ v: [Int64?]) -> [Scalar] { v.map { $0.map { .int($0) } ?? .null } }
    private func doubles(_ v: [Double?]) -> [Scalar] { v.map { $0.map { .double($0) } ?? .null } }
    private func strings(_ v: [String?]) -> [Scalar] { v.map { $0.map { .string($0) } ?? .null } }
    private func bools(_ v: [Bool?]) -> [Scalar] { v.map { $0.map { .bool($0) } ?? .null } }

    private func errorMessage(_ name: String) -> String {
        do {
            _ = try read(name)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testEveryTypeWithNullsAtRowsTwoAndNine() throws {
        let t = try read("all-types.arrows")
        XCTAssertEqual(t.rowCount, 10)
        XCTAssertEqual(t.names, ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "dec", "s", "ls",
                                 "d32", "d64", "ts_midnight", "ts", "ts_s", "ts_ns", "b", "n"])
        XCTAssertEqual(t.columns.map(\.type), [.int, .int, .int, .int, .int, .int, .int, .int, .double, .double, .double,
                                               .string, .string, .date, .date, .date, .string, .string, .string, .bool, .int])
        let ints: [Int64?] = [0, nil, -1, 7, 100, -100, 42, 5, nil, -9]
        func scaled(_ k: Int64) -> [Scalar] { ints.map { $0.map { .int($0 * k) } ?? .null } }
        XCTAssertEqual(values(t, "i8"), scaled(1))
        XCTAssertEqual(values(t, "i16"), scaled(300))
        XCTAssertEqual(values(t, "i32"), scaled(70_000))
        XCTAssertEqual(values(t, "i64"), scaled(1_000_000_000_000))
        let uints: [Int64?] = [0, nil, 2, 7, 100, 200, 42, 5, nil, 250]
        XCTAssertEqual(values(t, "u8"), uints.map { $0.map { .int($0) } ?? .null })
        XCTAssertEqual(values(t, "u32"), uints.map { $0.map { .int($0 * 16_000_000) } ?? .null })
        XCTAssertEqual(values(t, "u64"), uints.map { $0.map { .int($0 * 1_000_000_000_000_000) } ?? .null })
        XCTAssertEqual(values(t, "f32"), doubles([0.5, nil, -2.5, 3.0, 0.0, 1e10, -0.125, 7.75, nil, 9.0]))
        XCTAssertEqual(values(t, "f64"), doubles([0.1, nil, -2.25, 3.0, 1e300, -1e-300, 2.0 / 3.0, 7.0, nil, 9.0]))
        XCTAssertEqual(values(t, "dec"), doubles([0, nil, -2.25, 1234567890.99, 0.01, -0.01, 100, 7, nil, 9.99]))
        XCTAssertEqual(values(t, "s"), strings(["", nil, "华东", "Zürich", "tab\there", String(repeating: "x", count: 40), "a", "😀", nil, "end"]))
        XCTAssertEqual(values(t, "ls"), strings(["one", nil, "三", "four", "", "six", "seven", "eight", nil, "十"]))
        let dates = ["2024-01-01", nil, "1969-12-31", "2000-02-29", "1900-03-01", "2099-12-31", "2024-06-30", "2024-07-01", nil, "2024-07-03"]
            .map { $0.map(date) ?? .null }
        XCTAssertEqual(values(t, "d32"), dates)
        XCTAssertEqual(values(t, "d64"), dates)
        XCTAssertEqual(values(t, "ts_midnight"), dates, "a timestamp column of midnights becomes a date column")
        XCTAssertEqual(values(t, "ts"), strings(["2024-01-01 13:45:06", nil, "1969-12-31 23:59:59", "2000-02-29 00:00:00.500000",
                                         "1900-03-01 01:02:03.000004", "2099-12-31 23:59:59.999999", "2024-06-30 12:00:00",
                                         "2024-07-01 00:00:00", nil, "2024-07-03 00:00:01"]))
        XCTAssertEqual(values(t, "ts_s"), strings(["1970-01-01 00:00:00", nil, "1970-01-02 00:00:00", "1970-01-02 00:00:01",
                                           "1969-12-31 23:59:59", "1970-01-01 01:00:00", "1970-01-01 00:00:00",
                                           "1970-01-01 00:00:00", nil, "1970-01-01 00:00:00"]),
                       "a timestamp with a time zone is written in UTC")
        XCTAssertEqual(values(t, "ts_ns"), strings(["1970-01-01 00:00:00", nil, "1970-01-01 00:00:00.000001", "1970-01-02 00:00:00",
                                            "1969-12-31 23:59:59.999999999", "1970-01-01 00:00:00", "1970-01-01 00:00:00",
                                            "1970-01-01 00:00:00", nil, "1970-01-01 00:00:00"]))
        XCTAssertEqual(values(t, "b"), bools([true, nil, true, true, false, false, true, false, nil, true]))
        XCTAssertEqual(values(t, "n"), Array(repeating: .null, count: 10))
        XCTAssertEqual(t.column("n")?.nullCount, 10)
    }

    func testSeveralBatchesOneEmptyAreAppendedInOrder() throws {
        let t = try read("several-batches.arrows")
        XCTAssertEqual(t.rowCount, 12)
        XCTAssertEqual(values(t, "id"), ints([1, 2, 3, nil, 5, 6, 7, 8, 9, 10, 11, 12]))
        XCTAssertEqual(values(t, "name"), strings(["a", nil, "c", "d", "e", "n6", "n7", "n8", "n9", "n10", "n11", "n12"]))
    }

    func testTwoStreamsOfTheSameSchemaAreOneResult() throws {
        // Spark Connect sends each batch as a stream of its own.
        let reader = ArrowStreamReader()
        try reader.read(fixture("several-batches.arrows"))
        try reader.read(fixture("empty-batch.arrows"))
        try reader.read(fixture("several-batches.arrows"))
        let t = try reader.finish()
        XCTAssertEqual(t.rowCount, 24)
        XCTAssertEqual(t.column("id")?[23], .int(12))
        XCTAssertEqual(t.column("name")?[13], .null)
    }

    func testEmptyResultsKeepTheirColumns() throws {
        for name in ["empty-no-batch.arrows", "empty-batch.arrows"] {
            let t = try read(name)
            XCTAssertEqual(t.names, ["id", "name"], name)
            XCTAssertEqual(t.columns.map(\.type), [.int, .string], name)
            XCTAssertEqual(t.rowCount, 0, name)
        }
        XCTAssertEqual(try ArrowStreamReader().finish().columnCount, 0, "nothing read: no columns")
    }

    func testUnreadableTypesAreErrorsNamingTheColumn() {
        XCTAssertEqual(errorMessage("time.arrows"),
                       "column 'at' has Arrow type time64[us], which segsh cannot read; convert it in the query (for example CAST(`at` AS STRING))")
        XCTAssertEqual(errorMessage("binary.arrows"),
                       "column 'payload' has Arrow type binary, which segsh cannot read; convert it in the query (for example CAST(`payload` AS STRING))")
        XCTAssertEqual(errorMessage("list.arrows"),
                       "column 'tags' has Arrow type list, which segsh cannot read; convert it in the query (for example CAST(`tags` AS STRING))")
        XCTAssertEqual(errorMessage("dictionary.arrows"),
                       "column 'region' has Arrow type dictionary-encoded utf8, which segsh cannot read; convert it in the query (for example CAST(`region` AS STRING))")
        XCTAssertEqual(errorMessage("decimal256.arrows"),
                       "column 'big' has Arrow type decimal256(40, 2), which segsh cannot read; convert it in the query (for example CAST(`big` AS STRING))")
    }

    func testValuesThatDoNotFitAreErrorsNamingTheColumn() {
        XCTAssertEqual(errorMessage("decimal-inexact.arrows"),
                       "column 'amount' (decimal128(38, 2)): the decimal 123456789012345678.91 has more than 15 significant digits, so it is not exact as a double; round it or CAST it to DOUBLE in the query")
        XCTAssertEqual(errorMessage("uint64-overflow.arrows"),
                       "column 'n' (uint64): the value 9223372036854775808 is above segsh's largest int, 9223372036854775807")
        XCTAssertEqual(errorMessage("compressed.arrows"),
                       "the Arrow batch is compressed, which segsh does not read; turn compression off on the server")
    }

    func testDamagedStreamsAreErrorsNotCrashes() throws {
        let whole = try fixture("all-types.arrows")
        // Every prefix and a byte flipped at many places: each either reads or throws.
        for cut in stride(from: 0, to: whole.count, by: 7) {
            let reader = ArrowStreamReader()
            do { try reader.read(Array(whole[..<cut])); _ = try reader.finish() } catch is ArrowError {}
        }
        for at in stride(from: 0, to: whole.count, by: 3) {
            var bytes = whole
            bytes[at] ^= 0xA5
            let reader = ArrowStreamReader()
            do { try reader.read(bytes); _ = try reader.finish() } catch is ArrowError {}
        }
        XCTAssertThrowsError(try ArrowStreamReader().read(Array(whole[..<100]))) { error in
            XCTAssertTrue("\(error)".contains("cut short"), "\(error)")
        }
    }

    func testDecimalToDoubleIsExactUpToFifteenDigits() {
        XCTAssertEqual(ArrowColumnBuilder.exactDouble(unscaled: 123_456_789_012_345, scale: 2), 1_234_567_890_123.45)
        XCTAssertNil(ArrowColumnBuilder.exactDouble(unscaled: 1_234_567_890_123_456, scale: 2))
        XCTAssertEqual(ArrowColumnBuilder.exactDouble(unscaled: 1_234_567_890_123_450_000, scale: 4), 123_456_789_012_345)
        XCTAssertEqual(ArrowColumnBuilder.exactDouble(unscaled: -1, scale: 2), -0.01)
        XCTAssertEqual(ArrowColumnBuilder.exactDouble(unscaled: 0, scale: 30), 0)
        XCTAssertEqual(ArrowColumnBuilder.decimalText(unscaled: -5, scale: 3), "-0.005")
    }
}
