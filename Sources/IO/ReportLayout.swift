import Columnar
import Foundation

/// A report (`Report`) as the terminal, Markdown notebooks and the HTML report show it: lines
/// of text, boxed tables and charts, in order. Each writer draws the parts its own way (the
/// HTML report adds a heatmap after a migration matrix).
public enum ReportPart {
    /// A line of report text for stdout (`what-if on tiered by tier: $s_recency 30 → 45`).
    case line(String)
    /// Information for stderr, between the parts (`key id: no duplicate values`).
    case note(String)
    /// A result table, numbered `_N` when `number` is set.
    case table(Table, number: Int?)
    /// A migration matrix, shown as its table.
    case matrix(MigrationMatrixReport)
    case chart(Chart)
    /// The Pareto curve of a `pareto` step: the HTML report draws it, text leaves it out.
    case paretoCurve(ParetoReport)
}

public enum ReportLayout {
    public static func parts(_ report: Report) -> [ReportPart] {
        switch report {
        case .whatIf(let w):
            return [.line(heading(w)), .matrix(w.matrix), .table(w.classes, number: nil), .line(movedLine(w))]
        case .compare(let c):
            return [.matrix(c.matrix), .table(c.rates, number: nil), .line(summaryLine(c)), .line(orderLine(c))]
        case .sweep(let s):
            return [.table(s.table, number: nil), .chart(s.chart)]
        case .profile(let p):
            var parts: [ReportPart] = [.table(p.summary, number: p.number)]
            if let duplicates = p.duplicates {
                let key = p.key ?? ""
                if duplicates.rowCount == 0 {
                    parts.append(.note("key \(key): no duplicate values"))
                } else {
                    parts.append(.note("key \(key): \(NumberFormat.grouped(duplicates.rowCount)) values occur more than once"))
                    parts.append(.table(duplicates, number: p.duplicatesNumber))
                }
            }
            return parts
        case .pareto(let p):
            return (p.curve.count >= 2 ? [.paretoCurve(p)] : []) + [.line(paretoSummary(p))]
        case .holdout(let h):
            let series = [Chart.Series(name: "actual", values: h.actual), Chart.Series(name: "predicted", values: h.predicted)]
            return [.line(holdoutTable(h)), .chart(Chart.lines(labels: h.labels, series: series, xName: "x"))]
        }
    }

    /// The holdout check's averages, a row per number of repeat purchases.
    public static func holdoutTable(_ h: HoldoutReport) -> String {
        func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - s.count)) + s }
        var out = "holdout check: mean purchases per customer in the holdout period, by repeat purchases before asof\n"
        out += "  x     customers     actual  predicted\n"
        for b in h.labels.indices {
            let label = h.labels[b].padding(toLength: 3, withPad: " ", startingAt: 0)
            let customers = NumberFormat.grouped(h.customers[b])
            out += "  \(label)" + String(repeating: " ", count: max(1, 12 - customers.count)) + customers
                + pad(String(format: "%.3f", h.actual[b]), 11) + pad(String(format: "%.3f", h.predicted[b]), 11) + "\n"
        }
        return out
    }

    /// `top 20.0% of customers give 80.3% of monetary` and a line per class.
    public static func paretoSummary(_ r: ParetoReport) -> String {
        func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        guard r.rows > 0, r.total > 0, let reaching = r.reachingFirst else {
            return "pareto: no positive total of \(r.measure) to divide\n"
        }
        var s = "top \(percent(Double(reaching) / Double(r.rows))) of customers give \(percent(r.shareAtReaching)) of \(r.measure)\n"
        for c in 0..<r.classCounts.count {
            let bound = c < r.boundaries.count ? "up to \(percent(r.boundaries[c])) of the total" : "the rest"
            s += "  \(ParetoReport.classLabel(c)): \(NumberFormat.grouped(r.classCounts[c])) customers (\(percent(Double(r.classCounts[c]) / Double(r.rows)))), "
                + "\(percent(r.classSums[c] / r.total)) of \(r.measure) — \(bound)\n"
        }
        return s
    }

    /// `what-if on tiered by tier: $s_recency 30 → 45, $a_mult 0.8 → 0.7`.
    public static func heading(_ w: WhatIfReport) -> String {
        "what-if on \(w.view) by \(w.by): "
            + w.changes.map { "$\($0.parameter) \($0.before.literalText) → \($0.after.literalText)" }.joined(separator: ", ")
    }

    /// `312 of 1,810 rows moved (17.2%); monetary of the moved rows: 1,234,567.80 (12.3% of the total)`.
    public static func movedLine(_ w: WhatIfReport) -> String {
        var line = "\(NumberFormat.grouped(w.moved)) of \(NumberFormat.grouped(w.rows)) rows moved"
        if let p = percentText(Double(w.moved), of: Double(w.rows)) { line += " (\(p)%)" }
        if let m = w.measure {
            line += "; \(m.name) of the moved rows: \(NumberFormat.fixed(m.moved, decimals: 2, grouping: true))"
            if let p = percentText(m.moved, of: m.total) { line += " (\(p)% of the total)" }
        }
        return line
    }

    /// `1,700 keys in both, 69 new, 0 gone; 120 of 1,700 changed class (7.1%)`.
    public static func summaryLine(_ c: CompareReport) -> String {
        var line = "\(NumberFormat.grouped(c.matched)) keys in both, \(NumberFormat.grouped(c.added)) new, "
            + "\(NumberFormat.grouped(c.gone)) gone; \(NumberFormat.grouped(c.changed)) of \(NumberFormat.grouped(c.matched)) changed class"
        if let p = percentText(Double(c.changed), of: Double(c.matched)) { line += " (\(p)%)" }
        return line
    }

    /// `class order: S, A, B, C (the rule order of 'tier'; upgraded = moved to an earlier class)`.
    public static func orderLine(_ c: CompareReport) -> String {
        let list = c.matrix.classes.joined(separator: ", ")
        switch c.orderSource {
        case .rules:
            return "class order: \(list) (the rule order of '\(c.by)'; upgraded = moved to an earlier class)"
        case .rulesThenSorted:
            return "class order: \(list) (the rule order of '\(c.by)', then other classes alphabetically; upgraded = moved to an earlier class)"
        case .sorted:
            return "class order: \(list) (alphabetical: no rule order is known for '\(c.by)'; upgraded = moved to an earlier class)"
        }
    }

    /// A percentage for report text, one decimal (`17.2`), rounded once from the exact ratio;
    /// nil when the whole is 0.
    public static func percentText(_ part: Double, of whole: Double) -> String? {
        whole == 0 ? nil : NumberFormat.fixed(part / whole * 100, decimals: 1, grouping: false)
    }
}
