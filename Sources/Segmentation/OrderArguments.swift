import Columnar
import Diagnostics
import Engine
import Language

/// What `rfm`, `clv` and `clv_fit` share in their arguments: the keys checked against the
/// operator's own (unknown keys with a suggestion, no key twice), the orders —
/// `customer=COL, date=DATE, amount=NUMBER`, one row per order — and `asof=DATE` and
/// durations. Each operator's arguments (`RFMArguments`, `CLVArguments`) hold one and add
/// their own options.
struct OrderArguments {
    let op: String
    let usage: String
    let step: Step
    let context: StepContext
    let evaluator: ExpressionEvaluator
    /// The assignments by key.
    let given: [String: Assignment]

    var customerName: String
    var customer: Column
    /// Days since the epoch.
    var dates: [Int32]
    var amounts: [Double]
    /// Rows with a customer, a date and an amount (nil: every row).
    var valid: Bitmap?
    /// nil: not given.
    var asof: Int32?

    init(_ assignments: [Assignment], allowed: [String], usage: String, step: Step, table: Table, context: StepContext) throws {
        let op = step.name
        self.op = op; self.usage = usage; self.step = step; self.context = context
        var given: [String: Assignment] = [:]
        for a in assignments {
            let key = a.name.text
            guard allowed.contains(key) else {
                throw context.error("\(op) has no argument '\(key)'\(didYouMeanSuffix(key, in: allowed))", a.name.span,
                                    hints: ["usage: \(usage)"])
            }
            guard given[key] == nil else { throw context.error("\(op) argument '\(key)' is given twice", a.name.span) }
            given[key] = a
        }
        self.given = given
        func required(_ key: String, _ what: String) throws -> Assignment {
            guard let a = given[key] else {
                throw context.error("\(op) needs '\(key)=COLUMN' (\(what))", step.span, hints: ["usage: \(usage)"])
            }
            return a
        }
        let ev = context.evaluator(for: table)
        evaluator = ev

        // customer: a column, whose name the output keeps.
        let c = try required("customer", "the customer id of each order")
        guard case .column(let cname) = c.value.kind else {
            throw context.error("\(op) customer= needs a column name", c.value.span,
                                hints: ["derive the key first: | derive key = ... | \(op) customer=key, ..."])
        }
        guard let ccol = table.column(cname) else { throw ev.unknownColumn(cname, c.value.span) }
        customerName = cname
        customer = ccol

        // date: a date column (or expression).
        let d = try required("date", "the order date")
        let dcol = try ev.column(d.value)
        guard case .date(let ds) = dcol.storage else {
            throw context.error("\(op) date= needs a date column, but '\(context.file.slice(d.value.span))' is \(dcol.type.rawValue)",
                                d.value.span, hints: ["load with dates=\"%Y/%m/%d\" (or the file's format) so the column is read as dates, or use date(TEXT)"])
        }
        dates = ds

        // amount: numbers.
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
        for b in [ccol.validity, dcol.validity, mcol.validity] { v = bothValid(v, b) }
        valid = v
        asof = nil
        asof = try date("asof")
    }

    /// The date given as `key=` (`@2025-06-30` or an ISO date string), nil when not given.
    func date(_ key: String) throws -> Int32? {
        guard let a = given[key] else { return nil }
        switch try evaluator.evaluate(a.value) {
        case .scalar(.date(let day)): return day
        case .scalar(.string(let s)):
            if let day = CivilDate.daysSinceEpoch(iso: s) { return day }
            throw context.error("\(op) \(key)= needs a date such as @2025-06-30, not \"\(s)\"", a.value.span)
        default:
            throw context.error("\(op) \(key)= needs a date such as @2025-06-30", a.value.span)
        }
    }

    /// The positive duration given as `key=` (`90days`, `12weeks`, `6months`, `1year`; a
    /// parameter holding a duration stores its day count), nil when not given.
    func duration(_ key: String, examples: String) throws -> (count: Int, unit: DurationUnit)? {
        guard let a = given[key] else { return nil }
        let n: Int, unit: DurationUnit
        switch try evaluator.evaluate(a.value) {
        case .duration(let count, let u): (n, unit) = (count, u)
        case .scalar(.int(let days)): (n, unit) = (Int(days), .days)
        default: throw context.error("\(op) \(key)= needs a duration such as \(examples)", a.value.span)
        }
        guard n > 0 else { throw context.error("\(op) \(key)= must be positive", a.value.span) }
        return (n, unit)
    }

    /// The latest date among the valid orders (nil: none).
    var latestDate: Int32? {
        var latest = Int32.min
        let v = valid
        dates.withUnsafeBufferPointer { ds in for i in 0..<ds.count where v?[i] ?? true { latest = max(latest, ds[i]) } }
        return latest == Int32.min ? nil : latest
    }
}
