import Foundation

/// Where the shell writes: stdout for results, stderr for everything else.
public protocol ShellOutput: AnyObject {
    func out(_ text: String)
    func err(_ text: String)
}

/// The process's stdout and stderr, written unbuffered with `write(2)` so that results,
/// diagnostics and the line editor never interleave out of order.
public final class StandardOutput: ShellOutput {
    public init() {}
    public func out(_ text: String) { StandardOutput.write(text, to: 1) }
    public func err(_ text: String) { StandardOutput.write(text, to: 2) }

    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { buffer in
            guard var base = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let n = Glibc.write(fd, base, remaining)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                remaining -= n
                base += n
            }
        }
    }
}

/// Output kept in memory, for tests.
public final class CapturedOutput: ShellOutput {
    public private(set) var stdout = ""
    public private(set) var stderr = ""
    public init() {}
    public func out(_ text: String) { stdout += text }
    public func err(_ text: String) { stderr += text }
}

enum Output {
    static let standard = StandardOutput()
}
