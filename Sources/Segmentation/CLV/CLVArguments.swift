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

    var customerName: String
    var customer: Column
    var dates: [Int32]
    var amounts: [Double]
    /// Customer, date and amount all present (nil: every row).
    var valid: Bitmap?
    var asof: Int32
    var asofGiven: Bool
    /// Days per unit of t_x and T (a month is 365.25/12 days, a year 365.25).
    var unitDays = 7.0
    var unitText = "week"
    /// The prediction horizon in days; nil: 90 days, or the holdout period's length.
    var horizonDays: Double?
    /// The annual discount rate.
    var discount = 0.0
    var holdoutUntil: Int32?
    /// Orders dated after asof that the fit does not use (and, with a holdout, after its end).
    var laterOrders = 0

    init(_ assignments: [Assignment], step: Step, table: Table, context: StepContext) throws {
        let op = step.name
        let keys = op == "clv_fit" ? CLVArguments.fitKeys : CLVArguments.clvKeys
        let usage = op == "clv_fit" ? CLVArguments.fitUsage : CLVArguments.clvUsage
        var given: [String: Assignment] = [:]
        for a in assignments {
            let key = a.name.text
            guard keys.contains(key) else {
                let suggestion = closestMatch(to: key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
                throw context.error("\(op) has no argument '\(key)'\(suggestion)", a.name.span, hints: ["usage: \(usage)"])
            }
            guard given[key] == nil else { throw context.error("\(op) argument '\(key)' is given twice", a.name.span) }
            given[key] = a
        }
        func required(_ key: String, _ what: String) throws -> Assignment {
            guard let a = given[key] else {
                throw context.error("\(op) needs '\(key)=COLUMN' (\(what))", step.span, hints: ["usage: \(usage)"])
            }
            return a
        }
        let ev = context.evaluator(for: table)
        let c = try required("customer", "the customer id of each order")
        guard case .column(let cname) = c.value.kind else {
            throw context.error("\(op) customer= needs a column name", c.value.span,
                                hints: ["derive the key first: | derive key = ... | \(op) customer=key, ..."])
        }
        guard let ccol = table.column(cname) else { throw ev.unknownColumn(cname, c.value.span) }
        customerName = cname
        customer = ccol
        let d = try required("date", "the order date")
        let dcol = try ev.column(d.value)
        guard case .date(let ds) = dcol.storage else {
            throw context.error("\(op) date= needs a date column, but '\(context.file.slice(d.value.span))' is \(dcol.type.rawValue)",
                                d.value.span, hints: ["load with dates=\"%Y/%m/%d\" (or the file's format) so the column is read as dates"])
        }
        dates = ds
        let m = try required("amount", "the order amount")
        let mcol = try ev.column(m.value)
        switch mcol.storage {
        case .double(let xs): amounts = xs
        case .int(let xs): amounts = xs.map { Double($0) }
        default:
            throw context.error("\(op) amount= needs numbers, but '\(context.file.slice(m.value.span))' is \(mcol.type.rawValue)",
                                m.value.span, hints: ["load with numbers=\"currency\" when amounts are written like ¥1,200.50"])
        }
        var v: Bitmap?
        for b in [ccol.validity, dcol.validity, mcol.validity] {
            guard let b else { continue }
            v = v.map { $0 & b } ?? b
        }
        valid = v

        func date(_ key: String) throws -> Int32? {
            guard let a = given[key] else { return nil }
            switch try ev.evaluate(a.value) {
            case .scalar(.date(let day)): return day
            case .scalar(.string(let s)):
                if let day = CivilDate.daysSinceEpoch(iso: s) { return day }
            default: break
            }
            throw context.error("\(op) \(key)= needs a date such as @2024-06-30", a.value.span)
        }
        func days(_ key: String, positive: Bool = true) throws -> (days: Double, text: String)? {
            guard let a = given[key] else { return nil }
            let n: Int, unit: DurationUnit
            switch try ev.evaluate(a.value) {
            case .duration(let count, let u): (n, unit) = (count, u)
            // A parameter holding a duration stores its day count.
            case .scalar(.int(let days)): (n, unit) = (Int(days), .days)
            default:
                throw context.error("\(op) \(key)= needs a duration such as 90days, 1week, 3months or 1year", a.value.span)
            }
            guard n > 0 else { throw context.error("\(op) \(key)= must be positive", a.value.span) }
            return CLVArguments.days(n, unit)
        }

        holdoutUntil = try date("holdout_until")
        if let given = try date("asof") {
            asof = given
            asofGiven = true
        } else {
            guard holdoutUntil == nil else {
                throw context.error("\(op) holdout_until= needs asof= too: the calibration period ends at asof",
                                    given["holdout_until"]?.value.span ?? step.span,
                                    hints: ["e.g. asof=@2024-06-30, holdout_until=@2024-12-31"])
            }
            // The latest valid order date.
            var latest = Int32.min
            ds.withUnsafeBufferPointer { ds in for i in 0..<ds.count where v?[i] ?? true { latest = max(latest, ds[i]) } }
            guard latest != Int32.min else {
                throw context.error("\(op) found no order with a customer, a date and an amount", step.span,
                                    hints: ["rows with a null customer, date or amount are skipped"])
            }
            asof = latest
            asofGiven = false
        }
        if let h = holdoutUntil, h <= asof {
            throw context.error("\(op) holdout_until= must be after asof (\(CivilDate(daysSinceEpoch: asof)))",
                                given["holdout_until"]?.value.span ?? step.span)
        }
        if let u = try days("unit") { unitDays = u.days; unitText = u.text }
        horizonDays = try days("horizon")?.days
        if let a = given["discount"] {
            switch try ev.evaluate(a.value) {
            case .scalar(.double(let r)) where r >= 0 && r < 10: discount = r
            case .scalar(.int(let r)) where r >= 0 && r < 10: discount = Double(r)
            default:
                throw context.error("\(op) discount= needs an annual rate such as 0.1 (10% a year), at least 0", a.value.span)
            }
        }
        let limit = holdoutUntil ?? asof
        var later = 0
        ds.withUnsafeBufferPointer { ds in for i in 0..<ds.count where (v?[i] ?? true) && ds[i] > limit { later += 1 } }
        laterOrders = later
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
