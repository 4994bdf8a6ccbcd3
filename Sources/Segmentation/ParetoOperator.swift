import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Language

/// `| pareto EXPR [classes 0.8, 0.95]` (SPEC 5.5): Pareto / ABC analysis.
///
/// Sorts the rows by EXPR descending (stable: equal values keep their order) and adds
/// - `rank`: the row's position, 1..n;
/// - `cum_share`: the running sum of EXPR up to and including this row / the total;
/// - `customer_share`: rank / N, N the number of rows with a value;
/// - `abc`: with boundaries b1 < b2 < … (default 0.8, 0.95), a row is in class A while the
///   cumulative share *before* it is below b1 — so A is the smallest set of top rows that
///   reaches 80% of the total, the row crossing 80% included — then B while the share
///   before it is below b2, and C for the rest (more boundaries give D, E, …).
///
/// Rows where EXPR is null are left out of the total and placed last, with null
/// `cum_share`, `customer_share` and `abc` (they keep a `rank`). When the total is 0 or
/// less the shares are null too. Existing columns of these names are replaced in place.
///
/// Report (a `ParetoReport` value, shown as `top 20.0% of customers give 80.3% of monetary`):
/// the smallest share of rows whose cumulative share reaches the first boundary, the count,
/// share of rows and share of the total of each class, and the curve for the HTML report.
enum ParetoOperator {
    static let defaultClasses = [0.8, 0.95]

    static func apply(_ step: Step, _ input: Table, _ context: StepContext) throws -> Table {
        guard case .pareto(let expr, let given) = step.kind else {
            throw context.error("internal: the pareto handler got a '\(step.name)' step", step.span)
        }
        let boundaries = given.isEmpty ? defaultClasses : given
        for (i, b) in boundaries.enumerated() {
            guard b > 0, b <= 1 else {
                throw context.error("pareto classes are shares of the total between 0 and 1, such as 0.8, 0.95; \(formatDouble(b)) is not", step.span)
            }
            if i > 0, b <= boundaries[i - 1] {
                throw context.error("pareto classes must increase: \(formatDouble(boundaries[i - 1])), then \(formatDouble(b))", step.span)
            }
        }
        guard boundaries.count < 26 else { throw context.error("pareto takes at most 25 class boundaries", step.span) }
        let ev = context.evaluator(for: input)
        let x = try ev.column(expr)
        let values: [Double]
        switch x.storage {
        case .double(let v): values = v
        case .int(let v): values = v.map { Double($0) }
        default:
            throw context.error("pareto needs numbers, but '\(context.file.slice(expr.span))' is \(x.type.rawValue)", expr.span)
        }
        let result = try compute(input, values: values, validity: x.validity, boundaries: boundaries)
        context.reports.append(.pareto(result.report(boundaries: boundaries, measure: context.file.slice(expr.span))))
        return result.table
    }

    struct Result {
        var table: Table
        /// Rows with a value, and their total.
        var count: Int
        var total: Double
        /// Rows and sum per class.
        var classCounts: [Int]
        var classSums: [Double]
        /// The number of top rows whose cumulative share first reaches the first boundary
        /// (nil when the total is not positive).
        var reachingFirst: Int?
        var shareAtReaching: Double
        /// Points of the Pareto curve (`ParetoReport.curve`).
        var curve: [ParetoReport.Point] = []

        func report(boundaries: [Double], measure: String) -> ParetoReport {
            ParetoReport(measure: measure, boundaries: boundaries, rows: count, total: total, classCounts: classCounts,
                         classSums: classSums, reachingFirst: reachingFirst, shareAtReaching: shareAtReaching, curve: curve)
        }
    }

    static func classLabel(_ i: Int) -> String { ParetoReport.classLabel(i) }

    /// The curve through about 400 of the `valid` sorted rows, the last one, and exactly the
    /// first row reaching each boundary (where "top 26.6% of customers give 80.0%" comes from),
    /// from (0, 0).
    static func curve(x: [Double], y: [Double], valid: Int, boundaries: [Double]) -> [ParetoReport.Point] {
        let n = x.count
        var rows = Set(Swift.stride(from: 0, to: n, by: max(1, n / 400)))
        if n > 0 { rows.insert(n - 1) }
        var next = 0
        for b in boundaries.sorted() {
            while next < valid && y[next] < b { next += 1 }
            if next < valid { rows.insert(next) }
        }
        return [ParetoReport.Point(x: 0, y: 0)] + rows.sorted().filter { $0 < valid }.map { ParetoReport.Point(x: x[$0], y: y[$0]) }
    }

    static func compute(_ input: Table, values: [Double], validity: Bitmap?, boundaries: [Double]) throws -> Result {
        let n = values.count
        let perm = try Kernels.sortPermutation(keys: [(Column(.double(values), validity: validity), true)])
        var present = 0
        for i in 0..<n where validity?[i] ?? true { present += 1 }
        // Added in the running sums' order, so that the last share is exactly 1 and a
        // database, adding along the same order, gets the same total.
        var total = 0.0
        for j in 0..<present { total += values[Int(perm[j])] }
        let k = boundaries.count + 1
        let dictionary = StringDictionary((0..<k).map(classLabel))

        var rank = [Int64](repeating: 0, count: n)
        var cumShare = [Double](repeating: 0, count: n)
        var customerShare = [Double](repeating: 0, count: n)
        var abc = [Int32](repeating: 0, count: n)
        var shareValid = Bitmap(count: n, allValid: true)
        var classCounts = [Int](repeating: 0, count: k)
        var classSums = [Double](repeating: 0, count: k)
        var reaching: Int?
        var shareAtReaching = 0.0
        var running = 0.0
        for j in 0..<n {
            if j & 0xFFFF == 0 { try Cancellation.check() }
            rank[j] = Int64(j + 1)
            let row = Int(perm[j])
            // Sorted descending with nulls last: rows j < present have values.
            guard j < present, total > 0 else { shareValid[j] = false; continue }
            let v = values[row]
            let before = running / total
            running += v
            let share = running / total
            cumShare[j] = share
            customerShare[j] = Double(j + 1) / Double(present)
            var c = boundaries.count
            for (b, boundary) in boundaries.enumerated() where before < boundary { c = b; break }
            abc[j] = Int32(c)
            classCounts[c] += 1
            classSums[c] += v
            if reaching == nil, share >= boundaries[0] - 1e-12 {
                reaching = j + 1
                shareAtReaching = share
            }
        }
        var table = input.gather(perm)
        let valid: Bitmap? = shareValid.nullCount == 0 ? nil : shareValid
        table.set("rank", Column(.int(rank)))
        table.set("cum_share", Column(.double(cumShare), validity: valid))
        table.set("customer_share", Column(.double(customerShare), validity: valid))
        table.set("abc", Column(.string(codes: abc, dictionary: dictionary), validity: valid))
        return Result(table: table, count: present, total: total, classCounts: classCounts, classSums: classSums,
                      reachingFirst: reaching, shareAtReaching: shareAtReaching,
                      curve: curve(x: customerShare, y: cumShare, valid: total > 0 ? present : 0, boundaries: boundaries))
    }
}

extension ParetoOperator {
    static let definition = OperatorDefinition(
        keyword: "pareto", syntax: "| pareto EXPR [classes 0.8, 0.95]", summary: "Sorts by EXPR descending and adds rank, cum_share, customer_share and abc.",
        example: "feats | pareto monetary",
        page: "| pareto EXPR [classes 0.8, 0.95]\n  Sorts by EXPR descending and adds rank, cum_share, customer_share and abc; prints\n  'top X% of customers give Y% of EXPR'.\n  example: feats | pareto monetary\n") { step, _, _ in
            guard case .pareto(let e, let classes) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return Bound(step: step, expr: e, classes: classes)
        }

    /// The bound `pareto` step.
    struct Bound: PlanOperator {
        let step: Step
        let expr: Expr
        let classes: [Double]

        func execute(_ input: Table, _ context: StepContext) throws -> Table { try ParetoOperator.apply(step, input, context) }

        /// Running sums in descending order (ties keep their order), shares of the total, and
        /// the class of each row from the share before it. In a database the one-line summary
        /// is not printed (it needs the whole result).
        func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
            let boundaries = classes.isEmpty ? ParetoOperator.defaultClasses : classes
            let x = compiler.dialect.cast(try compiler.expression(expr, over: input).sql, to: .double)
            let tie = input.ordered ? ", \(compiler.quote(SQLCompiler.orderColumn))" : ""
            let order = "\(x) DESC NULLS LAST\(tie)"
            let running = "sum(\(x)) OVER (ORDER BY \(order) ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            let total = "sum(\(x)) OVER (ORDER BY \(order) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
            let present = "count(\(x)) OVER ()"
            let valid = "\(x) IS NOT NULL AND \(total) > 0"
            var abc = "CASE WHEN NOT (\(valid)) THEN NULL"
            for (i, b) in boundaries.enumerated() {
                abc += " WHEN (\(running) - \(x)) / \(total) < \(compiler.dialect.double(b)) THEN \(compiler.dialect.string(ParetoOperator.classLabel(i)))"
            }
            abc += " ELSE \(compiler.dialect.string(ParetoOperator.classLabel(boundaries.count))) END"
            let added: [(String, String, DataType)] = [
                ("rank", "ROW_NUMBER() OVER (ORDER BY \(order))", .int),
                ("cum_share", "CASE WHEN \(valid) THEN \(running) / \(total) END", .double),
                ("customer_share", "CASE WHEN \(valid) THEN \(compiler.dialect.cast("ROW_NUMBER() OVER (ORDER BY \(order))", to: .double)) / \(present) END", .double),
                ("abc", abc, .string),
            ]
            var schema = input.schema
            var items = schema.names.map(compiler.quote)
            for (name, sql, type) in added {
                if let i = schema.index(of: name) { items[i] = "\(sql) AS \(compiler.quote(name))"; schema.types[i] = type }
                else { items.append("\(sql) AS \(compiler.quote(name))"); schema.names.append(name); schema.types.append(type) }
            }
            let result = compiler.select(items, from: input, schema: schema, newOrder: order)
            addSummary(over: result, boundaries: boundaries, compiler)
            return result
        }

        /// The one-line summary and the per-class lines, from a small query over the result,
        /// and the points of the curve from another.
        func addSummary(over result: SQLQuery, boundaries: [Double], _ compiler: SQLCompiler) {
            guard let x = try? compiler.dialect.cast(compiler.expression(expr, over: result).sql, to: .double) else { return }
            let q = compiler.quote
            let reaching = "(SELECT min(\(q("rank"))) FROM {relation} WHERE \(q("cum_share")) >= \(compiler.dialect.double(boundaries[0] - 1e-12)))"
            let select = """
                SELECT \(q("abc")) AS c0, count(\(x)) AS c1, sum(\(x)) AS c2, (SELECT count(\(x)) FROM {relation}) AS c3,
                (SELECT sum(\(x)) FROM {relation}) AS c4, \(reaching) AS c5,
                (SELECT max(\(q("cum_share"))) FROM {relation} WHERE \(q("rank")) = \(reaching)) AS c6
                FROM {relation} WHERE \(q("abc")) IS NOT NULL GROUP BY \(q("abc"))
                """
            // The curve: every step-th row (about 400), the last, and the first row reaching
            // each boundary, as the step computes it in memory.
            let rank = q("rank"), count = "(SELECT count(*) FROM {relation})"
            let step = "GREATEST(1, \(compiler.dialect.integerDivide(count, "400")))"
            var sampled = "(\(rank) - 1) - \(compiler.dialect.integerDivide("(\(rank) - 1)", step)) * \(step) = 0 OR \(rank) = \(count)"
            for b in boundaries {
                sampled += " OR \(rank) = (SELECT min(\(rank)) FROM {relation} WHERE \(q("cum_share")) >= \(compiler.dialect.double(b)))"
            }
            let curve = "SELECT \(q("customer_share")) AS x, \(q("cum_share")) AS y FROM {relation} "
                + "WHERE \(q("cum_share")) IS NOT NULL AND (\(sampled)) ORDER BY \(rank)"
            let measure = compiler.file.slice(expr.span)
            compiler.addReport(over: result, selects: [select, curve]) { results in
                let rows = results.first ?? Table()
                var points = [ParetoReport.Point(x: 0, y: 0)]
                if results.count > 1 {
                    let c = results[1]
                    for i in 0..<c.rowCount {
                        if let x = c.columns.first?[i].doubleValue, let y = c.columns.last?[i].doubleValue {
                            points.append(ParetoReport.Point(x: x, y: y))
                        }
                    }
                }
                var counts = [Int](repeating: 0, count: boundaries.count + 1)
                var sums = [Double](repeating: 0, count: boundaries.count + 1)
                var present = 0, total = 0.0, reachingRank: Int?, share = 0.0
                for i in 0..<rows.rowCount {
                    let r = rows.row(i)
                    guard r.count == 7, case .string(let label) = r[0],
                          let k = (0...boundaries.count).first(where: { ParetoOperator.classLabel($0) == label }) else { continue }
                    counts[k] = Int(r[1].intValue ?? 0)
                    sums[k] = r[2].doubleValue ?? 0
                    present = Int(r[3].intValue ?? 0)
                    total = r[4].doubleValue ?? 0
                    reachingRank = r[5].intValue.map { Int($0) }
                    share = r[6].doubleValue ?? 0
                }
                return .pareto(ParetoReport(measure: measure, boundaries: boundaries, rows: present, total: total,
                                            classCounts: counts, classSums: sums, reachingFirst: reachingRank,
                                            shareAtReaching: share, curve: points))
            }
        }
    }
}
