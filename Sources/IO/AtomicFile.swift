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
        // A symbolic link is written through: its target gets the content, the link stays.
        var link = stat()
        var path = path
        if lstat(path, &link) == 0 && link.st_mode & mode_t(S_IFMT) == mode_t(S_IFLNK) {
            // The link's destination (relative to the link's folder); a missing file there is created.
            var buffer = [CChar](repeating: 0, count: 4097)
            let n = readlink(path, &buffer, 4096)
            let destination = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : path
            let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
            let full = destination.hasPrefix("/") ? destination : folder + "/" + destination
            guard let target = RealPath.of(full), lstat(target, &link) != 0 || link.st_mode & mode_t(S_IFMT) != mode_t(S_IFLNK) else {
                throw Diagnostic("cannot write '\(path)': it is a symbolic link to a missing folder or a loop")
            }
            path = target
        }
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
        TemporaryFileOnSignal.set(tempPath)
        defer {
            TemporaryFileOnSignal.clear()
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
        removeLeftovers(folder: folder.isEmpty ? "." : folder, name: name)
    }

    /// Installs handlers for `signals` (SIGINT and SIGTERM in script mode) that remove the
    /// temporary file of a write in progress, then end the process as the signal would have.
    public static func removeTemporaryFileOnSignals(_ signals: [Int32]) {
        TemporaryFileOnSignal.prepare()
        for sig in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                TemporaryFileOnSignal.removeNow()
                signal(sig, SIG_DFL)
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, nil)
        }
    }

    /// Removes the temporary files of earlier writes to the same name that never finished
    /// (a segsh killed with SIGKILL cannot clean up): `.NAME.PID.N.tmp` whose process no
    /// longer runs here and that nothing has written to for ten minutes (so that a write in
    /// progress from another machine sharing the folder is left alone).
    static func removeLeftovers(folder: String, name: String, now: time_t = time(nil)) {
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        let prefix = "." + name + "."
        while let entry = readdir(dir) {
            let file = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard file.hasPrefix(prefix), file.hasSuffix(".tmp") else { continue }
            let middle = file.dropFirst(prefix.count).dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
            guard middle.count == 2, let pid = pid_t(middle[0]), pid > 0, Int(middle[1]) != nil else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            let full = folder + "/" + file
            var info = stat()
            guard stat(full, &info) == 0 else { continue }
            #if canImport(Glibc)
            let modified = info.st_mtim.tv_sec
            #else
            let modified = info.st_mtimespec.tv_sec
            #endif
            guard now - modified > 600 else { continue }
            unlink(full)
        }
    }
}

/// The path of the temporary file being written, kept as a C string in memory allocated
/// up front, so a signal handler can `unlink` it (both async-signal-safe).
enum TemporaryFileOnSignal {
    private static let capacity = 4096
    private static let path: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        p.initialize(repeating: 0, count: capacity)
        return p
    }()

    /// Allocates the buffer (lazy initialisation is not async-signal-safe).
    static func prepare() { path[0] = 0 }

    static func set(_ temp: String) {
        let bytes = Array(temp.utf8.prefix(capacity - 1))
        guard bytes.count == temp.utf8.count else { path[0] = 0; return }
        // The first byte last: until then the handler sees an empty path, never a mix.
        path[0] = 0
        for (i, b) in bytes.enumerated() where i > 0 { path[i] = CChar(bitPattern: b) }
        path[bytes.count] = 0
        if let first = bytes.first { path[0] = CChar(bitPattern: first) }
    }

    static func clear() { path[0] = 0 }

    /// Called from the signal handler.
    static func removeNow() { if path[0] != 0 { unlink(path) } }
}
