import Columnar
import Diagnostics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a whole file that may not be a regular one. A FIFO is opened without waiting for
/// a writer and read until its writers close it (Ctrl-C stops the read, the memory limit
/// bounds it); a FIFO nobody wrote to is said to be one, not called an empty file. Devices
/// (`/dev/zero` never ends), sockets and folders are refused.
public enum FileBytes {
    /// What kind of file `path` is, for the readers: nil for a regular file.
    public static func refusal(_ path: String, mode: mode_t) -> String? {
        switch mode & mode_t(S_IFMT) {
        case mode_t(S_IFREG), mode_t(S_IFIFO): return nil
        case mode_t(S_IFDIR): return "'\(path)' is a folder, not a file"
        case mode_t(S_IFCHR), mode_t(S_IFBLK): return "'\(path)' is a device, not a file (segsh reads files and FIFOs)"
        default: return "'\(path)' is not a file (segsh reads files and FIFOs)"
        }
    }

    /// The bytes of `path`: a regular file or a FIFO.
    public static func read(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw Diagnostic("cannot open '\(path)': \(String(cString: strerror(errno)))", location: path) }
        defer { close(fd) }
        return try read(fd: fd, path: path)
    }

    /// The bytes of an open file descriptor (opened with O_NONBLOCK, which is cleared here).
    static func read(fd: Int32, path: String) throws -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Diagnostic("cannot read '\(path)': \(String(cString: strerror(errno)))", location: path) }
        if let refusal = refusal(path, mode: st.st_mode) { throw Diagnostic(refusal, location: path) }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            try Cancellation.check()
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Diagnostic("cannot read '\(path)': \(String(cString: strerror(errno)))", location: path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count >= 1 << 24 && bytes.count.nonzeroBitCount == 1 {
                try MemoryBudget.check(bytes.count, for: "reading '\(path)'")
            }
        }
        if bytes.isEmpty && st.st_mode & mode_t(S_IFMT) == mode_t(S_IFIFO) {
            throw Diagnostic("'\(path)' is a FIFO and nothing was written to it", location: path)
        }
        return bytes
    }
}
