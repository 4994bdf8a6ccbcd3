import XCTest
@testable import Columnar

final class CompensatedSumTests: XCTestCase {
    func testSumOfTenthsIsExact() {
        var s = CompensatedSum()
        for _ in 0..<10 { s.add(0.1) }
        XCTAssertEqual(s.value, 1.0)
        var naive = 0.0
        for _ in 0..<10 { naive += 0.1 }
        XCTAssertNotEqual(naive, 1.0)  // the error the compensation removes
    }

    func testLargeAndSmallTermsKeepTheSmallOnes() {
        var s = CompensatedSum()
        for x in [1e16, 1.0, -1e16, 1.0] { s.add(x) }
        XCTAssertEqual(s.value, 2.0)
    }

    func testMergedPartialSums() {
        var a = CompensatedSum(), b = CompensatedSum()
        for _ in 0..<1000 { a.add(1200.10) }
        for _ in 0..<1000 { b.add(0.01) }
        a.add(b)
        XCTAssertEqual(a.value, 1_200_110.0, accuracy: 1e-9)
    }

    func testGroupSumsOfMoneyComeOutRound() throws {
        let values = Column(.double([1200.50, 800, 150.25, 5000, 320, 2400, 99.99, 0.1, 0.2]))
        let groups = GroupIndex.single(rowCount: values.count)
        let sum = try Kernels.aggregate(.sum, values, groups: groups)
        XCTAssertEqual(sum[0], .double(9971.04))
    }
}
