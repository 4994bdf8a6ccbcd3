import Columnar
import Diagnostics
import Engine
import IO
import Language

/// `compare OLD NEW on KEY by COL` (SPEC 6): the migration of classes between two tables,
/// views or results (`_3`), e.g. tiers as of last quarter against this quarter.
///
/// The report is a value (`CompareReport`; `ReportLayout` shows it):
/// 1. the migration matrix: first column `tier (old \ new)` with the old class, one column
///    per new class, "(gone)" for keys only in OLD, and `total`; a "(new)" row for keys only
///    in NEW; last row `total`;
/// 2. per old class: `n_old`, then where those keys went — `kept`, `upgraded` (to a better
///    class), `downgraded`, `gone` — as counts and as percentages of `n_old`; then `arrived`
///    (keys new in NEW that are in this class) and `n_new`;
/// 3. a line with the keys in both, new, gone and changed, and a line naming the class order.
///
/// Better and worse follow the class order: the rule order of the rule set that made the
/// column (first = best: S, A, B, C) when known, else alphabetical — the report says which.
/// A null class (`∅`) counts as the worst. Keys must be unique on each side.
enum CompareCommand {
    static func run(_ statement: Statement, _ context: StepContext) throws -> [ResultItem] {
        guard case .compare(let oldName, let newName, let key, let by) = statement.kind else {
            throw context.error("internal: the compare handler got another statement", statement.span)
        }
        let session = context.session
        let old = try session.evaluateSource(Source(.table(oldName.text), oldName.span), file: context.file,
                                             parameters: context.parameters).table
        let new = try session.evaluateSource(Source(.table(newName.text), newName.span), file: context.file,
                                             parameters: context.parameters).table
        let migration = try Migration(old: old, new: new, key: key, by: by,
                                      oldName: "'\(oldName.text)'", newName: "'\(newName.text)'", context: context)
        var items: [ResultItem] = migration.nullKeyNotes(key: key.text, oldName: "'\(oldName.text)'", newName: "'\(newName.text)'")
            .map { .note($0) }
        let m = migration.matrix
        let orderSource: CompareReport.OrderSource
        switch migration.orderSource {
        case .rules: orderSource = .rules
        case .rulesThenSorted: orderSource = .rulesThenSorted
        case .sorted: orderSource = .sorted
        }
        let value = CompareReport(
            old: oldName.text, new: newName.text, by: by.text,
            matrix: m.report(by: by.text, fromSide: "old", toSide: "new", order: migration.order, classes: migration.classes),
            rates: rateTable(migration, by: by.text), matched: m.matched, added: m.newCount, gone: m.goneCount,
            changed: m.movedNewRows.count - m.newCount, orderSource: orderSource)
        items.append(.report(.compare(value), elapsed: 0))
        return items
    }

    /// Per old class: kept, upgraded, downgraded and gone, as counts and rates.
    static func rateTable(_ migration: Migration, by: String) -> Table {
        let m = migration.matrix
        var rank = [Int](repeating: Int.max, count: migration.classes.count)
        for (r, c) in migration.order.enumerated() { rank[Int(c)] = r }
        var rows: [[Scalar]] = []
        for b in migration.order.map(Int.init) {
            var kept = 0, up = 0, down = 0
            for a in 0..<m.classCount {
                let n = m.count(from: b, to: a)
                if a == b { kept += n } else if rank[a] < rank[b] { up += n } else { down += n }
            }
            let gone = m.count(from: b, to: m.absent)
            let total = m.oldTotal(b)
            let whole = Double(total)
            rows.append([.string(migration.classes.name(Int32(b))), .int(Int64(total)),
                         .int(Int64(kept)), .int(Int64(up)), .int(Int64(down)), .int(Int64(gone)),
                         ReportNumbers.percent(Double(kept), of: whole), ReportNumbers.percent(Double(up), of: whole),
                         ReportNumbers.percent(Double(down), of: whole), ReportNumbers.percent(Double(gone), of: whole),
                         .int(Int64(m.count(from: m.absent, to: b))), .int(Int64(m.newTotal(b)))])
        }
        return reportTable(names: [by, "n_old", "kept", "upgraded", "downgraded", "gone",
                                   "kept_pct", "upgraded_pct", "downgraded_pct", "gone_pct", "arrived", "n_new"],
                           types: [.string, .int, .int, .int, .int, .int, .double, .double, .double, .double, .int, .int],
                           rows: rows)
    }
}
