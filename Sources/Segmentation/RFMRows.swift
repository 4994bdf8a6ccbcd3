import Columnar
import Dispatch

/// The order rows of an `rfm` (group id, date, amount, validity) and the two ways of
/// accumulating them into per-customer figures. Both add each customer's orders in row
/// order, so their sums are bit-identical.
struct RFMRows {
    /// Dense group ids `0..<groupCount`, one per row.
    let ids: UnsafeBufferPointer<Int32>
    let dates: UnsafeBufferPointer<Int32>
    let amounts: UnsafeBufferPointer<Double>
    /// Which rows have a customer, date and amount (nil: all).
    let valid: UnsafeBufferPointer<UInt64>?
    let asof: Int32
    /// Orders dated after this (and on or before asof) are in the window.
    let windowStart: Int32
    let groupCount: Int

    /// Calls `body` with the words of `bitmap` (nil when there is none).
    static func withValidityWords<R>(_ bitmap: Bitmap?, _ body: (UnsafeBufferPointer<UInt64>?) throws -> R) rethrows -> R {
        if let bitmap { return try bitmap.words.withUnsafeBufferPointer { try body($0) } }
        return try body(nil)
    }

    /// Whether row `i` counts: valid and dated on or before asof.
    @inline(__always)
    func counts(_ i: Int) -> Bool {
        if let valid, (valid[i &>> 6] &>> UInt64(i & 63)) & 1 == 0 { return false }
        return dates[i] <= asof
    }

    /// `counts(i)` as 1 or 0, computed without branches on the data.
    @inline(__always)
    func countsBit(_ i: Int) -> Int {
        var bit = dates[i] <= asof ? 1 : 0
        if let valid { bit &= Int(truncatingIfNeeded: (valid[i &>> 6] &>> UInt64(i & 63)) & 1) }
        return bit
    }

    /// The simple way: one accumulator per group, one loop over the rows.
    func accumulate(into figures: UnsafeMutableBufferPointer<RFMFigures>, kept: UnsafeMutableBufferPointer<Bool>) {
        let g = groupCount
        let accs = UnsafeMutableBufferPointer<RFMAccumulator>.allocate(capacity: max(g, 1))
        defer { accs.deallocate() }
        accs.initialize(repeating: RFMAccumulator())
        for i in 0..<ids.count {
            if i & 0xFFFF == 0 && Cancellation.isRequested { return }
            if counts(i) { accs[Int(ids[i])].add(date: dates[i], amount: amounts[i], windowStart: windowStart) }
        }
        for k in 0..<g {
            figures[k] = accs[k].figures
            kept[k] = accs[k].total > 0
        }
    }

    /// The groups of one partition: `1 << partitionShift` consecutive ids. nil: chosen from
    /// the group count (a tuning knob for tests, which make partitions tiny).
    nonisolated(unsafe) static var partitionShift: Int? = nil
    /// At most this many rows are copied into partitions at a time (a round); more rows take
    /// several rounds, each over the partitions of a range of groups (each round reads all
    /// rows again). The copy takes 16 bytes per row of a round — as much as the customer, date
    /// and amount columns it comes from — so at most 256 MB. (The canonical 10M-order
    /// pipeline takes one round: its peak memory is later, with the views' tables; three
    /// rounds of 4M rows cost a quarter more time.)
    nonisolated(unsafe) static var roundRows = 1 << 24

    /// Inputs with at least this many rows use two threads (a knob for tests).
    nonisolated(unsafe) static var parallelRows = 1 << 17

    /// A row copied into its partition.
    struct Row {
        var id: Int32
        var date: Int32
        var amount: Double
    }

    /// Whether `accumulatePartitioned` is the faster way: many rows (`threshold`) and more
    /// than one partition of customers.
    func prefersPartitions(threshold: Int) -> Bool {
        ids.count >= threshold && ids.count < Int(Int32.max) && groupCount > 1 << (RFMRows.partitionShift ?? 12)
    }

    /// The fast way for many rows and customers: a small accumulator table per partition of
    /// customers (`forEachPartition`), where one accumulator per customer in one table costs
    /// a cache miss per row.
    func accumulatePartitioned(into figures: UnsafeMutableBufferPointer<RFMFigures>, kept: UnsafeMutableBufferPointer<Bool>) {
        let g = groupCount
        if g == 0 { return }
        let accs = (0..<2).map { _ in
            UnsafeMutableBufferPointer<RFMAccumulator>.allocate(capacity: min(1 << shift, g))
        }
        defer { for a in accs { a.deallocate() } }
        forEachPartition { low, high, rows, thread in
            let local = UnsafeMutableBufferPointer(rebasing: accs[thread][0..<(high - low)])
            local.initialize(repeating: RFMAccumulator())
            for row in rows {
                local[Int(row.id) - low].add(date: row.date, amount: row.amount, windowStart: self.windowStart)
            }
            for k in 0..<(high - low) {
                figures[low + k] = local[k].figures
                kept[low + k] = local[k].total > 0
            }
        }
    }

    /// log2 of the customers in one partition: 4096 customers (256 KB of RFM accumulators)
    /// or more, at most 1024 partitions.
    var shift: Int {
        var shift = RFMRows.partitionShift ?? 12
        if RFMRows.partitionShift == nil { while (groupCount - 1) >> shift >= 1024 { shift += 1 } }
        return shift
    }

    /// The counted rows by partition of customers: `body(low, high, rows, thread)` gets the
    /// rows of the customers `low..<high` (`1 << shift` consecutive ids), in row order, from
    /// thread 0 or 1 (two threads when there are `parallelRows` rows or more; the calls of
    /// one thread are sequential). The rows are first copied, stably, into partitions by
    /// group id (`id >> shift`): a pass over one partition then touches a small range of
    /// customers that stays in the L2 cache, where one pass over all rows would miss the
    /// cache on every row. Each thread copies the rows of one half of the input (the first
    /// half's rows go first in every partition, so each partition keeps row order), then
    /// each goes through a contiguous range of partitions. When the counted rows exceed
    /// `roundRows`, this is done in rounds over ranges of partitions. Returns early on
    /// cancellation.
    func forEachPartition(_ body: (_ low: Int, _ high: Int, _ rows: UnsafeMutableBufferPointer<Row>, _ thread: Int) -> Void) {
        let n = ids.count, g = groupCount
        if g == 0 { return }
        let shift = self.shift
        let partitions = ((g - 1) >> shift) + 1
        let halves = [0..<(n / 2), (n / 2)..<n]
        let threads = n >= RFMRows.parallelRows ? 2 : 1

        // Counted rows per partition and half.
        var sizes = [[Int]](repeating: [Int](repeating: 0, count: partitions), count: 2)
        let sizesOf = [Slot<[Int]>(), Slot<[Int]>()]
        let countHalf = { (h: Int) in
            var c = [Int](repeating: 0, count: partitions)
            c.withUnsafeMutableBufferPointer { c in
                for i in halves[h] {
                    if i & 0xFFFF == 0 && Cancellation.isRequested { return }
                    c[Int(self.ids[i]) &>> shift] += self.countsBit(i)
                }
            }
            sizesOf[h].value = c
        }
        if threads == 2 { DispatchQueue.concurrentPerform(iterations: 2, execute: countHalf) } else { countHalf(0); countHalf(1) }
        if Cancellation.isRequested { return }
        for h in 0..<2 { sizes[h] = sizesOf[h].value ?? sizes[h] }

        // Rounds: consecutive partitions with at most roundRows rows (at least one partition).
        var rounds: [Range<Int>] = []
        var roundStart = 0, roundSize = 0, largest = 0
        for p in 0..<partitions {
            let size = sizes[0][p] + sizes[1][p]
            if p > roundStart && roundSize + size > RFMRows.roundRows {
                rounds.append(roundStart..<p)
                roundStart = p
                roundSize = 0
            }
            roundSize += size
            largest = max(largest, roundSize)
        }
        rounds.append(roundStart..<partitions)

        let buffer = UnsafeMutableBufferPointer<Row>.allocate(capacity: largest + 1)
        defer { buffer.deallocate() }

        for round in rounds {
            // Where each partition's rows go: start[p - round.lowerBound]..<start[p + 1 - ...].
            var start = [Int](repeating: 0, count: round.count + 1)
            var cursors = [[Int]](repeating: [Int](repeating: 0, count: round.count), count: 2)
            for (j, p) in round.enumerated() {
                cursors[0][j] = start[j]
                cursors[1][j] = start[j] + sizes[0][p]
                start[j + 1] = start[j] + sizes[0][p] + sizes[1][p]
            }
            // Each row is written somewhere: rows that do not count, or belong to another
            // round, go to a spare slot at the end of the buffer (the cursor `trash`, which
            // never advances), so that the loop has no branch on the data.
            let trash = round.count
            var slotOf = [Int32](repeating: Int32(trash), count: partitions)
            for (j, p) in round.enumerated() { slotOf[p] = Int32(j) }
            for h in 0..<2 { cursors[h].append(largest) }
            let cursorsOf = cursors.map { Slot<[Int]>($0) }
            let copyHalf = { (h: Int) in
                guard var cursor = cursorsOf[h].value else { return }
                cursor.withUnsafeMutableBufferPointer { cursor in
                    slotOf.withUnsafeBufferPointer { slotOf in
                        for i in halves[h] {
                            if i & 0xFFFF == 0 && Cancellation.isRequested { return }
                            let id = self.ids[i]
                            let slot = trash + (Int(slotOf[Int(id) &>> shift]) - trash) * self.countsBit(i)
                            let pos = cursor[slot]
                            buffer[pos] = Row(id: id, date: self.dates[i], amount: self.amounts[i])
                            cursor[slot] = pos + (slot < trash ? 1 : 0)
                        }
                    }
                }
            }
            if threads == 2 { DispatchQueue.concurrentPerform(iterations: 2, execute: copyHalf) } else { copyHalf(0); copyHalf(1) }
            if Cancellation.isRequested { return }

            // Two contiguous ranges of partitions with about half of the rows each.
            var split = 0
            while split < round.count && 2 * start[split] < start[round.count] { split += 1 }
            let parts = [0..<split, split..<round.count]
            func accumulateRange(_ h: Int) {
                for j in parts[h] {
                    if Cancellation.isRequested { return }
                    let low = (round.lowerBound + j) << shift, high = min(g, low + (1 << shift))
                    body(low, high, UnsafeMutableBufferPointer(rebasing: buffer[start[j]..<start[j + 1]]), h)
                }
            }
            if threads == 2 { DispatchQueue.concurrentPerform(iterations: 2, execute: accumulateRange) } else { accumulateRange(0); accumulateRange(1) }
            if Cancellation.isRequested { return }
        }
    }
}

/// A value written by one thread of a two-thread loop.
final class Slot<T>: @unchecked Sendable {
    var value: T?
    init(_ value: T? = nil) { self.value = value }
}
