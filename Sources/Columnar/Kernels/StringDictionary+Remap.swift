#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Translating codes between string dictionaries, so that strings from two columns (join
/// keys, chunks being concatenated, a column compared with a constant) can be compared by
/// code instead of by bytes.
extension StringDictionary {
    /// For each code of `self`, the code of the same string in `target`, or -1 when
    /// `target` does not hold it. Identity when both are the same dictionary.
    func codeMap(into target: StringDictionary) -> [Int32] {
        if self === target { return (0..<Int32(count)).map { $0 } }
        // Large dictionaries whose byte order is known (or cheap: identifiers loaded in
        // order are recognised in one pass) are merged in that order instead of hashed.
        if count >= StringDictionary.mergeMapMinimum && target.count >= StringDictionary.mergeMapMinimum {
            return codeMapByMerge(into: target)
        }
        let tb = target.bytes, to = target.offsets
        let tn = target.count
        var capacity = 16
        while capacity < tn * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        var hashes = [UInt64](repeating: 0, count: tn)
        tb.withUnsafeBytes { all in
            for c in 0..<tn {
                let h = StringDictionary.hash(UnsafeRawBufferPointer(rebasing: all[to[c]..<to[c + 1]]))
                hashes[c] = h
                var s = Int(truncatingIfNeeded: h) & mask
                while slots[s] >= 0 { s = (s + 1) & mask }
                slots[s] = Int32(c)
            }
        }
        let sb = bytes, so = offsets
        var out = [Int32](repeating: -1, count: count)
        tb.withUnsafeBytes { tAll in
            sb.withUnsafeBytes { sAll in
                for c in 0..<count {
                    let p = UnsafeRawBufferPointer(rebasing: sAll[so[c]..<so[c + 1]])
                    let h = StringDictionary.hash(p)
                    var s = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let t = slots[s]
                        if t < 0 { break }
                        let ti = Int(t)
                        if hashes[ti] == h, to[ti + 1] - to[ti] == p.count,
                           p.count == 0 || memcmp(tAll.baseAddress! + to[ti], p.baseAddress!, p.count) == 0 {
                            out[c] = t
                            break
                        }
                        s = (s + 1) & mask
                    }
                }
            }
        }
        return out
    }

    /// Dictionaries with at least this many entries are mapped by `codeMapByMerge`.
    nonisolated(unsafe) static var mergeMapMinimum = 1 << 16

    /// `codeMap(into:)` by walking both dictionaries in byte order (`sortedCodes`) at once.
    func codeMapByMerge(into target: StringDictionary) -> [Int32] {
        let so = sortedCodes, to = target.sortedCodes
        var out = [Int32](repeating: -1, count: count)
        bytes.withUnsafeBytes { sAll in
            target.bytes.withUnsafeBytes { tAll in
                offsets.withUnsafeBufferPointer { sOff in
                    target.offsets.withUnsafeBufferPointer { tOff in
                        so.withUnsafeBufferPointer { so in
                            to.withUnsafeBufferPointer { to in
                                out.withUnsafeMutableBufferPointer { out in
                                    @inline(__always) func source(_ i: Int) -> UnsafeRawBufferPointer {
                                        let a = Int(so[i])
                                        return UnsafeRawBufferPointer(rebasing: sAll[sOff[a]..<sOff[a + 1]])
                                    }
                                    @inline(__always) func target(_ j: Int) -> UnsafeRawBufferPointer {
                                        let b = Int(to[j])
                                        return UnsafeRawBufferPointer(rebasing: tAll[tOff[b]..<tOff[b + 1]])
                                    }
                                    func merge(_ si: Range<Int>, _ tj: Range<Int>) {
                                        var i = si.lowerBound, j = tj.lowerBound
                                        while i < si.upperBound && j < tj.upperBound {
                                            let c = StringDictionary.compareBytes(source(i), target(j))
                                            if c == 0 {
                                                out[Int(so[i])] = to[j]
                                                i += 1
                                                j += 1
                                            } else if c < 0 {
                                                i += 1
                                            } else {
                                                j += 1
                                            }
                                        }
                                    }
                                    if so.count < KernelSupport.parallelThreshold >> 2 || to.isEmpty {
                                        merge(0..<so.count, 0..<to.count)
                                        return
                                    }
                                    // Two threads: the source's halves, the target split where the
                                    // second half's first string would go.
                                    let mid = so.count / 2
                                    var lo = 0, hi = to.count
                                    while lo < hi {
                                        let m = (lo + hi) / 2
                                        if StringDictionary.compareBytes(target(m), source(mid)) < 0 { lo = m + 1 } else { hi = m }
                                    }
                                    let cut = lo
                                    KernelSupport.both { h in
                                        if h == 0 { merge(0..<mid, 0..<cut) } else { merge(mid..<so.count, cut..<to.count) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Byte-wise comparison (negative, zero, positive), 8 bytes at a time.
    @inline(__always)
    static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let na = a.count, nb = b.count
        let m = Swift.min(na, nb)
        var i = 0
        while i + 8 <= m {
            let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            i += 8
        }
        while i < m {
            let x = a[i], y = b[i]
            if x != y { return Int(x) - Int(y) }
            i += 1
        }
        return na - nb
    }

    /// Adds every string of `other` to `self`; returns the code in `self` of each code of
    /// `other`.
    func internAll(of other: StringDictionary) -> [Int32] {
        if other === self { return (0..<Int32(count)).map { $0 } }
        var out = [Int32](repeating: 0, count: other.count)
        for c in 0..<other.count {
            out[c] = other.withBytes(Int32(c)) { intern($0) }
        }
        return out
    }

    /// For each code of `other`, a position in `self`'s byte order that compares with
    /// `2 * sortRanks[code] + 1` (the position of `self`'s own codes) exactly as the strings
    /// compare: `2 * rank + 1` when `self` holds the string, else `2 * k` where k is the
    /// number of `self`'s strings below it.
    func orderPositions(of other: StringDictionary) -> [Int64] {
        let ranks = sortRanks
        if other === self { return ranks.map { 2 * Int64($0) + 1 } }
        var byRank = [Int32](repeating: 0, count: count)
        for (code, rank) in ranks.enumerated() { byRank[Int(rank)] = Int32(code) }
        var out = [Int64](repeating: 0, count: other.count)
        let ob = other.bytes, oo = other.offsets
        let sb = bytes, so = offsets
        ob.withUnsafeBytes { oAll in
            sb.withUnsafeBytes { sAll in
                func cmp(_ selfCode: Int, _ p: UnsafeRawBufferPointer) -> Int {
                    let la = so[selfCode], ha = so[selfCode + 1]
                    let n = Swift.min(ha - la, p.count)
                    if n > 0 {
                        let r = memcmp(sAll.baseAddress! + la, p.baseAddress!, n)
                        if r != 0 { return Int(r) }
                    }
                    return (ha - la) - p.count
                }
                for c in 0..<other.count {
                    let p = UnsafeRawBufferPointer(rebasing: oAll[oo[c]..<oo[c + 1]])
                    // Lower bound: first rank whose string is >= p.
                    var lo = 0, hi = byRank.count
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if cmp(Int(byRank[mid]), p) < 0 { lo = mid + 1 } else { hi = mid }
                    }
                    if lo < byRank.count && cmp(Int(byRank[lo]), p) == 0 {
                        out[c] = 2 * Int64(lo) + 1
                    } else {
                        out[c] = 2 * Int64(lo)
                    }
                }
            }
        }
        return out
    }
}
