import XCTest
import Columnar

/// Compares multi-line text and, on a mismatch, reports the first differing line with both
/// versions in full.
func assertGolden(_ actual: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    guard actual != expected else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    var first = 0
    while first < min(a.count, e.count) && a[first] == e[first] { first += 1 }
    let got = first < a.count ? String(a[first]) : "<end>"
    let want = first < e.count ? String(e[first]) : "<end>"
    XCTFail("output differs at line \(first + 1):\n  got:  \(got)\n  want: \(want)\n--- got ---\n\(actual)--- want ---\n\(expected)",
            file: file, line: line)
}

/// A small table with Chinese text, nulls, and values that need quoting or escaping.
func sampleCustomers() throws -> Table {
    try Table(names: ["客户编号", "name", "amount", "share", "since", "vip"], columns: [
        Column.from([.int(1), .int(2), .int(1234567), .null]),
        Column.from([.string("上海机械"), .string("Acme, \"Inc\"\nline2"), .null, .string("a|b")]),
        Column.from([.double(1200.5), .double(-3), .double(0), .null]),
        Column.from([.double(0.0123), .double(0.5), .null, .double(0.25)]),
        Column.from([.date(19000), .null, .date(0), .date(-1)]),
        Column.from([.bool(true), .bool(false), .null, .bool(true)]),
    ])
}
