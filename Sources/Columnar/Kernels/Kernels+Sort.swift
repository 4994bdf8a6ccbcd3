/// Sorting: stable multi-key sort permutations and partial sorts for `top N`.
extension Kernels {
    /// The row order that sorts the key columns: a stable sort (equal keys keep input
    /// order), first key most significant. Nulls sort last in both directions; NaN sorts
    /// after every number and before nulls, also when descending. Strings sort by their
    /// UTF-8 bytes. No keys gives an empty permutation.
    public static func sortPermutation(keys: [(column: Column, descending: Bool)]) throws -> [Int32] {
        guard let n = keys.first?.column.count else { return [] }
        _ = try KernelSupport.checkSameLength(keys.map { $0.column }, "sort keys")
        let order = try PackedOrder.make(keys)
        var perm = (0..<Int32(truncatingIfNeeded: n)).map { $0 }
        for pack in order.packs.reversed() where pack.bits > 0 {
            perm = try stableSort(perm, by: pack)
        }
        return perm
    }

    /// The first `limit` rows of `sortPermutation(keys:)`, computed with a bounded heap
    /// when `limit` is small compared with the row count.
    public static func topPermutation(keys: [(column: Column, descending: Bool)], limit: Int) throws -> [Int32] {
        guard let n = keys.first?.column.count else { return [] }
        let k = Swift.max(0, Swift.min(limit, n))
        if k == 0 { return [] }
        if k * 8 >= n || n < 4096 {
            return Array(try sortPermutation(keys: keys).prefix(k))
        }
        _ = try KernelSupport.checkSameLength(keys.map { $0.column }, "sort keys")
        let order = try PackedOrder.make(keys)
        // Max-heap of the best k rows seen: the worst of them on top.
        var heap: [Int] = []
        heap.reserveCapacity(k)
        func siftDown(_ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count && order.less(heap[worst], heap[l]) { worst = l }
                if r < heap.count && order.less(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst)
                i = worst
            }
        }
        try KernelSupport.chunked(0..<n) { r in
            for row in r {
                if heap.count < k {
                    heap.append(row)
                    var i = heap.count - 1
                    while i > 0 {
                        let p = (i - 1) / 2
                        if order.less(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { break }
                    }
                } else if order.less(row, heap[0]) {
                    heap[0] = row
                    siftDown(0)
                }
            }
        }
        return heap.sorted { order.less($0, $1) }.map { Int32(truncatingIfNeeded: $0) }
    }

    /// Reorders `perm` stably by `words[perm[i]]`.
    static func stableSort(_ perm: [Int32], by key: OrderWords) throws -> [Int32] {
        let out = stableSort(perm, by: key, cancellable: true)
        try Cancellation.check()
        return out
    }

    /// `stableSort`; when `cancellable`, it stops early on cancellation with a meaningless
    /// result (the caller checks), otherwise it always finishes (cached orders).
    static func stableSort(_ perm: [Int32], by key: OrderWords, cancellable: Bool) -> [Int32] {
        let n = perm.count
        if n < 2048 {
            let pairs = perm.enumerated().map { (key.words[Int($0.element)], $0.offset) }
            return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { perm[$0.1] }
        }
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let vals = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        let tmpKeys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let tmpVals = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { keys.deallocate(); vals.deallocate(); tmpKeys.deallocate(); tmpVals.deallocate() }
        key.words.withUnsafeBufferPointer { w in
            perm.withUnsafeBufferPointer { p in
                for i in 0..<n {
                    keys[i] = w[Int(p[i])]
                    vals[i] = p[i]
                }
            }
        }
        let sorted = sortPairs((keys, vals), (tmpKeys, tmpVals), bits: key.bits, cancellable: cancellable)
        if cancellable && Cancellation.isRequested { return perm }
        return Array(sorted.vals)
    }

    /// Inputs with more rows than this are radix sorted by two threads (each sorts a half,
    /// then the halves are merged).
    static var parallelSortThreshold: Int { KernelSupport.parallelThreshold >> 3 }

    /// Sorts the pairs `(a.keys[i], a.vals[i])` stably by key (`bits` significant bits),
    /// using `b` as scratch space of the same size; returns whichever of `a` and `b` holds the
    /// sorted pairs. Stops early on cancellation when `cancellable` (the caller checks).
    static func sortPairs(_ a: (keys: UnsafeMutableBufferPointer<UInt64>, vals: UnsafeMutableBufferPointer<Int32>),
                          _ b: (keys: UnsafeMutableBufferPointer<UInt64>, vals: UnsafeMutableBufferPointer<Int32>),
                          bits: Int, cancellable: Bool) -> (keys: UnsafeMutableBufferPointer<UInt64>, vals: UnsafeMutableBufferPointer<Int32>) {
        let n = a.keys.count
        if n <= parallelSortThreshold {
            return radixSort(a.keys, a.vals, b.keys, b.vals, bits: bits, cancellable: cancellable) ? b : a
        }
        // Sort both halves in parallel, then merge (ties take the left half: stable).
        let mid = n / 2
        func part<T>(_ buffer: UnsafeMutableBufferPointer<T>, _ h: Int) -> UnsafeMutableBufferPointer<T> {
            h == 0 ? UnsafeMutableBufferPointer(rebasing: buffer[0..<mid]) : UnsafeMutableBufferPointer(rebasing: buffer[mid..<n])
        }
        let inB = [Slot<Bool>(), Slot<Bool>()]
        KernelSupport.both { h in
            inB[h].value = radixSort(part(a.keys, h), part(a.vals, h), part(b.keys, h), part(b.vals, h), bits: bits,
                                     cancellable: cancellable)
        }
        if cancellable && Cancellation.isRequested { return a }
        // Both halves in one set (the left half's), merged into the other.
        let leftInB = inB[0].value == true
        if (inB[1].value == true) != leftInB {
            let (from, to) = leftInB ? (a, b) : (b, a)
            _ = part(to.keys, 1).update(fromContentsOf: part(from.keys, 1))
            _ = part(to.vals, 1).update(fromContentsOf: part(from.vals, 1))
        }
        let (src, dst) = leftInB ? (b, a) : (a, b)
        let lk = part(src.keys, 0), lv = part(src.vals, 0), rk = part(src.keys, 1), rv = part(src.vals, 1)
        let ok = dst.keys, ov = dst.vals
        var i = 0, j = 0, k = 0
        while i < lk.count && j < rk.count {
            if rk[j] < lk[i] {
                ok[k] = rk[j]; ov[k] = rv[j]; j += 1
            } else {
                ok[k] = lk[i]; ov[k] = lv[i]; i += 1
            }
            k += 1
        }
        while i < lk.count { ok[k] = lk[i]; ov[k] = lv[i]; i += 1; k += 1 }
        while j < rk.count { ok[k] = rk[j]; ov[k] = rv[j]; j += 1; k += 1 }
        return dst
    }

    /// LSD radix sort (11-bit digits, stable) of keys with their values. Returns true when
    /// the result ended in the temporary buffers. Stops early on cancellation.
    static func radixSort(_ keys: UnsafeMutableBufferPointer<UInt64>, _ vals: UnsafeMutableBufferPointer<Int32>,
                          _ tmpKeys: UnsafeMutableBufferPointer<UInt64>, _ tmpVals: UnsafeMutableBufferPointer<Int32>,
                          bits: Int, cancellable: Bool = true) -> Bool {
        let n = keys.count
        let digitBits = 11
        let buckets = 1 << digitBits
        var src = (keys, vals), dst = (tmpKeys, tmpVals)
        var swapped = false
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: buckets)
        defer { counts.deallocate() }
        var shift = 0
        while shift < bits {
            if cancellable && Cancellation.isRequested { break }
            for b in 0..<buckets { counts[b] = 0 }
            let s = UInt64(shift)
            let mask = UInt64(buckets - 1)
            for i in 0..<n { counts[Int((src.0[i] &>> s) & mask)] += 1 }
            if cancellable && Cancellation.isRequested { break }
            shift += digitBits
            if counts.contains(n) { continue }  // this digit is the same everywhere
            let (sk, sv, dk, dv) = (src.0, src.1, dst.0, dst.1)
            var total = 0
            for b in 0..<buckets { let c = counts[b]; counts[b] = total; total += c }
            for i in 0..<n {
                let k = sk[i]
                let d = Int((k &>> s) & mask)
                let pos = counts[d]
                counts[d] = pos + 1
                dk[pos] = k
                dv[pos] = sv[i]
            }
            swap(&src, &dst)
            swapped.toggle()
        }
        return swapped
    }
}
