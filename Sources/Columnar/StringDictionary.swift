/// The distinct strings of a dictionary-encoded string column, stored in one byte arena.
/// Codes are dense `Int32` indexes into the dictionary. Interning hashes raw UTF-8 bytes, so
/// building a column from a CSV never creates a `String` per field.
///
/// A dictionary is built once (by a loader or kernel) and then shared, read-only, by every
/// column that was filtered or gathered from it.
public final class StringDictionary: @unchecked Sendable {
    public private(set) var bytes: [UInt8] = []
    /// offsets[i]..<offsets[i+1] are the bytes of entry i.
    public private(set) var offsets: [Int] = [0]
    private var slots: [Int32] = [Int32](repeating: -1, count: 64)
    private var hashes: [UInt64] = []
    private var stringCache: [String?] = []

    public init() {}

    public convenience init<S: Sequence>(_ strings: S) where S.Element == String {
        self.init()
        for s in strings { _ = intern(s) }
    }

    /// Builds a dictionary in one step from entries that are already distinct (a loader's
    /// de-duplicated strings): entry `i`, `bytes[offsets[i]..<offsets[i+1]]`, gets code `i`.
    /// Takes the arrays as they are: the hash index is built on the first `intern` or
    /// `lookup` (a loaded column rarely needs one), and the `String` cache on the first
    /// `string(_:)`. `offsets` starts with 0 and ends with `bytes.count`.
    public convenience init(distinctBytes bytes: [UInt8], offsets: [Int]) {
        self.init()
        let n = max(offsets.count - 1, 0)
        guard n > 0, offsets.first == 0, offsets.last == bytes.count else { return }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = []
        self.indexed = false
    }

    /// Whether `slots` and `hashes` cover every entry (false until needed for dictionaries
    /// built from distinct bytes).
    private var indexed = true

    private func buildIndex() {
        let n = count
        var size = 64
        while size < n * 2 { size *= 2 }
        var newSlots = [Int32](repeating: -1, count: size)
        var newHashes = [UInt64](repeating: 0, count: n)
        let mask = size - 1
        bytes.withUnsafeBytes { all in
            offsets.withUnsafeBufferPointer { off in
                for code in 0..<n {
                    let h = StringDictionary.hash(UnsafeRawBufferPointer(rebasing: all[off[code]..<off[code + 1]]))
                    newHashes[code] = h
                    var s = Int(truncatingIfNeeded: h) & mask
                    while newSlots[s] >= 0 { s = (s + 1) & mask }
                    newSlots[s] = Int32(code)
                }
            }
        }
        hashes = newHashes
        slots = newSlots
        indexed = true
    }

    public var count: Int { offsets.count - 1 }

    static let maxCachedCount = 1 << 16

    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        // FNV-1a over 8-byte words, then bytes; good enough and fast.
        var h: UInt64 = 0xcbf29ce484222325
        var i = 0
        let n = p.count
        while i + 8 <= n {
            let w = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x100000001b3
            h ^= h >> 29
            i += 8
        }
        while i < n { h = (h ^ UInt64(p[i])) &* 0x100000001b3; i += 1 }
        h ^= h >> 32
        h = h &* 0x9E3779B97F4A7C15
        return h ^ (h >> 29)
    }

    /// The code of these bytes, adding them if new.
    @inline(__always)
    public func intern(_ p: UnsafeRawBufferPointer) -> Int32 {
        if !indexed { buildIndex() }
        let h = StringDictionary.hash(p)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[s]
            if code < 0 { break }
            if hashes[Int(code)] == h && equals(Int(code), p) { return code }
            s = (s + 1) & mask
        }
        let code = Int32(count)
        bytes.append(contentsOf: p)
        offsets.append(bytes.count)
        hashes.append(h)
        if !stringCache.isEmpty { stringCache.append(nil) }
        slots[s] = code
        if count * 2 > slots.count { grow() }
        return code
    }

    public func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The code of these bytes if present.
    public func lookup(_ s: String) -> Int32? {
        if !indexed { buildIndex() }
        var s = s
        return s.withUTF8 { buf -> Int32? in
            let p = UnsafeRawBufferPointer(buf)
            let h = StringDictionary.hash(p)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: h) & mask
            while true {
                let code = slots[slot]
                if code < 0 { return nil }
                if hashes[Int(code)] == h && equals(Int(code), p) { return code }
                slot = (slot + 1) & mask
            }
        }
    }

    @inline(__always)
    private func equals(_ code: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        let lo = offsets[code], hi = offsets[code + 1]
        if hi - lo != p.count { return false }
        return bytes.withUnsafeBytes { all in
            p.count == 0 || memcmp(all.baseAddress! + lo, p.baseAddress!, p.count) == 0
        }
    }

    private func grow() {
        let n = slots.count * 2
        var new = [Int32](repeating: -1, count: n)
        let mask = n - 1
        for code in 0..<count {
            var s = Int(truncatingIfNeeded: hashes[code]) & mask
            while new[s] >= 0 { s = (s + 1) & mask }
            new[s] = Int32(code)
        }
        slots = new
    }

    /// The string of a code (cached after the first call).
    public func string(_ code: Int32) -> String {
        let c = Int(code)
        // Large dictionaries (identifiers) are not cached: 16 bytes per entry for a few
        // rendered rows is not worth it.
        if count > StringDictionary.maxCachedCount {
            return String(decoding: bytes[offsets[c]..<offsets[c + 1]], as: UTF8.self)
        }
        if stringCache.count != count { stringCache = [String?](repeating: nil, count: count) }
        if let s = stringCache[c] { return s }
        let s = String(decoding: bytes[offsets[c]..<offsets[c + 1]], as: UTF8.self)
        stringCache[c] = s
        return s
    }

    /// Calls `body` with the UTF-8 bytes of a code.
    @inline(__always)
    public func withBytes<R>(_ code: Int32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let c = Int(code)
        return bytes.withUnsafeBytes { all in
            body(UnsafeRawBufferPointer(rebasing: all[offsets[c]..<offsets[c + 1]]))
        }
    }

    /// The rank of each code in byte-wise (= Unicode code point) order, for sorting and
    /// comparing codes without touching the strings.
    public lazy var sortRanks: [Int32] = {
        // Sorted by the first 8 bytes as a big-endian number (zero-padded: a prefix order
        // that never contradicts the byte order), the full bytes only on equal prefixes.
        struct Entry { var prefix: UInt64; var code: Int32 }
        let n = count
        var entries = [Entry](repeating: Entry(prefix: 0, code: 0), count: n)
        bytes.withUnsafeBytes { all in
            offsets.withUnsafeBufferPointer { off in
                for c in 0..<n {
                    let lo = off[c], len = Swift.min(off[c + 1] - lo, 8)
                    var p: UInt64 = 0
                    for k in 0..<8 { p = p << 8 | (k < len ? UInt64(all[lo + k]) : 0) }
                    entries[c] = Entry(prefix: p, code: Int32(c))
                }
            }
        }
        entries.sort { a, b in a.prefix != b.prefix ? a.prefix < b.prefix : compareCodes(a.code, b.code) < 0 }
        let order = entries.map(\.code)
        var ranks = [Int32](repeating: 0, count: count)
        for (rank, code) in order.enumerated() { ranks[Int(code)] = Int32(rank) }
        return ranks
    }()

    public func compareCodes(_ a: Int32, _ b: Int32) -> Int {
        bytes.withUnsafeBytes { all -> Int in
            let la = offsets[Int(a)], ha = offsets[Int(a) + 1]
            let lb = offsets[Int(b)], hb = offsets[Int(b) + 1]
            let n = min(ha - la, hb - lb)
            if n > 0 {
                let r = memcmp(all.baseAddress! + la, all.baseAddress! + lb, n)
                if r != 0 { return Int(r) }
            }
            return (ha - la) - (hb - lb)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
