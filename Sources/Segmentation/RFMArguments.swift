import Columnar
import Diagnostics
import Engine
import Language

/// The checked arguments of `| rfm customer=COL, date=COL, amount=COL [, asof=DATE]
/// [, window=DURATION]`.
struct RFMArguments {
    /// A window length: calendar months and years, or a fixed number of days.
    enum Window: Equatable {
        case days(Int)
        case months(Int)

        /// The first day *outside* the window `(asof - window, asof]`, i.e. `asof - window`.
        func start(before asof: Int32) -> Int32 {
            switch self {
            case .days(let n):
                return Int32(clamping: Int(asof) - n)
            case .months(let n):
                return CivilDate(daysSinceEpoch: asof).addingMonths(-n).daysSinceEpoch
            }
        }
    }

    static let allowed = ["customer", "date", "amount", "asof", "window"]

    var customerName: String
    var customer: Column
    var dates: [Int32]
    var dateValidity: Bitmap?
    var amounts: [Double]
    var amountValidity: Bitmap?
    /// nil: the latest order date in the table.
    var asof: Int32?
    /// nil: the whole history up to asof.
    var window: Window?

    init(_ assignments: [Assignment], step: Step, table: Table, context: StepContext) throws {
        var given: [String: Assignment] = [:]
        for a in assignments {
            let key = a.name.text
            guard RFMArguments.allowed.contains(key) else {
                let suggestion = didYouMeanSuffix(key, in: RFMArguments.allowed)
                throw context.error("rfm has no argument '\(key)'\(suggestion)", a.name.span,
                                    hints: ["rfm takes: customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]"])
            }
            guard given[key] == nil else {
                throw context.error("rfm argument '\(key)' is given twice", a.name.span)
            }
            given[key] = a
        }
        let usage = "rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]"
        func required(_ key: String, _ example: String) throws -> Assignment {
            guard let a = given[key] else {
                throw context.error("rfm needs '\(key)=COLUMN' (\(example))", step.span, hints: ["usage: \(usage)"])
            }
            return a
        }
        let ev = context.evaluator(for: table)

        // customer: a column, whose name the output keeps.
        let c = try required("customer", "the customer id of each order")
        guard case .column(let cname) = c.value.kind else {
            throw context.error("rfm customer= needs a column name", c.value.span,
                                hints: ["derive the key first: | derive key = ... | rfm customer=key, ..."])
        }
        guard let ccol = table.column(cname) else { throw ev.unknownColumn(cname, c.value.span) }
        customerName = cname
        customer = ccol

        // date: a date column (or expression).
        let d = try required("date", "the order date")
        let dcol = try ev.column(d.value)
        guard case .date(let ds) = dcol.storage else {
            throw context.error("rfm date= needs a date column, but '\(context.file.slice(d.value.span))' is \(dcol.type.rawValue)",
                                d.value.span, hints: ["load with dates=\"%Y/%m/%d\" (or the file's format) so the column is read as dates, or use date(TEXT)"])
        }
        dates = ds
        dateValidity = dcol.validity

        // amount: numbers.
        let m = try required("amount", "the order amount")
        let mcol = try ev.column(m.value)
        switch mcol.storage {
        case .double(let xs): amounts = xs
        case .int(let xs): amounts = xs.map { Double($0) }
        default:
            throw context.error("rfm amount= needs numbers, but '\(context.file.slice(m.value.span))' is \(mcol.type.rawValue)",
                                m.value.span, hints: ["load with numbers=\"currency\" when amounts are written like ¥1,200.50"])
        }
        amountValidity = mcol.validity

        if let a = given["asof"] {
            switch try ev.evaluate(a.value) {
            case .scalar(.date(let day)):
                asof = day
            case .scalar(.string(let s)):
                guard let parsed = CivilDate.daysSinceEpoch(iso: s) else {
                    throw context.error("rfm asof= needs a date such as @2025-06-30, not \"\(s)\"", a.value.span)
                }
                asof = parsed
            default:
                throw context.error("rfm asof= needs a date such as @2025-06-30", a.value.span)
            }
        }
        if let a = given["window"] {
            let w: Window
            switch try ev.evaluate(a.value) {
            case .duration(let n, let unit):
                switch unit {
                case .days: w = .days(n)
                // Saturating: a window longer than 64 bits can count covers all history anyway.
                case .weeks: w = .days(n.multipliedReportingOverflow(by: 7).overflow ? Int.max : 7 * n)
                case .months: w = .months(n)
                case .years: w = .months(n.multipliedReportingOverflow(by: 12).overflow ? Int.max : 12 * n)
                }
            case .scalar(.int(let n)):
                // A parameter holding a duration stores its day count.
                w = .days(Int(n))
            default:
                throw context.error("rfm window= needs a duration such as 365days, 12weeks or 6months", a.value.span)
            }
            switch w {
            case .days(let n) where n <= 0, .months(let n) where n <= 0:
                throw context.error("rfm window= must be positive", a.value.span)
            default: break
            }
            window = w
        }
    }
}
