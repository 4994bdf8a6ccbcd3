import Columnar
import Engine

/// `rfm_segment(r, f, m)`: the named RFM segment of 1-5 scores (SPEC 5.3). The first row of
/// `table` whose R, F and M ranges (inclusive) all contain the scores wins; no match gives
/// `Others`; a null score gives null.
enum RFMSegment {
    struct Row {
        let name: String
        let r: ClosedRange<Double>
        let f: ClosedRange<Double>
        let m: ClosedRange<Double>
    }

    /// The segments in match order (the ranges of R's `rfm` package, reordered so no row is
    /// swallowed by an earlier one).
    static let table: [Row] = [
        Row(name: "Champions", r: 4...5, f: 4...5, m: 4...5),
        Row(name: "Can't Lose Them", r: 1...1, f: 4...5, m: 4...5),
        Row(name: "Loyal Customers", r: 2...5, f: 3...5, m: 3...5),
        Row(name: "At Risk", r: 1...2, f: 2...5, m: 2...5),
        Row(name: "New Customers", r: 4...5, f: 1...1, m: 1...1),
        Row(name: "Promising", r: 3...4, f: 1...1, m: 1...1),
        Row(name: "Potential Loyalist", r: 3...5, f: 1...3, m: 1...3),
        Row(name: "Need Attention", r: 2...3, f: 2...3, m: 2...3),
        Row(name: "About To Sleep", r: 2...3, f: 1...2, m: 1...2),
        Row(name: "Lost", r: 1...2, f: 1...2, m: 1...2),
    ]
    static let others = "Others"

    /// The segment names in table order, then `Others`.
    static var labels: [String] { table.map { $0.name } + [others] }

    /// The index into `labels` of a score triple.
    static func segmentIndex(r: Double, f: Double, m: Double) -> Int {
        for (i, row) in table.enumerated() where row.r.contains(r) && row.f.contains(f) && row.m.contains(m) {
            return i
        }
        return table.count
    }

    static func range(_ r: ClosedRange<Double>) -> String {
        r.lowerBound == r.upperBound ? "\(Int(r.lowerBound))" : "\(Int(r.lowerBound))-\(Int(r.upperBound))"
    }

    static var summary: String {
        var s = "The named RFM segment of three 1-5 scores: the first row whose R/F/M ranges (inclusive) contain the scores, else Others; null if a score is null.\n"
        for row in table {
            s += "    \(row.name.padding(toLength: 19, withPad: " ", startingAt: 0)) R \(range(row.r))  F \(range(row.f))  M \(range(row.m))\n"
        }
        s += "    Others              (no row matches)"
        return s
    }

    static let function = FunctionDef(
        name: "rfm_segment", signature: "rfm_segment(r, f, m)", summary: summary,
        example: "derive segment = rfm_segment(quantile_score(-recency, 5), quantile_score(frequency, 5), quantile_score(monetary, 5))",
        kind: .scalar, arity: 3...3, scalar: evaluate)

    static func evaluate(_ call: FunctionCall) throws -> Value {
        let n = call.rowCount
        var scores: [[Double]] = []
        var validity: Bitmap?
        for i in 0..<3 {
            let c = call.column(i)
            switch c.storage {
            case .int(let xs): scores.append(xs.map { Double($0) })
            case .double(let xs): scores.append(xs)
            default:
                if case .scalar(.null) = call.arguments[i] {
                    scores.append([Double](repeating: 0, count: n))
                } else {
                    throw call.error("rfm_segment() needs 1-5 scores, but argument \(i + 1) is \(c.type.rawValue)", argument: i,
                                     hints: ["make scores with quantile_score(x, 5)"])
                }
            }
            validity = bothValid(validity, c.validity)
        }
        let dictionary = StringDictionary(labels)
        var codes = [Int32](repeating: 0, count: n)
        // Scores are almost always whole numbers 1-5: look those up in a 5×5×5 table.
        var lookup = [Int32](repeating: 0, count: 125)
        for r in 1...5 { for f in 1...5 { for m in 1...5 {
            lookup[(r - 1) * 25 + (f - 1) * 5 + (m - 1)] = Int32(segmentIndex(r: Double(r), f: Double(f), m: Double(m)))
        } } }
        let rs = scores[0], fs = scores[1], ms = scores[2]
        for i in 0..<n {
            let r = rs[i], f = fs[i], m = ms[i]
            if r >= 1, r <= 5, f >= 1, f <= 5, m >= 1, m <= 5, r == r.rounded(), f == f.rounded(), m == m.rounded() {
                codes[i] = lookup[(Int(r) - 1) * 25 + (Int(f) - 1) * 5 + (Int(m) - 1)]
            } else {
                codes[i] = Int32(segmentIndex(r: r, f: f, m: m))
            }
        }
        let column = Column(.string(codes: codes, dictionary: dictionary), validity: validity)
        let allConstant = call.arguments.allSatisfy { if case .column = $0 { return false } else { return true } }
        if allConstant, n > 0 { return .scalar(column[0]) }
        if allConstant, case .scalar(let r) = call.arguments[0], case .scalar(let f) = call.arguments[1],
           case .scalar(let m) = call.arguments[2] {
            guard let r = r.doubleValue, let f = f.doubleValue, let m = m.doubleValue else { return .scalar(.null) }
            return .scalar(.string(labels[segmentIndex(r: r, f: f, m: m)]))
        }
        return .column(column)
    }
}

extension RFMSegment {
    /// `CASE` over the table's rows, first matching row wins, else `Others`; null input → null.
    static let sql: SQLFunctionLowering = { c in
        let r = c.double(0), f = c.double(1), m = c.double(2)
        func within(_ x: String, _ range: ClosedRange<Double>) -> String {
            "\(x) BETWEEN \(c.dialect.double(range.lowerBound)) AND \(c.dialect.double(range.upperBound))"
        }
        var sql = "CASE WHEN \(r) IS NULL OR \(f) IS NULL OR \(m) IS NULL THEN NULL"
        for row in table {
            sql += " WHEN \(within(r, row.r)) AND \(within(f, row.f)) AND \(within(m, row.m)) THEN \(c.dialect.string(row.name))"
        }
        return SQLValue(sql + " ELSE \(c.dialect.string(others)) END", .string)
    }
}
