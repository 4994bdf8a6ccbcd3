import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LLVM's prefetch intrinsic (address, 0 = read, locality 3 = keep in all caches, 1 = data):
/// a hint that never faults and retires at once, unlike a load.
@_silgen_name("llvm.prefetch.p0")
func csvPrefetch(_ address: UnsafeRawPointer, _ rw: Int32, _ locality: Int32, _ cacheType: Int32)

/// A string field waiting to be interned: its bytes (in the file), its hash once computed,
/// and the position of its code in the column's code array.
public struct CSVPendingString {
    var p: UnsafeRawPointer
    var n: Int
    var hash: UInt64
    var index: Int
    init(p: UnsafeRawPointer, n: Int, hash: UInt64, index: Int) { self.p = p; self.n = n; self.hash = hash; self.index = index }
    /// A field whose hash `internBatch` computes.
    public init(p: UnsafeRawPointer, n: Int, index: Int) { self.init(p: p, n: n, hash: 0, index: index) }
}

/// The distinct strings of one column while a CSV file is parsed: an open-addressing hash
/// table over a byte arena, a value type used in place (no class, no locks), so interning a
/// field costs one probe of an 8-byte slot holding both the hash tag and the code. Codes are
/// dense and in first-appearance order; `takeStrings()` hands the strings over in that
/// order (the reader builds the column's `StringDictionary` from them, so its codes are
/// the same). The PostgreSQL client interns its text columns with it too.
///
/// A table starts *ascending*: while every new field is byte-wise greater than the last
/// entry (an identifier column written in order: order ids, customer ids), the fields are
/// distinct by construction and are appended without hashing and without a hash index —
/// one comparison with a cached entry instead of a cache miss in a table of millions of
/// slots. The first field that is not greater builds the index and the table continues
/// as a hash table.
public struct CSVStringTable {
    public init() {}

    /// The strings' bytes are `arena[0..<byteCount]`; the arena is longer (zero-filled room
    /// for the next strings), so that adding a string is one copy instead of a generic
    /// `append(contentsOf:)` (a hundred instructions per field for a column of identifiers).
    private var arena: [UInt8] = []
    private(set) var byteCount = 0
    /// The strings' bytes, one after the other (see `offsets`).
    var bytes: ArraySlice<UInt8> { arena[0..<byteCount] }
    /// offsets[i]..<offsets[i+1] are the bytes of entry i.
    private(set) var offsets: [Int] = [0]
    /// Two words per slot: `slots[2s]` is 0 (empty) or the entry's tag (`tag(hash, n)`: 24
    /// hash bits and the length) with code + 1 in the low 32 bits; `slots[2s + 1]` holds the
    /// entry's first 8 bytes (`key`). A string of up to 8 bytes is thus found and compared
    /// in its slot alone, without touching `offsets` or `bytes` (an identifier column of a
    /// million values: one cache miss per field instead of three). Empty while `ascending`.
    private var slots: [UInt64] = []
    private var slotCount: Int { slots.count / 2 }
    /// 64 - log2(slotCount): a hash's home slot is its top bits, `hash >> shift`.
    private var shift: UInt64 = 64

    @inline(__always)
    static func tag(_ hash: UInt64, _ n: Int) -> UInt64 {
        (hash & 0xFFFF_FF00_0000_0000) | UInt64(truncatingIfNeeded: min(n, 255)) << 32
    }

    /// The first 8 bytes (zero-padded), little-endian.
    @inline(__always)
    static func key(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        if n >= 8 { return p.loadUnaligned(as: UInt64.self) }
        var k: UInt64 = 0
        var i = 0
        while i < n { k |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)); i += 1 }
        return k
    }

    /// Places an entry in a slot array (no check for an existing equal entry).
    @inline(__always)
    private static func place(_ slots: inout [UInt64], shift: UInt64, tag: UInt64, key: UInt64, hash: UInt64, code: Int) {
        let mask = slots.count / 2 - 1
        var s = Int(truncatingIfNeeded: hash >> shift)
        while slots[2 * s] != 0 { s = (s + 1) & mask }
        slots[2 * s] = tag | UInt64(code + 1)
        slots[2 * s + 1] = key
    }
    /// Entries so far are strictly ascending and there is no hash index.
    private(set) var ascending = true
    /// Distinct strings expected (`reserveCapacity`), to size the index when it is built.
    private var expectedCount = 0

    var count: Int { offsets.count - 1 }

    /// Whether the bytes are greater than the last entry (true when empty).
    @inline(__always)
    private func greaterThanLast(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        let c = offsets.count - 1
        guard c > 0 else { return true }
        let lo = offsets[c - 1], hi = offsets[c]
        let m = min(hi - lo, n)
        return arena.withUnsafeBytes { all -> Bool in
            guard let base = all.baseAddress else { return n > 0 }
            if m > 0 {
                let r = memcmp(base + lo, p, m)
                if r != 0 { return r < 0 }
            }
            return n > hi - lo
        }
    }

    /// Adds the bytes of a new entry to the arena and its end to `offsets`.
    @inline(__always)
    private mutating func appendBytes(_ p: UnsafeRawPointer, _ n: Int) {
        let end = byteCount + n
        if end > arena.count {
            // Double the room (into reserved capacity when there is some).
            arena.append(contentsOf: repeatElement(0, count: max(end, 2 * arena.count, 256) - arena.count))
        }
        if n > 0 {
            arena.withUnsafeMutableBytes { all in
                guard let base = all.baseAddress else { return }
                (base + byteCount).copyMemory(from: p, byteCount: n)
            }
        }
        byteCount = end
        offsets.append(end)
    }

    /// Appends an entry (no index update).
    @inline(__always)
    private mutating func appendEntry(_ p: UnsafeRawPointer, _ n: Int) -> Int32 {
        let code = count
        appendBytes(p, n)
        return Int32(truncatingIfNeeded: code)
    }

    /// Leaves the ascending mode: builds the hash index over the entries so far.
    mutating func ensureIndex() {
        guard ascending else { return }
        ascending = false
        let n = count
        var size = 256
        while size * 7 < max(n, expectedCount) * 10 { size *= 2 }
        var new = [UInt64](repeating: 0, count: 2 * size)
        let newShift = UInt64(64 - size.trailingZeroBitCount)
        arena.withUnsafeBytes { all in
            let base = all.baseAddress ?? emptyPointer
            for code in 0..<n {
                let lo = offsets[code], len = offsets[code + 1] - lo
                let h = CSVStringTable.hash(base + lo, len)
                CSVStringTable.place(&new, shift: newShift, tag: CSVStringTable.tag(h, len), key: CSVStringTable.key(base + lo, len), hash: h, code: code)
            }
        }
        slots = new
        shift = newShift
    }

    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < n {
            // The last bytes in one or two loads that may overlap bytes already hashed (the
            // length is in `h`, so the loads still determine the string).
            let tail: UInt64
            if n >= 8 {
                tail = p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                tail = UInt64(p.loadUnaligned(as: UInt32.self)) | UInt64(p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
            } else {
                tail = UInt64(p.load(as: UInt8.self)) | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                    | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self)) << 16
            }
            h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        }
        h ^= h >> 32
        h = h &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 28)
    }

    /// The code of these bytes, adding them if new.
    @inline(__always)
    mutating func intern(_ p: UnsafeRawPointer, _ n: Int) -> Int32 {
        if ascending {
            if greaterThanLast(p, n) { return appendEntry(p, n) }
            ensureIndex()
        }
        return intern(p, n, hash: CSVStringTable.hash(p, n))
    }

    /// Interns a batch of fields in order, writing each code to `codes[field.index]`. The
    /// hash slot, then the entry's offset, then its bytes, of fields a few places ahead are
    /// prefetched, so the cache misses of a big table (an identifier column) overlap instead
    /// of being paid one after another.
    public mutating func internBatch(_ fields: UnsafeMutablePointer<CSVPendingString>, count m: Int,
                                     codes: UnsafeMutablePointer<Int32>) {
        var first = 0
        while ascending && first < m {
            let f = fields[first]
            guard greaterThanLast(f.p, f.n) else { ensureIndex(); break }
            codes[f.index] = appendEntry(f.p, f.n)
            first += 1
        }
        guard first < m else { return }
        if first > 0 {
            internBatch(fields + first, count: m - first, codes: codes)
            return
        }
        for i in 0..<m { fields[i].hash = CSVStringTable.hash(fields[i].p, fields[i].n) }
        // A table of a few thousand strings (a category: industry, product line) stays in
        // cache: nothing to fetch ahead.
        if slotCount <= 1 << 13 {
            for i in 0..<m { codes[fields[i].index] = intern(fields[i].p, fields[i].n, hash: fields[i].hash) }
            return
        }
        for i in 0..<m {
            slots.withUnsafeBufferPointer { sl in
                guard let sb = sl.baseAddress else { return }
                if i + 16 < m {
                    csvPrefetch(UnsafeRawPointer(sb + 2 * Int(truncatingIfNeeded: fields[i + 16].hash >> shift)), 0, 3, 1)
                }
                // Longer strings are compared in the arena: their offset, then their bytes.
                if i + 8 < m && fields[i + 8].n > 8 {
                    let e = sb[2 * Int(truncatingIfNeeded: fields[i + 8].hash >> shift)]
                    let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                    if e != 0 && code < count {
                        offsets.withUnsafeBufferPointer { off in
                            guard let ob = off.baseAddress else { return }
                            csvPrefetch(UnsafeRawPointer(ob + code), 0, 3, 1)
                        }
                    }
                }
                if i + 4 < m && fields[i + 4].n > 8 {
                    let e = sb[2 * Int(truncatingIfNeeded: fields[i + 4].hash >> shift)]
                    let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                    if e != 0 && code < count {
                        let at = offsets[code]
                        arena.withUnsafeBytes { all in
                            guard let base = all.baseAddress, at < all.count else { return }
                            csvPrefetch(base + at, 0, 3, 1)
                        }
                    }
                }
            }
            codes[fields[i].index] = intern(fields[i].p, fields[i].n, hash: fields[i].hash)
        }
    }

    /// The code of these bytes with their hash (`CSVStringTable.hash(p, n)`), adding them if new.
    @inline(__always)
    mutating func intern(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int32 {
        if ascending {
            if greaterThanLast(p, n) { return appendEntry(p, n) }
            ensureIndex()
        }
        let tag = CSVStringTable.tag(hash, n)
        let key = CSVStringTable.key(p, n)
        let mask = slotCount - 1
        var s = Int(truncatingIfNeeded: hash >> shift)
        while true {
            let e = slots[2 * s]
            if e == 0 { break }
            if e & 0xFFFF_FFFF_0000_0000 == tag && slots[2 * s + 1] == key {
                let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                if n <= 8 || equals(code, p, n) { return Int32(truncatingIfNeeded: code) }
            }
            s = (s + 1) & mask
        }
        let code = count
        appendBytes(p, n)
        slots[2 * s] = tag | UInt64(code + 1)
        slots[2 * s + 1] = key
        if (code + 1) * 10 > slotCount * 7 { grow() }
        return Int32(truncatingIfNeeded: code)
    }

    /// The code of these bytes if present (`hash` is `CSVStringTable.hash(p, n)`); nil also
    /// after `releaseIndex()` and while `ascending` (call `ensureIndex()` first).
    @inline(__always)
    func find(_ p: UnsafeRawPointer, _ n: Int, hash: UInt64) -> Int32? {
        let mask = slotCount - 1
        guard mask > 0 else { return nil }
        let tag = CSVStringTable.tag(hash, n)
        let key = CSVStringTable.key(p, n)
        var s = Int(truncatingIfNeeded: hash >> shift)
        while true {
            let e = slots[2 * s]
            if e == 0 { return nil }
            if e & 0xFFFF_FFFF_0000_0000 == tag && slots[2 * s + 1] == key {
                let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                if n <= 8 || equals(code, p, n) { return Int32(truncatingIfNeeded: code) }
            }
            s = (s + 1) & mask
        }
    }

    /// Frees the hash index; the strings stay (`count`, `withBytes`, `bytes`, `offsets`).
    /// Interning afterwards is not allowed.
    mutating func releaseIndex() {
        slots = []
        ascending = false
    }

    /// Hands the strings over, leaving the table empty.
    public mutating func takeStrings() -> (bytes: [UInt8], offsets: [Int]) {
        arena.removeLast(arena.count - byteCount)
        let out = (arena, offsets)
        arena = []
        byteCount = 0
        offsets = [0]
        slots = []
        ascending = false
        return out
    }

    @inline(__always)
    public mutating func intern(_ buffer: UnsafeRawBufferPointer) -> Int32 {
        guard let base = buffer.baseAddress else { return intern(emptyPointer, 0) }
        return intern(base, buffer.count)
    }

    @inline(__always)
    private func equals(_ code: Int, _ p: UnsafeRawPointer, _ n: Int) -> Bool {
        let lo = offsets[code]
        guard offsets[code + 1] - lo == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return false }
            let q = base + lo
            var i = 0
            while i + 8 <= n {
                if q.loadUnaligned(fromByteOffset: i, as: UInt64.self) != p.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            if i == n { return true }
            if n >= 8 {
                // The last eight bytes, overlapping bytes already compared.
                return q.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            while i < n {
                if q.load(fromByteOffset: i, as: UInt8.self) != p.load(fromByteOffset: i, as: UInt8.self) { return false }
                i += 1
            }
            return true
        }
    }

    private mutating func grow() {
        rehash(slotCount * 2)
    }

    /// Moves the entries to a slot array of `size` slots (a power of two). Up to 2^24 slots
    /// the home slot comes from the tag's hash bits; beyond, the hash is recomputed.
    private mutating func rehash(_ size: Int) {
        var new = [UInt64](repeating: 0, count: 2 * size)
        let mask = size - 1
        let newShift = UInt64(64 - size.trailingZeroBitCount)
        arena.withUnsafeBytes { all in
            let base = all.baseAddress ?? emptyPointer
            for s in 0..<slotCount {
                let e = slots[2 * s]
                guard e != 0 else { continue }
                var home: Int
                if newShift >= 40 {
                    home = Int(truncatingIfNeeded: e >> newShift)
                } else {
                    let code = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
                    let lo = offsets[code]
                    home = Int(truncatingIfNeeded: CSVStringTable.hash(base + lo, offsets[code + 1] - lo) >> newShift)
                }
                while new[2 * home] != 0 { home = (home + 1) & mask }
                new[2 * home] = e
                new[2 * home + 1] = slots[2 * s + 1]
            }
        }
        slots = new
        shift = newShift
    }

    /// Reserves room for about `n` distinct strings of `averageLength` bytes.
    mutating func reserveCapacity(_ n: Int, averageLength: Int) {
        offsets.reserveCapacity(n + 1)
        arena.reserveCapacity(n * averageLength)
        expectedCount = max(expectedCount, n)
        if ascending { return }
        var size = max(slotCount, 16)
        while size * 7 < n * 10 { size *= 2 }
        if size > slotCount { rehash(size) }
    }

    /// Calls `body` with the bytes of a code.
    @inline(__always)
    func withBytes<R>(_ code: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        arena.withUnsafeBytes { all in body(UnsafeRawBufferPointer(rebasing: all[offsets[code]..<offsets[code + 1]])) }
    }
}

private let emptyPointer = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))
