/// Group-wise ranking and scaling functions usable in `derive` (SPEC sections 4 and 5.2).
public enum WindowKind: Sendable, Equatable {
    /// 1 + the number of rows in the group with a strictly smaller x.
    case rank
    /// 1 + the number of distinct values in the group strictly smaller than x.
    case denseRank
    /// (rank - 1) / (N - 1), N the non-null count of the group; 0 when N = 1.
    case percentRank
    /// NTILE(n) over the non-null rows ordered by x, then input order (ties may split); a null
    /// x gives null and does not count (SQL's NTILE would bucket nulls last).
    case ntile(Int)
    /// ceil(n × rank / N): ties never split (SPEC 5.2).
    case quantileScore(Int)
    /// Running sum of the non-null values so far, in input row order.
    case cumsum
    /// x / the sum of x over the group; null when that sum is 0.
    case share
    /// (x - min) / (max - min) over the group; 0 when max == min.
    case minmax
    /// (x - mean) / sample stddev over the group; null when the stddev is 0 or undefined.
    case zscore
}

extension Kernels {
    /// A window function of `x` within each group of `groups` (nil: the whole column is one
    /// group). Null x gives null. The rank-like kinds (rank, denseRank, ntile,
    /// quantileScore) return int and work on any orderable type (numbers, dates, strings,
    /// bools; NaN ranks above every number); percentRank, share, minmax and zscore return
    /// double; cumsum returns int for int input (double if it overflows) and double
    /// otherwise. `ntile`/`quantileScore` need n >= 1 (checked: `invalidArgument`).
    public static func window(_ kind: WindowKind, _ x: Column, groups: GroupIndex?) throws -> Column {
        let n = x.count
        let groups = groups ?? .single(rowCount: n)
        guard groups.rowCount == n else {
            throw ColumnarError.shape("window over \(n) rows with a group index of \(groups.rowCount)")
        }
        switch kind {
        case .rank, .denseRank, .percentRank, .ntile, .quantileScore:
            return try ranking(kind, x, groups)
        case .cumsum:
            return try cumulativeSum(x, groups)
        case .share:
            let v = try numericDoubles(x, "share")
            let sums = try aggregate(.sum, Column(.double(v), validity: x.validity), groups: groups)
            guard case .double(let s) = sums.storage else { return Column.nulls(.double, count: n) }
            var out = [Double](repeating: 0, count: n)
            var valid = ValidityBuilder(count: n)
            for i in 0..<n {
                let gi = Int(groups.ids[i])
                let total = s[gi]
                if x.isNull(i) || sums.isNull(gi) || total == 0 { valid.setNull(i) } else { out[i] = v[i] / total }
            }
            return Column(.double(out), validity: valid.finish())
        case .minmax:
            let v = try numericDoubles(x, "minmax")
            let dx = Column(.double(v), validity: x.validity)
            let lo = try aggregate(.min, dx, groups: groups), hi = try aggregate(.max, dx, groups: groups)
            guard case .double(let l) = lo.storage, case .double(let h) = hi.storage else { return Column.nulls(.double, count: n) }
            var out = [Double](repeating: 0, count: n)
            var valid = ValidityBuilder(count: n)
            for i in 0..<n {
                let gi = Int(groups.ids[i])
                if x.isNull(i) { valid.setNull(i); continue }
                out[i] = h[gi] == l[gi] ? 0 : (v[i] - l[gi]) / (h[gi] - l[gi])
            }
            return Column(.double(out), validity: valid.finish())
        case .zscore:
            let v = try numericDoubles(x, "zscore")
            let means = try aggregate(.avg, x, groups: groups), sds = try aggregate(.stddev, x, groups: groups)
            guard case .double(let m) = means.storage, case .double(let s) = sds.storage else { return Column.nulls(.double, count: n) }
            var out = [Double](repeating: 0, count: n)
            var valid = ValidityBuilder(count: n)
            for i in 0..<n {
                let gi = Int(groups.ids[i])
                if x.isNull(i) || sds.isNull(gi) || s[gi] == 0 { valid.setNull(i); continue }
                out[i] = (v[i] - m[gi]) / s[gi]
            }
            return Column(.double(out), validity: valid.finish())
        }
    }

    private static func ranking(_ kind: WindowKind, _ x: Column, _ groups: GroupIndex) throws -> Column {
        let n = x.count
        var buckets = 0
        switch kind {
        case .ntile(let k), .quantileScore(let k):
            guard k >= 1 else { throw KernelError.invalidArgument("the number of tiles must be at least 1, not \(k)") }
            buckets = k
        default: break
        }
        // One radix sort of (group id, order word) keys gives each group's rows, ordered by x
        // then input order, with the keys at hand for ties: when the bits fit in 64.
        let order = try OrderWords.make(x, descending: false)
        let groupBits = groups.groupCount > 1 ? 64 - UInt64(groups.groupCount - 1).leadingZeroBitCount : 0
        if n >= 2048 && !OrderWords.needsTierKey(x, order) {
            if case .quantileScore(let k) = kind, groups.groupCount <= 1, k <= 64 {
                return try quantileScores(x, order, buckets: k)
            }
            if order.bits + groupBits <= 64 {
                return try ranking(kind, x, groups, order, groupBits: groupBits, buckets: buckets)
            }
        }
        return try rankingByPermutation(kind, x, groups, buckets: buckets)
    }

    /// quantile_score(x, k) over one group without sorting. The score is ceil(k × r / N)
    /// with r = 1 + the number of values below x, so score ≤ j exactly when r ≤ ⌊jN/k⌋,
    /// that is when x ≤ the ⌊jN/k⌋-th smallest value s(j). Hence score = 1 + the number of j
    /// in 1..<k with x > s(j) (or with ⌊jN/k⌋ = 0). The k - 1 order statistics are found by
    /// radix selection (`selectWords`) on the order words.
    private static func quantileScores(_ x: Column, _ order: OrderWords, buckets k: Int) throws -> Column {
        let n = x.count
        let nonNull = n - x.nullCount
        var ranks: [Int] = []
        var always: Int64 = 1
        for j in 1..<k {
            let m = j * nonNull / k
            if m == 0 { always += 1 } else { ranks.append(m) }
        }
        let thresholds = try order.words.withUnsafeBufferPointer { words in
            try x.withValidityWords { valid in
                try selectWords(words, valid: valid, bits: order.bits, ranks: ranks)
            }
        }
        let ints = [Int64](unsafeUninitializedCapacity: n) { out, initialized in
            order.words.withUnsafeBufferPointer { words in
                if thresholds.count <= 8 {
                    // Up to 8 thresholds in one vector (padding never exceeded): no branches.
                    var t = SIMD8<UInt64>(repeating: .max)
                    for (j, v) in thresholds.enumerated() { t[j] = v }
                    for i in 0..<n {
                        let above = SIMD8<UInt64>(repeating: words[i]) .> t
                        out[i] = always &+ SIMD8<Int64>(repeating: 0).replacing(with: 1, where: above).wrappedSum()
                    }
                } else {
                    thresholds.withUnsafeBufferPointer { t in
                        for i in 0..<n {
                            let w = words[i]
                            var score = always
                            for j in 0..<t.count { score &+= w > t[j] ? 1 : 0 }
                            out[i] = score
                        }
                    }
                }
            }
            // Null rows: 0 (their validity makes them null).
            x.withValidityWords { valid in
                if let valid { for i in 0..<n where !validBit(valid, i) { out[i] = 0 } }
            }
            initialized = n
        }
        try Cancellation.check()
        return Column(.int(ints), validity: x.validity)
    }

    /// The `ranks[j]`-th smallest (1-based; `ranks` ascending, each at most the count) of the
    /// valid words, all below `1 << bits`: a histogram of the top 11 bits finds each rank's
    /// bucket, whose words are then searched the same way on the next bits.
    static func selectWords(_ words: UnsafeBufferPointer<UInt64>, valid: UnsafeBufferPointer<UInt64>?, bits: Int,
                            ranks: [Int]) throws -> [UInt64] {
        if ranks.isEmpty { return [] }
        let digitBits = 11
        let shift = UInt64(Swift.max(0, bits - digitBits))
        let mask: UInt64 = (1 << UInt64(digitBits)) - 1
        var counts = [Int](repeating: 0, count: 1 << digitBits)
        try counts.withUnsafeMutableBufferPointer { c in
            try KernelSupport.chunked(0..<words.count) { r in
                if let valid {
                    for i in r where validBit(valid, i) { c[Int((words[i] &>> shift) & mask)] += 1 }
                } else {
                    for i in r { c[Int((words[i] &>> shift) & mask)] += 1 }
                }
            }
        }
        // Each rank's bucket and its rank within the bucket.
        var bucketOf: [Int] = [], rankIn: [Int] = []
        var below = 0, b = 0
        for m in ranks {
            while below + counts[b] < m { below += counts[b]; b += 1 }
            bucketOf.append(b)
            rankIn.append(m - below)
        }
        var out = [UInt64](repeating: 0, count: ranks.count)
        let needed = Array(Set(bucketOf)).sorted()
        if shift == 0 {
            // The bucket is the word's last digit; every word in it is the same. Find one.
            var found = [Int: UInt64]()
            for i in 0..<words.count where valid.map({ validBit($0, i) }) ?? true {
                let d = Int(words[i] & mask)
                if found[d] == nil && needed.contains(d) { found[d] = words[i] }
                if found.count == needed.count { break }
            }
            for (j, bucket) in bucketOf.enumerated() { out[j] = found[bucket] ?? 0 }
            return out
        }
        // The words of the needed buckets, searched on the next digit.
        var slot = [Int](repeating: -1, count: 1 << digitBits)
        for (s, bucket) in needed.enumerated() { slot[bucket] = s }
        var parts = needed.map { bucket -> [UInt64] in
            var a: [UInt64] = []
            a.reserveCapacity(counts[bucket])
            return a
        }
        try slot.withUnsafeBufferPointer { slot in
            try KernelSupport.chunked(0..<words.count) { r in
                for i in r where valid.map({ validBit($0, i) }) ?? true {
                    let s = slot[Int((words[i] &>> shift) & mask)]
                    if s >= 0 { parts[s].append(words[i]) }
                }
            }
        }
        for (s, bucket) in needed.enumerated() {
            let js = bucketOf.indices.filter { bucketOf[$0] == bucket }
            let found = try parts[s].withUnsafeBufferPointer { p in
                try selectWords(p, valid: nil, bits: Int(shift), ranks: js.map { rankIn[$0] })
            }
            for (j, v) in zip(js, found) { out[j] = v }
        }
        return out
    }

    /// The ranking function's value for `row`, at sorted position `position` (from 0) among
    /// the `total` non-null rows of its group; `rankStart` is the 1-based position of the
    /// first row equal to it, `dense` the number of distinct values up to it.
    @inline(__always)
    private static func storeRank(_ kind: WindowKind, buckets: Int, position p: Int, rankStart: Int64, dense: Int64, total: Int64,
                                  row: Int, _ ints: UnsafeMutableBufferPointer<Int64>, _ doubles: UnsafeMutableBufferPointer<Double>) {
        switch kind {
        case .rank: ints[row] = rankStart
        case .denseRank: ints[row] = dense
        case .percentRank: doubles[row] = total == 1 ? 0 : Double(rankStart - 1) / Double(total - 1)
        case .quantileScore: ints[row] = CheckedArithmetic.ceilMultiplyDivide(Int64(buckets), rankStart, total)
        case .ntile:
            let k = Int64(buckets), q = total / k, r = total % k, pos = Int64(p)
            ints[row] = pos < r * (q + 1) ? pos / (q + 1) + 1 : (pos - r * (q + 1)) / q + r + 1
        default: break
        }
    }

    /// `ranking` by one sort of keys holding the group id above the order word.
    private static func ranking(_ kind: WindowKind, _ x: Column, _ groups: GroupIndex, _ order: OrderWords,
                                groupBits: Int, buckets: Int) throws -> Column {
        let n = x.count
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let rows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        let tmpKeys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let tmpRows = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { keys.deallocate(); rows.deallocate(); tmpKeys.deallocate(); tmpRows.deallocate() }
        let wordBits = UInt64(order.bits)
        order.words.withUnsafeBufferPointer { words in
            groups.ids.withUnsafeBufferPointer { ids in
                for i in 0..<n {
                    keys[i] = groupBits == 0 ? words[i] : UInt64(UInt32(bitPattern: ids[i])) << wordBits | words[i]
                    rows[i] = Int32(truncatingIfNeeded: i)
                }
            }
        }
        let sorted = sortPairs((keys, rows), (tmpKeys, tmpRows), bits: order.bits + groupBits, cancellable: true)
        try Cancellation.check()
        let sk = sorted.keys, sr = sorted.vals
        var doubles: [Double] = []
        var ints: [Int64] = []
        func walk(_ ints: UnsafeMutableBufferPointer<Int64>, _ doubles: UnsafeMutableBufferPointer<Double>) {
            x.withValidityWords { valid in
                var s = 0
                while s < n {
                    // The group's rows are sr[s..<e]; its non-null rows come first.
                    let group = groupBits == 0 ? 0 : sk[s] >> wordBits
                    var e = s
                    var nonNull = 0
                    while e < n && (groupBits == 0 || sk[e] >> wordBits == group) {
                        if valid.map({ validBit($0, Int(sr[e])) }) ?? true { nonNull += 1 }
                        e += 1
                    }
                    let total = Int64(nonNull)
                    var rankStart: Int64 = 0
                    var dense: Int64 = 0
                    for p in 0..<nonNull {
                        let row = Int(sr[s + p])
                        if p == 0 || sk[s + p] != sk[s + p - 1] {
                            rankStart = Int64(p) + 1
                            dense += 1
                        }
                        storeRank(kind, buckets: buckets, position: p, rankStart: rankStart, dense: dense, total: total,
                                  row: row, ints, doubles)
                    }
                    // Null rows: 0 (their validity makes them null).
                    for p in nonNull..<(e - s) {
                        let row = Int(sr[s + p])
                        if kind == .percentRank { doubles[row] = 0 } else { ints[row] = 0 }
                    }
                    s = e
                }
            }
        }
        if kind == .percentRank {
            doubles = [Double](unsafeUninitializedCapacity: n) { out, initialized in
                walk(UnsafeMutableBufferPointer(start: nil, count: 0), out)
                initialized = n
            }
        } else {
            ints = [Int64](unsafeUninitializedCapacity: n) { out, initialized in
                walk(out, UnsafeMutableBufferPointer(start: nil, count: 0))
                initialized = n
            }
        }
        let valid = x.validity
        if kind == .percentRank { return Column(.double(doubles), validity: valid) }
        return Column(.int(ints), validity: valid)
    }

    /// `ranking` by a sort permutation of x, regrouped by a counting sort on group ids (keys
    /// that do not fit one word, small inputs).
    private static func rankingByPermutation(_ kind: WindowKind, _ x: Column, _ groups: GroupIndex, buckets: Int) throws -> Column {
        let n = x.count
        // Rows ordered by x (stable), then grouped by a stable counting sort on group id:
        // each group's rows are contiguous, ordered by x then input order, nulls last.
        var perm = try sortPermutation(keys: [(x, false)])
        let ids = groups.ids
        if groups.groupCount > 1 {
            var start = [Int](repeating: 0, count: groups.groupCount + 1)
            for g in ids { start[Int(g) + 1] += 1 }
            for g in 0..<groups.groupCount { start[g + 1] += start[g] }
            var grouped = [Int32](repeating: 0, count: n)
            ids.withUnsafeBufferPointer { ids in
                start.withUnsafeMutableBufferPointer { next in
                    grouped.withUnsafeMutableBufferPointer { out in
                        for row in perm {
                            let g = Int(ids[Int(row)])
                            out[next[g]] = row
                            next[g] += 1
                        }
                    }
                }
            }
            perm = grouped
        }
        try Cancellation.check()
        let words = try OrderWords.make(x, descending: false).words
        var ints = [Int64](repeating: 0, count: n)
        var doubles = [Double](repeating: 0, count: kind == .percentRank ? n : 0)
        var isNull = [Bool](repeating: false, count: n)
        if let v = x.validity {
            v.words.withUnsafeBufferPointer { w in for i in 0..<n where !validBit(w, i) { isNull[i] = true } }
        }
        ids.withUnsafeBufferPointer { ids in
        perm.withUnsafeBufferPointer { perm in
        words.withUnsafeBufferPointer { words in
        isNull.withUnsafeBufferPointer { isNull in
        ints.withUnsafeMutableBufferPointer { ints in
        doubles.withUnsafeMutableBufferPointer { doubles in
            var s = 0
            while s < n {
                // The group's rows are perm[s..<e]; its non-null rows come first.
                let gid = ids[Int(perm[s])]
                var e = s
                var nonNull = 0
                while e < n && ids[Int(perm[e])] == gid {
                    if !isNull[Int(perm[e])] { nonNull += 1 }
                    e += 1
                }
                let total = Int64(nonNull)
                var rankStart: Int64 = 0
                var dense: Int64 = 0
                for p in 0..<nonNull {
                    let row = Int(perm[s + p])
                    if p == 0 || words[row] != words[Int(perm[s + p - 1])] {
                        rankStart = Int64(p) + 1
                        dense += 1
                    }
                    storeRank(kind, buckets: buckets, position: p, rankStart: rankStart, dense: dense, total: total,
                              row: row, ints, doubles)
                }
                s = e
            }
        }
        }
        }
        }
        }
        }
        try Cancellation.check()
        let valid = x.validity
        if kind == .percentRank { return Column(.double(doubles), validity: valid) }
        return Column(.int(ints), validity: valid)
    }

    private static func cumulativeSum(_ x: Column, _ groups: GroupIndex) throws -> Column {
        let n = x.count
        let ids = groups.ids
        var ints: [Int64]? = nil
        switch x.storage {
        case .int(let v): ints = v
        case .bool(let b): ints = b.map { $0 ? 1 : 0 }
        default: break
        }
        if let v = ints {
            var running = [Int64](repeating: 0, count: groups.groupCount)
            var out = [Int64](repeating: 0, count: n)
            var overflow = false
            try KernelSupport.chunked(0..<n) { r in
                for i in r where !x.isNull(i) {
                    let gi = Int(ids[i])
                    let (s, o) = running[gi].addingReportingOverflow(v[i])
                    if o { overflow = true }
                    running[gi] = s
                    out[i] = s
                }
            }
            if !overflow { return Column(.int(out), validity: x.validity) }
        }
        let v = try numericDoubles(x, "cumsum")
        var running = [CompensatedSum](repeating: CompensatedSum(), count: groups.groupCount)
        var out = [Double](repeating: 0, count: n)
        try KernelSupport.chunked(0..<n) { r in
            for i in r where !x.isNull(i) {
                let gi = Int(ids[i])
                running[gi].add(v[i])
                out[i] = running[gi].value
            }
        }
        return Column(.double(out), validity: x.validity)
    }
}
