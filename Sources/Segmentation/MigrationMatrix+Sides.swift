import Columnar
import Diagnostics
import Engine
import Language

/// Everything a what-if or compare derives from its two sides: the shared class ids of both
/// class columns, the key alignment, the migration matrix and the display order of classes.
struct Migration {
    var classes: ClassCodes
    /// Class id per row of each side.
    let oldClasses: [Int32]
    let newClasses: [Int32]
    let alignment: KeyAlignment
    let matrix: MigrationMatrix
    /// Class ids in display order, and where that order comes from.
    let order: [Int32]
    let orderSource: ClassCodes.OrderSource
    /// The kept encoding of the old side (`useBaseline`: a what-if's "before" side, the same
    /// cached view result every time).
    let baseline: ClassBaseline?

    /// Matches `old` and `new` on `key` and counts how the classes of `by` moved. `oldName`
    /// and `newName` describe the sides in errors ("view 'tiered' before the what-if").
    init(old: Table, new: Table, key: Name, by: Name, oldName: String, newName: String,
         context: StepContext, useBaseline: Bool = false) throws {
        try Cancellation.check()  // matching a view against itself may need no loop that checks
        let oldKey = try WhatIfInputs.column(key, in: old, context, of: oldName)
        let newKey = try WhatIfInputs.column(key, in: new, context, of: newName)
        let oldClass = try WhatIfInputs.column(by, in: old, context, of: oldName)
        let newClass = try WhatIfInputs.column(by, in: new, context, of: newName)
        do {
            alignment = try KeyAlignment.align(old: oldKey, new: newKey) { side, row in
                side == .old
                    ? WhatIfInputs.duplicateKey(key.text, value: oldKey[row], in: oldName, at: key.span, context)
                    : WhatIfInputs.duplicateKey(key.text, value: newKey[row], in: newName, at: key.span, context)
            }
        } catch let e as KernelError {
            throw context.error("cannot match the keys '\(key.text)' of \(oldName) and \(newName): \(e)", key.span)
        }
        var classes: ClassCodes
        if useBaseline {
            let b = try ClassBaseline.of(oldClass)
            baseline = b
            classes = b.classes
            oldClasses = b.ids
        } else {
            baseline = nil
            classes = ClassCodes()
            oldClasses = try classes.encode(oldClass)
        }
        newClasses = try classes.encode(newClass)
        let ordered = classes.order(ruleOrder: context.session.classOrders[by.text])
        order = ordered.ids
        orderSource = ordered.source
        matrix = MigrationMatrix(oldClasses: oldClasses, newClasses: newClasses, alignment: alignment,
                                 classCount: classes.count, oldCounts: baseline?.counts)
        self.classes = classes
    }

    /// Notes about rows left out because their key is null.
    func nullKeyNotes(key: String, oldName: String, newName: String) -> [String] {
        var out: [String] = []
        if alignment.nullKeysOld > 0 { out.append("note: \(alignment.nullKeysOld) rows of \(oldName) have a null '\(key)' and are left out of the matrix") }
        if alignment.nullKeysNew > 0 { out.append("note: \(alignment.nullKeysNew) rows of \(newName) have a null '\(key)' and are left out of the matrix") }
        return out
    }

    /// The rows that moved, as a table: the key column, `before` and `after` (the class on
    /// each side, null on the side that does not have the key), then the other columns of
    /// the new side (values of the old side for keys that are gone). Rows come in the new
    /// side's order, gone keys last in the old side's order.
    func movedTable(old: Table, new: Table, key: String, by: String) throws -> Table {
        let moved = matrix.movedNewRows, gone = matrix.goneRows
        let oldRowsOfMoved = moved.map { alignment.newToOld[Int($0)] }  // -1 for new keys
        func combine(_ newPart: Column, _ oldPart: Column?) throws -> Column {
            guard !gone.isEmpty else { return newPart.gather(moved) }
            let tail = oldPart?.gather(gone) ?? Column.nulls(newPart.type, count: gone.count)
            return try Column.concat([newPart.gather(moved), tail])
        }
        guard let newKey = new.column(key), let oldKey = old.column(key),
              let newClass = new.column(by), let oldClass = old.column(by) else { return Table() }
        var names = [key, "before", "after"]
        var columns = [try combine(newKey, oldKey),
                       try Column.concat([oldClass.gather(oldRowsOfMoved), oldClass.gather(gone)]),
                       try combine(newClass, nil)]
        for (name, column) in zip(new.names, new.columns) where name != key && name != by && !names.contains(name) {
            names.append(name)
            columns.append(try combine(column, old.column(name)))
        }
        return Table(uncheckedNames: names, columns: columns, rowCount: moved.count + gone.count)
    }
}
