import Columnar
import Diagnostics
import Dispatch
import Engine
import Foundation
import IO
import Language

/// `| clv customer=COL, date=COL, amount=COL [, asof=DATE] [, horizon=DURATION]
/// [, unit=DURATION] [, discount=RATE] [, holdout_until=DATE]` (SPEC 12).
///
/// Input: one row per order. Output: one row per customer with an order on or before
/// `asof`, in the order of the customer key:
///
/// | column | type | meaning |
/// | --- | --- | --- |
/// | customer | | the customer column, under its own name |
/// | `x` | int | repeat purchases: purchase days after the first, up to asof |
/// | `t_x` | double | first to last purchase day, in units |
/// | `T` | double | first purchase day to asof, in units |
/// | `avg_value` | double | mean amount of the repeat purchase days (null when x = 0) |
/// | `p_alive` | double | BG/NBD probability that the customer is still active at asof |
/// | `expected_purchases` | double | BG/NBD expected purchases in (asof, asof + horizon] |
/// | `expected_value` | double | Gamma-Gamma expected value per purchase |
/// | `clv` | double | expected purchases × expected value, discounted per unit |
/// | `actual_purchases` | int | with holdout_until: purchase days in (asof, holdout_until] |
///
/// The fitted parameters and their diagnostics are notes; with `holdout_until`, the
/// holdout check (`HoldoutCheck`) is report text.
enum CLVOperator {
    static func apply(_ step: Step, _ input: Table, _ context: StepContext) throws -> Table {
        let arguments = try CLVArguments(step, input, context)
        return try predict(try CustomerSummary(arguments), arguments, step: step, context: context)
    }

    /// The fits on `summary` and the table of predictions, with the notes and the holdout
    /// report.
    static func predict(_ summary: CustomerSummary, _ arguments: CLVArguments, step: Step, context: StepContext) throws -> Table {
        let model = try fit(summary, arguments, step: step, context: context)
        let asof = summary.asof
        let horizonDays = arguments.horizonDays ?? arguments.holdoutUntil.map { Double(Int64($0) - Int64(asof)) } ?? 90
        let prediction = CLVPrediction(model: model, horizon: horizonDays / arguments.unitDays,
                                       unitDays: arguments.unitDays, discount: arguments.discount)
        context.notes += model.noteLines
        if prediction.failures > 0 {
            context.notes.append("clv: warning: the expected purchases of \(NumberFormat.grouped(prediction.failures)) customers could not be evaluated (the hypergeometric series did not converge): they are held at the last period that could be (0 at worst)")
        }
        let horizonText = CLVModel.format(horizonDays / arguments.unitDays)
        context.notes.append("clv: t_x and T in \(arguments.unitText)s; expected_purchases over \(CLVModel.format(horizonDays)) days (\(horizonText) \(arguments.unitText)s) after asof \(CivilDate(daysSinceEpoch: asof))"
                             + (arguments.discount > 0 ? "; clv discounted at \(CLVModel.format(arguments.discount * 100))% a year, per \(arguments.unitText)" : ""))
        if let until = arguments.holdoutUntil, let actual = model.summary.actual {
            let check = HoldoutCheck(model: model, actual: actual, holdoutUnits: Double(Int64(until) - Int64(asof)) / arguments.unitDays)
            context.notes.append(check.summaryLine(firstSeenLater: model.summary.firstSeenLater, until: until))
            context.reports.append(.holdout(check.report))
        }
        return prediction.table(model.summary, customerName: arguments.customerName)
    }

    /// Both fits on `summary`, with the warnings as notes; fitting failures as errors at the
    /// step.
    static func fit(_ summary: CustomerSummary, _ arguments: CLVArguments, step: Step, context: StepContext) throws -> CLVModel {
        let model: CLVModel
        do {
            model = try CLVModel(summary)
        } catch let failure as CLVModel.Failure {
            throw context.error("\(step.name): \(failure.message)", step.span, hints: [failure.hint])
        }
        if summary.skipped > 0 {
            context.notes.append("\(step.name): skipped \(NumberFormat.grouped(summary.skipped)) row\(summary.skipped == 1 ? "" : "s") with a null customer, date or amount")
        }
        if arguments.holdoutUntil == nil, summary.laterOrders > 0 {
            context.notes.append("\(step.name): \(NumberFormat.grouped(summary.laterOrders)) order\(summary.laterOrders == 1 ? "" : "s") after asof \(CivilDate(daysSinceEpoch: summary.asof)) not used"
                                 + (summary.firstSeenLater > 0 ? " (\(NumberFormat.grouped(summary.firstSeenLater)) customers first bought after asof and are not rows)" : ""))
        }
        context.notes += model.warnings.map { "\(step.name): warning: \($0)" }
        return model
    }
}

/// Per-customer predictions of a fitted `CLVModel`.
struct CLVPrediction {
    var pAlive: [Double]
    var expectedPurchases: [Double]
    /// nil where undefined (no value model, a mean value ≤ 0, q ≤ 1 with x = 0).
    var expectedValue: [Double?]
    var clv: [Double?]
    /// Customers whose expected purchases could not be evaluated (kept at the last value
    /// that could, or 0).
    var failures = 0

    /// Predictions over `horizon` units, discounted at the annual rate `discount` per unit
    /// period: clv = Σₖ value × (E(tₖ) − E(tₖ₋₁)) / (1+d)^(tₖ·unit/365.25), tₖ = min(k, horizon).
    init(model: CLVModel, horizon: Double, unitDays: Double, discount: Double) {
        let s = model.summary, g = model.groups, bg = model.purchases
        let m = g.count
        // Per group of equal (x, t_x, T): p_alive and E(t) at the period ends.
        let periods = discount > 0 ? max(1, Int((horizon - 1e-9).rounded(.up))) : 1
        let ends = discount > 0 ? (1...periods).map { min(Double($0), horizon) } : [horizon]
        let perPeriod = log1p(discount) * unitDays / 365.25
        var groupAlive = [Double](repeating: 0, count: m)
        var groupE = [Double](repeating: 0, count: m)
        var groupDiscounted = [Double](repeating: 0, count: m)
        var failedParts = [0, 0]
        groupAlive.withUnsafeMutableBufferPointer { alive in
        groupE.withUnsafeMutableBufferPointer { expected in
        groupDiscounted.withUnsafeMutableBufferPointer { discounted in
        failedParts.withUnsafeMutableBufferPointer { failed in
            let (alive, expected, discounted, failed) = (alive, expected, discounted, failed)
            let body = { (part: Int, parts: Int) in
                for k in (m * part / parts)..<(m * (part + 1) / parts) {
                    let x = Double(g.x[k]), tx = g.tx[k], T = g.T[k]
                    alive[k] = bg.probabilityAlive(x: x, tx: tx, T: T)
                    var previous = 0.0, total = 0.0
                    for t in ends {
                        // A failed evaluation keeps the previous value (0 at the start), never
                        // NaN, and is counted for a warning.
                        guard let e = bg.expectedPurchases(t: t, x: x, tx: tx, T: T) else {
                            failed[part] += Int(g.weight[k])
                            break
                        }
                        total += (e - previous) * exp(-perPeriod * t)
                        previous = e
                    }
                    expected[k] = previous
                    discounted[k] = total
                }
            }
            if m >= 1 << 14 { DispatchQueue.concurrentPerform(iterations: 2) { body($0, 2) } } else { body(0, 1) }
        }}}}
        failures = failedParts.reduce(0, +)
        let n = s.count
        pAlive = (0..<n).map { groupAlive[Int(g.groupOf[$0])] }
        expectedPurchases = (0..<n).map { groupE[Int(g.groupOf[$0])] }
        let values: [Double?] = (0..<n).map { i in
            guard let v = model.value else { return nil }
            if s.x[i] > 0 && s.repeatValue[i] <= 0 { return nil }
            return v.expectedValue(x: Double(s.x[i]), m: s.averageValue(i))
        }
        expectedValue = values
        clv = (0..<n).map { i in values[i].map { $0 * groupDiscounted[Int(g.groupOf[i])] } }
    }

    /// The output table of `clv`.
    func table(_ s: CustomerSummary, customerName: String) -> Table {
        let n = s.count
        var names = [customerName, "x", "t_x", "T", "avg_value", "p_alive", "expected_purchases", "expected_value", "clv"]
        var columns = [s.customer, Column(.int(s.x.map { Int64($0) })), Column(.double((0..<n).map { s.tx($0) })),
                       Column(.double((0..<n).map { s.T($0) })), CLVPrediction.nullable((0..<n).map { s.averageValue($0) }),
                       Column(.double(pAlive)), Column(.double(expectedPurchases)),
                       CLVPrediction.nullable(expectedValue), CLVPrediction.nullable(clv)]
        if let actual = s.actual {
            names.append("actual_purchases")
            columns.append(Column(.int(actual.map { Int64($0) })))
        }
        return Table(uncheckedNames: names, columns: columns, rowCount: n)
    }

    /// A double column with nulls where the value is nil or not finite.
    static func nullable(_ values: [Double?]) -> Column {
        let present = values.map { $0.map { $0.isFinite } ?? false }
        let data = values.map { v -> Double in if let v, v.isFinite { return v } else { return 0 } }
        if present.allSatisfy({ $0 }) { return Column(.double(data)) }
        var validity = Bitmap(count: values.count, allValid: true)
        for (i, p) in present.enumerated() where !p { validity[i] = false }
        return Column(.double(data), validity: validity)
    }
}

extension CLVOperator {
    static let definition = OperatorDefinition(
        keyword: "clv", syntax: "| clv customer=COL, date=COL, amount=COL [, asof=DATE] [, horizon=DURATION] [, unit=DURATION] [, discount=RATE] [, holdout_until=DATE]",
        summary: "BG/NBD and Gamma-Gamma fitted on the orders: one row per customer with p_alive, expected_purchases, expected_value and clv.",
        example: "orders | clv customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30, horizon=90days") { step, input, _ in
            guard case .operatorCall(let assignments) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return Bound(step: step, assignments: assignments, input: input)
        }

    /// The bound `clv` step. Its schema is known from the arguments (a fit over a sample
    /// row would fail: it needs repeat customers). Over a database, the customer summary is
    /// computed there and the fits here.
    struct Bound: SplitPlanOperator {
        let step: Step
        let assignments: [Assignment]
        let input: Schema

        func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema {
            let a = try CLVArguments(assignments, step: step, table: input.emptyTable, context: context)
            var columns: [(String, DataType)] = [(a.customerName, input.type(of: a.customerName) ?? .string), ("x", .int), ("t_x", .double),
                                                 ("T", .double), ("avg_value", .double), ("p_alive", .double),
                                                 ("expected_purchases", .double), ("expected_value", .double), ("clv", .double)]
            if a.holdoutUntil != nil { columns.append(("actual_purchases", .int)) }
            return Schema(columns)
        }

        /// The fits run here: the steps after it run in memory.
        var isCollect: Bool { true }
        func execute(_ input: Table, _ context: StepContext) throws -> Table { try CLVOperator.apply(step, input, context) }
        func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
            let a = try CLVArguments(assignments, step: step, table: input.schema.emptyTable, context: StepContext.scratch(compiler))
            return try CustomerSummary.lower(a, assignments, over: input, compiler)
        }
        func finish(_ lowered: Table, _ context: StepContext) throws -> Table {
            let a = try CLVArguments(assignments, step: step, table: input.emptyTable, context: context)
            return try CLVOperator.predict(try CustomerSummary(lowered: lowered, a), a, step: step, context: context)
        }
        var splitDescription: String { CLVOperator.splitDescription }
    }

    static let splitDescription = "the customer summary (x, t_x, T and the repeat value, one row per customer) runs in the database; the fits and predictions here"
}
