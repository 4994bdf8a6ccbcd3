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
/// `firstSeenLater` (those first seen in the holdout period) and `onlyAfterAsof`.
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

    /// A purchase day's date and amount while sorting one customer's orders.
    struct Order { var day: Int32; var amount: Double }

    /// The summary of `orders` (customer key, dates as days since the epoch, amounts, and the
    /// combined validity of the three), with `holdoutUntil` ≥ `asof` when given.
    init(customer: Column, dates: [Int32], amounts: [Double], valid: Bitmap?, asof: Int32,
         holdoutUntil: Int32?, unitDays: Double) throws {
        self.asof = asof
        self.unitDays = unitDays
        skipped = valid?.nullCount ?? 0
        let n = customer.count
        let limit = holdoutUntil ?? Int32.max
        // Group ids: a string column's dictionary codes, else hashed groups.
        var dictionary: StringDictionary?
        var index: GroupIndex?
        let ids: [Int32]
        let g: Int
        if case .string(let codes, let dict) = customer.storage, n > 0, dict.count <= 2 * n,
           RFMOperator.allBelow(codes, dict.count) {
            dictionary = dict; ids = codes; g = dict.count
        } else {
            let gi = try Kernels.groupIDs(keys: [customer])
            index = gi; ids = gi.ids; g = gi.groupCount
        }
        try Cancellation.check()

        // Orders by customer (a counting sort on the group id), up to the holdout end.
        var offsets = [Int](repeating: 0, count: g + 1)
        ids.withUnsafeBufferPointer { ids in
            dates.withUnsafeBufferPointer { ds in
                for i in 0..<n where (valid?[i] ?? true) && ds[i] <= limit { offsets[Int(ids[i]) + 1] += 1 }
            }
        }
        for k in 0..<g { offsets[k + 1] += offsets[k] }
        let kept = offsets[g]
        var orders = [Order](repeating: Order(day: 0, amount: 0), count: kept)
        var cursor = offsets
        ids.withUnsafeBufferPointer { ids in
            dates.withUnsafeBufferPointer { ds in
                amounts.withUnsafeBufferPointer { ms in
                    orders.withUnsafeMutableBufferPointer { out in
                        for i in 0..<n where (valid?[i] ?? true) && ds[i] <= limit {
                            let k = Int(ids[i])
                            out[cursor[k]] = Order(day: ds[i], amount: ms[i])
                            cursor[k] += 1
                        }
                    }
                }
            }
        }
        try Cancellation.check()

        // Per customer: sort its orders by day, then walk the purchase days.
        var xs = [Int32](repeating: 0, count: g), firsts = [Int32](repeating: 0, count: g)
        var lasts = [Int32](repeating: 0, count: g), values = [Double](repeating: 0, count: g)
        var actuals = [Int32](repeating: 0, count: g)
        /// 0: no order up to the limit; 1: a row; 2: first seen after asof.
        var status = [UInt8](repeating: 0, count: g)
        let parts = kept >= 1 << 18 ? 2 : 1
        orders.withUnsafeMutableBufferPointer { orders in
        offsets.withUnsafeBufferPointer { offsets in
        xs.withUnsafeMutableBufferPointer { xs in
        firsts.withUnsafeMutableBufferPointer { firsts in
        lasts.withUnsafeMutableBufferPointer { lasts in
        values.withUnsafeMutableBufferPointer { values in
        actuals.withUnsafeMutableBufferPointer { actuals in
        status.withUnsafeMutableBufferPointer { status in
            let (orders, xs, firsts, lasts, values, actuals, status) = (orders, xs, firsts, lasts, values, actuals, status)
            let body = { (part: Int) in
                for k in (g * part / parts)..<(g * (part + 1) / parts) {
                    let lo = offsets[k], hi = offsets[k + 1]
                    guard hi > lo else { continue }
                    CustomerSummary.sortByDay(orders, lo, hi)
                    let firstDay = orders[lo].day
                    if firstDay > asof { status[k] = 2; continue }
                    status[k] = 1
                    var days: Int32 = 0, holdoutDays: Int32 = 0
                    var lastDay = firstDay, value = 0.0
                    var previous = Int32.min
                    for j in lo..<hi {
                        let o = orders[j]
                        if o.day > asof {
                            if o.day != previous { holdoutDays += 1 }
                        } else {
                            if o.day != previous { days += 1; lastDay = o.day }
                            if o.day != firstDay { value += o.amount }
                        }
                        previous = o.day
                    }
                    xs[k] = days - 1
                    firsts[k] = firstDay
                    lasts[k] = lastDay
                    values[k] = value
                    actuals[k] = holdoutDays
                }
            }
            if parts == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: body) }
        }}}}}}}}
        try Cancellation.check()

        // Rows in the order of the customer key.
        var rows: [Int32] = []
        rows.reserveCapacity(g)
        if let dictionary {
            for c in dictionary.sortedCodes where status[Int(c)] == 1 { rows.append(c) }
            self.customer = Column(.string(codes: rows, dictionary: dictionary))
        } else if let index {
            let keptGroups = (0..<g).filter { status[$0] == 1 }.map { Int32($0) }
            let keys = customer.gather(keptGroups.map { index.firstRow[Int($0)] })
            let order = keys.count > 0 ? try Kernels.sortPermutation(keys: [(keys, false)]) : []
            rows = order.map { keptGroups[Int($0)] }
            self.customer = keys.gather(order)
        } else {
            self.customer = customer.gather([])
        }
        firstSeenLater = status.reduce(0) { $0 + ($1 == 2 ? 1 : 0) }
        x = rows.map { xs[Int($0)] }
        first = rows.map { firsts[Int($0)] }
        last = rows.map { lasts[Int($0)] }
        repeatValue = rows.map { values[Int($0)] }
        actual = holdoutUntil == nil ? nil : rows.map { actuals[Int($0)] }
    }

    /// Sorts orders[lo..<hi] by day (insertion sort: a customer has few orders).
    static func sortByDay(_ orders: UnsafeMutableBufferPointer<Order>, _ lo: Int, _ hi: Int) {
        if hi - lo > 64 {
            orders[lo..<hi].sort { $0.day < $1.day }
            return
        }
        var i = lo + 1
        while i < hi {
            let o = orders[i]
            var j = i - 1
            while j >= lo && orders[j].day > o.day { orders[j + 1] = orders[j]; j -= 1 }
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
        var index: [UInt64: Int32] = [:]
        index.reserveCapacity(min(n, 1 << 20))
        var maxDay: Int64 = 0
        for i in 0..<n {
            if let k = index[keys[i]] {
                out.weight[Int(k)] += 1
                out.groupOf[i] = k
                continue
            }
            let k = Int32(out.weight.count)
            let txDays = Int64(last[i]) - Int64(first[i]), ageDays = Int64(asof) - Int64(first[i])
            out.x.append(x[i]); out.tx.append(tx(i)); out.T.append(T(i)); out.weight.append(1)
            out.txIndex.append(Int32(truncatingIfNeeded: txDays)); out.TIndex.append(Int32(truncatingIfNeeded: ageDays))
            maxDay = max(maxDay, ageDays)
            out.groupOf[i] = k
            index[keys[i]] = k
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
