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
/// One pass over the orders: hash group ids for the customer column, then a single loop
/// accumulating per-customer arrays (no per-customer sorting).
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
        let n = a.customer.count
        // Group ids: a string customer column's dictionary codes when its dictionary is not
        // much larger than the column (the codes are dense ids already, and the dictionary's
        // sort ranks give the output order); else hashed groups.
        var dictionary: StringDictionary?
        var groups: GroupIndex?
        let ids: [Int32]
        let g: Int
        if case .string(let codes, let dict) = a.customer.storage, n > 0, dict.count <= 2 * n,
           RFMOperator.allBelow(codes, dict.count) {
            dictionary = dict
            ids = codes
            g = dict.count
        } else {
            let index = try Kernels.groupIDs(keys: [a.customer])
            groups = index
            ids = index.ids
            g = index.groupCount
        }

        // Which rows count: a combined validity of customer, date and amount (nil: all).
        var valid: Bitmap?
        for v in [a.customer.validity, a.dateValidity, a.amountValidity] {
            guard let v else { continue }
            valid = valid.map { $0 & v } ?? v
        }
        let skipped = valid?.nullCount ?? 0

        // asof: given, or the latest valid order date.
        var asof: Int32
        if let given = a.asof {
            asof = given
        } else {
            var latest = Int32.min
            a.dates.withUnsafeBufferPointer { ds in
                for i in 0..<n where valid?[i] ?? true { if ds[i] > latest { latest = ds[i] } }
            }
            asof = latest
        }
        if asof == Int32.min { return (emptyResult(a), skipped) }
        // Orders dated after windowStart (exclusive) and on or before asof are in the window.
        let windowStart = a.window?.start(before: asof) ?? Int32.min

        // One accumulator per customer, all fields in one 64-byte record: a row touches one
        // cache line of a million-customer table instead of one per array.
        // (64-byte aligned, so that a record never straddles two lines.)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(g, 1) * MemoryLayout<RFMAccumulator>.stride, alignment: 64)
        defer { raw.deallocate() }
        let accs = UnsafeMutableBufferPointer(start: raw.bindMemory(to: RFMAccumulator.self, capacity: max(g, 1)), count: g)
        accs.initialize(repeating: RFMAccumulator())
        // Large inputs: two threads, each scanning every row but updating only its half of
        // the customers (so each customer's sums are added in row order, as on one thread).
        let parts = n >= 1 << 20 && g >= 2 ? 2 : 1
        let rowsValid = valid
        try Cancellation.check()
        ids.withUnsafeBufferPointer { ids in
            a.dates.withUnsafeBufferPointer { ds in
                a.amounts.withUnsafeBufferPointer { ms in
                    let acc = accs
                    let body = { (part: Int) in
                        let lowGroup = g * part / parts, highGroup = g * (part + 1) / parts
                        let chunk = 1 << 16
                        var lo = 0
                        while lo < n {
                            if Cancellation.isRequested { return }
                            let hi = min(n, lo + chunk)
                            for i in lo..<hi {
                                let k = Int(ids[i])
                                if k < lowGroup || k >= highGroup { continue }
                                if let rowsValid, !rowsValid[i] { continue }
                                let d = ds[i]
                                if d > asof { continue }
                                let x = ms[i]
                                if d > acc[k].last { acc[k].last = d }
                                if d < acc[k].first { acc[k].first = d }
                                acc[k].total &+= 1
                                acc[k].amount.add(x)
                                if d > windowStart {
                                    acc[k].frequency &+= 1
                                    acc[k].monetary.add(x)
                                }
                            }
                            lo = hi
                        }
                    }
                    if parts == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: body) }
                }
            }
        }
        try Cancellation.check()

        // Customers with at least one order up to asof, sorted by the customer key.
        let groupsInOrder: [Int32]
        let customerColumn: Column
        if let dictionary {
            // Codes in the byte order of their strings, kept when they have orders.
            let ranks = dictionary.sortRanks
            var byRank = [Int32](repeating: 0, count: g)
            for c in 0..<g { byRank[Int(ranks[c])] = Int32(c) }
            groupsInOrder = byRank.filter { accs[Int($0)].total > 0 }
            customerColumn = Column(.string(codes: groupsInOrder, dictionary: dictionary))
        } else if let groups {
            var kept: [Int32] = []
            kept.reserveCapacity(g)
            for k in 0..<g where accs[k].total > 0 { kept.append(Int32(k)) }
            let keyRows = kept.map { groups.firstRow[Int($0)] }
            let keys = a.customer.gather(keyRows)
            let order = keys.count > 0 ? try Kernels.sortPermutation(keys: [(keys, false)]) : []
            groupsInOrder = order.map { kept[Int($0)] }
            customerColumn = keys.gather(order)
        } else {
            return (emptyResult(a), skipped)
        }

        let m = groupsInOrder.count
        var recency = [Int64](repeating: 0, count: m)
        var outFrequency = [Int64](repeating: 0, count: m)
        var outMonetary = [Double](repeating: 0, count: m)
        var firstOrder = [Int32](repeating: 0, count: m)
        var lastOrder = [Int32](repeating: 0, count: m)
        var outTotal = [Int64](repeating: 0, count: m)
        var outAmount = [Double](repeating: 0, count: m)
        for (j, k32) in groupsInOrder.enumerated() {
            let r = accs[Int(k32)]
            recency[j] = Int64(asof) - Int64(r.last)
            outFrequency[j] = r.frequency
            outMonetary[j] = r.monetary.value
            firstOrder[j] = r.first
            lastOrder[j] = r.last
            outTotal[j] = r.total
            outAmount[j] = r.amount.value
        }
        let table = Table(uncheckedNames: [a.customerName] + outputColumns,
                          columns: [customerColumn, Column(.int(recency)), Column(.int(outFrequency)), Column(.double(outMonetary)),
                                    Column(.date(firstOrder)), Column(.date(lastOrder)), Column(.int(outTotal)), Column(.double(outAmount))],
                          rowCount: m)
        return (table, skipped)
    }

    /// Whether every code is in `0..<bound`.
    static func allBelow(_ codes: [Int32], _ bound: Int) -> Bool {
        codes.withUnsafeBufferPointer { c in
            var bad = false
            for x in c { bad = bad || UInt32(bitPattern: x) >= UInt32(truncatingIfNeeded: bound) }
            return !bad
        }
    }

    /// No valid orders at all: the output columns with no rows.
    static func emptyResult(_ a: RFMArguments) -> Table {
        Table(uncheckedNames: [a.customerName] + outputColumns,
              columns: [a.customer.gather([]), Column(.int([])), Column(.int([])), Column(.double([])),
                        Column(.date([])), Column(.date([])), Column(.int([])), Column(.double([]))],
              rowCount: 0)
    }
}

/// One customer's running RFM figures (see `RFMOperator.compute`), padded to 64 bytes.
struct RFMAccumulator {
    var last = Int32.min
    var first = Int32.max
    var total: Int64 = 0
    var frequency: Int64 = 0
    var monetary = CompensatedSum()
    var amount = CompensatedSum()
    var padding: Int64 = 0
}
