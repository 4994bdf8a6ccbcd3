/// Hash joins on key columns.
public enum JoinKind: Sendable, Equatable {
    case inner, left, anti
}

extension Kernels {
    /// Matching row pairs of a join on equal keys (`left[k] == right[k]` for every k).
    /// Pairs come in left row order, then right row order for a left row with several
    /// matches. `left` also emits unmatched left rows with -1 on the right; `anti` returns
    /// the left rows without a match (and an empty right array). Null keys never match.
    /// Keys compare as in `compare`: ints and doubles numerically, strings by bytes (the
    /// two sides may have different dictionaries), dates by day, bools.
    ///
    /// Before the pairs are allocated, the output size is checked against `MemoryBudget`:
    /// `outputRowBytes` is what the caller will spend per output row on top of the 8 bytes of
    /// the pair (its gathered columns). More than `Int32.max` output rows is an error too.
    public static func hashJoin(left: [Column], right: [Column], kind: JoinKind,
                                outputRowBytes: Int = 0) throws -> (left: [Int32], right: [Int32]) {
        guard left.count == right.count, !left.isEmpty else {
            throw KernelError.invalidArgument("a join needs the same number (at least one) of key columns on both sides")
        }
        let nl = try KernelSupport.checkSameLength(left, "left join keys")
        let nr = try KernelSupport.checkSameLength(right, "right join keys")
        if left.count == 1, case .string(let lc, let ld) = left[0].storage, case .string(let rc, let rd) = right[0].storage {
            return try stringKeyJoin(left[0], lc, ld, right[0], rc, rd, kind: kind, outputRowBytes: outputRowBytes)
        }
        // Group left and right keys together: rows with equal keys share a group id.
        var keys: [Column] = []
        for (l, r) in zip(left, right) {
            guard l.type == r.type || (l.type.isNumeric && r.type.isNumeric) else {
                throw KernelError.typeMismatch("cannot join \(l.type.rawValue) keys with \(r.type.rawValue) keys")
            }
            if case .string(_, let ld) = l.storage, case .string(let rc, let rd) = r.storage, ld !== rd {
                // Right codes in the left dictionary's code space; a right string the left
                // does not hold can match nothing, so it becomes a null key.
                let map = rd.codeMap(into: ld)
                var codes = [Int32](repeating: 0, count: nr)
                var valid = ValidityBuilder(count: nr)
                map.withUnsafeBufferPointer { m in
                    for i in 0..<nr {
                        let c = rc[i]
                        let t = UInt32(bitPattern: c) < UInt32(m.count) ? m[Int(c)] : -1
                        if t < 0 || r.isNull(i) { valid.setNull(i) } else { codes[i] = t }
                    }
                }
                let remapped = Column(.string(codes: codes, dictionary: ld), validity: valid.finish())
                keys.append(try Column.concat([l, remapped]))
            } else {
                keys.append(try Column.concat([l, r]))
            }
        }
        let groups = try groupIDs(keys: keys)
        // A row with any null key matches nothing.
        let total = nl + nr
        var hasNull = [Bool](repeating: false, count: total)
        for k in keys {
            guard let v = k.validity else { continue }
            v.words.withUnsafeBufferPointer { w in
                hasNull.withUnsafeMutableBufferPointer { h in
                    for i in 0..<total where !validBit(w, i) { h[i] = true }
                }
            }
        }
        try Cancellation.check()
        let g = groups.groupCount
        var outLeft: [Int32] = [], outRight: [Int32] = []
        try groups.ids.withUnsafeBufferPointer { ids in
            try hasNull.withUnsafeBufferPointer { hasNull in
                // Right rows per group, in row order (CSR).
                var start = [Int32](repeating: 0, count: g + 1)
                var rightRows = [Int32]()
                start.withUnsafeMutableBufferPointer { start in
                    for i in nl..<total where !hasNull[i] { start[Int(ids[i]) + 1] += 1 }
                    for i in 0..<g { start[i + 1] += start[i] }
                    rightRows = [Int32](repeating: 0, count: Int(start[g]))
                    var fill = Array(start)
                    rightRows.withUnsafeMutableBufferPointer { rows in
                        fill.withUnsafeMutableBufferPointer { fill in
                            for i in nl..<total where !hasNull[i] {
                                let gi = Int(ids[i])
                                rows[Int(fill[gi])] = Int32(truncatingIfNeeded: i - nl)
                                fill[gi] += 1
                            }
                        }
                    }
                }
                // Matches of each left row: start[gi]..<start[gi+1] (empty for null keys).
                try start.withUnsafeBufferPointer { start in
                    try rightRows.withUnsafeBufferPointer { rows in
                        (outLeft, outRight) = try pairs(leftRows: nl, kind: kind, outputRowBytes: outputRowBytes, rightRows: rows) { i in
                            let gi = Int(ids[i])
                            let lo = Int(start[gi])
                            return (lo, hasNull[i] ? lo : Int(start[gi + 1]))
                        }
                    }
                }
            }
        }
        try Cancellation.check()
        return (outLeft, outRight)
    }

    /// `hashJoin` on one string key column: left codes are mapped to the right dictionary's
    /// codes (`codeMap`), and the right rows are listed per right code, so that no hashing
    /// of rows is needed.
    static func stringKeyJoin(_ l: Column, _ lc: [Int32], _ ld: StringDictionary,
                              _ r: Column, _ rc: [Int32], _ rd: StringDictionary,
                              kind: JoinKind, outputRowBytes: Int) throws -> (left: [Int32], right: [Int32]) {
        let nl = lc.count, nr = rc.count
        let map = ld.codeMap(into: rd)
        try Cancellation.check()
        // Right rows per right code, in row order (CSR); null keys and stray codes are left out.
        let g = rd.count
        var start = [Int32](repeating: 0, count: g + 1)
        var rightRows: [Int32] = []
        rc.withUnsafeBufferPointer { rc in
            r.withValidityWords { valid in
                start.withUnsafeMutableBufferPointer { start in
                    @inline(__always) func code(_ i: Int) -> Int {
                        if let valid, !validBit(valid, i) { return -1 }
                        let c = rc[i]
                        return UInt32(bitPattern: c) < UInt32(truncatingIfNeeded: g) ? Int(c) : -1
                    }
                    for i in 0..<nr {
                        let c = code(i)
                        if c >= 0 { start[c + 1] += 1 }
                    }
                    for c in 0..<g { start[c + 1] += start[c] }
                    rightRows = [Int32](unsafeUninitializedCapacity: Int(start[g])) { rows, initialized in
                        var fill = Array(start)
                        fill.withUnsafeMutableBufferPointer { fill in
                            for i in 0..<nr {
                                let c = code(i)
                                if c >= 0 {
                                    rows[Int(fill[c])] = Int32(truncatingIfNeeded: i)
                                    fill[c] += 1
                                }
                            }
                        }
                        initialized = Int(start[g])
                    }
                }
            }
        }
        try Cancellation.check()
        return try lc.withUnsafeBufferPointer { lc in
            try map.withUnsafeBufferPointer { map in
                try start.withUnsafeBufferPointer { start in
                    try rightRows.withUnsafeBufferPointer { rows in
                        try l.withValidityWords { valid in
                            try pairs(leftRows: nl, kind: kind, outputRowBytes: outputRowBytes, rightRows: rows) { i in
                                if let valid, !validBit(valid, i) { return (0, 0) }
                                let c = lc[i]
                                guard UInt32(bitPattern: c) < UInt32(truncatingIfNeeded: map.count) else { return (0, 0) }
                                let t = Int(map[Int(c)])
                                return t < 0 ? (0, 0) : (Int(start[t]), Int(start[t + 1]))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The row pairs of a join, given for each left row `i` the range `matches(i)` of
    /// `rightRows` holding its matches (empty: none). Checks the output size first (see
    /// `hashJoin`).
    @inline(__always)
    static func pairs(leftRows nl: Int, kind: JoinKind, outputRowBytes: Int, rightRows rows: UnsafeBufferPointer<Int32>,
                      matches: (Int) -> (Int, Int)) throws -> (left: [Int32], right: [Int32]) {
        var size = 0
        for i in 0..<nl {
            let (lo, hi) = matches(i)
            switch kind {
            case .anti: if lo == hi { size += 1 }
            case .left: size += Swift.max(1, hi - lo)
            case .inner: size += hi - lo
            }
        }
        if size > Int(Int32.max) {
            throw ColumnarError.memoryLimit("the join would make \(MemoryBudget.grouped(size)) rows, more than the "
                                            + "\(MemoryBudget.grouped(Int(Int32.max))) rows a table can hold")
        }
        try MemoryBudget.check(size * (8 + max(0, outputRowBytes)),
                               for: "the join would make \(MemoryBudget.grouped(size)) rows")
        var outLeft = [Int32](repeating: 0, count: size)
        var outRight = kind == .anti ? [] : [Int32](repeating: -1, count: size)
        outLeft.withUnsafeMutableBufferPointer { ol in
            outRight.withUnsafeMutableBufferPointer { or in
                var k = 0
                for i in 0..<nl {
                    if i & 0xFFFF == 0xFFFF && Cancellation.isRequested { break }  // checked by the caller
                    let (lo, hi) = matches(i)
                    let row = Int32(truncatingIfNeeded: i)
                    switch kind {
                    case .anti:
                        if lo == hi { ol[k] = row; k += 1 }
                    case .inner, .left:
                        if lo == hi {
                            if kind == .left { ol[k] = row; k += 1 }  // right stays -1
                        } else {
                            for j in lo..<hi { ol[k] = row; or[k] = rows[j]; k += 1 }
                        }
                    }
                }
            }
        }
        try Cancellation.check()
        return (outLeft, outRight)
    }

    /// The first row of each distinct combination of `keys`, in input order (nulls equal
    /// nulls, as in grouping).
    public static func distinctRows(keys: [Column]) throws -> [Int32] {
        guard let n = keys.first?.count else { return [] }
        if n == 0 { return [] }
        return try groupIDs(keys: keys).firstRow
    }
}
