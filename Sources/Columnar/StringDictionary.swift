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
        orderCache = nil
        ranksCache = nil
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
    public var sortRanks: [Int32] {
        if let r = ranksCache { return r }
        let order = sortedCodes
        let n = order.count
        let ranks = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            order.withUnsafeBufferPointer { o in
                for r in 0..<n { out[Int(o[r])] = Int32(truncatingIfNeeded: r) }
            }
            initialized = n
        }
        ranksCache = ranks
        return ranks
    }

    /// The codes in byte-wise order of their strings (`sortedCodes[sortRanks[c]] == c`).
    public var sortedCodes: [Int32] {
        if let o = orderCache { return o }
        let order = byteOrder()
        orderCache = order
        return order
    }

    // Computed on first use; dropped when a string is added.
    private var orderCache: [Int32]?
    private var ranksCache: [Int32]?

    /// The codes sorted by their bytes: by the first 8 bytes as a big-endian number
    /// (zero-padded, a prefix order that never contradicts the byte order) with a radix sort,
    /// then runs of equal prefixes by their full bytes. A dictionary whose entries are
    /// already in order (identifiers loaded from a sorted file) is recognised in one pass.
    func byteOrder() -> [Int32] {
        let n = count
        if n == 0 { return [] }
        var prefixes = [UInt64](repeating: 0, count: n)
        var ascending = true
        bytes.withUnsafeBytes { all in
            offsets.withUnsafeBufferPointer { off in
                prefixes.withUnsafeMutableBufferPointer { pre in
                    for c in 0..<n {
                        let lo = off[c], len = off[c + 1] - lo
                        var p: UInt64 = 0
                        if len >= 8 {
                            p = UInt64(bigEndian: all.loadUnaligned(fromByteOffset: lo, as: UInt64.self))
                        } else {
                            for k in 0..<8 { p = p << 8 | (k < len ? UInt64(all[lo + k]) : 0) }
                        }
                        pre[c] = p
                        if ascending && c > 0 && (pre[c - 1] > p || (pre[c - 1] == p && compareCodes(Int32(c - 1), Int32(c)) > 0)) {
                            ascending = false
                        }
                    }
                }
            }
        }
        if ascending { return (0..<Int32(n)).map { $0 } }
        // Fewer bits for the radix sort: each byte position k only takes values in
        // lo[k]...hi[k], so the prefix maps in order to the mixed-radix number of
        // (byte - lo[k]) with radix hi[k] - lo[k] + 1 (identifiers of digits: 10 per byte).
        var lows = [UInt64](repeating: 255, count: 8), highs = [UInt64](repeating: 0, count: 8)
        lows.withUnsafeMutableBufferPointer { lows in
            highs.withUnsafeMutableBufferPointer { highs in
                for p in prefixes {
                    for k in 0..<8 {
                        let b = (p &>> UInt64(56 - 8 * k)) & 0xFF
                        lows[k] = Swift.min(lows[k], b)
                        highs[k] = Swift.max(highs[k], b)
                    }
                }
            }
        }
        var product: UInt64 = 1
        var fits = true
        for k in 0..<8 {
            let (p, overflow) = product.multipliedReportingOverflow(by: highs[k] - lows[k] + 1)
            if overflow { fits = false; break }
            product = p
        }
        let bits: Int
        if fits {
            let radix = (0..<8).map { highs[$0] - lows[$0] + 1 }
            prefixes.withUnsafeMutableBufferPointer { pre in
                radix.withUnsafeBufferPointer { radix in
                    lows.withUnsafeBufferPointer { lows in
                        for i in 0..<n {
                            let p = pre[i]
                            var v: UInt64 = 0
                            for k in 0..<8 { v = v &* radix[k] &+ (((p &>> UInt64(56 - 8 * k)) & 0xFF) &- lows[k]) }
                            pre[i] = v
                        }
                    }
                }
            }
            bits = 64 - (product - 1).leadingZeroBitCount
        } else {
            var lo = UInt64.max, hi = UInt64.min
            for p in prefixes { lo = Swift.min(lo, p); hi = Swift.max(hi, p) }
            for i in 0..<n { prefixes[i] &-= lo }
            bits = 64 - (hi - lo).leadingZeroBitCount
        }
        // Radix sort of (key, code) pairs; the sorted keys show the runs of equal prefixes
        // (strings sharing their first 8 bytes), which are then sorted by their full bytes.
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let codes = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        let tmpKeys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let tmpCodes = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { keys.deallocate(); codes.deallocate(); tmpKeys.deallocate(); tmpCodes.deallocate() }
        _ = keys.update(fromContentsOf: prefixes)
        for i in 0..<n { codes[i] = Int32(truncatingIfNeeded: i) }
        let sorted = Kernels.sortPairs((keys, codes), (tmpKeys, tmpCodes), bits: bits, cancellable: false)
        var order = Array(sorted.vals)
        var s = 0
        while s < n {
            let w = sorted.keys[s]
            var e = s + 1
            while e < n && sorted.keys[e] == w { e += 1 }
            if e - s > 1 {
                order[s..<e].sort { compareCodes($0, $1) < 0 }
            }
            s = e
        }
        return order
    }

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
