import XCTest
@testable import Shell

final class HistorySearchTests: XCTestCase {
    let entries = ["customers | where industry == \"金融\"", "param a = 1", "orders | take 5",
                   "customers | where industry == \"制造业\""]

    func testTypingNarrowsToTheNewestMatch() {
        var search = HistorySearch(entries: entries)
        XCTAssertNil(search.match)
        XCTAssertEqual(search.prompt, "(search)'': ")
        search.append("y")
        XCTAssertEqual(search.match, entries[3])
        // Chinese characters are part of the pattern (libedit's own search ends on most of them).
        for character in " == \"金融" { search.append(character) }
        XCTAssertEqual(search.match, entries[0])
        XCTAssertEqual(search.prompt, "(search)'y == \"金融': ")
        XCTAssertFalse(search.failed)
    }

    func testCtrlRGoesToOlderMatchesAndFailsAtTheOldest() {
        var search = HistorySearch(entries: entries)
        for character in "customers" { search.append(character) }
        XCTAssertEqual(search.index, 3)
        search.older()
        XCTAssertEqual(search.index, 0)
        search.older()
        XCTAssertTrue(search.failed)
        XCTAssertEqual(search.index, 0, "the last match stays shown")
        XCTAssertEqual(search.prompt, "(failed search)'customers': ")
    }

    func testBackspaceSearchesAgainFromTheNewest() {
        var search = HistorySearch(entries: entries)
        for character in "take 5x" { search.append(character) }
        XCTAssertTrue(search.failed)
        search.deleteLast()
        XCTAssertFalse(search.failed)
        XCTAssertEqual(search.match, "orders | take 5")
        for _ in 0..<10 { search.deleteLast() }
        XCTAssertEqual(search.pattern, "")
        XCTAssertNil(search.match)
    }

    func testEmptyHistory() {
        var search = HistorySearch(entries: [])
        search.append("x")
        search.older()
        XCTAssertNil(search.match)
        XCTAssertTrue(search.failed)
    }
}
