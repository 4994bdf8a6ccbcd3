import Columnar
import Engine
import XCTest
@testable import Shell

final class ProgressBarTests: XCTestCase {
    final class Screen: @unchecked Sendable {
        var text = ""
    }

    func testNothingIsDrawnInTheFirstSecond() {
        let screen = Screen()
        let bar = ProgressBar(delay: 60, width: { 80 }, write: { screen.text += $0 })
        bar.begin()
        bar.update(label: "orders", fraction: 0.5)
        bar.end()
        XCTAssertEqual(screen.text, "")
    }

    func testDrawnAfterTheDelayAndErasedAtTheEnd() {
        let screen = Screen()
        let bar = ProgressBar(delay: 0, width: { 60 }, write: { screen.text += $0 })
        bar.begin()
        bar.update(label: "orders", fraction: 0.5)
        bar.update(label: "orders", fraction: 0.5)  // unchanged: not drawn again
        XCTAssertEqual(screen.text.components(separatedBy: "loading orders").count, 2, screen.text)
        XCTAssertTrue(screen.text.hasPrefix("\r\u{1B}[K"), screen.text)
        XCTAssertTrue(screen.text.hasSuffix(" 50%"), screen.text)
        bar.update(label: "orders", fraction: 1)
        XCTAssertTrue(screen.text.hasSuffix("\r\u{1B}[K"), screen.text)
        bar.end()
        XCTAssertFalse(screen.text.hasSuffix("\r\u{1B}[K\r\u{1B}[K"), "erased once: \(screen.text.debugDescription)")
        // Outside a statement nothing is drawn.
        let before = screen.text
        bar.update(label: "orders", fraction: 0.7)
        XCTAssertEqual(screen.text, before)
    }

    func testLineFitsTheWidth() {
        XCTAssertEqual(ProgressBar.line(label: "订单", fraction: 0.25, width: 40),
                       "loading 订单 █████▎" + String(repeating: " ", count: 15) + "  25%")
        for width in [20, 40, 80, 200] {
            let line = ProgressBar.line(label: "orders", fraction: 0.999, width: width)
            XCTAssertLessThanOrEqual(displayWidthOf(line), max(width - 1, 31), line)
        }
        XCTAssertTrue(ProgressBar.line(label: "x", fraction: 1, width: 80).hasSuffix("█ 100%"))
    }

    private func displayWidthOf(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x4E00 && $1.value <= 0x9FFF ? 2 : 1) }
    }
}
