import Columnar
import Foundation
import Diagnostics
import Engine
import IO
import Language

/// `sweep P from A to B step S on VIEW by COL [measure M]` (SPEC 6): the view evaluated for
/// each value A, A+S, ... up to B (B included when the steps land on it), with the session's
/// parameters otherwise as they are and left unchanged.
///
/// Values are ints when A, B and S are ints, doubles when any is a double (A + i·S, so steps
/// do not accumulate rounding), or dates when A and B are dates and S a duration (`7days`,
/// `2weeks`, `1month`: months and years by the calendar) or a number of days. A step of 0, a
/// step pointing away from B, or more than 1,000 values is an error.
///
/// The result is a value (`SweepReport`): a table with one row per value: the parameter's value, the row count
/// of each class (a column named after the class, in rule order) and, with a measure
/// (`monetary` when the view has it, or `measure M`), each class's share of the measure in
/// percent (`S_monetary_pct`); then a line chart of the class counts across the values.
enum SweepCommand {
    static let maxValues = 1000

    static func run(_ statement: Statement, _ context: StepContext) throws -> [ResultItem] {
        guard case .sweep(let parameter, let from, let to, let step, let view, let by, let measure) = statement.kind else {
            throw context.error("internal: the sweep handler got another statement", statement.span)
        }
        try WhatIfInputs.requireParameter(parameter, context)
        try WhatIfInputs.requireView(view, context, statement: "sweep")
        let values = try sweepValues(from: from, to: to, step: step, context)
        var items: [ResultItem] = []
        if let note = WhatIfInputs.unusedNote(parameter.text, view: view.text, context) { items.append(.note(note)) }

        let session = context.session
        var classes = ClassCodes()
        var counts: [[Int]] = []        // per value, by class id
        var sums: [[Double]] = []       // per value, by class id
        var totals: [Double] = []
        var measureName: String?
        // The first value's classes are the baseline (kept across sweeps of the same view);
        // each later value counts and sums only the rows whose class differs from it.
        var base: (baseline: ClassBaseline, measure: Column?)?
        for value in values {
            try Cancellation.check()
            var parameters = context.parameters
            parameters[parameter.text] = value
            let table = try session.evaluateView(view.text, parameters: parameters)
            let classColumn = try WhatIfInputs.column(by, in: table, context, of: "view '\(view.text)'")
            if base == nil {
                let baseline = try ClassBaseline.of(classColumn)
                classes = baseline.classes
                let m = try WhatIfInputs.measure(measure, in: table, context)
                measureName = measureName ?? m?.name
                base = (baseline, m?.column)
                let s = m.map { baseline.sums(of: $0.column).sums } ?? [CompensatedSum](repeating: CompensatedSum(), count: classes.count)
                counts.append(baseline.counts)
                sums.append(s.map(\.value))
                totals.append(CompensatedSum.total(s).value)
                continue
            }
            let ids = try classes.encode(classColumn)
            let m = try WhatIfInputs.measure(measure, in: table, context)
            measureName = measureName ?? m?.name
            if let (baseline, baseMeasure) = base, baseline.ids.count == ids.count, sameColumn(m?.column, baseMeasure) {
                let shifted = baseline.shifted(to: ids, moved: baseline.movedRows(to: ids), classCount: classes.count,
                                               measure: m?.column)
                counts.append(shifted.counts)
                sums.append(shifted.sums.map(\.value))
                totals.append(CompensatedSum.total(shifted.sums).value)
                continue
            }
            let s = classSumStates(m?.column, classes: ids, classCount: classes.count)
            counts.append(classCounts(ids, classCount: classes.count))
            sums.append(s.map(\.value))
            totals.append(CompensatedSum.total(s).value)
        }
        let order = classes.order(ruleOrder: session.classOrders[by.text]).ids.map(Int.init)
        func at<T: Numeric>(_ xs: [T], _ c: Int) -> T { c < xs.count ? xs[c] : 0 }

        var names = [parameter.text], columns: [Column] = [Column.from(values)]
        for c in order {
            names.append(classes.name(Int32(c)))
            columns.append(Column(.int(counts.map { Int64(at($0, c)) })))
        }
        if let measureName {
            for c in order {
                names.append("\(classes.name(Int32(c)))_\(measureName)_pct")
                columns.append(Column.from(values.indices.map { ReportNumbers.percent(at(sums[$0], c), of: totals[$0]) }, type: .double))
            }
        }
        let table = Table(uncheckedNames: names, columns: columns, rowCount: values.count)
        let series = order.map { c in Chart.Series(name: classes.name(Int32(c)), values: counts.map { Double(at($0, c)) }) }
        let chart = Chart.lines(labels: values.map(\.literalText), series: series, xName: parameter.text,
                                title: "\(by.text) counts by $\(parameter.text):")
        items.append(.report(.sweep(SweepReport(parameter: parameter.text, by: by.text, table: table, chart: chart)), elapsed: 0))
        return items
    }

    /// Both absent, or the same values (shared buffers).
    static func sameColumn(_ a: Column?, _ b: Column?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return a.sharesBuffers(with: b)
        default: return false
        }
    }

    /// The values A, A+S, ... ≤ B (≥ B for a negative step).
    static func sweepValues(from: Expr, to: Expr, step: Expr, _ context: StepContext) throws -> [Scalar] {
        let a = try WhatIfInputs.constant(from, context)
        let b = try WhatIfInputs.constant(to, context)
        let s = try WhatIfInputs.constant(step, context)
        let whole = from.span.to(step.span)
        func tooMany(_ n: Double) -> Diagnostic {
            context.error("a sweep of \(Int64(exactly: n.rounded(.down)).map { NumberFormat.grouped($0) } ?? "that many") values is too many (at most \(maxValues))", whole,
                          hints: ["use a larger step"])
        }
        switch (a, b, s) {
        case (.scalar(.date(let x)), .scalar(.date(let y)), _):
            let unit: (n: Int, unit: DurationUnit)
            switch s {
            case .duration(let n, let u): unit = (n, u)
            case .scalar(.int(let n)): unit = (Int(n), .days)
            default: throw context.error("a date sweep needs a duration step such as 7days or 1month", step.span)
            }
            try checkDirection(Double(unit.n), distance: Double(y) - Double(x), step, context)
            // A + i × S by the calendar; a step count or date beyond what segsh holds ends the
            // sweep (a date past B ends it too), so a huge step gives just A.
            var out: [Scalar] = []
            var i = 0
            while let n = CheckedArithmetic.multiply(unit.n, i), let d = Duration.shift(x, by: n, unit.unit) {
                if unit.n > 0 ? d > y : d < y { break }
                out.append(.date(d))
                if out.count > maxValues { throw tooMany(.infinity) }
                i += 1
            }
            return out
        case (.scalar(.int(let x)), .scalar(.int(let y)), .scalar(.int(let d))):
            try checkDirection(Double(d), distance: Double(y) - Double(x), step, context)
            // A, A + S, ... while within B and within 64 bits (from -2^63 to 2^63 - 1 included).
            var out: [Scalar] = []
            var v: Int64? = x
            while let value = v, d > 0 ? value <= y : value >= y {
                out.append(.int(value))
                if out.count > maxValues { throw tooMany(Double(y) / Double(d) - Double(x) / Double(d) + 1) }
                let (next, overflow) = value.addingReportingOverflow(d)
                v = overflow ? nil : next
            }
            return out
        case (.scalar(let x), .scalar(let y), .scalar(let d)):
            guard let x = number(x), let y = number(y), let d = number(d) else {
                let bad = number(x) == nil ? from : (number(y) == nil ? to : step)
                throw context.error("sweep values must be numbers (or dates with a duration step)", bad.span)
            }
            try checkDirection(d, distance: y - x, step, context)
            let n = ((y - x) / d + 1e-9).rounded(.down) + 1
            if n > Double(maxValues) { throw tooMany(n) }
            // Rounded to the decimals of A and S, so 0.7 + 2 × 0.1 shows as 0.9.
            let scale = pow(10, Double(max(decimals(x), decimals(d))))
            return (0..<Int(n)).map { .double(((x + Double($0) * d) * scale).rounded() / scale) }
        default:
            var bad = from
            if case .scalar = a { bad = to; if case .scalar = b { bad = step } }
            throw context.error("sweep values must be numbers (or dates with a duration step)", bad.span)
        }
    }

    /// Digits after the point in the shortest text of a double (at most 12).
    static func decimals(_ v: Double) -> Int {
        let text = "\(v)"
        guard !text.contains("e"), let dot = text.firstIndex(of: ".") else { return text.contains("e") ? 12 : 0 }
        return min(12, text.distance(from: dot, to: text.endIndex) - 1)
    }

    static func number(_ s: Scalar) -> Double? {
        switch s {
        case .int(let v): return Double(v)
        case .double(let v): return v.isFinite ? v : nil
        default: return nil
        }
    }

    static func checkDirection(_ step: Double, distance: Double, _ stepExpr: Expr, _ context: StepContext) throws {
        if step == 0 { throw context.error("the step of a sweep cannot be 0", stepExpr.span) }
        if distance != 0 && (distance > 0) != (step > 0) {
            throw context.error("the step goes the wrong way: from \(distance > 0 ? "a smaller to a larger" : "a larger to a smaller") value needs a \(distance > 0 ? "positive" : "negative") step", stepExpr.span)
        }
    }
}
