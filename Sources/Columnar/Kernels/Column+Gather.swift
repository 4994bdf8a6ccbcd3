/// Row selection: gather by index, slices and selections from boolean masks.

/// `src[indices[i]]` for each `i` (`placeholder` for an index outside `src`). With
/// `cancellable`, stops within 65,536 rows of a Ctrl-C and returns nil.
@inline(__always)
private func gatherValues<T>(_ src: [T], _ indices: UnsafeBufferPointer<Int32>, placeholder: T, cancellable: Bool) -> [T]? {
    let n = UInt32(truncatingIfNeeded: src.count)
    var stopped = false
    let values = [T](unsafeUninitializedCapacity: indices.count) { out, initialized in
        src.withUnsafeBufferPointer { s in
            var start = 0
            while start < indices.count {
                let stop = Swift.min(start &+ 65_536, indices.count)
                for i in start..<stop {
                    let j = indices[i]
                    out.initializeElement(at: i, to: UInt32(bitPattern: j) < n ? s[Int(j)] : placeholder)
                }
                initialized = stop
                start = stop
                if cancellable && Cancellation.isRequested { stopped = true; return }
            }
        }
    }
    return stopped ? nil : values
}

extension Column {
    /// The rows at `indices`, in that order. An index of -1 (or any index outside the
    /// column) yields null, which is how left joins mark unmatched rows. String columns keep
    /// (share) their dictionary.
    public func gather(_ indices: [Int32]) -> Column {
        gather(indices, cancellable: false) ?? self  // never nil: not cancellable
    }

    /// `gather(indices)`, or nil when the user interrupted it (checked every 65,536 rows):
    /// for gathers of many rows whose caller checks `Cancellation` afterwards.
    public func gatherUnlessCancelled(_ indices: [Int32]) -> Column? {
        gather(indices, cancellable: true)
    }

    private func gather(_ indices: [Int32], cancellable: Bool) -> Column? {
        let n = count
        return indices.withUnsafeBufferPointer { idx -> Column? in
            // Validity: null where the index is out of range or the source row is null.
            var builder = ValidityBuilder(count: idx.count)
            withValidityWords { words in
                for i in 0..<idx.count {
                    let j = idx[i]
                    if UInt32(bitPattern: j) >= UInt32(truncatingIfNeeded: n) {
                        builder.setNull(i)
                    } else if let words, !validBit(words, Int(j)) {
                        builder.setNull(i)
                    }
                }
            }
            if cancellable && Cancellation.isRequested { return nil }
            let validity = builder.finish()
            switch storage {
            case .int(let v):
                return gatherValues(v, idx, placeholder: 0, cancellable: cancellable).map { Column(.int($0), validity: validity) }
            case .double(let v):
                return gatherValues(v, idx, placeholder: 0, cancellable: cancellable).map { Column(.double($0), validity: validity) }
            case .date(let v):
                return gatherValues(v, idx, placeholder: 0, cancellable: cancellable).map { Column(.date($0), validity: validity) }
            case .bool(let v):
                return gatherValues(v, idx, placeholder: false, cancellable: cancellable).map { Column(.bool($0), validity: validity) }
            case .string(let codes, let dictionary):
                if dictionary.count == 0 && idx.count > 0 {
                    // An empty dictionary has no code for the placeholder: give it one.
                    return Column.nulls(.string, count: idx.count)
                }
                return gatherValues(codes, idx, placeholder: 0, cancellable: cancellable)
                    .map { Column(.string(codes: $0, dictionary: dictionary), validity: validity) }
            }
        }
    }

    /// The rows in `range` (clamped to the column).
    public func slice(_ range: Range<Int>) -> Column {
        let r = range.clamped(to: 0..<count)
        var validity: Bitmap? = nil
        if let v = self.validity {
            var b = ValidityBuilder(count: r.count)
            v.words.withUnsafeBufferPointer { w in
                for i in r where !validBit(w, i) { b.setNull(i - r.lowerBound) }
            }
            validity = b.finish()
        }
        switch storage {
        case .int(let v): return Column(.int(Array(v[r])), validity: validity)
        case .double(let v): return Column(.double(Array(v[r])), validity: validity)
        case .date(let v): return Column(.date(Array(v[r])), validity: validity)
        case .bool(let v): return Column(.bool(Array(v[r])), validity: validity)
        case .string(let c, let d): return Column(.string(codes: Array(c[r]), dictionary: d), validity: validity)
        }
    }
}

extension Table {
    /// The rows at `indices` (see `Column.gather`: -1 gives a row of nulls).
    public func gather(_ indices: [Int32]) -> Table {
        Table(uncheckedNames: names, columns: columns.map { $0.gather(indices) }, rowCount: indices.count)
    }

    /// `gather(indices)` by two threads when there are many rows, stopping within 65,536
    /// rows of a Ctrl-C (`ColumnarError.cancelled`).
    public func gatherInterruptible(_ indices: [Int32]) throws -> Table {
        let gathered = Kernels.gatherColumns(columns.map { ($0, indices) })
        try Cancellation.check()
        return Table(uncheckedNames: names, columns: gathered, rowCount: indices.count)
    }

    /// The rows in `range` (clamped to the table).
    public func slice(_ range: Range<Int>) -> Table {
        let r = range.clamped(to: 0..<rowCount)
        return Table(uncheckedNames: names, columns: columns.map { $0.slice(r) }, rowCount: r.count)
    }
}

extension Kernels {
    /// Whether `indices` is `0, 1, 2, ...` (a gather by it changes nothing).
    public static func isIdentity(_ indices: [Int32]) -> Bool {
        indices.withUnsafeBufferPointer { idx in
            var same = true
            for i in 0..<idx.count { same = same && idx[i] == Int32(truncatingIfNeeded: i) }
            return same
        }
    }

    /// `column.gather(indices)` for each pair; many rows in all are gathered by two threads
    /// (columns split between them). Stops early on cancellation (the caller checks).
    public static func gatherColumns(_ work: [(column: Column, indices: [Int32])]) -> [Column] {
        let rows = work.reduce(0) { $0 + $1.indices.count }
        if work.count < 2 || rows < parallelThreshold {
            return work.map { $0.column.gatherUnlessCancelled($0.indices) ?? $0.column }
        }
        let out = work.map { _ in Slot<Column>() }
        // Thread h takes the columns h, h + 2, ... (their sizes are alike).
        KernelSupport.both { h in
            for j in stride(from: h, to: work.count, by: 2) where !Cancellation.isRequested {
                out[j].value = work[j].column.gatherUnlessCancelled(work[j].indices)
            }
        }
        return zip(work, out).map { $1.value ?? $0.column }
    }

    /// The indices of the rows where `mask` is true; null counts as false.
    public static func selection(from mask: Column) throws -> [Int32] {
        guard case .bool(let values) = mask.storage else {
            throw KernelError.typeMismatch("a filter condition must be bool, not \(mask.type.rawValue)")
        }
        var out: [Int32] = []
        out.reserveCapacity(values.count / 4)
        try values.withUnsafeBufferPointer { v in
            try mask.withValidityWords { words in
                try KernelSupport.chunked(0..<v.count) { r in
                    if let words {
                        for i in r where v[i] && validBit(words, i) { out.append(Int32(i)) }
                    } else {
                        for i in r where v[i] { out.append(Int32(i)) }
                    }
                }
            }
        }
        return out
    }
}
