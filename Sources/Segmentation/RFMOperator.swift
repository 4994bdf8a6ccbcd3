import Columnar
import Dispatch
import Diagnostics
import Engine
import Language

/// `| rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]` (SPEC 5.1).
///
/// Input: one row per order. Output: one row per customer who has at least one order on or
/// before `asof`, **sorted by the customer key** (ascending; strings by their bytes), with
/// the customer column under its own name and
///
/// | column | type | meaning |
/// | --- | --- | --- |
/// | `recency` | int | whole days from the last order on or before `asof` to `asof` |
/// | `frequency` | int | orders dated in the window `(asof - window, asof]` |
/// | `monetary` | double | sum of `amount` over those orders (0 when none) |
/// | `first_order`, `last_order` | date | over the whole history up to `asof` |
/// | `orders_total` | int | orders up to `asof` |
/// | `amount_total` | double | sum of `amount` up to `asof` |
///
/// Orders after `asof` are ignored; without `window` the window is the whole history up to
/// `asof`; without `asof` it is the latest order date. `window` in days or weeks is exact;
/// in months or years it is calendar arithmetic (`asof - 6months` keeps the day of the
/// month, clamped to the month's length). Rows with a null customer, date or amount are
/// skipped and counted in a note. Customers whose every order is after `asof` (or invalid)
/// do not appear: join the result onto the customer table to keep them.
///
/// Group ids for the customer column (a string column's dictionary codes, else hashed), then
/// per-customer accumulators: one loop over the rows for small inputs, partitions of
/// customers that fit the cache for large ones (`RFMRows`); no per-customer sorting.
enum RFMOperator {
    static let outputColumns = ["recency", "frequency", "monetary", "first_order", "last_order", "orders_total", "amount_total"]

    static func apply(_ step: Step, _ input: Table, _ context: StepContext) throws -> Table {
        guard case .rfm(let assignments) = step.kind else {
            throw context.error("internal: the rfm handler got a '\(step.name)' step", step.span)
        }
        let arguments = try RFMArguments(assignments, step: step, table: input, context: context)
        let (table, skipped) = try compute(arguments)
        if skipped > 0 {
            context.notes.append("rfm: skipped \(skipped) row\(skipped == 1 ? "" : "s") with a null customer, date or amount")
        }
        return table
    }

    /// The RFM table and the number of rows skipped for a null customer, date or amount.
    static func compute(_ a: RFMArguments) throws -> (Table, skipped: Int) {
        let o = a.orders
        let customers = try CustomerIDs(o.customer)
        let g = customers.count
        // Which rows count: customer, date and amount all present (nil: all).
        let valid = o.valid
        let skipped = valid?.nullCount ?? 0

        // asof: given, or the latest valid order date.
        guard let asof = a.asof ?? o.latestDate else { return (emptyResult(a), skipped) }
        // Orders dated after windowStart (exclusive) and on or before asof are in the window.
        let windowStart = a.window?.start(before: asof) ?? Int32.min

        // Per-customer figures, indexed by group id.
        let figures = UnsafeMutableBufferPointer<RFMFigures>.allocate(capacity: max(g, 1))
        defer { figures.deallocate() }
        let kept = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(g, 1))
        defer { kept.deallocate() }
        try Cancellation.check()
        customers.ids.withUnsafeBufferPointer { ids in
            o.dates.withUnsafeBufferPointer { ds in
                o.amounts.withUnsafeBufferPointer { ms in
                    RFMRows.withValidityWords(valid) { validWords in
                        let rows = RFMRows(ids: ids, dates: ds, amounts: ms, valid: validWords,
                                           asof: asof, windowStart: windowStart, groupCount: g)
                        if rows.prefersPartitions(threshold: partitionThreshold) {
                            rows.accumulatePartitioned(into: figures, kept: kept)
                        } else {
                            rows.accumulate(into: figures, kept: kept)
                        }
                    }
                }
            }
        }
        try Cancellation.check()

        // Customers with at least one order up to asof, sorted by the customer key.
        if g == 0 { return (emptyResult(a), skipped) }
        let (groupsInOrder, customerColumn) = try customers.inKeyOrder(kept: UnsafeBufferPointer(kept))
        try Cancellation.check()
        let columns = outputColumns(groupsInOrder, figures, asof: asof)
        let table = Table(uncheckedNames: [a.customerName] + outputColumns, columns: [customerColumn] + columns,
                          rowCount: groupsInOrder.count)
        return (table, skipped)
    }

    /// Inputs with at least this many rows take the partitioned accumulation
    /// (`RFMRows.accumulatePartitioned`); smaller ones one loop over the rows. A tuning
    /// knob; tests lower it to compare the two paths.
    nonisolated(unsafe) static var partitionThreshold = 1 << 16

    /// The output columns after the customer column, for the groups in output order.
    static func outputColumns(_ groups: [Int32], _ figures: UnsafeMutableBufferPointer<RFMFigures>, asof: Int32) -> [Column] {
        let m = groups.count
        var recency: [Int64] = [], frequency: [Int64] = [], monetary: [Double] = []
        var first: [Int32] = [], last: [Int32] = [], total: [Int64] = [], amount: [Double] = []
        // Each output array is filled in place (not zeroed first); with many customers, by
        // two threads over the two halves.
        recency = [Int64](unsafeUninitializedCapacity: m) { recencyOut, n0 in
        frequency = [Int64](unsafeUninitializedCapacity: m) { frequencyOut, n1 in
        monetary = [Double](unsafeUninitializedCapacity: m) { monetaryOut, n2 in
        first = [Int32](unsafeUninitializedCapacity: m) { firstOut, n3 in
        last = [Int32](unsafeUninitializedCapacity: m) { lastOut, n4 in
        total = [Int64](unsafeUninitializedCapacity: m) { totalOut, n5 in
        amount = [Double](unsafeUninitializedCapacity: m) { amountOut, n6 in
            let (recencyOut, frequencyOut, monetaryOut, firstOut, lastOut, totalOut, amountOut) =
                (recencyOut, frequencyOut, monetaryOut, firstOut, lastOut, totalOut, amountOut)
            groups.withUnsafeBufferPointer { groups in
                let body = { (part: Int, parts: Int) in
                    for j in (m * part / parts)..<(m * (part + 1) / parts) {
                        let f = figures[Int(groups[j])]
                        recencyOut[j] = Int64(asof) - Int64(f.last)
                        frequencyOut[j] = Int64(f.frequency)
                        monetaryOut[j] = f.monetary
                        firstOut[j] = f.first
                        lastOut[j] = f.last
                        totalOut[j] = Int64(f.total)
                        amountOut[j] = f.amount
                    }
                }
                if m >= 1 << 18 {
                    DispatchQueue.concurrentPerform(iterations: 2) { body($0, 2) }
                } else {
                    body(0, 1)
                }
            }
            n6 = m
        }
            n5 = m
        }
            n4 = m
        }
            n3 = m
        }
            n2 = m
        }
            n1 = m
        }
            n0 = m
        }
        return [Column(.int(recency)), Column(.int(frequency)), Column(.double(monetary)),
                Column(.date(first)), Column(.date(last)), Column(.int(total)), Column(.double(amount))]
    }

    /// No valid orders at all: the output columns with no rows.
    static func emptyResult(_ a: RFMArguments) -> Table {
        Table(uncheckedNames: [a.customerName] + outputColumns,
              columns: [a.orders.customer.gather([]), Column(.int([])), Column(.int([])), Column(.double([])),
                        Column(.date([])), Column(.date([])), Column(.int([])), Column(.double([]))],
              rowCount: 0)
    }
}

/// One customer's running RFM figures (see `RFMOperator.compute`), padded to 64 bytes so
/// that a record never straddles two cache lines.
struct RFMAccumulator {
    var last = Int32.min
    var first = Int32.max
    var total: Int64 = 0
    var frequency: Int64 = 0
    var monetary = CompensatedSum()
    var amount = CompensatedSum()
    var padding: Int64 = 0

    /// Adds one valid order dated on or before asof. Without branches on the data (dates
    /// and amounts in random order would mispredict them), but with exactly the arithmetic
    /// of `CompensatedSum.add`: the same bits.
    @inline(__always)
    mutating func add(date d: Int32, amount x: Double, windowStart: Int32) {
        last = max(last, d)
        first = min(first, d)
        total &+= 1
        amount = RFMAccumulator.adding(amount, x)
        let inWindow = d > windowStart
        frequency &+= inWindow ? 1 : 0
        let m = RFMAccumulator.adding(monetary, x)
        monetary.sum = select(inWindow, m.sum, monetary.sum)
        monetary.compensation = select(inWindow, m.compensation, monetary.compensation)
    }

    /// `s` after `s.add(x)`, computed without branches.
    @inline(__always)
    static func adding(_ s: CompensatedSum, _ x: Double) -> CompensatedSum {
        let t = s.sum + x
        let larger = abs(s.sum) >= abs(x)
        let a = select(larger, s.sum, x), b = select(larger, x, s.sum)
        var out = s
        out.compensation += (a - t) + b
        out.sum = t
        return out
    }

    var figures: RFMFigures {
        RFMFigures(last: last, first: first, total: Int32(truncatingIfNeeded: total),
                   frequency: Int32(truncatingIfNeeded: frequency), monetary: monetary.value, amount: amount.value)
    }
}

/// One customer's final RFM figures (32 bytes; counts fit 32 bits as a table holds fewer
/// than 2^31 rows).
struct RFMFigures {
    var last: Int32
    var first: Int32
    var total: Int32
    var frequency: Int32
    var monetary: Double
    var amount: Double
}

/// `condition ? a : b` by masking bits, so that it compiles to no branch.
@inline(__always)
func select(_ condition: Bool, _ a: Double, _ b: Double) -> Double {
    let mask = UInt64(0) &- UInt64(condition ? 1 : 0)
    return Double(bitPattern: (a.bitPattern & mask) | (b.bitPattern & ~mask))
}

extension RFMOperator {
    static let definition = OperatorDefinition(
        keyword: "rfm", syntax: "| rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]",
        summary: "One row per customer: recency, frequency, monetary, first_order, last_order, orders_total, amount_total.",
        example: "orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30, window=365days",
        page: "| rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]\n  One row per customer: recency, frequency, monetary, first_order, last_order,\n  orders_total, amount_total (SPEC 5.1: window (asof - window, asof]; orders after asof ignored).\n  example: orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30, window=365days\n") { step, _, _ in
            guard case .rfm(let assignments) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return Bound(step: step, assignments: assignments)
        }

    /// The bound `rfm` step.
    struct Bound: PlanOperator {
        let step: Step
        let assignments: [Assignment]

        func execute(_ input: Table, _ context: StepContext) throws -> Table { try RFMOperator.apply(step, input, context) }

        /// One `GROUP BY` over the orders on or before `asof` with conditional aggregates for
        /// the window; `asof` defaults to the latest valid order date (a scalar subquery).
        func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
            let context = StepContext.scratch(compiler)
            let a = try RFMArguments(assignments, step: step, table: input.schema.emptyTable, context: context)
            func expr(_ key: String) throws -> String {
                guard let e = assignments.first(where: { $0.name.text == key })?.value else { return "" }
                return try compiler.expression(e, over: input).sql
            }
            let d = try expr("date"), m = compiler.dialect.cast(try expr("amount"), to: .double)
            let c = compiler.quote(a.customerName)
            let valid = "\(c) IS NOT NULL AND \(d) IS NOT NULL AND \(m) IS NOT NULL"
            let asof = a.asof.map { compiler.dialect.date($0) } ?? "(SELECT max(\(d)) FROM \(input.relation) WHERE \(valid))"
            var windowStart: String?
            switch a.window {
            case .days(let n)?: windowStart = compiler.dialect.addDays(asof, "-\(n)")
            case .months(let n)?: windowStart = compiler.dialect.addMonths(asof, -n)
            case nil: windowStart = nil
            }
            let inWindow = windowStart.map { "\(d) > \($0)" } ?? "TRUE"
            // Each amount split into limbs once, in a step of its own, for the two exact sums.
            let split = compiler.dialect.split(m)
            let splitNames = (0..<split.limbs.count).map { "__segsh_limb\($0)" } + ["__segsh_residual"]
            var splitSchema = input.schema
            splitSchema.names += splitNames
            splitSchema.types += split.limbs.map { _ in .int } + [.double]
            let splitItems = zip(split.limbs + [split.residual], splitNames).map { "\($0) AS \(compiler.quote($1))" }
            let orders = compiler.select(compiler.passThrough(input) + splitItems, from: input, where: "\(valid) AND \(d) <= \(asof)",
                                         schema: splitSchema, keepOrder: false)
            let columns = DoubleSplit(limbs: splitNames.dropLast().map(compiler.quote), residual: compiler.quote("__segsh_residual"))
            let inWindowOnly = { (sql: String) in "CASE WHEN \(inWindow) THEN \(sql) END" }
            let items = [
                c,
                "\(compiler.dialect.daysBetween("max(\(d))", asof)) AS \(compiler.quote("recency"))",
                "CAST(count(CASE WHEN \(inWindow) THEN 1 END) AS BIGINT) AS \(compiler.quote("frequency"))",
                "COALESCE(\(compiler.dialect.sumOfDoubles(columns.map(inWindowOnly), over: "")), 0) AS \(compiler.quote("monetary"))",
                "min(\(d)) AS \(compiler.quote("first_order"))",
                "max(\(d)) AS \(compiler.quote("last_order"))",
                "CAST(count(*) AS BIGINT) AS \(compiler.quote("orders_total"))",
                "\(compiler.dialect.sumOfDoubles(columns, over: "")) AS \(compiler.quote("amount_total"))",
            ]
            let customerType = input.schema.type(of: a.customerName) ?? .string
            let schema = Schema([(a.customerName, customerType), ("recency", .int), ("frequency", .int), ("monetary", .double),
                                 ("first_order", .date), ("last_order", .date), ("orders_total", .int), ("amount_total", .double)])
            let order = (customerType == .string ? compiler.dialect.byteOrder(c) : c) + " ASC"
            var q = compiler.select(items, from: orders, groupBy: [c], schema: schema, keepOrder: false)
            q = compiler.select(compiler.passThrough(q), from: q, schema: schema, newOrder: order)
            return q
        }
    }
}
