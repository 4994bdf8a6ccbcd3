import Columnar
import Engine
import PostgresClient
import XCTest

/// `write`, `tables` and `columns(of:)`.
final class PostgresWriteTests: PostgresTestCase {
    func sample() throws -> Table {
        try Table(names: ["客户", "n", "amount", "day", "vip", "a\"b"], columns: [
            Column.from([.string("上海联创"), .string(""), .null]),
            Column.from([.int(Int64.min), .null, .int(Int64.max)]),
            Column.from([.double(0.1), .double(-.infinity), .null]),
            Column.from([.date(CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch), .null, .date(-1)], type: .date),
            Column.from([.bool(true), .bool(false), .null]),
            Column.from([.null, .null, .string("x")]),
        ])
    }

    func testWriteThenReadBackIsIdentical() throws {
        let table = try sample()
        try db.write(table, to: RemoteTableName(schema: schema, table: "客户分层"), replace: false)
        let back = try db.query("SELECT * FROM \(schema).\"客户分层\"")
        XCTAssertEqual(back.names, table.names)
        XCTAssertEqual(back.columns.map(\.type), table.columns.map(\.type))
        XCTAssertEqual(rows(back), rows(table))
        XCTAssertEqual(rows(back), [
            ["上海联创", "-9223372036854775808", "0.1", "2024-02-29", "true", "null"],
            ["", "null", "-inf", "null", "false", "null"],
            ["null", "9223372036854775807", "null", "1969-12-31", "null", "x"],
        ])
        let columns = try db.columns(of: RemoteTableName(schema: schema, table: "客户分层"))
        XCTAssertEqual(columns, [
            RemoteColumn(name: "客户", type: .string, engineType: "text"),
            RemoteColumn(name: "n", type: .int, engineType: "bigint"),
            RemoteColumn(name: "amount", type: .double, engineType: "double precision"),
            RemoteColumn(name: "day", type: .date, engineType: "date"),
            RemoteColumn(name: "vip", type: .bool, engineType: "boolean"),
            RemoteColumn(name: "a\"b", type: .string, engineType: "text"),
        ])
    }

    func testExistingTableNeedsReplaceAndReplaceSwapsItInOneTransaction() throws {
        let name = RemoteTableName(schema: nil, table: "tiers")
        try db.write(try sample(), to: name, replace: false)
        let error = remoteError { try db.write(try sample(), to: name, replace: false) }
        XCTAssertEqual(error?.message, "PostgreSQL: relation \"tiers\" already exists; write with replace to overwrite it")
        XCTAssertEqual(error?.code, "42P07")
        let small = try Table(names: ["tier"], columns: [Column.from([.string("S"), .string("A")])])
        try db.write(small, to: name, replace: true)
        XCTAssertEqual(rows(try db.query("SELECT * FROM tiers ORDER BY tier")), [["A"], ["S"]])
    }

    func testFailedWriteLeavesTheOldTable() throws {
        let name = RemoteTableName(schema: nil, table: "kept")
        try db.write(try Table(names: ["x"], columns: [Column.from([.int(1)])]), to: name, replace: false)
        // A date PostgreSQL cannot store is refused before anything is sent.
        let far = try Table(names: ["d"], columns: [Column(.date([Int32.max]))])
        let error = remoteError { try db.write(far, to: name, replace: true) }
        XCTAssertEqual(error?.message, "column 'd': row 1 holds the date \(CivilDate(daysSinceEpoch: Int32.max)), outside PostgreSQL's dates (4714-11-24 BC to 5874897-12-31); filter or fix it before writing")
        // A failure inside the transaction (a view of that name cannot be dropped as a table) rolls back.
        try db.execute("CREATE VIEW v AS SELECT 1 AS x")
        let viewError = remoteError { try db.write(try Table(names: ["x"], columns: [Column.from([.int(2)])]), to: RemoteTableName(schema: nil, table: "v"), replace: true) }
        XCTAssertEqual(viewError?.message, "PostgreSQL: \"v\" is not a table; hint: Use DROP VIEW to remove a view.")
        XCTAssertEqual(rows(try db.query("SELECT * FROM kept")), [["1"]])
        XCTAssertEqual(rows(try db.query("SELECT * FROM v")), [["1"]])
    }

    func testValuesAndNamesPostgresCannotHoldAreRefused() throws {
        let nul = try Table(names: ["s"], columns: [Column.from([.string("ok"), .string("a\u{0}b")])])
        XCTAssertEqual(remoteError { try db.write(nul, to: RemoteTableName(schema: nil, table: "t"), replace: false) }?.message,
                       "column 's': row 2 holds text with a NUL character, which PostgreSQL text cannot store; remove it (replace) before writing")
        let longName = String(repeating: "客", count: 22)
        let wide = try Table(names: [longName], columns: [Column.from([.int(1)])])
        XCTAssertEqual(remoteError { try db.write(wide, to: RemoteTableName(schema: nil, table: "t"), replace: false) }?.message,
                       "column name '\(longName)' is 66 bytes long; PostgreSQL names hold at most 63 bytes (21 Chinese characters): rename it")
        XCTAssertEqual(try db.tables().filter { $0.schema == schema }, [])
    }

    func testBulkWriteOfManyRows() throws {
        let n = 300_000
        let table = try Table(names: ["id", "amount", "region"], columns: [
            Column(.int((0..<n).map { Int64($0) })),
            Column(.double((0..<n).map { Double($0) / 4 })),
            Column.from((0..<n).map { .string(["华东", "华南", "华北"][$0 % 3]) }),
        ])
        try db.write(table, to: RemoteTableName(schema: nil, table: "big"), replace: false)
        XCTAssertEqual(rows(try db.query("SELECT count(*) AS n, sum(id) AS ids, sum(amount) AS amount, count(DISTINCT region) AS regions FROM big")),
                       [["300000", "44999850000", "11249962500", "3"]])
        let back = try db.query("SELECT * FROM big ORDER BY id")
        XCTAssertEqual(rows(back).suffix(1), [["299999", "74999.75", "华北"]])
    }

    func testTablesListsUserTablesAndViewsOnly() throws {
        try db.execute("CREATE TABLE orders (x int); CREATE VIEW recent AS SELECT * FROM orders; CREATE SCHEMA \(schema)_b; CREATE TABLE \(schema)_b.\"订单\" (y int)")
        defer { try? db.execute("DROP SCHEMA \(schema)_b CASCADE") }
        let mine = try db.tables().filter { $0.schema == schema || $0.schema == schema + "_b" }
        XCTAssertEqual(mine, [
            RemoteTableName(schema: schema, table: "orders"),
            RemoteTableName(schema: schema, table: "recent"),
            RemoteTableName(schema: schema + "_b", table: "订单"),
        ])
        XCTAssertFalse(try db.tables().contains { $0.schema == "pg_catalog" || $0.schema == "information_schema" })
        // Without a schema the search path finds it.
        XCTAssertEqual(try db.columns(of: RemoteTableName(schema: nil, table: "recent")), [RemoteColumn(name: "x", type: .int, engineType: "integer")])
    }

    func testColumnsOfAMissingTableOrAnUnreadableType() throws {
        XCTAssertEqual(remoteError { _ = try db.columns(of: RemoteTableName(schema: "public", table: "nope")) }?.message,
                       "PostgreSQL has no table or view public.nope (list them with .tables)")
        try db.execute("CREATE TABLE odd (id int, payload money, amount numeric(12,2), at timestamptz)")
        XCTAssertEqual(remoteError { _ = try db.columns(of: RemoteTableName(schema: nil, table: "odd")) }?.message,
                       "column 'payload' of odd has PostgreSQL type money, which segsh does not read; cast it in a view (payload::text)")
        try db.execute("ALTER TABLE odd DROP COLUMN payload")
        XCTAssertEqual(try db.columns(of: RemoteTableName(schema: nil, table: "odd")), [
            RemoteColumn(name: "id", type: .int, engineType: "integer"),
            RemoteColumn(name: "amount", type: .double, engineType: "numeric(12,2)"),
            RemoteColumn(name: "at", type: .date, engineType: "timestamp with time zone"),
        ])
    }
}
