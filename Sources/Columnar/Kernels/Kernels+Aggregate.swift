/// Aggregate functions over groups.
public enum AggregateKind: Sendable, Equatable {
    /// Rows in the group (`count()`); the column may be nil.
    case count
    /// Non-null values (`count(x)`).
    case countNonNull
    /// Distinct non-null values.
    case countDistinct
    /// Sum; int for int (and bool) input, double for double input.
    case sum
    case avg
    case min
    case max
    case median
    /// Continuous quantile, p in 0...1 (linear interpolation between closest ranks).
    case quantile(Double)
    /// Sample standard deviation.
    case stddev
    /// First non-null value in row order.
    case first
    /// Last non-null value in row order.
    case last
}

extension Kernels {
    /// One value per group of `groups` (in group id order). SQL semantics: nulls are
    /// ignored, and an aggregate over no values is null, except the counts, which are 0.
    /// In particular `sum` of a group with only nulls (or of an empty table) is null, not
    /// 0, as in SQL; callers wanting 0 use `coalesce`.
    ///
    /// - `sum` of ints is int; if a group's sum overflows Int64 the whole result column is
    ///   double instead. Sum of bools counts the trues.
    /// - `avg`, `median`, `quantile`, `stddev` give double (`stddev` is the sample standard
    ///   deviation, null for fewer than 2 values; `quantile` interpolates linearly, as
    ///   DuckDB's `quantile_cont` and numpy's default).
    /// - `min`, `max`, `first`, `last` keep the input type (strings by bytes, dates, bools);
    ///   NaN counts as the largest double. `first`/`last` skip nulls.
    public static func aggregate(_ kind: AggregateKind, _ column: Column?, groups: GroupIndex) throws -> Column {
        let g = groups.groupCount
        guard let column else {
            if kind == .count { return Column(.int(try countRows(groups))) }
            throw KernelError.invalidArgument("\(kind) needs a column")
        }
        guard column.count == groups.rowCount else {
            throw ColumnarError.shape("aggregate over \(column.count) rows with a group index of \(groups.rowCount)")
        }
        switch kind {
        case .count:
            return Column(.int(try countRows(groups)))
        case .countNonNull:
            return Column(.int(try countValid(column, groups)))
        case .countDistinct:
            let pairs = try groupIDs(keys: [intColumn(groups.ids), column])
            var counts = [Int64](repeating: 0, count: g)
            for row in pairs.firstRow where !column.isNull(Int(row)) {
                counts[Int(groups.ids[Int(row)])] += 1
            }
            return Column(.int(counts))
        case .sum:
            return try sum(column, groups)
        case .avg:
            let (sums, counts) = try doubleSums(column, groups)
            var out = [Double](repeating: 0, count: g)
            var valid = ValidityBuilder(count: g)
            for i in 0..<g { if counts[i] == 0 { valid.setNull(i) } else { out[i] = sums[i] / Double(counts[i]) } }
            return Column(.double(out), validity: valid.finish())
        case .stddev:
            return try stddev(column, groups)
        case .median:
            return try quantile(0.5, column, groups)
        case .quantile(let p):
            guard p >= 0 && p <= 1 else { throw KernelError.invalidArgument("quantile must be between 0 and 1, not \(p)") }
            return try quantile(p, column, groups)
        case .min, .max:
            return column.gather(try extremeRows(column, groups, max: kind == .max))
        case .first, .last:
            var rows = [Int32](repeating: -1, count: g)
            let last = kind == .last
            groups.ids.withUnsafeBufferPointer { ids in
                column.withValidityWords { valid in
                    for i in 0..<ids.count {
                        if let valid, !validBit(valid, i) { continue }
                        let gi = Int(ids[i])
                        if last || rows[gi] < 0 { rows[gi] = Int32(i) }
                    }
                }
            }
            return column.gather(rows)
        }
    }

    /// Gathers per-group values back to the rows of each group (`AGG over COL`).
    public static func broadcast(_ perGroup: Column, groups: GroupIndex) -> Column {
        perGroup.gather(groups.ids)
    }

    private static func countRows(_ groups: GroupIndex) throws -> [Int64] {
        var counts = [Int64](repeating: 0, count: groups.groupCount)
        try groups.ids.withUnsafeBufferPointer { ids in
            try counts.withUnsafeMutableBufferPointer { c in
                try KernelSupport.chunked(0..<ids.count) { r in for i in r { c[Int(ids[i])] += 1 } }
            }
        }
        return counts
    }

    private static func countValid(_ column: Column, _ groups: GroupIndex) throws -> [Int64] {
        guard column.validity != nil else { return try countRows(groups) }
        var counts = [Int64](repeating: 0, count: groups.groupCount)
        try groups.ids.withUnsafeBufferPointer { ids in
            try counts.withUnsafeMutableBufferPointer { c in
                try column.withValidityWords { valid in
                    try KernelSupport.chunked(0..<ids.count) { r in
                        for i in r where valid.map({ validBit($0, i) }) ?? true { c[Int(ids[i])] += 1 }
                    }
                }
            }
        }
        return counts
    }

    /// Per-group partial results over row ranges, run on two threads for large inputs and
    /// combined with `merge`.
    static func accumulate<A>(_ n: Int, _ groupCount: Int, initial: A,
                              _ body: (Range<Int>, UnsafeMutableBufferPointer<A>) -> Void,
                              merge: (inout A, A) -> Void) throws -> [A] {
        var acc = [A](repeating: initial, count: groupCount)
        if n <= KernelSupport.parallelThreshold {
            acc.withUnsafeMutableBufferPointer { a in KernelSupport.chunkedNoThrow(0..<n) { body($0, a) } }
            try Cancellation.check()
            return acc
        }
        var second = acc
        let parts = KernelSupport.halves(n)
        acc.withUnsafeMutableBufferPointer { a in
            second.withUnsafeMutableBufferPointer { b in
                let bufs = [a, b]
                KernelSupport.both { h in KernelSupport.chunkedNoThrow(parts[h]) { body($0, bufs[h]) } }
            }
        }
        try Cancellation.check()
        for i in 0..<groupCount { merge(&acc[i], second[i]) }
        return acc
    }

    private struct IntSum { var sum: Int64 = 0; var count: Int64 = 0; var overflow = false }

    private static func sum(_ column: Column, _ groups: GroupIndex) throws -> Column {
        let g = groups.groupCount
        let n = column.count
        func intSums(_ v: UnsafeBufferPointer<Int64>) throws -> Column? {
            let acc = try groups.ids.withUnsafeBufferPointer { ids in
                try column.withValidityWords { valid in
                    try accumulate(n, g, initial: IntSum(), { r, a in
                        for i in r {
                            if let valid, !validBit(valid, i) { continue }
                            let gi = Int(ids[i])
                            let (s, o) = a[gi].sum.addingReportingOverflow(v[i])
                            a[gi].sum = s
                            a[gi].count += 1
                            if o { a[gi].overflow = true }
                        }
                    }, merge: { x, y in
                        let (s, o) = x.sum.addingReportingOverflow(y.sum)
                        x.sum = s; x.count += y.count; x.overflow = x.overflow || y.overflow || o
                    })
                }
            }
            if acc.contains(where: { $0.overflow }) { return nil }
            var valid = ValidityBuilder(count: g)
            for i in 0..<g where acc[i].count == 0 { valid.setNull(i) }
            return Column(.int(acc.map { $0.sum }), validity: valid.finish())
        }
        switch column.storage {
        case .int(let v):
            if let r = try v.withUnsafeBufferPointer({ try intSums($0) }) { return r }
        case .bool(let b):
            let v = b.map { Int64($0 ? 1 : 0) }
            if let r = try v.withUnsafeBufferPointer({ try intSums($0) }) { return r }
        case .double: break
        default:
            throw KernelError.typeMismatch("cannot sum \(column.type.rawValue) values")
        }
        let (sums, counts) = try doubleSums(column, groups)
        var valid = ValidityBuilder(count: g)
        for i in 0..<g where counts[i] == 0 { valid.setNull(i) }
        return Column(.double(sums), validity: valid.finish())
    }

    /// Numeric values as doubles (int, double, bool as 0/1).
    static func numericDoubles(_ column: Column, _ what: String) throws -> [Double] {
        switch column.storage {
        case .double(let v): return v
        case .int(let v): return toDouble(v)
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        default: throw KernelError.typeMismatch("\(what) needs numbers, not \(column.type.rawValue)")
        }
    }

    private struct DoubleSum { var sum = CompensatedSum(); var count: Int64 = 0 }

    private static func doubleSums(_ column: Column, _ groups: GroupIndex) throws -> ([Double], [Int64]) {
        let v = try numericDoubles(column, "this aggregate")
        let acc = try groups.ids.withUnsafeBufferPointer { ids in
            try v.withUnsafeBufferPointer { v in
                try column.withValidityWords { valid in
                    try accumulate(v.count, groups.groupCount, initial: DoubleSum(), { r, a in
                        for i in r {
                            if let valid, !validBit(valid, i) { continue }
                            let gi = Int(ids[i])
                            a[gi].sum.add(v[i])
                            a[gi].count += 1
                        }
                    }, merge: { x, y in x.sum.add(y.sum); x.count += y.count })
                }
            }
        }
        return (acc.map { $0.sum.value }, acc.map { $0.count })
    }

    private static func stddev(_ column: Column, _ groups: GroupIndex) throws -> Column {
        let g = groups.groupCount
        let (sums, counts) = try doubleSums(column, groups)
        let v = try numericDoubles(column, "stddev")
        var means = [Double](repeating: 0, count: g)
        for i in 0..<g where counts[i] > 0 { means[i] = sums[i] / Double(counts[i]) }
        var squares = [Double](repeating: 0, count: g)
        // Whether a group holds one value only: its deviation is exactly 0, though the
        // rounded mean may differ from the value in the last bit (0.1 × 3 → 1.7e-17).
        var first = [Double](repeating: 0, count: g), seen = [Bool](repeating: false, count: g)
        var constant = [Bool](repeating: true, count: g)
        try groups.ids.withUnsafeBufferPointer { ids in
            try column.withValidityWords { valid in
                try KernelSupport.chunked(0..<v.count) { r in
                    for i in r {
                        if let valid, !validBit(valid, i) { continue }
                        let gi = Int(ids[i])
                        let d = v[i] - means[gi]
                        squares[gi] += d * d
                        if !seen[gi] { first[gi] = v[i]; seen[gi] = true } else if !(v[i] == first[gi]) { constant[gi] = false }
                    }
                }
            }
        }
        var out = [Double](repeating: 0, count: g)
        var valid = ValidityBuilder(count: g)
        for i in 0..<g {
            if counts[i] < 2 { valid.setNull(i) } else if !constant[i] { out[i] = (squares[i] / Double(counts[i] - 1)).squareRoot() }
        }
        return Column(.double(out), validity: valid.finish())
    }

    /// The non-null values of each group, contiguous: `values[offsets[g]..<offsets[g+1]]`.
    static func valuesByGroup(_ v: [Double], _ column: Column, _ groups: GroupIndex) throws -> (offsets: [Int], values: [Double]) {
        let g = groups.groupCount
        let counts = try countValid(column, groups)
        var offsets = [Int](repeating: 0, count: g + 1)
        for i in 0..<g { offsets[i + 1] = offsets[i] + Int(counts[i]) }
        var next = offsets
        var values = [Double](repeating: 0, count: offsets[g])
        try groups.ids.withUnsafeBufferPointer { ids in
            try column.withValidityWords { valid in
                try values.withUnsafeMutableBufferPointer { out in
                    try KernelSupport.chunked(0..<v.count) { r in
                        for i in r {
                            if let valid, !validBit(valid, i) { continue }
                            let gi = Int(ids[i])
                            out[next[gi]] = v[i]
                            next[gi] += 1
                        }
                    }
                }
            }
        }
        return (offsets, values)
    }

    private static func quantile(_ p: Double, _ column: Column, _ groups: GroupIndex) throws -> Column {
        let g = groups.groupCount
        let v = try numericDoubles(column, "median/quantile")
        var (offsets, values) = try valuesByGroup(v, column, groups)
        var out = [Double](repeating: 0, count: g)
        var valid = ValidityBuilder(count: g)
        func run(_ range: Range<Int>, _ vals: UnsafeMutableBufferPointer<Double>, _ o: UnsafeMutableBufferPointer<Double>) {
            for gi in range {
                if gi & 1023 == 0 && Cancellation.isRequested { return }
                let lo = offsets[gi], hi = offsets[gi + 1]
                if hi == lo { continue }
                var slice = UnsafeMutableBufferPointer(rebasing: vals[lo..<hi])
                slice.sort { compareDoubles($0, $1) < 0 }
                let pos = p * Double(hi - lo - 1)
                let a = Int(pos.rounded(.down)), b = Int(pos.rounded(.up))
                o[gi] = slice[a] + (slice[b] - slice[a]) * (pos - Double(a))
                if a == b { o[gi] = slice[a] }
            }
        }
        values.withUnsafeMutableBufferPointer { vals in
            out.withUnsafeMutableBufferPointer { o in
                if v.count > KernelSupport.parallelThreshold && g > 1 {
                    // Split the groups so both halves hold about the same number of values.
                    let half = offsets[g] / 2
                    var split = 0
                    while split < g && offsets[split] < half { split += 1 }
                    let ranges = [0..<split, split..<g]
                    KernelSupport.both { h in run(ranges[h], vals, o) }
                } else {
                    run(0..<g, vals, o)
                }
            }
        }
        try Cancellation.check()
        for gi in 0..<g where offsets[gi + 1] == offsets[gi] { valid.setNull(gi) }
        return Column(.double(out), validity: valid.finish())
    }

    /// The row of the smallest (or largest) non-null value of each group, -1 when none.
    private static func extremeRows(_ column: Column, _ groups: GroupIndex, max: Bool) throws -> [Int32] {
        var rows = [Int32](repeating: -1, count: groups.groupCount)
        func scan<T>(_ v: [T], _ better: (T, T) -> Bool) throws {
            try v.withUnsafeBufferPointer { v in
                try groups.ids.withUnsafeBufferPointer { ids in
                    try rows.withUnsafeMutableBufferPointer { rows in
                        try column.withValidityWords { valid in
                            try KernelSupport.chunked(0..<v.count) { r in
                                for i in r {
                                    if let valid, !validBit(valid, i) { continue }
                                    let gi = Int(ids[i])
                                    let cur = rows[gi]
                                    if cur < 0 || better(v[i], v[Int(cur)]) { rows[gi] = Int32(i) }
                                }
                            }
                        }
                    }
                }
            }
        }
        switch column.storage {
        case .int(let v): try scan(v) { max ? $0 > $1 : $0 < $1 }
        case .double(let v): try scan(v) { max ? compareDoubles($0, $1) > 0 : compareDoubles($0, $1) < 0 }
        case .date(let v): try scan(v) { max ? $0 > $1 : $0 < $1 }
        case .bool(let v): try scan(v) { max ? ($0 && !$1) : (!$0 && $1) }
        case .string(let codes, let dictionary):
            let ranks = dictionary.sortRanks
            let m = UInt32(ranks.count)
            let r = codes.map { UInt32(bitPattern: $0) < m ? ranks[Int($0)] : 0 }
            try scan(r) { max ? $0 > $1 : $0 < $1 }
        }
        return rows
    }
}
