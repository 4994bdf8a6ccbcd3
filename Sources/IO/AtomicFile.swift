import Diagnostics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file all at once or not at all: the content goes to a temporary file in the
/// same folder, which is flushed to disk and then renamed over the target. If anything
/// fails (the folder is missing or read-only, the disk is full, the serializer throws, the
/// user interrupts), the temporary file is removed and an existing file at the path is left
/// exactly as it was. An existing file's permission bits are kept.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { sink in
            bytes.withUnsafeBytes { sink.append($0) }
        }
    }

    /// Writes UTF-8 text to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Streams content into `path` atomically: `body` appends to a sink that drains into the
    /// temporary file (call `sink.flushIfNeeded()` now and then for large outputs). An error
    /// thrown by `body` is rethrown after cleaning up.
    public static func write(to path: String, _ body: (ByteSink) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw Diagnostic("cannot write '\(path)': not a file name") }

        var existing = stat()
        var oldMode: mode_t?
        if stat(path, &existing) == 0 {
            if existing.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) {
                throw Diagnostic("cannot write '\(path)': it is a folder")
            }
            oldMode = existing.st_mode & 0o7777
        }

        var tempPath = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            tempPath = (folder.isEmpty ? "" : folder + "/") + ".\(name).\(getpid()).\(attempt).tmp"
            fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Diagnostic("cannot write '\(path)': \(String(cString: strerror(errno)))") }

        var done = false
        defer {
            if fd >= 0 { close(fd) }
            if !done { unlink(tempPath) }
        }
        let sink = ByteSink(fileDescriptor: fd, path: path)
        try body(sink)
        try sink.flush()
        if let oldMode { fchmod(fd, oldMode) }
        if fsync(fd) != 0 { throw Diagnostic("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        let closed = close(fd)
        fd = -1
        if closed != 0 { throw Diagnostic("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        if rename(tempPath, path) != 0 {
            throw Diagnostic("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        done = true
    }
}
