import Columnar

/// The rows of two tables (before/after a what-if, old/new of a compare) matched on a key
/// column whose values are unique on each side.
///
/// Keys become dense ids first — the string codes themselves when both sides share one
/// dictionary (a what-if's two evaluations of a view do), the value minus the minimum for
/// ints and dates of a modest range, else the ids of the group-by kernel over both sides —
/// and are then matched through a direct-address table: no hashing of strings per row.
/// Rows with a null key are left out (and counted).
struct KeyAlignment {
    /// For each row of the new side: the matching row of the old side, -1 when the old side
    /// does not have the key, `KeyAlignment.nullKey` when the row's key is null.
    var newToOld: [Int32]
    /// Rows of the old side whose key the new side does not have, in row order.
    var goneRows: [Int32]
    /// Rows left out because their key is null, per side.
    var nullKeysOld = 0
    var nullKeysNew = 0
    /// Row i of the new side matches row i of the old side, for every row (no null, new or
    /// gone keys): set by `identical`.
    var isIdentity = false

    static let nullKey: Int32 = -2

    /// A side of the alignment, for error messages.
    enum Side { case old, new }

    /// Matches `new` rows to `old` rows by key. `duplicate(side, row)` makes the error thrown
    /// when a key occurs twice on one side.
    static func align(old: Column, new: Column, duplicate: (Side, Int) -> Error) throws -> KeyAlignment {
        if let same = try identical(old, new, duplicate: duplicate) { return same }
        let (oldIDs, newIDs, cardinality) = try denseIDs(old, new)
        var position = [Int32](repeating: -1, count: cardinality)
        var seen = [Bool](repeating: false, count: cardinality)
        var out = KeyAlignment(newToOld: [Int32](repeating: -1, count: newIDs.count), goneRows: [])
        var duplicateRow: (Side, Int)?
        position.withUnsafeMutableBufferPointer { pos in
            oldIDs.withUnsafeBufferPointer { ids in
                for i in 0..<ids.count {
                    let k = Int(ids[i])
                    if k < 0 { out.nullKeysOld += 1; continue }
                    if pos[k] >= 0 { duplicateRow = (.old, i); return }
                    pos[k] = Int32(truncatingIfNeeded: i)
                }
            }
        }
        if let (side, row) = duplicateRow { throw duplicate(side, row) }
        try Cancellation.check()
        var nullsNew = 0
        seen.withUnsafeMutableBufferPointer { seen in
            position.withUnsafeBufferPointer { pos in
                newIDs.withUnsafeBufferPointer { ids in
                    out.newToOld.withUnsafeMutableBufferPointer { map in
                        for j in 0..<ids.count {
                            let k = Int(ids[j])
                            if k < 0 { map[j] = nullKey; nullsNew += 1; continue }
                            if seen[k] { duplicateRow = (.new, j); return }
                            seen[k] = true
                            map[j] = pos[k]
                        }
                    }
                }
            }
            oldIDs.withUnsafeBufferPointer { ids in
                for i in 0..<ids.count where ids[i] >= 0 && !seen[Int(ids[i])] {
                    out.goneRows.append(Int32(truncatingIfNeeded: i))
                }
            }
        }
        out.nullKeysNew = nullsNew
        if let (side, row) = duplicateRow { throw duplicate(side, row) }
        return out
    }

    /// The alignment of a key column with itself (a what-if's two evaluations of a view
    /// whose rows do not depend on the changed parameters share the key column's storage):
    /// row i matches row i, once the keys are checked unique. Nil when the columns differ.
    static func identical(_ old: Column, _ new: Column, duplicate: (Side, Int) -> Error) throws -> KeyAlignment? {
        guard old.count == new.count, old.validity == nil, new.validity == nil,
              case .string(let oc, let od) = old.storage, case .string(let nc, let nd) = new.storage, od === nd,
              oc.withUnsafeBufferPointer({ $0.baseAddress }) == nc.withUnsafeBufferPointer({ $0.baseAddress })
        else { return nil }
        if let known = KeyAlignment.lastUniqueKeys, known.codes.withUnsafeBufferPointer({ $0.baseAddress }) == oc.withUnsafeBufferPointer({ $0.baseAddress }),
           known.codes.count == oc.count {
            // The same key column as the last what-if (a sweep, what-ifs in a row): known unique.
            return KeyAlignment(newToOld: known.identity, goneRows: [], isIdentity: true)
        }
        var seen = [Bool](repeating: false, count: od.count)
        var duplicateRow: Int?
        seen.withUnsafeMutableBufferPointer { seen in
            oc.withUnsafeBufferPointer { codes in
                for i in 0..<codes.count {
                    let k = Int(codes[i])
                    if seen[k] { duplicateRow = i; return }
                    seen[k] = true
                }
            }
        }
        if let row = duplicateRow { throw duplicate(.old, row) }
        let identity = (0..<Int32(truncatingIfNeeded: oc.count)).map { $0 }
        // Kept with the codes array itself, so its address cannot be reused by another one.
        KeyAlignment.lastUniqueKeys = (oc, identity)
        return KeyAlignment(newToOld: identity, goneRows: [], isIdentity: true)
    }

    /// The key codes last found unique by `identical`, and their identity alignment.
    nonisolated(unsafe) static var lastUniqueKeys: (codes: [Int32], identity: [Int32])?

    /// Dense ids `0..<cardinality` for the keys of both sides (-1 for a null key); equal keys
    /// get equal ids.
    static func denseIDs(_ old: Column, _ new: Column) throws -> (old: [Int32], new: [Int32], cardinality: Int) {
        switch (old.storage, new.storage) {
        case (.string(let oc, let od), .string(let nc, let nd)) where od === nd:
            return (withNulls(oc, old), withNulls(nc, new), od.count)
        case (.int(let ov), .int(let nv)):
            if let r = offsetIDs(ov.lazy.map { $0 }, old, nv.lazy.map { $0 }, new) { return r }
        case (.date(let ov), .date(let nv)):
            if let r = offsetIDs(ov.lazy.map { Int64($0) }, old, nv.lazy.map { Int64($0) }, new) { return r }
        default:
            break
        }
        // General case: the group-by kernel over both sides' keys (strings from different
        // dictionaries, doubles, wide ints, ...).
        let both = try Column.concat([old, new])
        let groups = try Kernels.groupIDs(keys: [both])
        var ids = groups.ids
        if let validity = both.validity {
            for i in 0..<ids.count where !validity[i] { ids[i] = -1 }
        }
        return (Array(ids[0..<old.count]), Array(ids[old.count...]), groups.groupCount)
    }

    private static func withNulls(_ codes: [Int32], _ column: Column) -> [Int32] {
        guard let validity = column.validity else { return codes }
        var out = codes
        for i in 0..<out.count where !validity[i] { out[i] = -1 }
        return out
    }

    /// Value minus the smallest value, when the range of values is at most a few times the
    /// row count (a direct-address table that size is cheap).
    private static func offsetIDs<S: Collection>(_ ov: S, _ old: Column, _ nv: S, _ new: Column)
        -> (old: [Int32], new: [Int32], cardinality: Int)? where S.Element == Int64, S.Index == Int {
        var lo = Int64.max, hi = Int64.min
        for (v, c) in [(ov, old), (nv, new)] {
            for i in v.indices where !c.isNull(i) { lo = min(lo, v[i]); hi = max(hi, v[i]) }
        }
        if lo > hi { return ([Int32](repeating: -1, count: ov.count), [Int32](repeating: -1, count: nv.count), 0) }
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        guard !overflow, span < Int64(4 * (ov.count + nv.count) + 1024) else { return nil }
        func ids(_ v: S, _ c: Column) -> [Int32] {
            v.indices.map { c.isNull($0) ? -1 : Int32(truncatingIfNeeded: v[$0] &- lo) }
        }
        return (ids(ov, old), ids(nv, new), Int(span) + 1)
    }
}
