import Columnar
import Diagnostics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growing byte buffer that writers append UTF-8 to, optionally draining into a file
/// descriptor whenever it holds more than `flushThreshold` bytes, so exporting a large table
/// never holds the whole file in memory.
public final class ByteSink {
    // A manually managed buffer: appends are the hot loop of every writer, and `[UInt8]`
    // appends on a class property pay uniqueness and exclusivity checks per byte. A sink is
    // never shared across threads or re-entered, so the checks are switched off.
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    /// Bytes currently buffered.
    @exclusivity(unchecked) public private(set) var count = 0
    private let fd: Int32?
    private let path: String
    private let flushThreshold: Int

    /// An in-memory sink (rendering to a `String`).
    public init(capacity: Int = 4096) {
        fd = nil
        path = ""
        flushThreshold = Int.max
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// A sink that drains into `fd`; `path` names it in error messages.
    public init(fileDescriptor: Int32, path: String, flushThreshold: Int = 1 << 20) {
        fd = fileDescriptor
        self.path = path
        self.flushThreshold = flushThreshold
        capacity = max(64, min(flushThreshold, 1 << 20) + 4096)
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// The buffered bytes (a copy).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The buffered bytes as text.
    public var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    @inline(__always)
    private func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        new.update(from: base, count: count)
        base.deallocate()
        base = new
        capacity = newCapacity
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    public func append(_ raw: UnsafeRawBufferPointer) {
        guard let src = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: raw.count)
        count += raw.count
    }

    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the decimal digits of an integer without creating a `String`.
    public func append(_ value: Int64) {
        reserve(20)
        var m = value.magnitude
        if value < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        let start = count
        repeat {
            base[count] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10)
            m /= 10
            count += 1
        } while m > 0
        var i = start, j = count - 1
        while i < j { let t = base[i]; base[i] = base[j]; base[j] = t; i += 1; j -= 1 }
    }

    /// Appends an ISO date (`2024-06-30`) from days since 1970-01-01.
    public func appendDate(_ days: Int32) {
        let d = CivilDate(daysSinceEpoch: days)
        var year = d.year
        if year < 0 { append(UInt8(ascii: "-")); year = -year }
        if year < 1000 { append(UInt8(ascii: "0")) }
        if year < 100 { append(UInt8(ascii: "0")) }
        if year < 10 { append(UInt8(ascii: "0")) }
        append(Int64(year))
        append(UInt8(ascii: "-"))
        append(UInt8(ascii: "0") + UInt8(d.month / 10)); append(UInt8(ascii: "0") + UInt8(d.month % 10))
        append(UInt8(ascii: "-"))
        append(UInt8(ascii: "0") + UInt8(d.day / 10)); append(UInt8(ascii: "0") + UInt8(d.day % 10))
    }

    /// Drains the buffer into the file when it is over the threshold (call once per row).
    @inline(__always)
    public func flushIfNeeded() throws {
        if count >= flushThreshold { try flush() }
    }

    /// Writes everything buffered to the file descriptor (no-op for an in-memory sink).
    public func flush() throws {
        guard let fd, count > 0 else { return }
        var offset = 0
        while offset < count {
            let n = write(fd, base + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Diagnostic("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        count = 0
    }
}
