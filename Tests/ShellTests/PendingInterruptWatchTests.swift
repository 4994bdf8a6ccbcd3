import Columnar
import Foundation
@testable import Shell
import XCTest

/// A Ctrl-C that arrived before the line editor blocked in `read` (the flag is set, nothing
/// was interrupted) still ends the wait for a line, as a Ctrl-C at the prompt does: the
/// prompt comes back and the next line typed is not discarded as interrupted.
final class PendingInterruptWatchTests: XCTestCase {
    func testAPendingCtrlCEndsTheWaitForALine() throws {
        InterruptHandler.install()
        defer {
            Cancellation.reset()
            signal(SIGINT, SIG_DFL)
        }
        var fds: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        // Should the watch not work, a byte written after 3 s ends the read: a failure, not a hang.
        let writer = fds[1]
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) {
            var byte: UInt8 = 0x61
            _ = write(writer, &byte, 1)
        }
        Cancellation.request()  // the Ctrl-C that came before the wait blocked
        let start = Date()
        PendingInterruptWatch.beginWaiting()
        var byte: UInt8 = 0
        let n = read(fds[0], &byte, 1)
        let error = errno
        PendingInterruptWatch.endWaiting()
        XCTAssertEqual(n, -1, "the read was not interrupted")
        XCTAssertEqual(error, EINTR)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }
}
