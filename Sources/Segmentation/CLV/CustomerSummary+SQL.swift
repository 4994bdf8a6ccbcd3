import Columnar
import Engine
import Language

/// The customer summary of `clv` and `clv_fit` over a database table: computed there, one
/// row per customer (`lower`), and read back here (`init(lowered:)`), where the fits run.
/// The same figures as the summary in memory: x, t_x and T are exact (whole days); the
/// repeat value is a sum of the same amounts, added in the same order where the dialect can
/// order an aggregate's input and the input has a row order (PostgreSQL over a table segsh
/// wrote), else in the engine's order (the last bits may differ).
extension CustomerSummary {
    /// Names of the lowered summary's columns after the customer column.
    static let firstDay = "__segsh_first_day", purchaseDays = "__segsh_purchase_days", lastDay = "__segsh_last_day",
               repeatValueSum = "__segsh_repeat_value", holdoutDays = "__segsh_holdout_days", asofColumn = "__segsh_asof",
               skippedRows = "__segsh_skipped_rows", laterRows = "__segsh_later_orders"

    /// The summary as SQL over `input`: per customer with a valid order up to the holdout end
    /// (every valid order without one), the first purchase day, the purchase days up to asof,
    /// the last of them, the sum of the repeat days' amounts, the purchase days after asof;
    /// and on every row asof and the counts of skipped and later orders (for the notes).
    static func lower(_ a: CLVArguments, _ assignments: [Assignment], over input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        func expr(_ key: String) throws -> String {
            guard let e = assignments.first(where: { $0.name.text == key })?.value else { return "" }
            return try compiler.expression(e, over: input).sql
        }
        let dialect = compiler.dialect, q = compiler.quote
        let d = try expr("date"), m = dialect.cast(try expr("amount"), to: .double)
        let c = q(a.customerName)
        let customerType = input.schema.type(of: a.customerName) ?? .string
        let valid = "\(c) IS NOT NULL AND \(d) IS NOT NULL AND \(m) IS NOT NULL"
        let asof = a.orders.asof.map { dialect.date($0) } ?? "(SELECT max(\(d)) FROM \(input.relation) WHERE \(valid))"
        let until = a.holdoutUntil.map { " AND \(d) <= \(dialect.date($0))" } ?? ""
        let day = q("__segsh_day"), value = q("__segsh_value"), first = q("__segsh_first")

        // One row per customer and purchase day, with the day's amount and the customer's
        // first day.
        // The amounts are added as in memory: a day's in row order (when the input has one),
        // then the repeat days' totals in day order.
        let rowOrder = input.ordered ? q(SQLCompiler.orderColumn) : nil
        var days = compiler.select([c, "\(d) AS \(day)", "\(dialect.orderedSum(m, orderBy: rowOrder)) AS \(value)"], from: input, where: valid + until, groupBy: [c, d],
                                   schema: Schema([(a.customerName, customerType), ("__segsh_day", .date), ("__segsh_value", .double)]),
                                   keepOrder: false)
        days = compiler.select([c, day, value, "min(\(day)) OVER (PARTITION BY \(c)) AS \(first)"], from: days,
                               schema: Schema([(a.customerName, customerType), ("__segsh_day", .date), ("__segsh_value", .double),
                                               ("__segsh_first", .date)]),
                               keepOrder: false)
        let figures: [(String, DataType, String)] = [
            (firstDay, .date, "min(\(day))"),
            (purchaseDays, .int, "CAST(count(CASE WHEN \(day) <= \(asof) THEN 1 END) AS BIGINT)"),
            (lastDay, .date, "max(CASE WHEN \(day) <= \(asof) THEN \(day) END)"),
            (repeatValueSum, .double, dialect.orderedSum("CASE WHEN \(day) <= \(asof) AND \(day) > \(first) THEN \(value) END", orderBy: day)),
            (holdoutDays, .int, "CAST(count(CASE WHEN \(day) > \(asof) THEN 1 END) AS BIGINT)"),
        ]
        let customers = compiler.select([c] + figures.map { "\($0.2) AS \(q($0.0))" }, from: days, groupBy: [c],
                                        schema: Schema([(a.customerName, customerType)] + figures.map { ($0.0, $0.1) }),
                                        keepOrder: false)
        // The orders the summary leaves out, counted over the whole input.
        let limit = a.holdoutUntil.map { dialect.date($0) } ?? asof
        let counts = compiler.addStep("SELECT CAST(count(*) - count(CASE WHEN \(valid) THEN 1 END) AS BIGINT) AS \(q(skippedRows)), "
                                      + "CAST(count(CASE WHEN \(valid) AND \(d) > \(limit) THEN 1 END) AS BIGINT) AS \(q(laterRows)) FROM \(input.relation)",
                                      to: customers, schema: Schema([(skippedRows, .int), (laterRows, .int)]), ordered: false)
        let schema = Schema([(a.customerName, customerType)] + figures.map { ($0.0, $0.1) }
                            + [(asofColumn, .date), (skippedRows, .int), (laterRows, .int)])
        let items = [c] + figures.map { q($0.0) } + ["\(asof) AS \(q(asofColumn))", q(skippedRows), q(laterRows)]
        return compiler.addStep("SELECT \(items.joined(separator: ", ")) FROM \(customers.relation) CROSS JOIN \(counts.relation)",
                                to: counts, schema: schema, ordered: false)
    }

    /// The summary from the rows of `lower`, in the order of the customer key.
    init(lowered t: Table, _ a: CLVArguments) throws {
        func column(_ name: String) throws -> Column {
            guard let col = t.column(name) else {
                throw a.orders.context.error("internal: the customer summary from the database has no column \(name)", a.orders.step.span)
            }
            return col
        }
        func ints(_ name: String) throws -> [Int64?] {
            let col = try column(name)
            return try (0..<t.rowCount).map { i in
                switch col[i] {
                case .int(let v): return v
                case .date(let v): return Int64(v)
                case .null: return nil
                default: throw a.orders.context.error("internal: \(name) from the database is \(col.type.rawValue)", a.orders.step.span)
                }
            }
        }
        let n = t.rowCount
        guard n > 0 else {
            self = CustomerSummary.empty(asof: try a.resolvedAsof(), unitDays: a.unitDays)
            return
        }
        let customerColumn = try column(a.customerName)
        let asofs = try ints(CustomerSummary.asofColumn), firsts = try ints(CustomerSummary.firstDay)
        let days = try ints(CustomerSummary.purchaseDays), lasts = try ints(CustomerSummary.lastDay)
        let holdout = try ints(CustomerSummary.holdoutDays)
        let values = try column(CustomerSummary.repeatValueSum)
        guard let asofDay = asofs[0].flatMap({ Int32(exactly: $0) }) else { throw a.orders.context.error("internal: no asof from the database", a.orders.step.span) }
        // Customers with purchase days up to asof are rows; the others were first seen later.
        var kept: [Int32] = []
        kept.reserveCapacity(n)
        for i in 0..<n where (days[i] ?? 0) > 0 { kept.append(Int32(i)) }
        let keys = customerColumn.gather(kept)
        let order = keys.count > 0 ? try Kernels.sortPermutation(keys: [(keys, false)]) : []
        let rows = order.map { Int(kept[Int($0)]) }
        self.init(customer: keys.gather(order),
                  x: rows.map { Int32(clamping: (days[$0] ?? 1) - 1) },
                  first: rows.map { Int32(clamping: firsts[$0] ?? 0) },
                  last: rows.map { Int32(clamping: lasts[$0] ?? firsts[$0] ?? 0) },
                  repeatValue: rows.map { if case .double(let v) = values[$0] { return v } else { return 0 } },
                  actual: a.holdoutUntil == nil ? nil : rows.map { Int32(clamping: holdout[$0] ?? 0) },
                  asof: asofDay, unitDays: a.unitDays)
        firstSeenLater = n - kept.count
        skipped = Int((try ints(CustomerSummary.skippedRows))[0] ?? 0)
        laterOrders = Int((try ints(CustomerSummary.laterRows))[0] ?? 0)
    }
}
