import Columnar
import Dispatch

/// One row per customer in the conventions of the BTYD literature (SPEC 12), from orders:
/// purchases on the same day are one purchase (their amounts summed), and for the purchase
/// days up to `asof`
///
/// - `x`: repeat purchases, the purchase days after the first;
/// - `t_x`: time from the first to the last purchase day, in units;
/// - `T`: time from the first purchase day to `asof`, in units;
/// - `avg_value`: the mean amount of the repeat purchase days (undefined when x = 0);
/// - with a holdout end, the purchase days in `(asof, holdout_until]`.
///
/// Customers whose first purchase is after `asof` are not rows: they are counted in
/// `firstSeenLater` (those first seen in the holdout period, or after asof at all).
/// Rows are in the order of the customer key (strings by their bytes), as `rfm`'s.
struct CustomerSummary {
    var customer: Column
    var x: [Int32]
    var first: [Int32]
    var last: [Int32]
    /// The sum of the repeat purchase days' amounts (avg_value × x).
    var repeatValue: [Double]
    /// Purchase days in (asof, holdout_until]; nil without a holdout.
    var actual: [Int32]?
    var asof: Int32
    /// Days in one unit of t_x and T.
    var unitDays: Double
    /// Customers whose first purchase is in (asof, holdout_until] (with a holdout), or after
    /// asof at all (without one).
    var firstSeenLater = 0
    /// Rows skipped for a null customer, date or amount.
    var skipped = 0

    var count: Int { x.count }
    func tx(_ i: Int) -> Double { Double(Int64(last[i]) - Int64(first[i])) / unitDays }
    func T(_ i: Int) -> Double { Double(Int64(asof) - Int64(first[i])) / unitDays }
    func averageValue(_ i: Int) -> Double? { x[i] > 0 ? repeatValue[i] / Double(x[i]) : nil }

    /// Orders dated after asof that the fit does not use (with a holdout: after its end).
    var laterOrders = 0

    /// The summary of the orders of `orders` up to `asof` (and the purchase days in
    /// `(asof, holdoutUntil]`, with `holdoutUntil` after `asof`). The orders are gone
    /// through by partitions of customers (`RFMRows.forEachPartition`); within one, a
    /// counting sort by customer, then each customer's few orders sorted by day.
    init(orders o: OrderArguments, asof: Int32, holdoutUntil: Int32?, unitDays: Double) throws {
        self.asof = asof
        self.unitDays = unitDays
        skipped = o.valid?.nullCount ?? 0
        let customers = try CustomerIDs(o.customer)
        let g = customers.count
        var xs = [Int32](repeating: 0, count: g), firsts = [Int32](repeating: 0, count: g)
        var lasts = [Int32](repeating: 0, count: g), values = [Double](repeating: 0, count: g)
        var actuals = [Int32](repeating: 0, count: g)
        /// 0: no order up to the limit; 1: a row; 2: first seen after asof.
        var status = [UInt8](repeating: 0, count: g)
        var rowsSeen = [0, 0], afterAsof = [0, 0]
        try Cancellation.check()
        customers.ids.withUnsafeBufferPointer { ids in
        o.dates.withUnsafeBufferPointer { ds in
        o.amounts.withUnsafeBufferPointer { ms in
        RFMRows.withValidityWords(o.valid) { validWords in
        xs.withUnsafeMutableBufferPointer { xs in
        firsts.withUnsafeMutableBufferPointer { firsts in
        lasts.withUnsafeMutableBufferPointer { lasts in
        values.withUnsafeMutableBufferPointer { values in
        actuals.withUnsafeMutableBufferPointer { actuals in
        status.withUnsafeMutableBufferPointer { status in
        rowsSeen.withUnsafeMutableBufferPointer { rowsSeen in
        afterAsof.withUnsafeMutableBufferPointer { afterAsof in
            // Rows up to the holdout end (all valid rows without one: those after asof tell
            // which customers were first seen later).
            let rows = RFMRows(ids: ids, dates: ds, amounts: ms, valid: validWords, asof: holdoutUntil ?? Int32.max,
                               windowStart: Int32.min, groupCount: g)
            let width = min(1 << rows.shift, max(g, 1))
            let starts = (0..<2).map { _ in UnsafeMutableBufferPointer<Int>.allocate(capacity: width + 1) }
            defer { for s in starts { s.deallocate() } }
            // Each thread's buffer for a partition's rows sorted by customer, grown as needed
            // (not allocated per partition: fresh pages cost a fault each).
            let scratch = UnsafeMutableBufferPointer<UnsafeMutableBufferPointer<RFMRows.Row>>.allocate(capacity: 2)
            for t in 0..<2 { scratch.initializeElement(at: t, to: .allocate(capacity: 0)) }
            defer { for s in scratch { s.deallocate() }; scratch.deallocate() }
            rows.forEachPartition { low, high, part, thread in
                let m = high - low
                rowsSeen[thread] += part.count
                // A counting sort of the partition's rows by customer, keeping row order.
                let start = UnsafeMutableBufferPointer(rebasing: starts[thread][0...m])
                start.initialize(repeating: 0)
                for row in part { start[Int(row.id) - low + 1] += 1 }
                for k in 0..<m { start[k + 1] += start[k] }
                if scratch[thread].count < part.count {
                    scratch[thread].deallocate()
                    scratch[thread] = .allocate(capacity: part.count + part.count / 4)
                }
                let sorted = scratch[thread]
                for row in part {
                    let k = Int(row.id) - low
                    sorted[start[k]] = row
                    start[k] += 1
                }
                // start[k] is now the end of customer k's rows.
                var lo = 0
                for k in 0..<m {
                    let hi = start[k]
                    defer { lo = hi }
                    guard hi > lo else { continue }
                    CustomerSummary.sortByDay(sorted, lo, hi)
                    let firstDay = sorted[lo].date
                    if firstDay > asof {
                        status[low + k] = 2
                        afterAsof[thread] += hi - lo
                        continue
                    }
                    status[low + k] = 1
                    var days: Int32 = 0, holdoutDays: Int32 = 0
                    var lastDay = firstDay, value = 0.0
                    // Purchase day by purchase day: its amounts added in row order, then
                    // the repeat days' totals in day order (as `lower` has a database add).
                    var j = lo
                    while j < hi {
                        let day = sorted[j].date
                        var total = 0.0
                        var e = j
                        while e < hi && sorted[e].date == day { total += sorted[e].amount; e += 1 }
                        if day > asof {
                            holdoutDays += 1
                            afterAsof[thread] += e - j
                        } else {
                            days += 1
                            lastDay = day
                            if day != firstDay { value += total }
                        }
                        j = e
                    }
                    xs[low + k] = days - 1
                    firsts[low + k] = firstDay
                    lasts[low + k] = lastDay
                    values[low + k] = value
                    actuals[low + k] = holdoutDays
                }
            }
        }}}}}}}}}}}}
        try Cancellation.check()

        // Rows in the order of the customer key.
        let kept = status.map { $0 == 1 }
        let (rows, column) = try kept.withUnsafeBufferPointer { try customers.inKeyOrder(kept: $0) }
        customer = column
        firstSeenLater = status.reduce(0) { $0 + ($1 == 2 ? 1 : 0) }
        // Valid orders not summarised: after the holdout end, or after asof.
        let validRows = o.dates.count - skipped
        laterOrders = validRows - rowsSeen[0] - rowsSeen[1] + (holdoutUntil == nil ? afterAsof[0] + afterAsof[1] : 0)
        x = rows.map { xs[Int($0)] }
        first = rows.map { firsts[Int($0)] }
        last = rows.map { lasts[Int($0)] }
        repeatValue = rows.map { values[Int($0)] }
        actual = holdoutUntil == nil ? nil : rows.map { actuals[Int($0)] }
    }

    /// The summary of the orders of a `clv` or `clv_fit` step, in memory.
    init(_ a: CLVArguments) throws {
        try self.init(orders: a.orders, asof: try a.resolvedAsof(), holdoutUntil: a.holdoutUntil, unitDays: a.unitDays)
    }

    /// Sorts orders[lo..<hi] by day, stably (orders of one day stay in row order): an
    /// insertion sort, as a customer has few orders; by (day, position) for many.
    static func sortByDay(_ orders: UnsafeMutableBufferPointer<RFMRows.Row>, _ lo: Int, _ hi: Int) {
        if hi - lo > 64 {
            var keyed = (lo..<hi).map { (day: orders[$0].date, position: $0) }
            keyed.sort { ($0.day, $0.position) < ($1.day, $1.position) }
            let rows = keyed.map { orders[$0.position] }
            for (k, row) in rows.enumerated() { orders[lo + k] = row }
            return
        }
        var i = lo + 1
        while i < hi {
            let o = orders[i]
            var j = i - 1
            while j >= lo && orders[j].date > o.date { orders[j + 1] = orders[j]; j -= 1 }
            orders[j + 1] = o
            i += 1
        }
    }

    /// Customers grouped by equal (x, t_x, T), the unit the BG/NBD likelihood is summed
    /// over: customers with the same history contribute the same term.
    func groups() -> CustomerGroups {
        let n = count
        // A key per customer: x, t_x and T in days packed into 64 bits (each fits 21 bits in
        // any realistic table); a customer whose figures do not fit keeps a group of its own.
        var keys = [UInt64](repeating: 0, count: n)
        var packable = true
        for i in 0..<n {
            let xi = UInt64(UInt32(bitPattern: x[i]))
            let t = UInt64(truncatingIfNeeded: Int64(last[i]) - Int64(first[i]))
            let tt = UInt64(truncatingIfNeeded: Int64(asof) - Int64(first[i]))
            if xi >= 1 << 21 || t >= 1 << 21 || tt >= 1 << 21 { packable = false; break }
            keys[i] = xi << 42 | t << 21 | tt
        }
        guard packable else {
            // Each customer a group of its own, with its own time values.
            return CustomerGroups(x: x, tx: (0..<n).map { tx($0) }, T: (0..<n).map { T($0) }, weight: [Double](repeating: 1, count: n))
        }
        var out = CustomerGroups()
        out.groupOf = [Int32](repeating: 0, count: n)
        // Groups by key in an open-addressing table (keys < 2^63, so the empty slot is
        // UInt64.max), numbered in order of first appearance.
        var bits = 4
        while 1 << bits < 2 * n { bits += 1 }
        let mask = (1 << bits) - 1
        var slotKeys = [UInt64](repeating: UInt64.max, count: 1 << bits)
        var slotGroups = [Int32](repeating: 0, count: 1 << bits)
        var maxDay: Int64 = 0
        for i in 0..<n {
            let key = keys[i]
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
            while slotKeys[slot] != UInt64.max && slotKeys[slot] != key { slot = (slot + 1) & mask }
            if slotKeys[slot] == key {
                let k = slotGroups[slot]
                out.weight[Int(k)] += 1
                out.groupOf[i] = k
                continue
            }
            let k = Int32(out.weight.count)
            slotKeys[slot] = key
            slotGroups[slot] = k
            let txDays = Int64(last[i]) - Int64(first[i]), ageDays = Int64(asof) - Int64(first[i])
            out.x.append(x[i]); out.tx.append(tx(i)); out.T.append(T(i)); out.weight.append(1)
            out.txIndex.append(Int32(truncatingIfNeeded: txDays)); out.TIndex.append(Int32(truncatingIfNeeded: ageDays))
            maxDay = max(maxDay, ageDays)
            out.groupOf[i] = k
        }
        // Time values by day count: t_x and T of every group are among them.
        out.times = (0...Int(maxDay)).map { Double($0) / unitDays }
        out.finish()
        return out
    }
}

/// Customers grouped by equal (x, t_x, T) (`CustomerSummary.groups`).
struct CustomerGroups {
    var x: [Int32] = []
    var tx: [Double] = []
    var T: [Double] = []
    /// Customers in each group.
    var weight: [Double] = []
    /// The distinct time values, and each group's t_x and T as an index into them: the
    /// likelihood takes log(α + t) once per distinct value, not once per group.
    var times: [Double] = []
    var txIndex: [Int32] = []
    var TIndex: [Int32] = []
    /// Customers with x = 0, 1, 2, ...
    var xCounts: [Double] = []
    /// The group of each customer of the summary.
    var groupOf: [Int32] = []
    var customers = 0
    var meanT = 0.0
    var meanX = 0.0
    var count: Int { x.count }

    init() {}

    /// Groups as given (one customer or more each), with a time value per t_x and T.
    init(x: [Int32], tx: [Double], T: [Double], weight: [Double]) {
        self.x = x; self.tx = tx; self.T = T; self.weight = weight
        times = tx + T
        txIndex = (0..<tx.count).map { Int32($0) }
        TIndex = (0..<T.count).map { Int32(tx.count + $0) }
        groupOf = (0..<x.count).map { Int32($0) }
        finish()
    }

    /// The counts per x, the number of customers and the means.
    mutating func finish() {
        xCounts = [Double](repeating: 0, count: Int(x.max() ?? 0) + 1)
        var sumT = 0.0, sumX = 0.0, n = 0.0
        for k in 0..<count {
            xCounts[Int(x[k])] += weight[k]
            sumT += weight[k] * T[k]
            sumX += weight[k] * Double(x[k])
            n += weight[k]
        }
        customers = Int(n)
        meanT = n > 0 ? sumT / n : 0
        meanX = n > 0 ? sumX / n : 0
    }
}

extension CustomerSummary {
    /// A summary from its columns (tests build summaries directly).
    init(customer: Column, x: [Int32], first: [Int32], last: [Int32], repeatValue: [Double], actual: [Int32]?,
         asof: Int32, unitDays: Double) {
        self.customer = customer; self.x = x; self.first = first; self.last = last
        self.repeatValue = repeatValue; self.actual = actual; self.asof = asof; self.unitDays = unitDays
    }

    /// A summary with no customers.
    static func empty(asof: Int32, unitDays: Double) -> CustomerSummary {
        CustomerSummary(customer: Column(.int([])), x: [], first: [], last: [], repeatValue: [], actual: nil,
                        asof: asof, unitDays: unitDays)
    }
}
