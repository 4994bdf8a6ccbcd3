import Engine
@testable import PostgresClient
import XCTest

/// The parts that need no server: numeric conversion, connection strings, quoting.
final class PostgresNumericTests: XCTestCase {
    /// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, base-10000 digits.
    func binary(_ groups: [Int16], weight: Int16, negative: Bool = false, special: UInt16? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt16(groups.count))
        bytes.appendBigEndian(UInt16(bitPattern: weight))
        bytes.appendBigEndian(special ?? (negative ? 0x4000 : 0))
        bytes.appendBigEndian(UInt16(0))
        for g in groups { bytes.appendBigEndian(UInt16(bitPattern: g)) }
        return bytes
    }

    func decode(_ bytes: [UInt8]) -> PostgresNumeric? {
        bytes.withUnsafeBytes { PostgresNumeric(binary: $0) }
    }

    func testExactValuesBecomeDoubles() throws {
        // 123.45 = 123 | 4500 with weight 0
        XCTAssertEqual(decode(binary([123, 4500], weight: 0))?.exactDouble, 123.45)
        XCTAssertEqual(decode(binary([1], weight: -1, negative: true))?.exactDouble, -0.0001)
        XCTAssertEqual(decode(binary([], weight: 0))?.exactDouble, 0)
        XCTAssertEqual(decode(binary([1], weight: 75))?.exactDouble, 1e300)
        // 9007199254740993 is not a double; 9007199254740992 is.
        let notADouble = try XCTUnwrap(decode(binary([9007, 1992, 5474, 993], weight: 3)))
        XCTAssertEqual(notADouble.text, "9007199254740993")
        XCTAssertNil(notADouble.exactDouble)
        XCTAssertEqual(decode(binary([9007, 1992, 5474, 992], weight: 3))?.exactDouble, 9_007_199_254_740_992)
        XCTAssertEqual(decode(binary([], weight: 0, special: 0xD000))?.exactDouble, .infinity)
        XCTAssertEqual(decode(binary([], weight: 0, special: 0xC000))?.exactDouble?.isNaN, true)
    }

    func testInexactValuesAreRefusedWithTheirText() throws {
        let value = try XCTUnwrap(decode(binary([1, 2345, 6789, 123, 4567, 8900], weight: 4)))
        XCTAssertEqual(value.text, "12345678901234567.89")
        XCTAssertNil(value.exactDouble)
        XCTAssertEqual(decode(binary([12], weight: -2, negative: true))?.text, "-0.00000012")
        XCTAssertNil(decode([0, 1, 0, 0]))          // too short
        XCTAssertNil(decode(binary([10_000], weight: 0)))  // a digit beyond base 10000
    }

    /// Every decimal with up to 15 significant digits round-trips; against strtod's answer.
    func testShortDecimalsAgainstTheStandardLibrary() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let digits = Int.random(in: 1...15, using: &generator)
            let mantissa = Int64.random(in: 1...Int64(pow(10.0, Double(digits))) - 1, using: &generator)
            let exponent = Int.random(in: -30...30, using: &generator)
            let text = "\(mantissa)e\(exponent)"
            var decimal = Array(String(mantissa).utf8).map { $0 - 48 }
            var e = exponent
            while decimal.last == 0 { decimal.removeLast(); e += 1 }
            let numeric = PostgresNumeric(digits: decimal, exponent: e, negative: false)
            XCTAssertEqual(numeric.exactDouble, Double(text), text)
        }
    }
}

final class PostgresConnectionStringTests: XCTestCase {
    func testRedactsThePasswordOfAURIAndOfKeyValuePairs() throws {
        let uri = try PostgresConnectionString("postgresql://analyst:p%40ss%20w0rd@db.example:5432/crm")
        XCTAssertEqual(uri.password, "p@ss w0rd")
        XCTAssertEqual(uri.redacted, "postgresql://analyst:***@db.example:5432/crm")
        let pairs = try PostgresConnectionString("host=db.example dbname=crm password=hunter22 connect_timeout=3")
        XCTAssertEqual(pairs.redacted, "host=db.example dbname=crm password=*** connect_timeout=3")
        XCTAssertEqual(pairs.connectTimeout, 3)
        XCTAssertEqual(try PostgresConnectionString("postgresql://u@h/d").redacted, "postgresql://u@h/d")
    }

    func testAnUnreadableStringIsRefusedWithoutQuotingIt() throws {
        do {
            _ = try PostgresConnectionString("host=h password=topsecret bogus")
            XCTFail("expected an error")
        } catch let error as RemoteError {
            XCTAssertFalse(error.message.contains("topsecret"), error.message)
            XCTAssertEqual(error.message, "invalid PostgreSQL connection string: missing \"…\" after \"…\" in connection info string; write postgresql://USER@HOST:PORT/DATABASE or host=HOST dbname=DATABASE")
        }
    }

    func testMessagesAreOneLineWithoutPrefixesOrSecrets() {
        XCTAssertEqual(PostgresConnection.oneLine("FATAL:  password authentication failed for user \"hunter22\"\n", secrets: ["hunter22"]),
                       "password authentication failed for user \"***\"")
        XCTAssertEqual(PostgresConnection.oneLine("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n", secrets: []),
                       "server closed the connection unexpectedly. This probably means the server terminated abnormally before or while processing the request.")
    }

    func testQuotingAndIdentifierLimits() throws {
        XCTAssertEqual(PostgresDatabase.quoted("订单"), "\"订单\"")
        XCTAssertEqual(PostgresDatabase.quoted(RemoteTableName(schema: "crm", table: "a\"b")), "\"crm\".\"a\"\"b\"")
        XCTAssertNoThrow(try PostgresDatabase.checkIdentifier(String(repeating: "客", count: 21), what: "column"))
        XCTAssertThrowsError(try PostgresDatabase.checkIdentifier(String(repeating: "客", count: 22), what: "column"))
        XCTAssertThrowsError(try PostgresDatabase.checkIdentifier("", what: "table"))
        XCTAssertEqual(PostgresDatabase.withoutTrailingSemicolons("SELECT 1; ;\n"), "SELECT 1")
    }

    func testTimestampText() {
        let micros: Int64 = (8766 * 86_400 + 12 * 3600 + 34 * 60 + 56) * 1_000_000 + 500_000
        XCTAssertEqual(TimestampBuilder.text(micros, withZone: false), "2024-01-01 12:34:56.5")
        XCTAssertEqual(TimestampBuilder.text(-1, withZone: true), "1999-12-31 23:59:59.999999+00")
    }
}

final class TextInternerTests: XCTestCase {
    /// Codes are dense, first-seen order, equal for equal bytes; against a Swift dictionary,
    /// across several index growths, with empty and Chinese strings.
    func testAgainstADictionary() throws {
        var interner = TextInterner()
        var reference: [String: Int32] = [:]
        var codes: [Int32] = [], expected: [Int32] = []
        for i in 0..<20_000 {
            let s = i % 7 == 0 ? "" : (i % 3 == 0 ? "客户\(i % 1500)" : "c\(i % 5000)")
            var bytes = Array(s.utf8)
            codes.append(bytes.withUnsafeMutableBytes { interner.intern(UnsafeRawBufferPointer($0)) })
            if reference[s] == nil { reference[s] = Int32(reference.count) }
            expected.append(reference[s] ?? -1)
        }
        XCTAssertEqual(codes, expected)
        XCTAssertEqual(interner.count, reference.count)
        let dictionary = interner.dictionary()
        for (s, code) in reference { XCTAssertEqual(dictionary.string(code), s) }
    }
}
