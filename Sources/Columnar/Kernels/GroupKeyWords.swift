/// Key columns turned into 64-bit words for hashing and equality: two rows have equal keys
/// exactly when their words (and null flags) are equal. Strings use their codes, dates and
/// narrow ints an offset from the column minimum ("dense": null folded in as word 0),
/// doubles and wide ints their bits with a separate null flag ("wide").
final class KeyWords {
    /// One word per row.
    let words: UnsafeMutableBufferPointer<UInt64>
    /// 1 where the row is null; nil when nulls are folded into the words or absent.
    let nulls: UnsafeMutableBufferPointer<UInt8>?
    /// For dense words: every word is below this.
    let cardinality: UInt64?

    init(count: Int, withNulls: Bool, cardinality: UInt64?) {
        words = .allocate(capacity: count)
        if withNulls {
            let n = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: count)
            n.initialize(repeating: 0)
            nulls = n
        } else {
            nulls = nil
        }
        self.cardinality = cardinality
    }

    deinit {
        words.deallocate()
        nulls?.deallocate()
    }

    /// The words of one key column (throws only on cancellation).
    static func make(_ column: Column) throws -> KeyWords {
        let n = column.count
        return try column.withValidityWords { valid -> KeyWords in
            switch column.storage {
            case .string(let codes, let dictionary):
                let k = KeyWords(count: n, withNulls: false, cardinality: UInt64(dictionary.count) + 1)
                try codes.withUnsafeBufferPointer { c in
                    try fill(k, n, valid) { UInt64(UInt32(bitPattern: c[$0])) &+ 1 }
                }
                return k
            case .bool(let v):
                let k = KeyWords(count: n, withNulls: false, cardinality: 3)
                try v.withUnsafeBufferPointer { b in try fill(k, n, valid) { b[$0] ? 2 : 1 } }
                return k
            case .date(let v):
                return try v.withUnsafeBufferPointer { d in
                    var lo = Int64.max, hi = Int64.min
                    for i in 0..<n where valid.map({ validBit($0, i) }) ?? true {
                        lo = Swift.min(lo, Int64(d[i])); hi = Swift.max(hi, Int64(d[i]))
                    }
                    if lo > hi { lo = 0; hi = 0 }
                    let k = KeyWords(count: n, withNulls: false, cardinality: UInt64(hi - lo) + 2)
                    try fill(k, n, valid) { UInt64(Int64(d[$0]) - lo) + 1 }
                    return k
                }
            case .int(let v):
                return try v.withUnsafeBufferPointer { d in
                    var lo = Int64.max, hi = Int64.min
                    for i in 0..<n where valid.map({ validBit($0, i) }) ?? true {
                        lo = Swift.min(lo, d[i]); hi = Swift.max(hi, d[i])
                    }
                    if lo > hi { lo = 0; hi = 0 }
                    let (span, overflow) = hi.subtractingReportingOverflow(lo)
                    if !overflow && span < (1 << 40) {
                        let k = KeyWords(count: n, withNulls: false, cardinality: UInt64(span) + 2)
                        try fill(k, n, valid) { UInt64(d[$0] &- lo) &+ 1 }
                        return k
                    }
                    let k = KeyWords(count: n, withNulls: valid != nil, cardinality: nil)
                    try fillWide(k, n, valid) { UInt64(bitPattern: d[$0]) }
                    return k
                }
            case .double(let v):
                return try v.withUnsafeBufferPointer { d in
                    let k = KeyWords(count: n, withNulls: valid != nil, cardinality: nil)
                    try fillWide(k, n, valid) { canonicalBits(d[$0]) }
                    return k
                }
            }
        }
    }

    @inline(__always)
    private static func fill(_ k: KeyWords, _ n: Int, _ valid: UnsafeBufferPointer<UInt64>?,
                             _ word: (Int) -> UInt64) throws {
        let w = k.words
        try KernelSupport.chunked(0..<n) { r in
            if let valid {
                for i in r { w[i] = validBit(valid, i) ? word(i) : 0 }
            } else {
                for i in r { w[i] = word(i) }
            }
        }
    }

    @inline(__always)
    private static func fillWide(_ k: KeyWords, _ n: Int, _ valid: UnsafeBufferPointer<UInt64>?,
                                 _ word: (Int) -> UInt64) throws {
        let w = k.words
        try KernelSupport.chunked(0..<n) { r in
            if let valid, let nulls = k.nulls {
                for i in r {
                    if validBit(valid, i) { w[i] = word(i) } else { w[i] = 0; nulls[i] = 1 }
                }
            } else {
                for i in r { w[i] = word(i) }
            }
        }
    }

    /// Combines the dense key columns into as few words as possible (a mixed-radix number
    /// while the product of cardinalities fits in 63 bits); wide columns stay as they are.
    static func combine(_ keys: [KeyWords], count n: Int) throws -> [KeyWords] {
        var out: [KeyWords] = []
        var current: KeyWords? = nil
        var product: UInt64 = 1
        for k in keys {
            guard let card = k.cardinality else { out.append(k); continue }
            if let cur = current {
                let (p, overflow) = product.multipliedReportingOverflow(by: card)
                if !overflow && p < (1 << 63) {
                    let combined = KeyWords(count: n, withNulls: false, cardinality: p)
                    let a = cur.words, b = k.words, c = combined.words, stride = product
                    try KernelSupport.chunked(0..<n) { r in
                        for i in r { c[i] = a[i] &+ b[i] &* stride }
                    }
                    current = combined
                    product = p
                    continue
                }
                out.append(cur)
            }
            current = k
            product = card
        }
        if let current { out.append(current) }
        return out
    }
}

/// Bits of a double for equality: -0.0 equals 0.0 and all NaNs are one value.
@inline(__always)
func canonicalBits(_ x: Double) -> UInt64 {
    if x == 0 { return 0 }
    if x.isNaN { return Double.nan.bitPattern }
    return x.bitPattern
}

@inline(__always)
func mixHash(_ x: UInt64) -> UInt64 {
    var h = x &* 0x9E37_79B9_7F4A_7C15
    h ^= h &>> 32
    return h
}
