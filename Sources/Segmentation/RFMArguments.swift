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
    static let usage = "rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]"

    /// customer, date, amount and asof (nil: the latest order date in the table).
    var orders: OrderArguments
    var customerName: String { orders.customerName }
    var asof: Int32? { orders.asof }
    /// nil: the whole history up to asof.
    var window: Window?

    init(_ assignments: [Assignment], step: Step, table: Table, context: StepContext) throws {
        orders = try OrderArguments(assignments, allowed: RFMArguments.allowed, usage: RFMArguments.usage,
                                    step: step, table: table, context: context)
        guard let (n, unit) = try orders.duration("window", examples: "365days, 12weeks or 6months") else { return }
        switch unit {
        case .days: window = .days(n)
        // Saturating: a window longer than 64 bits can count covers all history anyway.
        case .weeks: window = .days(n.multipliedReportingOverflow(by: 7).overflow ? Int.max : 7 * n)
        case .months: window = .months(n)
        case .years: window = .months(n.multipliedReportingOverflow(by: 12).overflow ? Int.max : 12 * n)
        }
    }
}
