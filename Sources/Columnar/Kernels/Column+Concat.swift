/// Concatenation of columns and tables (chunk merging, union).

extension Column {
    /// The rows of `self` followed by the rows of `other`. See `Column.concat(_:)`.
    public func concat(_ other: Column) throws -> Column {
        try Column.concat([self, other])
    }

    /// The rows of all `parts`, in order. The parts must have the same type, except that
    /// int and double mix to double and a part that is entirely null takes any type.
    /// String parts with different dictionaries get one merged dictionary (the first
    /// part's codes are kept).
    public static func concat(_ parts: [Column]) throws -> Column {
        guard let first = parts.first else { return Column.nulls(.int, count: 0) }
        if parts.count == 1 { return first }
        // The result type, ignoring all-null parts.
        var type: DataType? = nil
        for p in parts where p.count > 0 && p.nullCount < p.count {
            if type == nil || type == p.type { type = p.type; continue }
            if let t = type, t.isNumeric, p.type.isNumeric { type = .double; continue }
            throw KernelError.typeMismatch("cannot combine \(type?.rawValue ?? "?") and \(p.type.rawValue) columns")
        }
        let target = type ?? first.type
        let parts = parts.map { p -> Column in
            if p.type == target { return p }
            if target == .double, let d = Kernels.castToDouble(p) { return d }
            return Column.nulls(target, count: p.count)
        }
        let total = parts.reduce(0) { $0 + $1.count }
        // Validity.
        var validity: Bitmap? = nil
        if parts.contains(where: { $0.validity != nil }) {
            var b = ValidityBuilder(count: total)
            var offset = 0
            for p in parts {
                if let v = p.validity {
                    v.words.withUnsafeBufferPointer { w in
                        for i in 0..<p.count where !validBit(w, i) { b.setNull(offset + i) }
                    }
                }
                offset += p.count
            }
            validity = b.finish()
        }
        switch target {
        case .int:
            var out: [Int64] = []; out.reserveCapacity(total)
            for p in parts { if case .int(let v) = p.storage { out.append(contentsOf: v) } }
            return Column(.int(out), validity: validity)
        case .double:
            var out: [Double] = []; out.reserveCapacity(total)
            for p in parts { if case .double(let v) = p.storage { out.append(contentsOf: v) } }
            return Column(.double(out), validity: validity)
        case .date:
            var out: [Int32] = []; out.reserveCapacity(total)
            for p in parts { if case .date(let v) = p.storage { out.append(contentsOf: v) } }
            return Column(.date(out), validity: validity)
        case .bool:
            var out: [Bool] = []; out.reserveCapacity(total)
            for p in parts { if case .bool(let v) = p.storage { out.append(contentsOf: v) } }
            return Column(.bool(out), validity: validity)
        case .string:
            var dicts: [StringDictionary] = []
            for p in parts { if case .string(_, let d) = p.storage { dicts.append(d) } }
            let shared = dicts.allSatisfy { $0 === dicts[0] }
            var out: [Int32] = []; out.reserveCapacity(total)
            if shared {
                for p in parts { if case .string(let c, _) = p.storage { out.append(contentsOf: c) } }
                return Column(.string(codes: out, dictionary: dicts[0]), validity: validity)
            }
            let merged = StringDictionary()
            var maps: [ObjectIdentifier: [Int32]] = [:]
            for p in parts {
                guard case .string(let codes, let d) = p.storage else { continue }
                let map: [Int32]
                if let m = maps[ObjectIdentifier(d)] { map = m } else {
                    map = merged.internAll(of: d)
                    maps[ObjectIdentifier(d)] = map
                }
                try map.withUnsafeBufferPointer { m in
                    try codes.withUnsafeBufferPointer { c in
                        try KernelSupport.chunked(0..<c.count) { r in
                            for i in r {
                                let code = c[i]
                                out.append(UInt32(bitPattern: code) < UInt32(m.count) ? m[Int(code)] : 0)
                            }
                        }
                    }
                }
            }
            if merged.count == 0 && total > 0 { _ = merged.intern("") }
            return Column(.string(codes: out, dictionary: merged), validity: validity)
        }
    }
}

extension Table {
    /// The rows of `self` followed by the rows of `other`, matching columns by position
    /// (names come from `self`). Column types combine as in `Column.concat`.
    public func appending(rowsOf other: Table) throws -> Table {
        try Table.concat([self, other])
    }

    /// The rows of all tables, in order, matched by column position; names come from the
    /// first table.
    public static func concat(_ tables: [Table]) throws -> Table {
        guard let first = tables.first else { return Table() }
        for t in tables where t.columnCount != first.columnCount {
            throw ColumnarError.shape("cannot append a table of \(t.columnCount) columns to one of \(first.columnCount)")
        }
        var columns: [Column] = []
        for j in 0..<first.columnCount {
            columns.append(try Column.concat(tables.map { $0.columns[j] }))
        }
        return Table(uncheckedNames: first.names, columns: columns,
                     rowCount: tables.reduce(0) { $0 + $1.rowCount })
    }
}
