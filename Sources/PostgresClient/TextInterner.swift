import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds the distinct strings of a text column as it streams in, then hands them to a
/// `StringDictionary` in one step (`init(distinctBytes:offsets:)`). A value type with its
/// own open-addressing index, so that interning a field touches no class properties (the
/// exclusivity checks on `StringDictionary.intern` cost a third of a bulk load).
struct TextInterner {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = [0]
    /// By hash slot: the hash's high 32 bits and the code + 1 (0 for an empty slot), so that
    /// a probe compares hashes without leaving the slot array. A power of two, at most half full.
    private var slots = [UInt64](repeating: 0, count: 1024)

    var count: Int { offsets.count - 1 }

    /// The code of these bytes, adding them when new.
    @inline(__always)
    mutating func intern(_ p: UnsafeRawBufferPointer) -> Int32 {
        let h = TextInterner.hash(p)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let code = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if equals(code, p) { return Int32(truncatingIfNeeded: code) }
            }
            slot = (slot + 1) & mask
        }
        let code = count
        bytes.append(contentsOf: p)
        offsets.append(bytes.count)
        slots[slot] = tag | UInt64(code + 1)
        if count * 2 > slots.count { grow() }
        return Int32(truncatingIfNeeded: code)
    }

    /// The dictionary of every string interned, code `i` being entry `i`.
    func dictionary() -> StringDictionary {
        StringDictionary(distinctBytes: bytes, offsets: offsets)
    }

    @inline(__always)
    private func equals(_ code: Int, _ p: UnsafeRawBufferPointer) -> Bool {
        let lo = offsets[code], n = offsets[code + 1] - lo
        guard n == p.count else { return false }
        guard n > 0, let other = p.baseAddress else { return true }
        return bytes.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return false }
            return memcmp(base + lo, other, n) == 0
        }
    }

    /// Doubles the slot array. The low bits of the hash that pick a slot are not kept, so
    /// each string is hashed again (about 1% of a bulk load).
    private mutating func grow() {
        let size = slots.count * 2, mask = size - 1
        var grown = [UInt64](repeating: 0, count: size)
        bytes.withUnsafeBytes { all in
            for code in 0..<count {
                let lo = offsets[code], hi = offsets[code + 1]
                let h = TextInterner.hash(UnsafeRawBufferPointer(rebasing: all[lo..<hi]))
                var slot = Int(truncatingIfNeeded: h) & mask
                while grown[slot] != 0 { slot = (slot + 1) & mask }
                grown[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(code + 1)
            }
        }
        slots = grown
    }

    /// FNV-1a over 8-byte words, then the tail bytes, then a final mix.
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = 0
        let n = p.count
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < n { h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3; i += 1 }
        h ^= h >> 32
        h = h &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 29)
    }
}
