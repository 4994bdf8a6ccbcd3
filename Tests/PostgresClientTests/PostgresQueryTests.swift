import Columnar
import Engine
import PostgresClient
import XCTest

/// `query`: every mapped type, nulls, Chinese text, and the types refused with a message.
final class PostgresQueryTests: PostgresTestCase {
    func testEveryMappedTypeWithNulls() throws {
        try db.execute("""
            CREATE TABLE 订单 (
                i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric(12,2),
                t text, v varchar(20), c char(4), nm name, d date, b boolean);
            INSERT INTO 订单 VALUES
                (-32768, 2147483647, -9223372036854775808, 1.5, 0.1, 123.45, '华东', 'abc', 'ab', 'pg', '2024-02-29', true),
                (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                (7, -7, 9223372036854775807, -0.25, -1e300, -0.01, '', '制造业', '微型', 'x', '1969-12-31', false);
            """)
        let table = try db.query("SELECT * FROM 订单 ORDER BY i8 NULLS LAST")
        XCTAssertEqual(table.names, ["i2", "i4", "i8", "f4", "f8", "n", "t", "v", "c", "nm", "d", "b"])
        XCTAssertEqual(table.columns.map(\.type), [.int, .int, .int, .double, .double, .double, .string, .string, .string, .string, .date, .bool])
        XCTAssertEqual(rows(table), [
            ["-32768", "2147483647", "-9223372036854775808", "1.5", "0.1", "123.45", "华东", "abc", "ab  ", "pg", "2024-02-29", "true"],
            ["7", "-7", "9223372036854775807", "-0.25", "-1e+300", "-0.01", "", "制造业", "微型  ", "x", "1969-12-31", "false"],
            ["null", "null", "null", "null", "null", "null", "null", "null", "null", "null", "null", "null"],
        ])
        // char(n) keeps its padding, as PostgreSQL returns it. An empty string and a null stay apart.
        let t = try XCTUnwrap(table.column("t"))
        XCTAssertFalse(t.isNull(1))
        XCTAssertTrue(t.isNull(2))
    }

    func testEmptyResultKeepsItsTypes() throws {
        let table = try db.query("SELECT 1::bigint AS a, 'x'::text AS b, current_date AS c WHERE false")
        XCTAssertEqual(table.rowCount, 0)
        XCTAssertEqual(table.names, ["a", "b", "c"])
        XCTAssertEqual(table.columns.map(\.type), [.int, .string, .date])
    }

    func testTrailingSemicolonAndCommentAreAccepted() throws {
        let table = try db.query("SELECT 42 AS answer -- the answer\n ;  ")
        XCTAssertEqual(rows(table), [["42"]])
    }

    func testNumericThatDoesNotFitADoubleNamesTheColumnAndRow() throws {
        try db.execute("CREATE TABLE amounts (amount numeric); INSERT INTO amounts VALUES (1.25), (12345678901234567.89)")
        let error = remoteError { _ = try db.query("SELECT amount FROM amounts ORDER BY amount") }
        XCTAssertEqual(error?.message, "column 'amount' (numeric): row 2 holds 12345678901234567.89, which a double cannot hold exactly; round it or cast it in the query, e.g. round(amount, 2) or amount::text")
        // Large numbers with few digits, and 17-digit values a double holds exactly, are fine.
        let ok = try db.query("SELECT 1e300::numeric AS a, 0.1::numeric + 0.2::numeric AS b, 9007199254740993::numeric - 1 AS c, 'NaN'::numeric AS d")
        XCTAssertEqual(rows(ok), [["1e+300", "0.3", "9007199254740992.0", "NaN"]])
        // The connection is usable after the refused copy.
        XCTAssertEqual(rows(try db.query("SELECT count(*) FROM amounts")), [["2"]])
    }

    func testTimestampsAtMidnightAreDatesElseUTCText() throws {
        let dates = try db.query("SELECT '2024-06-30'::timestamp AS a, '2024-06-30 00:00+08'::timestamptz AS b")
        XCTAssertEqual(dates.columns.map(\.type), [.date, .string])
        XCTAssertEqual(rows(dates), [["2024-06-30", "2024-06-29 16:00:00+00"]])
        let text = try db.query("SELECT x AS at FROM (VALUES ('2024-06-30 12:34:56.5'::timestamp), ('1999-12-31'::timestamp), (NULL)) v(x)")
        XCTAssertEqual(text.columns.map(\.type), [.string])
        XCTAssertEqual(rows(text), [["2024-06-30 12:34:56.5"], ["1999-12-31 00:00:00"], ["null"]])
    }

    func testUnsupportedTypeNamesTheColumnAndType() throws {
        let error = remoteError { _ = try db.query("SELECT 1 AS id, interval '1 day' AS wait") }
        XCTAssertEqual(error?.message, "column 'wait' has PostgreSQL type interval, which segsh does not read; cast it in the query (wait::text, ::double precision or ::date)")
    }

    func testUUIDAndJSONArriveAsTheirText() throws {
        let table = try db.query("""
            SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS id, '{"a": [1, "华东"]}'::jsonb AS doc,
                   '{"b":  2}'::json AS raw, NULL::uuid AS missing
            """)
        XCTAssertEqual(table.columns.map(\.type), [.string, .string, .string, .string])
        XCTAssertEqual(rows(table), [["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{\"a\": [1, \"华东\"]}", "{\"b\":  2}", "null"]])
    }

    func testInfiniteDateIsRefused() throws {
        let error = remoteError { _ = try db.query("SELECT 'infinity'::date AS until") }
        XCTAssertEqual(error?.message, "column 'until' (date): row 1 holds infinity, which segsh dates cannot hold; filter it out or replace it in the query")
    }

    func testDuplicateColumnNamesAreRefused() throws {
        let error = remoteError { _ = try db.query("SELECT 1 AS x, 2 AS x") }
        XCTAssertEqual(error?.message, "the query returns two columns named 'x'; rename one with AS")
    }

    func testStatementWithoutRowsIsRefusedByQuery() throws {
        let error = remoteError { _ = try db.query("CREATE TABLE nothing (x int)") }
        XCTAssertEqual(error?.message, "the statement returns no columns; run it with execute, or select something")
    }

    func testManyRowsArriveInOrder() throws {
        let table = try db.query("SELECT g AS n, 'c' || (g % 1000) AS label, g * 0.5 AS half FROM generate_series(1, 200000) g")
        XCTAssertEqual(table.rowCount, 200_000)
        guard case .int(let n) = table.columns[0].storage, case .double(let half) = table.columns[2].storage else {
            return XCTFail("wrong storage")
        }
        XCTAssertEqual(n, Array(1...200_000))
        XCTAssertEqual(half.last, 100_000)
        XCTAssertEqual(table.row(12_344)[1], .string("c345"))
        XCTAssertEqual(table.columns[2].type, .double)  // numeric arrives as double
    }

    func testSessionIsUTC() throws {
        XCTAssertEqual(rows(try db.query("SELECT current_setting('TimeZone') AS tz")), [["UTC"]])
        XCTAssertEqual(db.engineName, "PostgreSQL")
        XCTAssertTrue(db.serverVersion.hasPrefix("1"), db.serverVersion)
    }
}
