import Columnar
import IO

/// How the rows of one class column moved between two sides matched by key: a what-if's
/// before/after, or a compare's old/new table.
///
/// Cells are counted over class ids (`ClassCodes`): row `b`, column `a` holds the number of
/// keys in class `b` on the old side and class `a` on the new side. Keys only on the new side
/// count in the extra row "(new)", keys only on the old side in the extra column "(gone)".
struct MigrationMatrix {
    /// The number of classes (ids `0..<classCount`); id `classCount` is the "(new)" row and
    /// the "(gone)" column.
    let classCount: Int
    /// `counts[b * (classCount + 1) + a]`.
    private(set) var counts: [Int]
    /// Rows of the new side whose class differs from the old side's (keys new to the new
    /// side included), in row order.
    private(set) var movedNewRows: [Int32] = []
    /// Rows of the old side whose key the new side does not have.
    let goneRows: [Int32]
    /// Keys on both sides.
    private(set) var matched = 0

    var absent: Int { classCount }

    /// Counts the migration of `oldClasses` (one id per old row) to `newClasses` (one id per
    /// new row) along `alignment`.
    /// `oldCounts` (rows per old class id), when known, lets an identity alignment count only
    /// the rows that moved: the diagonal is the old count minus the rows that left.
    init(oldClasses: [Int32], newClasses: [Int32], alignment: KeyAlignment, classCount: Int, oldCounts: [Int]? = nil) {
        self.classCount = classCount
        let width = classCount + 1
        var counts = [Int](repeating: 0, count: width * width)
        var moved: [Int32] = []
        var matched = 0
        if alignment.isIdentity, let oldCounts, oldCounts.count <= classCount,
           oldClasses.count == newClasses.count, alignment.newToOld.count == newClasses.count {
            counts.withUnsafeMutableBufferPointer { cells in
                oldClasses.withUnsafeBufferPointer { oldC in
                    newClasses.withUnsafeBufferPointer { newC in
                        for j in 0..<newC.count {
                            let b = oldC[j], a = newC[j]
                            if a != b {
                                cells[Int(b) * width + Int(a)] += 1
                                moved.append(Int32(truncatingIfNeeded: j))
                            }
                        }
                    }
                }
                for b in 0..<oldCounts.count {
                    var left = 0
                    for a in 0..<classCount where a != b { left += cells[b * width + a] }
                    cells[b * width + b] = oldCounts[b] - left
                }
            }
            self.counts = counts
            self.movedNewRows = moved
            self.goneRows = []
            self.matched = newClasses.count
            return
        }
        counts.withUnsafeMutableBufferPointer { cells in
            oldClasses.withUnsafeBufferPointer { oldC in
                newClasses.withUnsafeBufferPointer { newC in
                    alignment.newToOld.withUnsafeBufferPointer { map in
                        for j in 0..<map.count {
                            let i = map[j]
                            if i == KeyAlignment.nullKey { continue }
                            let a = Int(newC[j])
                            if i < 0 {
                                cells[classCount * width + a] += 1
                                moved.append(Int32(truncatingIfNeeded: j))
                            } else {
                                let b = Int(oldC[Int(i)])
                                cells[b * width + a] += 1
                                matched += 1
                                if a != b { moved.append(Int32(truncatingIfNeeded: j)) }
                            }
                        }
                    }
                    for i in alignment.goneRows { cells[Int(oldC[Int(i)]) * width + classCount] += 1 }
                }
            }
        }
        self.counts = counts
        self.movedNewRows = moved
        self.goneRows = alignment.goneRows
        self.matched = matched
    }

    /// The count of keys in old class `b` and new class `a` (`absent` for "(new)"/"(gone)").
    func count(from b: Int, to a: Int) -> Int { counts[b * (classCount + 1) + a] }

    /// Keys that moved: matched keys whose class changed, plus new and gone keys.
    var movedCount: Int { movedNewRows.count + goneRows.count }
    var newCount: Int { (0..<classCount).reduce(0) { $0 + count(from: absent, to: $1) } }
    var goneCount: Int { goneRows.count }

    /// Keys in class `c` on the old side (gone ones included).
    func oldTotal(_ c: Int) -> Int { (0...classCount).reduce(0) { $0 + count(from: c, to: $1) } }
    /// Keys in class `c` on the new side (new ones included).
    func newTotal(_ c: Int) -> Int { (0...classCount).reduce(0) { $0 + count(from: $1, to: c) } }

    /// The matrix as a value: rows are the old classes in `order` (then "(new)" when any key
    /// is new), columns the new classes in `order` (then "(gone)" when any key is gone).
    func report(by: String, fromSide: String, toSide: String, order: [Int32], classes: ClassCodes) -> MigrationMatrixReport {
        let showNew = newCount > 0, showGone = goneCount > 0
        let rowIDs = order.map(Int.init) + (showNew ? [absent] : [])
        let colIDs = order.map(Int.init) + (showGone ? [absent] : [])
        return MigrationMatrixReport(by: by, fromSide: fromSide, toSide: toSide,
                                     classes: order.map { classes.name($0) },
                                     counts: rowIDs.map { b in colIDs.map { a in count(from: b, to: a) } },
                                     hasNew: showNew, hasGone: showGone)
    }
}

/// Per-class sums of a numeric column (the measure, e.g. `monetary`) by class id, as
/// compensated states (a what-if adjusts them by the moved rows). Nulls add nothing.
func classSumStates(_ column: Column?, classes: [Int32], classCount: Int) -> [CompensatedSum] {
    var sums = [CompensatedSum](repeating: CompensatedSum(), count: classCount)
    guard let column else { return sums }
    sums.withUnsafeMutableBufferPointer { s in
        classes.withUnsafeBufferPointer { c in
            switch column.storage {
            case .double(let v):
                v.withUnsafeBufferPointer { v in
                    if column.validity == nil {
                        for i in 0..<c.count { s[Int(c[i])].add(v[i]) }
                    } else {
                        for i in 0..<c.count where !column.isNull(i) { s[Int(c[i])].add(v[i]) }
                    }
                }
            case .int(let v):
                v.withUnsafeBufferPointer { v in
                    for i in 0..<c.count where !column.isNull(i) { s[Int(c[i])].add(Double(v[i])) }
                }
            default:
                break
            }
        }
    }
    return sums
}

/// Per-class row counts by class id.
func classCounts(_ classes: [Int32], classCount: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    counts.withUnsafeMutableBufferPointer { n in
        for c in classes { n[Int(c)] += 1 }
    }
    return counts
}
