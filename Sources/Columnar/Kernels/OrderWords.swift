/// A sort key column turned into unsigned words whose order is the sort order: nulls last
/// in both directions, NaN after all numbers (also when descending), strings by bytes.
/// Words are shifted so the smallest is 0, which lets radix sorts skip constant high bits.
struct OrderWords {
    var words: [UInt64]
    /// Number of significant bits in `words`.
    var bits: Int

    /// Rows compare by `words`, then by row number (stability).
    static func make(_ column: Column, descending: Bool) throws -> OrderWords {
        let n = column.count
        // Raw monotone words and tiers (0 value, 1 NaN, 2 null).
        var raw = [UInt64](repeating: 0, count: n)
        var tier = [UInt8](repeating: 0, count: n)
        var anyTier = false
        column.withValidityWords { valid in
            if let valid {
                for i in 0..<n where !validBit(valid, i) { tier[i] = 2; anyTier = true }
            }
        }
        switch column.storage {
        case .int(let v):
            for i in 0..<n { raw[i] = UInt64(bitPattern: v[i]) ^ (1 << 63) }
        case .date(let v):
            for i in 0..<n { raw[i] = UInt64(UInt32(bitPattern: v[i]) ^ 0x8000_0000) }
        case .bool(let v):
            for i in 0..<n { raw[i] = v[i] ? 1 : 0 }
        case .double(let v):
            for i in 0..<n {
                let x = v[i]
                if x.isNaN {
                    if tier[i] == 0 { tier[i] = 1; anyTier = true }
                    continue
                }
                let b = (x == 0 ? 0.0 : x).bitPattern
                raw[i] = b & (1 << 63) != 0 ? ~b : b | (1 << 63)
            }
        case .string(let codes, let dictionary):
            let ranks = dictionary.sortRanks
            let m = UInt32(ranks.count)
            for i in 0..<n {
                let c = codes[i]
                raw[i] = UInt32(bitPattern: c) < m ? UInt64(UInt32(bitPattern: ranks[Int(c)])) : 0
            }
        }
        try Cancellation.check()
        // Range of the values in tier 0, after applying the direction.
        var lo = UInt64.max, hi = UInt64.min
        for i in 0..<n where tier[i] == 0 {
            let w = descending ? ~raw[i] : raw[i]
            raw[i] = w
            lo = min(lo, w); hi = max(hi, w)
        }
        if lo > hi { lo = 0; hi = 0 }
        let span = hi - lo
        guard anyTier else {
            for i in 0..<n { raw[i] &-= lo }
            return OrderWords(words: raw, bits: 64 - span.leadingZeroBitCount)
        }
        if span < UInt64.max - 2 {
            for i in 0..<n { raw[i] = tier[i] == 0 ? raw[i] - lo : span &+ UInt64(tier[i]) }
            return OrderWords(words: raw, bits: 64 - (span + 2).leadingZeroBitCount)
        }
        // The values use the whole 64-bit range (ints from near Int64.min to near Int64.max):
        // no room for the null/NaN tiers, which become a separate, more significant key
        // (`tierKey`). Rare.
        return OrderWords(words: raw, bits: 64)
    }

    /// The tier key (0 value, 1 NaN, 2 null) for the rare full-range case above.
    static func tierKey(_ column: Column) -> OrderWords? {
        let n = column.count
        var t = [UInt64](repeating: 0, count: n)
        var any = false
        column.withValidityWords { valid in
            for i in 0..<n {
                if let valid, !validBit(valid, i) { t[i] = 2; any = true } else if case .double(let v) = column.storage, v[i].isNaN { t[i] = 1; any = true }
            }
        }
        return any ? OrderWords(words: t, bits: 2) : nil
    }

    /// True when `make` could not fold nulls/NaN into the words.
    static func needsTierKey(_ column: Column, _ w: OrderWords) -> Bool {
        w.bits == 64 && (column.nullCount > 0 || column.type == .double)
    }
}

/// Keys after packing several narrow order words into one where the bits allow.
struct PackedOrder {
    var packs: [OrderWords]

    static func make(_ keys: [(column: Column, descending: Bool)]) throws -> PackedOrder {
        var list: [OrderWords] = []
        for k in keys {
            let w = try OrderWords.make(k.column, descending: k.descending)
            if OrderWords.needsTierKey(k.column, w), let t = OrderWords.tierKey(k.column) {
                list.append(t)
            }
            list.append(w)
        }
        // Pack consecutive keys into one word while the bits fit.
        var packs: [OrderWords] = []
        for w in list {
            if var last = packs.last, last.bits + w.bits <= 64 {
                let shift = UInt64(w.bits)
                for i in 0..<last.words.count {
                    last.words[i] = shift == 64 ? w.words[i] : (last.words[i] << shift) | w.words[i]
                }
                last.bits += w.bits
                packs[packs.count - 1] = last
            } else {
                packs.append(w)
            }
        }
        return PackedOrder(packs: packs)
    }

    @inline(__always)
    func less(_ a: Int, _ b: Int) -> Bool {
        for p in packs {
            let x = p.words[a], y = p.words[b]
            if x != y { return x < y }
        }
        return a < b
    }
}
