/// The groups of a table's rows by some key columns.
public struct GroupIndex: Sendable {
    /// The group of each row: dense ids `0..<groupCount`, numbered in order of first
    /// appearance.
    public var ids: [Int32]
    /// The number of groups.
    public var groupCount: Int
    /// A representative row of each group: its first row. For the single group of an
    /// empty key list over zero rows this is `[-1]` (so gathering key columns by it gives
    /// nulls, and aggregates give one row, as SQL's `select count(*)` on an empty table).
    public var firstRow: [Int32]

    public init(ids: [Int32], groupCount: Int, firstRow: [Int32]) {
        self.ids = ids
        self.groupCount = groupCount
        self.firstRow = firstRow
    }

    /// The number of rows grouped.
    public var rowCount: Int { ids.count }

    /// All rows in one group (no key columns). Zero rows still make one group, with
    /// `firstRow == [-1]`.
    public static func single(rowCount: Int) -> GroupIndex {
        GroupIndex(ids: [Int32](repeating: 0, count: rowCount), groupCount: 1,
                   firstRow: [rowCount > 0 ? 0 : -1])
    }

    /// The rows of each group, in row order: `rows[offsets[g]..<offsets[g + 1]]`.
    func rowsByGroup() -> (offsets: [Int], rows: [Int32]) {
        var offsets = [Int](repeating: 0, count: groupCount + 1)
        ids.withUnsafeBufferPointer { ids in
            for g in ids { offsets[Int(g) + 1] += 1 }
        }
        for g in 0..<groupCount { offsets[g + 1] += offsets[g] }
        var next = offsets
        var rows = [Int32](repeating: 0, count: ids.count)
        ids.withUnsafeBufferPointer { ids in
            for i in 0..<ids.count {
                let g = Int(ids[i])
                rows[next[g]] = Int32(i)
                next[g] += 1
            }
        }
        return (offsets, rows)
    }
}

extension Kernels {
    /// Groups rows by the values of `keys` (columns of equal length). Null keys form one
    /// group (per key column, null equals null); doubles group -0.0 with 0.0 and all NaNs
    /// together. With no key columns, all `rowCount` rows form one group (see
    /// `GroupIndex.single`); `rowCount` is otherwise ignored.
    public static func groupIDs(keys: [Column], rowCount: Int? = nil) throws -> GroupIndex {
        if keys.isEmpty { return .single(rowCount: rowCount ?? 0) }
        let n = try KernelSupport.checkSameLength(keys, "group keys")
        if n == 0 { return GroupIndex(ids: [], groupCount: 0, firstRow: []) }
        let words = try KeyWords.combine(keys.map { try KeyWords.make($0) }, count: n)
        return try assignGroups(words, count: n)
    }

    /// Group ids for prepared key words.
    static func assignGroups(_ words: [KeyWords], count n: Int) throws -> GroupIndex {
        if words.count == 1 {
            let k = words[0]
            if let card = k.cardinality, card <= UInt64(Swift.max(n, 1 << 16)) {
                return try runTables(n, splitRows: card <= 1 << 16) { DirectTable(k.words, cardinality: Int(card)) }
            }
            return try runTables(n) { WordTable(k.words, nulls: k.nulls) }
        }
        return try runTables(n) { MultiWordTable(words) }
    }

    /// Runs a table over all rows. Large inputs use two threads: with a small key space
    /// (`splitRows`) each thread takes half of the rows and the second half's groups are
    /// merged into the first's; otherwise each thread takes the keys of one hash partition
    /// over all rows, and the two partitions' groups are interleaved by first row.
    private static func runTables<T: GroupTable>(_ n: Int, splitRows: Bool = false, _ make: () -> T) throws -> GroupIndex {
        let ids = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { ids.deallocate() }
        if n <= KernelSupport.parallelThreshold {
            let table = make()
            let first = assignRange(table, 0..<n, ids)
            try Cancellation.check()
            return GroupIndex(ids: Array(ids), groupCount: first.count, firstRow: first)
        }
        let tables = [make(), make()]
        let firsts = [Slot<[Int32]>(), Slot<[Int32]>()]
        if splitRows {
            let parts = KernelSupport.halves(n)
            KernelSupport.both { h in
                firsts[h].value = assignRange(tables[h], parts[h], ids)
            }
            try Cancellation.check()
            var first = firsts[0].value ?? []
            let second = firsts[1].value ?? []
            var map = [Int32](repeating: 0, count: second.count)
            for g in 0..<second.count {
                let id = tables[0].find(Int(second[g]))
                if id >= 0 {
                    map[g] = id
                } else {
                    map[g] = Int32(first.count)
                    first.append(second[g])
                }
            }
            map.withUnsafeBufferPointer { m in
                for i in parts[1] { ids[i] = m[Int(ids[i])] }
            }
            return GroupIndex(ids: Array(ids), groupCount: first.count, firstRow: first)
        }
        // Hash partitions: thread h handles the rows whose key is in partition h, writing
        // local ids into its own buffer (no shared cache lines).
        let local = UnsafeMutableBufferPointer<Int32>.allocate(capacity: n)
        defer { local.deallocate() }
        KernelSupport.both { h in
            let table = tables[h]
            let out = h == 0 ? ids : local
            var first: [Int32] = []
            var start = 0
            while start < n && !Cancellation.isRequested {
                let end = Swift.min(start + KernelSupport.chunk, n)
                for i in start..<end where table.partition(i) == h {
                    let next = Int32(truncatingIfNeeded: first.count)
                    let id = table.findOrInsert(i, next)
                    if id == next { first.append(Int32(truncatingIfNeeded: i)) }
                    out[i] = id
                }
                start = end
            }
            firsts[h].value = first
        }
        try Cancellation.check()
        // Global ids in order of first row: merge the two ascending first-row lists.
        let f0 = firsts[0].value ?? [], f1 = firsts[1].value ?? []
        var map0 = [Int32](repeating: 0, count: f0.count), map1 = [Int32](repeating: 0, count: f1.count)
        var first: [Int32] = []
        first.reserveCapacity(f0.count + f1.count)
        var a = 0, b = 0
        while a < f0.count || b < f1.count {
            if b == f1.count || (a < f0.count && f0[a] < f1[b]) {
                map0[a] = Int32(first.count); first.append(f0[a]); a += 1
            } else {
                map1[b] = Int32(first.count); first.append(f1[b]); b += 1
            }
        }
        map0.withUnsafeBufferPointer { m0 in
            map1.withUnsafeBufferPointer { m1 in
                let parts = KernelSupport.halves(n)
                KernelSupport.both { h in
                    let table = tables[h]
                    for i in parts[h] {
                        ids[i] = table.partition(i) == 0 ? m0[Int(ids[i])] : m1[Int(local[i])]
                    }
                }
            }
        }
        return GroupIndex(ids: Array(ids), groupCount: first.count, firstRow: first)
    }

    /// Assigns local ids (from 0, in order of first appearance) to the rows of `range`;
    /// returns the first row of each local group.
    private static func assignRange<T: GroupTable>(_ table: T, _ range: Range<Int>,
                                                   _ ids: UnsafeMutableBufferPointer<Int32>) -> [Int32] {
        var first: [Int32] = []
        var start = range.lowerBound
        while start < range.upperBound && !Cancellation.isRequested {
            let end = Swift.min(start + KernelSupport.chunk, range.upperBound)
            for i in start..<end {
                let next = Int32(truncatingIfNeeded: first.count)
                let id = table.findOrInsert(i, next)
                if id == next { first.append(Int32(truncatingIfNeeded: i)) }
                ids[i] = id
            }
            start = end
        }
        return first
    }
}

/// A map from a row's key to a group id.
protocol GroupTable: AnyObject {
    /// The id of the row's key; when absent, inserts it with id `next` and returns `next`.
    func findOrInsert(_ row: Int, _ next: Int32) -> Int32
    /// The id of the row's key (the row may belong to another part of the input), or -1.
    func find(_ row: Int) -> Int32
    /// 0 or 1: which of two threads handles the row's key (equal keys, equal partition).
    func partition(_ row: Int) -> Int
}

/// A hash bit independent of the bits the tables use for their slots.
@inline(__always)
func partitionBit(_ w: UInt64) -> Int {
    Int(truncatingIfNeeded: ((w ^ (w &>> 29)) &* 0xFF51_AFD7_ED55_8CCD) &>> 63)
}

/// Keys that are small dense integers: the key indexes an array of ids.
final class DirectTable: GroupTable {
    let words: UnsafeMutableBufferPointer<UInt64>
    let slots: UnsafeMutableBufferPointer<Int32>

    init(_ words: UnsafeMutableBufferPointer<UInt64>, cardinality: Int) {
        self.words = words
        slots = .allocate(capacity: cardinality)
        slots.initialize(repeating: -1)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func findOrInsert(_ row: Int, _ next: Int32) -> Int32 {
        let w = Int(truncatingIfNeeded: words[row])
        let id = slots[w]
        if id >= 0 { return id }
        slots[w] = next
        return next
    }

    func find(_ row: Int) -> Int32 { slots[Int(truncatingIfNeeded: words[row])] }

    @inline(__always)
    func partition(_ row: Int) -> Int { partitionBit(words[row]) }
}

/// One 64-bit word per key, with an optional null flag: open addressing, linear probing;
/// each slot holds the key next to its id, so a lookup touches one cache line.
final class WordTable: GroupTable {
    struct Entry { var key: UInt64; var id: Int32 }
    let words: UnsafeMutableBufferPointer<UInt64>
    let nulls: UnsafeMutableBufferPointer<UInt8>?
    private var slots: UnsafeMutableBufferPointer<Entry>
    private var used = 0
    private var shift: UInt64
    private var nullID: Int32 = -1

    init(_ words: UnsafeMutableBufferPointer<UInt64>, nulls: UnsafeMutableBufferPointer<UInt8>?) {
        self.words = words
        self.nulls = nulls
        slots = .allocate(capacity: 1024)
        slots.initialize(repeating: Entry(key: 0, id: -1))
        shift = 64 - 10
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func findOrInsert(_ row: Int, _ next: Int32) -> Int32 {
        if let nulls, nulls[row] != 0 {
            if nullID < 0 { nullID = next }
            return nullID
        }
        let w = words[row]
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: mixHash(w) &>> shift)
        while true {
            let e = slots[s]
            if e.id < 0 { break }
            if e.key == w { return e.id }
            s = (s + 1) & mask
        }
        slots[s] = Entry(key: w, id: next)
        used += 1
        if used * 2 > slots.count { grow() }
        return next
    }

    func find(_ row: Int) -> Int32 {
        if let nulls, nulls[row] != 0 { return nullID }
        let w = words[row]
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: mixHash(w) &>> shift)
        while true {
            let e = slots[s]
            if e.id < 0 || e.key == w { return e.id }
            s = (s + 1) & mask
        }
    }

    @inline(__always)
    func partition(_ row: Int) -> Int {
        if let nulls, nulls[row] != 0 { return 0 }
        return partitionBit(words[row])
    }

    private func grow() {
        let old = slots
        let capacity = old.count * 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: Entry(key: 0, id: -1))
        shift -= 1
        let mask = capacity - 1
        for e in old where e.id >= 0 {
            var s = Int(truncatingIfNeeded: mixHash(e.key) &>> shift)
            while slots[s].id >= 0 { s = (s + 1) & mask }
            slots[s] = e
        }
        old.deallocate()
    }
}

/// Several words per key (a wide column next to others): compares the rows' words.
final class MultiWordTable: GroupTable {
    let parts: [KeyWords]
    let words: [UnsafeMutableBufferPointer<UInt64>]
    let nulls: [UnsafeMutableBufferPointer<UInt8>?]
    private var slots: UnsafeMutableBufferPointer<Int32>
    private var hashes: [UInt64] = []
    private var rows: [Int] = []
    private var shift: UInt64

    init(_ parts: [KeyWords]) {
        self.parts = parts
        words = parts.map { $0.words }
        nulls = parts.map { $0.nulls }
        slots = .allocate(capacity: 1024)
        slots.initialize(repeating: -1)
        shift = 64 - 10
    }

    deinit { slots.deallocate() }

    @inline(__always)
    private func hash(_ row: Int) -> UInt64 {
        var h: UInt64 = 0x51_7CC1_B727_220A
        for p in 0..<words.count {
            var w = words[p][row]
            if let n = nulls[p], n[row] != 0 { w = 0x9E37_79B9 }
            h = mixHash(h ^ w) &+ UInt64(p)
        }
        return mixHash(h)
    }

    @inline(__always)
    private func equal(_ a: Int, _ b: Int) -> Bool {
        for p in 0..<words.count {
            if words[p][a] != words[p][b] { return false }
            if let n = nulls[p], n[a] != n[b] { return false }
        }
        return true
    }

    func findOrInsert(_ row: Int, _ next: Int32) -> Int32 {
        let h = hash(row)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h &>> shift)
        while true {
            let id = slots[s]
            if id < 0 { break }
            if hashes[Int(id)] == h && equal(rows[Int(id)], row) { return id }
            s = (s + 1) & mask
        }
        slots[s] = next
        hashes.append(h)
        rows.append(row)
        if hashes.count * 2 > slots.count { grow() }
        return next
    }

    func find(_ row: Int) -> Int32 {
        let h = hash(row)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h &>> shift)
        while true {
            let id = slots[s]
            if id < 0 { return -1 }
            if hashes[Int(id)] == h && equal(rows[Int(id)], row) { return id }
            s = (s + 1) & mask
        }
    }

    @inline(__always)
    func partition(_ row: Int) -> Int { Int(truncatingIfNeeded: hash(row) & 1) }

    private func grow() {
        let capacity = slots.count * 2
        slots.deallocate()
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1)
        shift -= 1
        let mask = capacity - 1
        for id in 0..<hashes.count {
            var s = Int(truncatingIfNeeded: hashes[id] &>> shift)
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }
}
