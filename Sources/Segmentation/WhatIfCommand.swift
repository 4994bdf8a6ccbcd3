import Columnar
import Diagnostics
import Engine
import IO
import Language

/// `whatif P = V[, ...] on VIEW by COL [key K] [measure M]` (SPEC 6): the view evaluated with
/// the parameters in force and with some of them changed — the session's parameters stay as
/// they are — and how the rows' classes moved between the two.
///
/// The report is a value (`WhatIfReport`; `ReportLayout` shows it):
/// 1. the changes (`what-if on tiered by tier: $s_recency 30 → 45`);
/// 2. the migration matrix: first column `tier (before \ after)` with the class before, one
///    column per class after, and `total`; last row `total` (plus a "(new)" row and a
///    "(gone)" column when the changed parameters add or remove rows of the view);
/// 3. per class: `n_before`, `n_after`, `n_change`, `pct_before`, `pct_after` (share of rows,
///    in percent), and for the measure (`monetary` when the view has it, or `measure M`):
///    `M_before`, `M_after`, `M_change`, `M_pct_before`, `M_pct_after`; last row `total`;
/// 4. how many rows moved (`N of T rows moved (x.x%)`), with the measure of the moved rows.
///
/// Classes are listed in the rule order of the rule set that made the column (SPEC 5.4),
/// else sorted; a null class shows as `∅`, as nulls do everywhere in tables. The key is the
/// view's first column unless `key K`; it must be unique on both sides (else an error names a
/// duplicate value). `whatif ... | moved` gives the moved rows (`Migration.movedTable`).
///
/// Both evaluations go through the session's view cache: the "before" side is usually a
/// cache hit, and the "after" side reuses every view and leading run of steps that does not
/// use a changed parameter (an `rfm` over the orders is not redone). The comparison itself
/// works on `Int32` class ids and key ids.
enum WhatIfCommand {
    static func run(_ whatIf: WhatIf, _ span: Span, _ context: StepContext) throws -> WhatIfOutcome {
        let session = context.session
        let view = whatIf.view
        try WhatIfInputs.requireView(view, context, statement: "whatif")
        var changed = context.parameters
        var changes: [WhatIfReport.Change] = []
        var notes: [String] = []
        for assignment in whatIf.assignments {
            try WhatIfInputs.requireParameter(assignment.name, context)
            let value = try WhatIfInputs.parameterValue(assignment.value, context)
            let name = assignment.name.text
            let old = context.parameters[name] ?? .null
            changes.append(WhatIfReport.Change(parameter: name, before: old, after: value))
            changed[name] = value
            if let note = WhatIfInputs.unusedNote(name, view: view.text, context) { notes.append(note) }
        }

        let before = try session.evaluateView(view.text, parameters: context.parameters)
        let after = try session.evaluateView(view.text, parameters: changed)
        guard let firstColumn = before.names.first else {
            throw context.error("the view '\(view.text)' has no columns", view.span)
        }
        let key = whatIf.key ?? Name(firstColumn, view.span)
        let migration = try Migration(old: before, new: after, key: key, by: whatIf.by,
                                      oldName: "view '\(view.text)' before the what-if",
                                      newName: "view '\(view.text)' after the what-if", context: context,
                                      useBaseline: true)
        notes += migration.nullKeyNotes(key: key.text, oldName: "'\(view.text)' before", newName: "'\(view.text)' after")

        let measureBefore = try WhatIfInputs.measure(whatIf.measure, in: before, context)
        let measureAfter = try measureBefore.map { m in
            try WhatIfInputs.measure(Name(m.name, whatIf.measure?.span ?? view.span), in: after, context)
        } ?? nil

        let totals = ClassTotals(migration, before: measureBefore?.column, after: measureAfter?.column)
        let matrix = migration.matrix.report(by: whatIf.by.text, fromSide: "before", toSide: "after",
                                             order: migration.order, classes: migration.classes)
        let value = WhatIfReport(
            view: view.text, by: whatIf.by.text, changes: changes, matrix: matrix,
            classes: classTable(migration, by: whatIf.by.text, measureName: measureBefore?.name, totals: totals),
            rows: before.rowCount, moved: migration.matrix.movedCount,
            measure: measureBefore.map { m in
                movedMeasure(migration, name: m.name, before: m.column, after: measureAfter?.column, afterTotal: totals.afterTotal)
            })
        let report: [ResultItem] = notes.map { .note($0) } + [.report(.whatIf(value), elapsed: 0)]
        let by = whatIf.by.text
        return WhatIfOutcome(report: report) { try migration.movedTable(old: before, new: after, key: key.text, by: by) }
    }

    /// Per class before/after: rows, their share, and the measure's sum and share.
    static func classTable(_ m: Migration, by: String, measureName: String?, totals t: ClassTotals) -> Table {
        let (nBefore, nAfter, sBefore, sAfter) = (t.nBefore, t.nAfter, t.sBefore, t.sAfter)
        let totalN = (Double(m.oldClasses.count), Double(m.newClasses.count))
        // Totals and changes from the compensated sums: the total row equals the sum of the
        // rows above it, and an unchanged class changes by exactly 0.
        let totalS = (CompensatedSum.total(sBefore), CompensatedSum.total(sAfter))
        var rows: [[Scalar]] = []
        func row(_ label: String, _ nb: Int, _ na: Int, _ sb: CompensatedSum, _ sa: CompensatedSum) {
            var r: [Scalar] = [.string(label), .int(Int64(nb)), .int(Int64(na)), .int(Int64(na - nb)),
                               ReportNumbers.percent(Double(nb), of: totalN.0), ReportNumbers.percent(Double(na), of: totalN.1)]
            if measureName != nil {
                r += [.double(sb.value), .double(sa.value), .double(sa.minus(sb)),
                      ReportNumbers.percent(sb.value, of: totalS.0.value), ReportNumbers.percent(sa.value, of: totalS.1.value)]
            }
            rows.append(r)
        }
        for c in m.order.map(Int.init) { row(m.classes.name(Int32(c)), nBefore[c], nAfter[c], sBefore[c], sAfter[c]) }
        row("total", m.oldClasses.count, m.newClasses.count, totalS.0, totalS.1)
        var names = [by, "n_before", "n_after", "n_change", "pct_before", "pct_after"]
        var types: [DataType] = [.string, .int, .int, .int, .double, .double]
        if let measureName {
            names += ["before", "after", "change", "pct_before", "pct_after"].map { "\(measureName)_\($0)" }
            types += [DataType](repeating: .double, count: 5)
        }
        return reportTable(names: names, types: types, rows: rows)
    }

    /// The measure of the moved rows (after values, before values for rows that are gone)
    /// and its total after.
    static func movedMeasure(_ m: Migration, name: String, before: Column?, after: Column?,
                             afterTotal: Double? = nil) -> WhatIfReport.MovedMeasure {
        let total = afterTotal ?? sum(after, rows: nil)
        let moved = sum(after, rows: m.matrix.movedNewRows) + sum(before, rows: m.matrix.goneRows)
        return WhatIfReport.MovedMeasure(name: name, moved: moved, total: total)
    }

    /// The sum of a numeric column over some rows (all when nil); nulls add nothing.
    static func sum(_ column: Column?, rows: [Int32]?) -> Double {
        guard let column else { return 0 }
        func total(_ v: UnsafeBufferPointer<Double>) -> Double {
            var s = CompensatedSum()
            if let rows {
                for r in rows where !column.isNull(Int(r)) { s.add(v[Int(r)]) }
            } else if column.validity == nil {
                for x in v { s.add(x) }
            } else {
                for i in 0..<v.count where !column.isNull(i) { s.add(v[i]) }
            }
            return s.value
        }
        switch column.storage {
        case .double(let v): return v.withUnsafeBufferPointer(total)
        case .int(let v): return v.map(Double.init).withUnsafeBufferPointer(total)
        default: return 0
        }
    }
}

/// A small report table from boxed rows (a few rows per class: never a hot path).
func reportTable(names: [String], types: [DataType], rows: [[Scalar]]) -> Table {
    let columns = names.indices.map { c in Column.from(rows.map { $0[c] }, type: types[c]) }
    return Table(uncheckedNames: names, columns: columns, rowCount: rows.count)
}

/// Per class, before and after a what-if: row counts and sums of the measure (nulls add
/// nothing), and the measure's sum over all rows after.
struct ClassTotals {
    var nBefore: [Int], nAfter: [Int]
    /// Per-class sums of the measure, as compensated states (changes and totals use them).
    var sBefore: [CompensatedSum], sAfter: [CompensatedSum]
    var afterTotal: Double

    init(_ m: Migration, before: Column?, after: Column?) {
        let k = m.classes.count
        func padded<T>(_ xs: [T], _ zero: T) -> [T] { xs + [T](repeating: zero, count: max(0, k - xs.count)) }
        let sameMeasure: Bool
        switch (before, after) {
        case (nil, nil): sameMeasure = true
        case (let b?, let a?): sameMeasure = a.sharesBuffers(with: b)
        default: sameMeasure = false
        }
        guard let baseline = m.baseline, m.alignment.isIdentity, sameMeasure,
              baseline.ids.count == m.oldClasses.count, m.oldClasses.count == m.newClasses.count else {
            nBefore = classCounts(m.oldClasses, classCount: k)
            nAfter = classCounts(m.newClasses, classCount: k)
            sBefore = classSumStates(before, classes: m.oldClasses, classCount: k)
            sAfter = classSumStates(after, classes: m.newClasses, classCount: k)
            afterTotal = WhatIfCommand.sum(after, rows: nil)
            return
        }
        // The same rows on both sides (row i is row i) with the same measure values: the after
        // side is the before side with the moved rows taken out of their old class and put
        // into their new one.
        nBefore = padded(baseline.counts, 0)
        let shifted = baseline.shifted(to: m.newClasses, moved: m.matrix.movedNewRows, classCount: k, measure: before)
        nAfter = shifted.counts
        sAfter = shifted.sums
        if let before {
            let (states, total) = baseline.sums(of: before)
            sBefore = padded(states, CompensatedSum())
            afterTotal = total.value
        } else {
            sBefore = [CompensatedSum](repeating: CompensatedSum(), count: k)
            afterTotal = 0
        }
    }
}
