import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process-wide memory limit (`--memory-limit`). Operations whose output size is known
/// before they allocate it — a `load` (from the file size), a `join` (from its row count) —
/// call `MemoryBudget.check` first, so that a statement that would not fit fails with
/// `ColumnarError.memoryLimit` instead of the process being killed by the system.
///
/// The default is 80% of the memory available to the process: physical memory, or the
/// cgroup limit when a container sets a smaller one. A limit of 0 turns the checks off.
public enum MemoryBudget {
    private static let storage = Atomic<Int>(MemoryBudget.defaultLimit)

    /// The limit in bytes (0: no limit).
    public static var limit: Int { storage.load(ordering: .relaxed) }

    /// Sets the limit in bytes (0: no limit).
    public static func setLimit(_ bytes: Int) { storage.store(max(0, bytes), ordering: .relaxed) }

    /// 80% of `availableMemory`.
    public static var defaultLimit: Int { availableMemory / 5 * 4 }

    /// Physical memory, or the cgroup (v2 or v1) memory limit when it is smaller.
    public static var availableMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        var bytes = pages > 0 && size > 0 ? pages * size : Int.max / 2
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = readSmallFile(path), let v = Int(text.filter { !$0.isWhitespace }), v > 0 { bytes = min(bytes, v) }
        }
        return bytes
    }

    /// The resident memory of this process in bytes (Linux: /proc/self/statm; 0 elsewhere).
    public static func residentBytes() -> Int {
        guard let text = readSmallFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }

    /// Throws `ColumnarError.memoryLimit` when allocating about `bytes` more would take the
    /// process past the limit. `what` says what would be made ("the join would make 3,000,000 rows").
    public static func check(_ bytes: Int, for what: @autoclosure () -> String) throws {
        let limit = self.limit
        guard limit > 0, bytes > 0 else { return }
        let used = residentBytes()
        let (total, overflow) = used.addingReportingOverflow(bytes)
        if overflow || total > limit {
            throw ColumnarError.memoryLimit(
                "not enough memory: \(what()), about \(format(bytes)) more, and segsh already uses \(format(used)) "
                    + "of its \(format(limit)) limit (--memory-limit)")
        }
    }

    /// Parses a size: `4GB`, `500MB`, `1.5G`, `800K`, `1048576` (bytes), `50%` (of the
    /// available memory), or `0`/`none`/`off` for no limit. Units are powers of 1024.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingSpaces.uppercased()
        if t == "NONE" || t == "OFF" || t == "0" { return 0 }
        if t.hasSuffix("%") {
            guard let p = Double(t.dropLast()), p > 0, p <= 100 else { return nil }
            return Int(Double(availableMemory) * p / 100)
        }
        let units: [(String, Double)] = [("TB", 1_099_511_627_776), ("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024),
                                         ("T", 1_099_511_627_776), ("G", 1_073_741_824), ("M", 1_048_576), ("K", 1024), ("B", 1)]
        var number = Substring(t), scale = 1.0
        for (suffix, s) in units where t.hasSuffix(suffix) {
            number = t.dropLast(suffix.count)
            scale = s
            break
        }
        guard let v = Double(number.trimmingSpaces), v > 0, v.isFinite, v * scale < Double(Int.max / 2) else { return nil }
        return Int(v * scale)
    }

    /// `1.5 GB`, `512 MB`, `800 KB`, `12 bytes`.
    public static func format(_ bytes: Int) -> String {
        let units: [(String, Double)] = [("TB", 1_099_511_627_776), ("GB", 1_073_741_824), ("MB", 1_048_576), ("KB", 1024)]
        for (name, size) in units where Double(bytes) >= size {
            let v = Double(bytes) / size
            let text = v >= 100 ? String(Int(v.rounded())) : String(Double(Int((v * 10).rounded())) / 10)
            return text.hasSuffix(".0") ? String(text.dropLast(2)) + " " + name : text + " " + name
        }
        return "\(bytes) bytes"
    }

    /// `3,000,000`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" { s = s.dropLast() }
        return s
    }
}

extension DataType {
    /// Bytes one value takes in a column (a string: its dictionary code), for memory estimates.
    public var bytesPerRow: Int {
        switch self {
        case .int, .double: return 8
        case .date, .string: return 4
        case .bool: return 1
        }
    }
}
