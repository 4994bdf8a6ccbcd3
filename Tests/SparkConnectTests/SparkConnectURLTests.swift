import XCTest
import Engine
@testable import SparkConnect

/// `sc://` URLs as Spark Connect clients write them, and the errors for bad ones (which never
/// show the token).
final class SparkConnectURLTests: XCTestCase {
    func testHostPortAndParameters() throws {
        let plain = try SparkConnectURL("sc://spark.example:15003")
        XCTAssertEqual(plain.host, "spark.example")
        XCTAssertEqual(plain.port, 15003)
        XCTAssertNil(plain.token)
        XCTAssertFalse(plain.useTLS)

        XCTAssertEqual(try SparkConnectURL("sc://localhost").port, 15002, "the default port")

        let full = try SparkConnectURL("sc://dbc.example:443/;token=dapi123;user_id=ana;x-databricks-cluster-id=0601")
        XCTAssertEqual(full.token, "dapi123")
        XCTAssertEqual(full.userID, "ana")
        XCTAssertTrue(full.useTLS, "a token implies TLS")
        XCTAssertEqual(full.metadata, ["x-databricks-cluster-id": "0601"])
        XCTAssertEqual(full.address, "sc://dbc.example:443")

        XCTAssertFalse(try SparkConnectURL("sc://h:1/;token=t;use_ssl=false").useTLS)
        XCTAssertTrue(try SparkConnectURL("sc://h:1/;use_ssl=true").useTLS)
    }

    private func message(_ url: String) -> String {
        do { _ = try SparkConnectURL(url); return "no error" } catch { return "\(error)" }
    }

    func testBadURLsAreClearErrorsWithoutTheToken() {
        let hint = "; write sc://HOST:PORT, optionally followed by /;token=...;user_id=...;use_ssl=true"
        XCTAssertEqual(message("http://h:15002"), "invalid Spark Connect URL 'http://h:15002': it must start with sc://" + hint)
        XCTAssertEqual(message("sc://:15002"), "invalid Spark Connect URL 'sc://:15002': the host is missing" + hint)
        XCTAssertEqual(message("sc://h:99999"), "invalid Spark Connect URL 'sc://h:99999': the port '99999' is not a number from 1 to 65535" + hint)
        XCTAssertEqual(message("sc://h:port"), "invalid Spark Connect URL 'sc://h:port': the port 'port' is not a number from 1 to 65535" + hint)
        XCTAssertEqual(message("sc://h:1/;token=secret;use_ssl=maybe"),
                       "invalid Spark Connect URL 'sc://h:1/;token=***;use_ssl=maybe': use_ssl must be true or false, not 'maybe'" + hint)
        XCTAssertEqual(message("sc://h:1/;token=secret;user_id"),
                       "invalid Spark Connect URL 'sc://h:1/;token=***;user_id': the parameter 'user_id' has no '='" + hint)
    }

    func testSparkTypesMapToSegshTypes() {
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "bigint"), .int)
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "decimal(12,2)"), .double)
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "date"), .date)
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "boolean"), .bool)
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "string"), .string)
        XCTAssertEqual(SparkConnectDatabase.segshType(ofSparkType: "timestamp"), .string)
    }
}
