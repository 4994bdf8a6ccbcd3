import Columnar
import Diagnostics

/// The SQL of every built-in function of SPEC section 4, with the in-memory semantics
/// (`BuiltinFunctions`, `Kernels+Window`) spelled out rather than left to engine defaults:
/// nulls skipped or propagated as in memory, `/` and means in double precision, rankings
/// over non-null values only (a null x gets null), strings in byte order.
enum SQLFunctions {
    static var all: [String: SQLFunctionLowering] {
        var f: [String: SQLFunctionLowering] = [:]
        // Math
        f["abs"] = { c in SQLValue("abs(\(c.arguments[0].sql))", c.type) }
        f["round"] = { c in
            let digits = c.arguments.count > 1 ? try c.constantInt(1) : 0
            let scale = c.dialect.double(pow10(digits))
            let x = "(\(c.double(0)) * \(scale))"
            // Half away from zero, in double precision, as in memory.
            return SQLValue("(sign(\(x)) * \(c.dialect.floor("abs(\(x)) + 0.5")) / \(scale))", .double)
        }
        f["floor"] = { c in SQLValue(c.dialect.floor(c.double(0)), .double) }
        f["ceil"] = { c in SQLValue(c.dialect.ceil(c.double(0)), .double) }
        f["sqrt"] = { c in SQLValue("CASE WHEN \(c.double(0)) >= 0 THEN sqrt(\(c.double(0))) END", .double) }
        f["ln"] = { c in SQLValue("CASE WHEN \(c.double(0)) > 0 THEN ln(\(c.double(0))) END", .double) }
        f["exp"] = { c in SQLValue("CASE WHEN \(c.double(0)) <= 709.78 THEN exp(\(c.double(0))) END", .double) }
        f["pow"] = { c in
            let x = c.double(0), y = c.double(1)
            return SQLValue("CASE WHEN (\(x) < 0 AND \(y) <> \(c.dialect.floor(y))) OR (\(x) = 0 AND \(y) < 0) THEN NULL "
                            + "WHEN abs(\(y) * ln(abs(NULLIF(\(x), 0)))) > 709 THEN NULL ELSE power(\(x), \(y)) END", .double)
        }
        // Strings
        f["lower"] = { c in SQLValue("lower(\(c.arguments[0].sql))", .string) }
        f["upper"] = { c in SQLValue("upper(\(c.arguments[0].sql))", .string) }
        f["len"] = { c in SQLValue(c.dialect.length(c.arguments[0].sql), .int) }
        f["contains"] = { c in SQLValue("(\(c.dialect.position(c.arguments[1].sql, in: c.arguments[0].sql)) > 0)", .bool) }
        f["startswith"] = { c in SQLValue(c.dialect.startsWith(c.arguments[0].sql, c.arguments[1].sql), .bool) }
        f["endswith"] = { c in SQLValue(c.dialect.endsWith(c.arguments[0].sql, c.arguments[1].sql), .bool) }
        f["substr"] = { c in
            let start = try c.constantInt(1)
            let length = c.arguments.count > 2 ? try c.constantInt(2) : nil
            return SQLValue(c.dialect.substring(c.arguments[0].sql, start: start, length: length), .string)
        }
        f["replace"] = { c in
            let from = try c.constantString(1)
            if from.isEmpty { return c.arguments[0] }
            return SQLValue("replace(\(c.arguments[0].sql), \(c.arguments[1].sql), \(c.arguments[2].sql))", .string)
        }
        f["concat"] = { c in
            let parts = c.arguments.map { a -> String in
                switch a.type {
                case .string?: return "COALESCE(\(a.sql), '')"
                case .bool?: return "COALESCE(CASE WHEN \(a.sql) THEN 'true' ELSE 'false' END, '')"
                case nil: return "''"
                case let t?: return "COALESCE(\(c.dialect.text(a.sql, of: t)), '')"
                }
            }
            return SQLValue("(" + parts.joined(separator: " || ") + ")", .string)
        }
        // Dates
        f["date"] = { c in
            // As `CivilDate.daysSinceEpoch(iso:)`: three runs of digits (an optional +) split
            // by "-", a valid day of a year 0…9999, else null. A constant is read here (an
            // engine may fold a CAST of a constant before the CASE that guards it).
            if c.arguments[0].type == .date { return c.arguments[0] }
            if case .literal(.string(let text))? = c.expressions.first?.kind {
                return SQLValue(CivilDate.daysSinceEpoch(iso: text).map { c.dialect.date($0) } ?? "NULL", .date)
            }
            let s = c.arguments[0].sql
            func part(_ i: Int) -> String { "CAST(split_part(\(s), '-', \(i)) AS BIGINT)" }
            let y = part(1), m = part(2), d = part(3)
            let leap = "((\(y) % 4 = 0 AND \(y) % 100 <> 0) OR \(y) % 400 = 0)"
            let monthDays = "CASE WHEN \(m) IN (4, 6, 9, 11) THEN 30 WHEN \(m) = 2 THEN CASE WHEN \(leap) THEN 29 ELSE 28 END ELSE 31 END"
            // Days since 1970-01-01 of a valid y-m-d (Howard Hinnant's days_from_civil; the
            // shifted year is at least -1).
            let shifted = "(\(y) - CASE WHEN \(m) <= 2 THEN 1 ELSE 0 END)"
            let era = "CASE WHEN \(shifted) < 0 THEN -1 ELSE \(c.dialect.integerDivide(shifted, "400")) END"
            let yoe = "(\(shifted) - (\(era)) * 400)"
            let doy = "(\(c.dialect.integerDivide("(153 * (\(m) + CASE WHEN \(m) > 2 THEN -3 ELSE 9 END) + 2)", "5")) + \(d) - 1)"
            let doe = "(\(yoe) * 365 + \(c.dialect.integerDivide(yoe, "4")) - \(c.dialect.integerDivide(yoe, "100")) + \(doy))"
            let days = "((\(era)) * 146097 + \(doe) - 719468)"
            let valid = "\(y) <= 9999 AND \(m) BETWEEN 1 AND 12 AND \(d) BETWEEN 1 AND (\(monthDays))"
            let digits = "\\+?0*[0-9]{1,18}"
            return SQLValue("CASE WHEN \(c.dialect.matches(s, pattern: "^\(digits)-\(digits)-\(digits)$")) THEN CASE WHEN \(valid) THEN \(c.dialect.addDays(c.dialect.date(0), days)) END END", .date)
        }
        for part in ["year", "month", "day", "quarter"] {
            f[part] = { c in SQLValue(c.dialect.datePart(part, c.arguments[0].sql), .int) }
        }
        f["weekday"] = { c in SQLValue(c.dialect.isoWeekday(c.arguments[0].sql), .int) }
        f["days"] = { c in SQLValue(c.dialect.daysBetween(c.arguments[0].sql, c.arguments[1].sql), .int) }
        f["date_trunc"] = { c in
            let unit = try c.constantString(0).lowercased()
            guard ["year", "quarter", "month", "week", "day"].contains(unit) else { throw c.error("date_trunc(): unknown unit \"\(unit)\"") }
            return SQLValue(c.dialect.dateTrunc(unit, c.arguments[1].sql), .date)
        }
        // Conditional
        f["coalesce"] = { c in
            SQLValue("COALESCE(" + c.arguments.map { c.compiler.typed($0, c.type) }.joined(separator: ", ") + ")", c.type)
        }
        f["if"] = { c in
            SQLValue("CASE WHEN (\(c.arguments[0].sql)) IS TRUE THEN \(c.compiler.typed(c.arguments[1], c.type)) ELSE \(c.compiler.typed(c.arguments[2], c.type)) END", c.type)
        }
        // Aggregates: plain inside summarize, window functions elsewhere.
        func aggregate(_ body: @escaping (SQLCall) throws -> String) -> SQLFunctionLowering {
            { c in
                let sql = try body(c)
                return SQLValue(c.grouped ? sql : "\(sql) \(c.over)", c.type)
            }
        }
        f["count"] = aggregate { c in c.arguments.isEmpty ? "count(*)" : "count(\(c.arguments[0].sql))" }
        f["count_distinct"] = { c in
            if c.grouped { return SQLValue("count(DISTINCT \(c.arguments[0].sql))", .int) }
            // A window cannot count distinct values: dense ranks from both ends do.
            let x = c.orderable(0), p = c.partition.isEmpty ? "PARTITION BY (\(c.arguments[0].sql) IS NULL)" : "\(c.partition), (\(c.arguments[0].sql) IS NULL)"
            let n = "(dense_rank() OVER (\(p) ORDER BY \(x)) + dense_rank() OVER (\(p) ORDER BY \(x) DESC) - 1)"
            var counts = "CASE WHEN \(c.arguments[0].sql) IS NULL THEN 0 ELSE \(n) END"
            // A window inside a window is no SQL: the counts are a window value of their own.
            if let windows = c.compiler.windowColumns { counts = windows.column(for: counts) }
            return SQLValue("max(\(counts)) \(c.over)", .int)
        }
        f["sum"] = { c in
            if c.type == .int { return SQLValue(c.dialect.cast("sum(\(c.arguments[0].sql)) \(c.grouped ? "" : c.over)", to: .int), .int) }
            return SQLValue(c.dialect.sumOfDoubles(c.double(0), over: c.grouped ? "" : c.over), .double)
        }
        f["avg"] = { c in
            let int = c.arguments[0].type == .int
            return SQLValue(c.dialect.mean(int ? c.arguments[0].sql : c.double(0), type: int ? .int : .double, over: c.grouped ? "" : c.over), .double)
        }
        f["stddev"] = aggregate { c in "stddev_samp(\(c.double(0)))" }
        for name in ["min", "max"] {
            f[name] = { c in
                if c.arguments.count >= 2 {
                    let fn = name == "min" ? "LEAST" : "GREATEST"
                    let args = c.arguments.map { a -> String in
                        let t = c.compiler.typed(a, c.type)
                        return c.type == .string ? c.dialect.byteOrder(t) : t
                    }
                    return SQLValue("\(fn)(\(args.joined(separator: ", ")))", c.type)
                }
                let x = c.orderable(0)
                return SQLValue(c.grouped ? "\(name)(\(x))" : "\(name)(\(x)) \(c.over)", c.type)
            }
        }
        f["median"] = { c in
            guard c.grouped else { return SQLValue(c.dialect.percentileOver(c.double(0), 0.5, partition: c.overColumns, relation: c.relation), .double) }
            return SQLValue(c.dialect.percentile(c.double(0), 0.5), .double)
        }
        f["quantile"] = { c in
            let p = try c.constantDouble(1)
            guard c.grouped else { return SQLValue(c.dialect.percentileOver(c.double(0), p, partition: c.overColumns, relation: c.relation), .double) }
            return SQLValue(c.dialect.percentile(c.double(0), p), .double)
        }
        for (name, descending) in [("first", false), ("last", true)] {
            f[name] = { c in
                // In row order: the order column when the input has one, else the engine's order.
                let x = c.arguments[0].sql
                if c.grouped { return SQLValue(c.dialect.firstValue(x, orderColumn: c.orderColumn, last: descending), c.type) }
                // Nulls are skipped: they sort after every value.
                let keys = "(\(x) IS NULL)" + (c.orderColumn.map { ", \($0)\(descending ? " DESC" : "")" } ?? "")
                return SQLValue("first_value(\(x)) OVER (\(c.partition) ORDER BY \(keys) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)", c.type)
            }
        }
        // Windows: over the non-null values of x in each group; a null x gives null.
        func ranked(_ c: SQLCall, _ i: Int) -> (partition: String, order: String) {
            let isNull = "(\(c.arguments[i].sql) IS NULL)"
            let p = c.partition.isEmpty ? "PARTITION BY \(isNull)" : "\(c.partition), \(isNull)"
            return (p, c.orderable(i))
        }
        // Ranks need no partition by nullness: with nulls sorted last, the non-null values
        // rank as among themselves (one window less for the engine to sort).
        func rankWindow(_ function: String, _ c: SQLCall) -> String {
            "\(function)() OVER (\(c.partition) ORDER BY \(c.orderable(0)) ASC NULLS LAST)"
        }
        f["rank"] = { c in
            SQLValue("CASE WHEN \(c.arguments[0].sql) IS NOT NULL THEN \(rankWindow("rank", c)) END", .int)
        }
        f["dense_rank"] = { c in
            SQLValue("CASE WHEN \(c.arguments[0].sql) IS NOT NULL THEN \(rankWindow("dense_rank", c)) END", .int)
        }
        f["percent_rank"] = { c in
            let (p, x) = ranked(c, 0)
            return SQLValue("CASE WHEN \(c.arguments[0].sql) IS NOT NULL THEN \(c.dialect.cast("percent_rank() OVER (\(p) ORDER BY \(x) ASC)", to: .double)) END", .double)
        }
        f["ntile"] = { c in
            let n = try c.constantInt(0)
            let (p, x) = ranked(c, 1)
            let tie = c.orderColumn.map { ", \($0)" } ?? ""
            return SQLValue("CASE WHEN \(c.arguments[1].sql) IS NOT NULL THEN CAST(ntile(\(n)) OVER (\(p) ORDER BY \(x) ASC\(tie)) AS BIGINT) END", .int)
        }
        f["quantile_score"] = { c in
            let n = try c.constantInt(1)
            // ceil(n × r / N) in exact integer arithmetic: (n × r + N - 1) / N.
            let r = rankWindow("rank", c)
            let total = "count(\(c.arguments[0].sql)) \(c.over)"
            return SQLValue("CASE WHEN \(c.arguments[0].sql) IS NOT NULL THEN \(c.dialect.integerDivide("(CAST(\(n) AS BIGINT) * \(r) + \(total) - 1)", total)) END", .int)
        }
        f["cumsum"] = { c in
            let order = c.orderColumn.map { "ORDER BY \($0) " } ?? ""
            let x = c.type == .int ? c.arguments[0].sql : c.double(0)
            let sum = "sum(\(x)) OVER (\(c.partition) \(order)ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
            return SQLValue("CASE WHEN \(c.arguments[0].sql) IS NOT NULL THEN \(c.type == .int ? c.dialect.cast(sum, to: .int) : sum) END", c.type)
        }
        f["share"] = { c in
            SQLValue("(\(c.double(0)) / NULLIF(sum(\(c.double(0))) \(c.over), 0))", .double)
        }
        f["minmax"] = { c in
            let x = c.double(0)
            let lo = "min(\(x)) \(c.over)", hi = "max(\(x)) \(c.over)"
            return SQLValue("CASE WHEN \(x) IS NULL THEN NULL WHEN \(hi) = \(lo) THEN \(c.dialect.double(0)) ELSE (\(x) - \(lo)) / (\(hi) - \(lo)) END", .double)
        }
        f["zscore"] = { c in
            let x = c.double(0)
            return SQLValue("((\(x) - \(c.dialect.mean(x, type: .double, over: c.over))) / NULLIF(stddev_samp(\(x)) \(c.over), 0))", .double)
        }
        return f
    }

    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<min(abs(n), 400) { r *= 10 }
        return n < 0 ? 1 / r : r
    }
}
