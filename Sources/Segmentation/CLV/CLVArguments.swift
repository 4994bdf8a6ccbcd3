import Columnar
import Diagnostics
import Engine
import Language

/// The checked arguments of `| clv customer=COL, date=COL, amount=COL [, asof=DATE]
/// [, horizon=DURATION] [, unit=DURATION] [, discount=RATE] [, holdout_until=DATE]` and of
/// `| clv_fit` (which takes the first five).
struct CLVArguments {
    static let clvKeys = ["customer", "date", "amount", "asof", "horizon", "unit", "discount", "holdout_until"]
    static let fitKeys = ["customer", "date", "amount", "asof", "unit"]
    static let clvUsage = "clv customer=COL, date=COL, amount=COL [, asof=DATE] [, horizon=90days] [, unit=1week] [, discount=0.0] [, holdout_until=DATE]"
    static let fitUsage = "clv_fit customer=COL, date=COL, amount=COL [, asof=DATE] [, unit=1week]"

    /// customer, date, amount and asof.
    var orders: OrderArguments
    var customerName: String { orders.customerName }
    /// Days per unit of t_x and T (a month is 365.25/12 days, a year 365.25).
    var unitDays = 7.0
    var unitText = "week"
    /// The prediction horizon in days; nil: 90 days, or the holdout period's length.
    var horizonDays: Double?
    /// The annual discount rate.
    var discount = 0.0
    var holdoutUntil: Int32?

    /// Checks the arguments; reads no more of `table` than the columns (so a database
    /// step can check them over an empty table).
    init(_ assignments: [Assignment], step: Step, table: Table, context: StepContext) throws {
        let fitOnly = step.name == "clv_fit"
        orders = try OrderArguments(assignments, allowed: fitOnly ? CLVArguments.fitKeys : CLVArguments.clvKeys,
                                    usage: fitOnly ? CLVArguments.fitUsage : CLVArguments.clvUsage,
                                    step: step, table: table, context: context)
        let op = step.name, given = orders.given
        holdoutUntil = try orders.date("holdout_until")
        if holdoutUntil != nil && orders.asof == nil {
            throw context.error("\(op) holdout_until= needs asof= too: the calibration period ends at asof",
                                given["holdout_until"]?.value.span ?? step.span,
                                hints: ["e.g. asof=@2024-06-30, holdout_until=@2024-12-31"])
        }
        if let h = holdoutUntil, let asof = orders.asof, h <= asof {
            throw context.error("\(op) holdout_until= must be after asof (\(CivilDate(daysSinceEpoch: asof)))",
                                given["holdout_until"]?.value.span ?? step.span)
        }
        let examples = "90days, 1week, 3months or 1year"
        if let (n, unit) = try orders.duration("unit", examples: examples) { (unitDays, unitText) = CLVArguments.days(n, unit) }
        horizonDays = try orders.duration("horizon", examples: examples).map { CLVArguments.days($0.count, $0.unit).days }
        if let a = given["discount"] {
            switch try orders.evaluator.evaluate(a.value) {
            case .scalar(.double(let r)) where r >= 0 && r < 10: discount = r
            case .scalar(.int(let r)) where r >= 0 && r < 10: discount = Double(r)
            default:
                throw context.error("\(op) discount= needs an annual rate such as 0.1 (10% a year), at least 0", a.value.span)
            }
        }
    }

    /// The arguments of the `clv` or `clv_fit` step `step`.
    init(_ step: Step, _ table: Table, _ context: StepContext) throws {
        guard case .operatorCall(let assignments) = step.kind else {
            throw context.error("internal: the clv handler got a '\(step.name)' step", step.span)
        }
        try self.init(assignments, step: step, table: table, context: context)
    }

    /// asof as given, or the latest order date with a customer, a date and an amount.
    func resolvedAsof() throws -> Int32 {
        if let asof = orders.asof ?? orders.latestDate { return asof }
        throw orders.context.error("\(orders.op) found no order with a customer, a date and an amount", orders.step.span,
                                   hints: ["rows with a null customer, date or amount are skipped"])
    }

    /// A duration in days for CLV's units: a month is 365.25/12 days, a year 365.25 (not
    /// 30 and 365: a "month" of 30 days makes 12 months 360 days).
    static func days(_ n: Int, _ unit: DurationUnit) -> (days: Double, text: String) {
        let one: (Double, String)
        switch unit {
        case .days: one = (1, "day")
        case .weeks: one = (7, "week")
        case .months: one = (365.25 / 12, "month")
        case .years: one = (365.25, "year")
        }
        return (Double(n) * one.0, n == 1 ? one.1 : "\(n) \(one.1)s")
    }
}
