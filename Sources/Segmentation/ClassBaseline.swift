import Columnar
import Foundation

/// The "before" side of what-ifs (and the base of sweeps) against one view result, kept
/// between statements: its class ids, per-class row counts and per-class sums of the measure.
///
/// Every what-if against the same cached view result has the same "before" side (the view
/// cache returns the same table, whose columns share their buffers), so it is encoded and
/// summed once. The "after" side is then derived from the rows that moved: a class's after
/// count and sum are its before count and sum, minus the rows that left it, plus the rows
/// that entered it — no pass over every row's measure per what-if.
///
/// Keyed on the identity of the class column's buffers (and the measure column's, for the
/// sums); the baseline keeps the columns alive, so an address is never reused while cached.
final class ClassBaseline {
    let classColumn: Column
    /// Class ids after encoding `classColumn` (a what-if encodes the after side on top).
    let classes: ClassCodes
    let ids: [Int32]
    /// Rows per class id.
    let counts: [Int]
    private var measure: (column: Column, sums: [CompensatedSum], total: CompensatedSum)?

    private init(classColumn: Column) throws {
        self.classColumn = classColumn
        var classes = ClassCodes()
        ids = try classes.encode(classColumn)
        self.classes = classes
        counts = classCounts(ids, classCount: classes.count)
    }

    /// The last baselines built, most recent first (what-ifs in a row share one; a sweep
    /// keeps its own next to it).
    nonisolated(unsafe) private static var kept: [ClassBaseline] = []
    /// Guards `kept` and each baseline's measure sums (sessions may run on several threads).
    private static let lock = NSLock()

    /// The baseline of a class column: a kept one when the column is the same.
    static func of(_ classColumn: Column) throws -> ClassBaseline {
        lock.lock()
        defer { lock.unlock() }
        if let i = kept.firstIndex(where: { $0.classColumn.sharesBuffers(with: classColumn) }) {
            let b = kept.remove(at: i)
            kept.insert(b, at: 0)
            return b
        }
        let b = try ClassBaseline(classColumn: classColumn)
        kept.insert(b, at: 0)
        if kept.count > 2 { kept.removeLast() }
        return b
    }

    /// The rows whose class id in `newIDs` (ids of `classes` extended, one per baseline row)
    /// differs from the baseline's, in row order.
    func movedRows(to newIDs: [Int32]) -> [Int32] {
        var moved: [Int32] = []
        ids.withUnsafeBufferPointer { old in
            newIDs.withUnsafeBufferPointer { new in
                for j in 0..<min(old.count, new.count) where old[j] != new[j] {
                    moved.append(Int32(truncatingIfNeeded: j))
                }
            }
        }
        return moved
    }

    /// Per-class counts and measure sums (`classCount` classes) of the same rows classed by
    /// `newIDs`, from the baseline's and the rows that `moved`. `measure` must share its
    /// buffers with the column the sums are taken of (the same values row for row).
    func shifted(to newIDs: [Int32], moved: [Int32], classCount k: Int, measure: Column?)
        -> (counts: [Int], sums: [CompensatedSum]) {
        var counts = self.counts + [Int](repeating: 0, count: max(0, k - self.counts.count))
        for j in moved {
            counts[Int(ids[Int(j)])] -= 1
            counts[Int(newIDs[Int(j)])] += 1
        }
        guard let measure else { return (counts, [CompensatedSum](repeating: CompensatedSum(), count: k)) }
        let base = sums(of: measure).sums
        var sums = base + [CompensatedSum](repeating: CompensatedSum(), count: max(0, k - base.count))
        func adjust<T>(_ v: [T], _ value: (T) -> Double) {
            for j in moved where !measure.isNull(Int(j)) {
                let x = value(v[Int(j)])
                sums[Int(ids[Int(j)])].add(-x)
                sums[Int(newIDs[Int(j)])].add(x)
            }
        }
        switch measure.storage {
        case .double(let v): adjust(v) { $0 }
        case .int(let v): adjust(v) { Double($0) }
        default: break
        }
        return (counts, sums)
    }

    /// Per-class compensated sums of `column` over the baseline's rows (nulls add nothing),
    /// and its sum over all rows; computed once per measure column.
    func sums(of column: Column) -> (sums: [CompensatedSum], total: CompensatedSum) {
        ClassBaseline.lock.lock()
        defer { ClassBaseline.lock.unlock() }
        if let m = measure, m.column.sharesBuffers(with: column) { return (m.sums, m.total) }
        let sums = classSumStates(column, classes: ids, classCount: classes.count)
        // The total over all rows in row order, as `WhatIfCommand.sum` adds it.
        var total = CompensatedSum()
        if let v = column.doubleBuffer {
            if column.validity == nil {
                for x in v { total.add(x) }
            } else {
                for i in 0..<v.count where !column.isNull(i) { total.add(v[i]) }
            }
        }
        measure = (column, sums, total)
        return (sums, total)
    }
}

extension Column {
    /// Whether two columns are the same values: same type, length, storage buffer (and
    /// dictionary) and validity buffer. A cheap identity test, never a comparison of values.
    func sharesBuffers(with other: Column) -> Bool {
        guard count == other.count, type == other.type else { return false }
        func address<T>(_ v: [T]) -> UnsafeRawPointer? { v.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        switch (validity, other.validity) {
        case (nil, nil): break
        case (let a?, let b?): if address(a.words) != address(b.words) { return false }
        default: return false
        }
        switch (storage, other.storage) {
        case (.int(let a), .int(let b)): return address(a) == address(b)
        case (.double(let a), .double(let b)): return address(a) == address(b)
        case (.date(let a), .date(let b)): return address(a) == address(b)
        case (.bool(let a), .bool(let b)): return address(a) == address(b)
        case (.string(let a, let da), .string(let b, let db)): return da === db && address(a) == address(b)
        default: return false
        }
    }

    /// A numeric column's values as doubles (ints converted), nil for other types.
    var doubleBuffer: [Double]? {
        switch storage {
        case .double(let v): return v
        case .int(let v): return v.map(Double.init)
        default: return nil
        }
    }
}
