import Columnar
import Diagnostics
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The UTF-8 text of a CSV file as one contiguous, read-only byte buffer: the file mapped
/// read-only (never changed), or a buffer the bytes were converted into. A UTF-8 byte order
/// mark is skipped: `base` points after it.
final class CSVText: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let count: Int
    private enum Owner { case mapped(UnsafeMutableRawPointer, Int), allocated(UnsafeMutableRawPointer), none }
    private let owner: Owner

    private init(base: UnsafePointer<UInt8>, count: Int, owner: Owner) {
        self.base = base
        self.count = count
        self.owner = owner
    }

    deinit {
        switch owner {
        case .mapped(let p, let n): munmap(p, n)
        case .allocated(let p): free(p)
        case .none: break
        }
    }

    private static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    static var empty: CSVText { CSVText(base: UnsafePointer(emptyByte), count: 0, owner: .none) }

    /// Maps a file read-only.
    static func map(path: String) throws -> CSVText {
        // Without O_NONBLOCK, opening a FIFO waits for a writer forever.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Diagnostic("cannot open '\(path)': \(String(cString: strerror(errno)))", location: path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw Diagnostic("cannot read '\(path)': \(String(cString: strerror(errno)))", location: path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw Diagnostic("'\(path)' is a directory, not a CSV file", location: path) }
        if (st.st_mode & S_IFMT) != S_IFREG { return copy(try FileBytes.read(fd: fd, path: path)) }
        let size = Int(st.st_size)
        if size == 0 { return empty }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != UnsafeMutableRawPointer(bitPattern: -1) else {
            // Not mappable: read it instead.
            return copy(try FileBytes.read(fd: fd, path: path))
        }
        _ = madvise(p, size, MADV_SEQUENTIAL)
        return CSVText(base: UnsafePointer(p.assumingMemoryBound(to: UInt8.self)), count: size, owner: .mapped(p, size))
    }

    /// A private copy of some bytes.
    static func copy(_ bytes: [UInt8]) -> CSVText {
        if bytes.isEmpty { return empty }
        guard let p = malloc(bytes.count) else { return empty }
        bytes.withUnsafeBytes { src in if let b = src.baseAddress { p.copyMemory(from: b, byteCount: src.count) } }
        return CSVText(base: UnsafePointer(p.assumingMemoryBound(to: UInt8.self)), count: bytes.count, owner: .allocated(p))
    }

    /// The same text without a leading UTF-8 byte order mark.
    func droppingBOM() -> CSVText {
        guard count >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF else { return self }
        return CSVText(base: base + 3, count: count - 3, owner: .none, keeping: self)
    }

    private var parent: CSVText?
    private convenience init(base: UnsafePointer<UInt8>, count: Int, owner: Owner, keeping parent: CSVText) {
        self.init(base: base, count: count, owner: owner)
        self.parent = parent
    }

    /// Whether the bytes are a read-only map of the file (not a buffer of our own).
    var isFileMapping: Bool {
        if case .mapped = owner { return true }
        return parent?.isFileMapping ?? false
    }

    static let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 4096)

    /// Lets the kernel drop the mapped pages wholly inside `from..<to` from this process's
    /// memory (they are read again from the file if touched later), so that a parsed file
    /// does not stay resident next to the table built from it. Only for file mappings:
    /// anything else is left alone.
    func releasePages(from: Int, to: Int) {
        guard isFileMapping else { return }
        let page = CSVText.pageSize
        let raw = UInt(bitPattern: UnsafeRawPointer(base))
        let lo = (raw + UInt(max(from, 0)) + UInt(page - 1)) / UInt(page) * UInt(page)
        let hi = (raw + UInt(min(to, count))) / UInt(page) * UInt(page)
        guard hi > lo, let p = UnsafeMutableRawPointer(bitPattern: lo) else { return }
        _ = madvise(p, Int(hi - lo), MADV_DONTNEED)
    }

    /// Converts the whole buffer from `encoding` (an iconv name) to UTF-8; nil when the bytes
    /// are not valid in that encoding.
    func converted(from encoding: String) -> CSVText? {
        let cd = iconv_open("UTF-8", encoding)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var capacity = count + count / 2 + 64
        guard var out = malloc(capacity) else { return nil }
        var inPtr = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))
        var inLeft = count
        var used = 0
        while inLeft > 0 {
            var outPtr: UnsafeMutablePointer<CChar>? = (out + used).assumingMemoryBound(to: CChar.self)
            var outLeft = capacity - used
            var inOpt: UnsafeMutablePointer<CChar>? = inPtr
            let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
            used = capacity - outLeft
            if let inOpt { inPtr = inOpt }
            if r == -1 {
                if errno == E2BIG {
                    capacity *= 2
                    guard let grown = realloc(out, capacity) else { free(out); return nil }
                    out = grown
                    continue
                }
                free(out)
                return nil
            }
        }
        return CSVText(base: UnsafePointer(out.assumingMemoryBound(to: UInt8.self)), count: used, owner: .allocated(out))
    }

    /// The offset of the first NUL byte, if any.
    func firstNUL() -> Int? {
        guard count > 0, let hit = memchr(base, 0, count) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    /// The offset of the first byte that is not valid UTF-8, if any. Two halves are checked
    /// in parallel on large inputs.
    func firstInvalidUTF8() -> Int? {
        if count < 1 << 20 { return CSVText.firstInvalidUTF8(base, 0, count) }
        var mid = count / 2
        while mid < count, base[mid] & 0xC0 == 0x80 { mid += 1 }
        var results: [Int?] = [nil, nil]
        let p = base, n = count
        results.withUnsafeMutableBufferPointer { slots in
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                slots[k] = k == 0 ? CSVText.firstInvalidUTF8(p, 0, mid) : CSVText.firstInvalidUTF8(p, mid, n)
            }
        }
        return results[0] ?? results[1]
    }

    /// Whether the `n` bytes at `p` are all ASCII.
    static func isASCII(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let raw = UnsafeRawPointer(p)
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= n { high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self); i += 8 }
        while i < n { high |= UInt64(p[i]); i += 1 }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// Stops early (nil) when the user interrupts; the caller checks `Cancellation`.
    static func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        let raw = UnsafeRawPointer(p)
        var nextCheck = start + (1 << 20)
        while i < end {
            if i >= nextCheck {
                if Cancellation.isRequested { return nil }
                nextCheck = i + (1 << 20)
            }
            if i + 8 <= end {
                // ASCII bytes eight at a time; before a non-ASCII byte, skip to it at once.
                let high = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080
                if high == 0 { i += 8; continue }
                i += high.trailingZeroBitCount >> 3
            }
            let b0 = p[i]
            if b0 < 0x80 { i += 1; continue }
            // The common case of CJK text first: a lead byte E1...EF other than ED takes any
            // two continuation bytes.
            if b0 &- 0xE1 < 0x0F, b0 != 0xED, i + 2 < end, p[i + 1] & 0xC0 == 0x80, p[i + 2] & 0xC0 == 0x80 {
                i += 3
                continue
            }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < end && p[i + k] & 0xC0 == 0x80 }
            if b0 < 0xC2 { return i }
            if b0 < 0xE0 {
                guard cont(1) else { return i }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 1 < end else { return i }
                let b1 = p[i + 1]
                let ok1 = b0 == 0xE0 ? (0xA0...0xBF).contains(b1) : b0 == 0xED ? (0x80...0x9F).contains(b1) : b1 & 0xC0 == 0x80
                guard ok1, cont(2) else { return i }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 1 < end else { return i }
                let b1 = p[i + 1]
                let ok1 = b0 == 0xF0 ? (0x90...0xBF).contains(b1) : b0 == 0xF4 ? (0x80...0x8F).contains(b1) : b1 & 0xC0 == 0x80
                guard ok1, cont(2), cont(3) else { return i }
                i += 4
            } else {
                return i
            }
        }
        return nil
    }

    /// Human position of a byte offset: 1-based line (LF, CRLF or lone CR end a line) and
    /// 1-based column counted in characters.
    func location(of offset: Int) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), count)
        var line = 1, lineStart = 0, i = 0
        while i < end {
            let b = base[i]
            if b == 10 || (b == 13 && !(i + 1 < count && base[i + 1] == 10)) { line += 1; lineStart = i + 1 }
            i += 1
        }
        var column = 1
        var k = lineStart
        while k < end { if base[k] & 0xC0 != 0x80 { column += 1 }; k += 1 }
        return (line, column)
    }
}
