import Columnar
import Diagnostics
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The reader's last phase: the chunks' column builders joined into one column each, their
// string tables merged into one dictionary.
extension CSVReader {

    /// Joins the chunks' builders into one column each: the column's type is the join of the
    /// chunks' kinds; a chunk whose kind differs is widened or re-read as strings; the
    /// chunks' string dictionaries are merged (`mergeStrings`). Columns in parallel; each
    /// chunk's data is freed as soon as its column has taken it.
    static func unify(_ chunks: [CSVChunk], columnCount: Int) -> [Column] {
        // Column-major: parts[j][k] is column j of chunk k, owned by the worker of column j.
        var parts: [[CSVColumnBuilder]] = {
            let taken = chunks.map { $0.takeBuilders() }
            return (0..<columnCount).map { j in taken.map { $0[j] } }
        }()
        var columns = [Column?](repeating: nil, count: columnCount)
        let rowCounts = chunks.map { $0.rowCount }
        columns.withUnsafeMutableBufferPointer { out in
            parts.withUnsafeMutableBufferPointer { parts in
                DispatchQueue.concurrentPerform(iterations: columnCount) { j in
                    let t = CSVTrace.now()
                    var mine = parts[j]
                    parts[j] = []
                    out[j] = unifyColumn(j, &mine, chunks, rowCounts)
                    if getenv("SEGSH_CSV_TRACE") != nil { fputs("csv:   column \(j) \(Int((CSVTrace.now() - t) * 1000)) ms\n", stderr) }
                }
            }
        }
        return columns.map { $0 ?? Column.nulls(.string, count: 0) }
    }

    static func unifyColumn(_ j: Int, _ parts: inout [CSVColumnBuilder], _ chunks: [CSVChunk], _ rowCounts: [Int]) -> Column {
        var kind = parts.first?.forced ?? .null
        if kind == .null { for b in parts { kind = kind.joined(b.kind) } }
        let total = rowCounts.reduce(0, +)
        var validity = Bitmap(count: total, allValid: true)
        var base = 0
        var anyNull = false
        for (k, b) in parts.enumerated() {
            for r in b.nullRows { validity[base + Int(r)] = false; anyNull = true }
            base += rowCounts[k]
        }
        let mask: Bitmap? = anyNull ? validity : nil
        /// Chunk k's builder, moved out of `parts` (so it is freed once used).
        func take(_ k: Int) -> CSVColumnBuilder {
            let b = parts[k]
            parts[k] = CSVColumnBuilder(forced: nil)
            return b
        }
        /// The chunks' values of one kind one after the other: the first chunk's array,
        /// moved (not copied), then the others appended (`other` converts a chunk of another
        /// kind, else it is filled with `filler`: its rows are all null).
        func concatenate<T>(_ total: Int, _ count: Int, _ take: (Int) -> CSVColumnBuilder, kind: CSVKind,
                            _ values: WritableKeyPath<CSVColumnBuilder, [T]>, filler: T,
                            other: (CSVColumnBuilder, inout [T]) -> Bool = { _, _ in false }) -> [T] {
            var v = [T]()
            for k in 0..<count {
                var b = take(k)
                if k == 0 && b.kind == kind {
                    v = b[keyPath: values]
                    b[keyPath: values] = []  // v is now the only reference: no copy below
                    v.reserveCapacity(total)
                    continue
                }
                if k == 0 { v.reserveCapacity(total) }
                if b.kind == kind {
                    v.append(contentsOf: b[keyPath: values])
                } else if !other(b, &v) {
                    v.append(contentsOf: repeatElement(filler, count: rowCounts[k]))
                }
            }
            return v
        }
        switch kind {
        case .int:
            return Column(.int(concatenate(total, parts.count, take, kind: .int, \.ints, filler: 0)), validity: mask)
        case .double:
            let v = concatenate(total, parts.count, take, kind: .double, \.doubles, filler: 0) { b, v in
                if b.kind == .int { v.append(contentsOf: b.ints.lazy.map { Double($0) }); return true }
                return false
            }
            return Column(.double(v), validity: mask)
        case .date:
            return Column(.date(concatenate(total, parts.count, take, kind: .date, \.dates, filler: 0)), validity: mask)
        case .bool:
            return Column(.bool(concatenate(total, parts.count, take, kind: .bool, \.bools, filler: false)), validity: mask)
        case .string, .null:
            // Each chunk's strings as a table and codes: string chunks as parsed, all-null
            // chunks empty, chunks of another kind re-read as text.
            var tables: [CSVStringTable] = []
            var codes: [[Int32]] = []
            for k in parts.indices {
                var b = take(k)
                switch b.kind {
                case .string:
                    // Moved, so that the merge can grow the first chunk's arrays in place.
                    tables.append(b.table); codes.append(b.codes)
                    b.table = CSVStringTable(); b.codes = []
                case .null:
                    tables.append(CSVStringTable()); codes.append([Int32](repeating: 0, count: rowCounts[k]))
                default:
                    var t = CSVStringTable()
                    codes.append(chunks[k].readStrings(column: j, rows: rowCounts[k], nullRows: b.nullRows, into: &t))
                    tables.append(t)
                }
            }
            let (dictionary, merged) = mergeStrings(&tables, &codes)
            return Column(.string(codes: merged, dictionary: dictionary), validity: mask)
        }
    }

    /// One dictionary and one code array from per-chunk string tables, the strings in order
    /// of first appearance in the file. Chunk 0's table is the start; each string of a later
    /// chunk is looked up in the earlier chunks' tables (in parallel halves for big tables)
    /// and gets a new code when none holds it, so no table is grown or rehashed, and each
    /// table's memory is released as soon as it is no longer needed.
    static func mergeStrings(_ tables: inout [CSVStringTable], _ codes: inout [[Int32]]) -> (StringDictionary, [Int32]) {
        if let merged = mergeAscending(&tables, &codes) { return merged }
        let k = tables.count
        for c in 0..<max(k - 1, 0) { tables[c].ensureIndex() }
        var remaps = [[Int32]](repeating: [], count: k)
        var total = tables.first?.count ?? 0
        var firstNew = [Int](repeating: 0, count: k)
        if k > 0 { tables[k - 1].releaseIndex() }
        for c in 1..<max(k, 1) {
            firstNew[c] = total
            let n = tables[c].count
            var remap = [Int32](repeating: -1, count: n)
            tables.withUnsafeBufferPointer { tabs in
                remaps.withUnsafeBufferPointer { maps in
                    remap.withUnsafeMutableBufferPointer { buffer in
                        let out = buffer
                        let body: (Range<Int>) -> Void = { range in
                            for e in range {
                                tabs[c].withBytes(e) { bytes in
                                    let p = bytes.baseAddress ?? emptyString
                                    let h = CSVStringTable.hash(p, bytes.count)
                                    for earlier in 0..<c {
                                        if let hit = tabs[earlier].find(p, bytes.count, hash: h) {
                                            out[e] = earlier == 0 ? hit : maps[earlier][Int(hit)]
                                            return
                                        }
                                    }
                                }
                            }
                        }
                        if n >= 1 << 18 {
                            DispatchQueue.concurrentPerform(iterations: 2) { half in body(half == 0 ? 0..<(n / 2) : (n / 2)..<n) }
                        } else {
                            body(0..<n)
                        }
                    }
                }
            }
            for e in 0..<n where remap[e] < 0 {
                remap[e] = Int32(truncatingIfNeeded: total)
                total += 1
            }
            remaps[c] = remap
        }
        for c in 0..<k { tables[c].releaseIndex() }

        // The strings in code order: chunk 0's, then each later chunk's new ones.
        var (bytes, offsets) = k > 0 ? tables[0].takeStrings() : ([], [0])
        if k > 1 {
            var extraBytes = 0
            for c in 1..<k {
                let t = tables[c]
                for e in 0..<t.count where Int(remaps[c][e]) >= firstNew[c] { extraBytes += t.offsets[e + 1] - t.offsets[e] }
            }
            bytes.reserveCapacity(bytes.count + extraBytes)
            offsets.reserveCapacity(total + 1)
            for c in 1..<k {
                let (tb, to) = tables[c].takeStrings()
                let remap = remaps[c]
                tb.withUnsafeBufferPointer { all in
                    for e in 0..<(to.count - 1) where Int(remap[e]) >= firstNew[c] {
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[to[e]..<to[e + 1]]))
                        offsets.append(bytes.count)
                    }
                }
            }
        }
        if offsets.count == 1 { offsets.append(0) }  // code 0 must exist for null placeholders

        var out = k > 0 ? codes[0] : []
        if k > 0 { codes[0] = [] }
        let rows = codes.reduce(out.count) { $0 + $1.count }
        out.reserveCapacity(rows)
        for c in 1..<max(k, 1) {
            let part = codes[c]
            codes[c] = []
            let remap = remaps[c]
            if remap.isEmpty {
                out.append(contentsOf: repeatElement(0, count: part.count))
            } else {
                remap.withUnsafeBufferPointer { r in out.append(contentsOf: part.lazy.map { r[Int($0)] }) }
            }
        }
        return (StringDictionary(distinctBytes: bytes, offsets: offsets), out)
    }

    /// The merge when every chunk's strings are ascending (`CSVStringTable.ascending`) and
    /// each chunk's first string is greater than the previous chunk's last: the strings are
    /// then all distinct, and a chunk's codes only shift by the entries of the chunks before
    /// it. Nil when that does not hold.
    static func mergeAscending(_ tables: inout [CSVStringTable], _ codes: inout [[Int32]]) -> (StringDictionary, [Int32])? {
        let k = tables.count
        guard k > 1, tables.allSatisfy({ $0.ascending || $0.count == 0 }) else { return nil }
        var last: (table: Int, entry: Int)?
        for c in 0..<k where tables[c].count > 0 {
            if let (t, e) = last {
                let ordered = tables[t].withBytes(e) { a in
                    tables[c].withBytes(0) { b -> Bool in
                        let m = min(a.count, b.count)
                        if m > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                            let r = memcmp(pa, pb, m)
                            if r != 0 { return r < 0 }
                        }
                        return a.count < b.count
                    }
                }
                guard ordered else { return nil }
            }
            last = (c, tables[c].count - 1)
        }
        var bases = [Int](repeating: 0, count: k)
        let counts = tables.map(\.count)
        var total = 0, totalBytes = 0, rows = 0
        for c in 0..<k {
            bases[c] = total
            total += tables[c].count
            totalBytes += tables[c].bytes.count
            rows += codes[c].count
        }
        // The first chunk's strings grow in place (no copy of them); the others' follow.
        var (bytes, offsets) = tables[0].takeStrings()
        bytes.reserveCapacity(totalBytes)
        offsets.reserveCapacity(total + 1)
        for c in 1..<k {
            let (tb, to) = tables[c].takeStrings()
            let shift = bytes.count
            bytes.append(contentsOf: tb)
            if shift == 0 {
                offsets.append(contentsOf: to.dropFirst())
            } else {
                offsets.append(contentsOf: to.dropFirst().lazy.map { $0 + shift })
            }
        }
        if offsets.count == 1 { offsets.append(0) }  // code 0 must exist for null placeholders
        var out = codes[0]
        codes[0] = []
        out.reserveCapacity(rows)
        for c in 1..<k {
            let part = codes[c]
            codes[c] = []
            let shift = Int32(truncatingIfNeeded: bases[c])
            if counts[c] == 0 {
                out.append(contentsOf: repeatElement(0, count: part.count))  // all null
            } else {
                out.append(contentsOf: part.lazy.map { $0 &+ shift })
            }
        }
        return (StringDictionary(distinctBytes: bytes, offsets: offsets), out)
    }
}
