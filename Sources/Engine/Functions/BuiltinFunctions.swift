import Columnar
import Diagnostics
import Foundation

/// The built-in functions of SPEC section 4, each with its documentation.
enum BuiltinFunctions {
    static var all: [FunctionDef] { math + strings + dates + conditional + aggregates + windows }

    static func typeError(_ call: FunctionCall, _ i: Int, expected: String) -> Diagnostic {
        call.error("\(call.name)() needs \(expected), but argument \(i + 1) is \(call.arguments[i].typeName)", argument: i)
    }

    static func numeric(_ name: String, _ summary: String, _ example: String, _ f: @escaping (Double) -> Double) -> FunctionDef {
        FunctionDef(name: name, signature: "\(name)(x)", summary: summary, example: example, kind: .scalar, arity: 1...1,
                    scalar: { call in
                        guard let v = ValueMapping.mapDouble(call.arguments[0], count: call.rowCount, f) else {
                            throw typeError(call, 0, expected: "a number")
                        }
                        return v
                    })
    }

    // MARK: Math

    static var math: [FunctionDef] {
        [
            FunctionDef(name: "abs", signature: "abs(x)", summary: "Absolute value (int stays int unless it overflows, as in arithmetic).",
                        example: "abs(balance)", kind: .scalar, arity: 1...1, scalar: { call in
                            if case .column(let c) = call.arguments[0], case .int(let xs) = c.storage, !xs.contains(.min) {
                                return .column(Column(.int(xs.map { Swift.abs($0) }), validity: c.validity))
                            }
                            if case .scalar(.int(let x)) = call.arguments[0], x != .min { return .scalar(.int(Swift.abs(x))) }
                            guard let v = ValueMapping.mapDouble(call.arguments[0], count: call.rowCount, { Swift.abs($0) }) else {
                                throw typeError(call, 0, expected: "a number")
                            }
                            return v
                        }),
            FunctionDef(name: "round", signature: "round(x [, digits])", summary: "Rounds half away from zero to `digits` decimals (default 0).",
                        example: "round(monetary / 10000, 1)", kind: .scalar, arity: 1...2, scalar: { call in
                            let digits = call.arguments.count > 1 ? try call.constantInt(1, what: "digits") : 0
                            let scale = pow(10.0, Double(digits))
                            guard let v = ValueMapping.mapDouble(call.arguments[0], count: call.rowCount, { ($0 * scale).rounded(.toNearestOrAwayFromZero) / scale }) else {
                                throw typeError(call, 0, expected: "a number")
                            }
                            return v
                        }),
            numeric("floor", "Largest whole number not above x.", "floor(amount)") { $0.rounded(.down) },
            numeric("ceil", "Smallest whole number not below x.", "ceil(amount)") { $0.rounded(.up) },
            numeric("sqrt", "Square root (null for negative x).", "sqrt(monetary)") { $0 < 0 ? .nan : $0.squareRoot() },
            numeric("ln", "Natural logarithm (null for x ≤ 0).", "ln(monetary + 1)") { $0 <= 0 ? .nan : Foundation.log($0) },
            numeric("exp", "e raised to x.", "exp(score)") { Foundation.exp($0) },
            FunctionDef(name: "pow", signature: "pow(x, y)", summary: "x raised to the power y.", example: "pow(frequency, 2)",
                        kind: .scalar, arity: 2...2, scalar: { call in
                            let n = call.rowCount
                            guard let (xs, xv) = ValueMapping.doubles(call.column(0)) else { throw typeError(call, 0, expected: "a number") }
                            guard let (ys, yv) = ValueMapping.doubles(call.column(1)) else { throw typeError(call, 1, expected: "a number") }
                            var validity = Bitmap(count: n, allValid: true)
                            var out = [Double](repeating: 0, count: n)
                            for i in 0..<n {
                                let r = Foundation.pow(xs[i], ys[i])
                                if (xv.map { !$0[i] } ?? false) || (yv.map { !$0[i] } ?? false) || !r.isFinite { validity[i] = false } else { out[i] = r }
                            }
                            return scalarIfConstant(call, .column(Column(.double(out), validity: validity)))
                        }),
        ]
    }

    /// When every argument was a constant, the result is a constant too.
    static func scalarIfConstant(_ call: FunctionCall, _ v: Value) -> Value {
        guard call.arguments.allSatisfy({ if case .column = $0 { return false } else { return true } }),
              case .column(let c) = v, c.count > 0 else { return v }
        return .scalar(c[0])
    }

    // MARK: Strings

    static func stringFunction(_ name: String, _ signature: String, _ summary: String, _ example: String,
                               arity: ClosedRange<Int>, _ body: @escaping (FunctionCall) throws -> Value?) -> FunctionDef {
        FunctionDef(name: name, signature: signature, summary: summary, example: example, kind: .scalar, arity: arity,
                    scalar: { call in
                        guard let v = try body(call) else { throw typeError(call, 0, expected: "text") }
                        return v
                    })
    }

    static var strings: [FunctionDef] {
        [
            stringFunction("lower", "lower(s)", "Lower-case text.", "lower(email)", arity: 1...1) { ValueMapping.mapString($0.arguments[0]) { $0.lowercased() } },
            stringFunction("upper", "upper(s)", "Upper-case text.", "upper(region)", arity: 1...1) { ValueMapping.mapString($0.arguments[0]) { $0.uppercased() } },
            stringFunction("len", "len(s)", "Length in characters (a Chinese character counts 1).", "len(name)", arity: 1...1) {
                ValueMapping.stringToInt($0.arguments[0]) { Int64($0.count) }
            },
            stringFunction("contains", "contains(s, part)", "Whether s contains part.", "contains(name, \"科技\")", arity: 2...2) { call in
                let part = try call.constantString(1, what: "the text to look for")
                return ValueMapping.stringToBool(call.arguments[0]) { $0.contains(part) }
            },
            stringFunction("startswith", "startswith(s, prefix)", "Whether s starts with prefix.", "startswith(customer_id, \"C00\")", arity: 2...2) { call in
                let part = try call.constantString(1, what: "the prefix")
                return ValueMapping.stringToBool(call.arguments[0]) { $0.hasPrefix(part) }
            },
            stringFunction("endswith", "endswith(s, suffix)", "Whether s ends with suffix.", "endswith(name, \"有限公司\")", arity: 2...2) { call in
                let part = try call.constantString(1, what: "the suffix")
                return ValueMapping.stringToBool(call.arguments[0]) { $0.hasSuffix(part) }
            },
            stringFunction("substr", "substr(s, start [, length])", "Characters from 1-based start, optionally at most length of them.",
                           "substr(name, 1, 2)", arity: 2...3) { call in
                let start = try call.constantInt(1, what: "start")
                let length = call.arguments.count > 2 ? try call.constantInt(2, what: "length") : Int.max
                return ValueMapping.mapString(call.arguments[0]) { s in
                    let chars = Array(s)
                    let lo = start <= 1 ? 0 : start - 1
                    guard lo < chars.count, length > 0 else { return "" }
                    let hi = min(chars.count, CheckedArithmetic.saturatingAdd(lo, length))
                    return String(chars[lo..<hi])
                }
            },
            stringFunction("replace", "replace(s, from, to)", "Replaces every occurrence of from with to.",
                           "replace(name, \"有限公司\", \"\")", arity: 3...3) { call in
                let from = try call.constantString(1, what: "the text to replace")
                let to = try call.constantString(2, what: "the replacement")
                guard !from.isEmpty else { return call.arguments[0] }
                return ValueMapping.mapString(call.arguments[0]) { $0.components(separatedBy: from).joined(separator: to) }
            },
            FunctionDef(name: "concat", signature: "concat(a, b, ...)", summary: "Joins values as text; nulls count as empty.",
                        example: "concat(recency, \"天/\", frequency, \"次\")", kind: .scalar, arity: 1...64, scalar: concat),
        ]
    }

    /// concat over rows. Distinct argument combinations are usually few, but a row loop over
    /// text is unavoidable here; it builds bytes, not Strings, per row.
    static func concat(_ call: FunctionCall) throws -> Value {
        let n = call.rowCount
        let cols = call.arguments.map { $0.column(count: n, nullType: .string) }
        let dict = StringDictionary()
        var codes = [Int32](repeating: 0, count: n)
        var buffer: [UInt8] = []
        let texts: [(Int) -> Void] = cols.map { c in
            switch c.storage {
            case .string(let cs, let d):
                return { i in if !c.isNull(i) { d.withBytes(cs[i]) { buffer.append(contentsOf: $0) } } }
            default:
                return { i in if !c.isNull(i) { buffer.append(contentsOf: Array(c[i].description.utf8)) } }
            }
        }
        for i in 0..<n {
            buffer.removeAll(keepingCapacity: true)
            for t in texts { t(i) }
            codes[i] = buffer.withUnsafeBytes { dict.intern($0) }
        }
        if dict.count == 0 { _ = dict.intern("") }
        return scalarIfConstant(call, .column(Column(.string(codes: codes, dictionary: dict))))
    }

    // MARK: Dates

    static func datePart(_ name: String, _ summary: String, _ f: @escaping (CivilDate, Int32) -> Int64) -> FunctionDef {
        FunctionDef(name: name, signature: "\(name)(d)", summary: summary, example: "\(name)(order_date)", kind: .scalar, arity: 1...1,
                    scalar: { call in
                        guard let v = ValueMapping.dateToInt(call.arguments[0], f) else { throw typeError(call, 0, expected: "a date") }
                        return v
                    })
    }

    static var dates: [FunctionDef] {
        [
            datePart("year", "The year of a date.") { d, _ in Int64(d.year) },
            datePart("month", "The month of a date, 1-12.") { d, _ in Int64(d.month) },
            datePart("quarter", "The quarter of a date, 1-4.") { d, _ in Int64((d.month - 1) / 3 + 1) },
            datePart("day", "The day of the month, 1-31.") { d, _ in Int64(d.day) },
            datePart("weekday", "ISO weekday: 1 = Monday … 7 = Sunday.") { d, _ in Int64(d.weekday + 1) },
            FunctionDef(name: "days", signature: "days(a, b)", summary: "Whole days from date a to date b (b - a).",
                        example: "days(last_order, @2024-06-30)", kind: .scalar, arity: 2...2, scalar: { call in
                            let n = call.rowCount
                            let a = call.column(0), b = call.column(1)
                            guard case .date(let x) = a.storage, !(call.arguments[0].isNullScalar) || true else { throw typeError(call, 0, expected: "a date") }
                            guard case .date(let y) = b.storage else { throw typeError(call, 1, expected: "a date") }
                            var out = [Int64](repeating: 0, count: n)
                            var validity = Bitmap(count: n, allValid: true)
                            for i in 0..<n {
                                if a.isNull(i) || b.isNull(i) { validity[i] = false } else { out[i] = Int64(y[i]) - Int64(x[i]) }
                            }
                            return scalarIfConstant(call, .column(Column(.int(out), validity: validity)))
                        }),
            FunctionDef(name: "date_trunc", signature: "date_trunc(unit, d)",
                        summary: "The first day of d's \"year\", \"quarter\", \"month\" or \"week\" (Monday).",
                        example: "date_trunc(\"month\", order_date)", kind: .scalar, arity: 2...2, scalar: { call in
                            let unit = try call.constantString(0, what: "the unit")
                            let f: (CivilDate, Int32) -> Int32
                            switch unit.lowercased() {
                            case "year": f = { d, _ in CivilDate(year: d.year, month: 1, day: 1).daysSinceEpoch }
                            case "quarter": f = { d, _ in CivilDate(year: d.year, month: (d.month - 1) / 3 * 3 + 1, day: 1).daysSinceEpoch }
                            case "month": f = { d, _ in CivilDate(year: d.year, month: d.month, day: 1).daysSinceEpoch }
                            case "week": f = { d, day in day - Int32(d.weekday) }
                            case "day": f = { _, day in day }
                            default: throw call.error("date_trunc(): unknown unit \"\(unit)\"", argument: 0,
                                                      hints: ["units: \"year\", \"quarter\", \"month\", \"week\", \"day\""])
                            }
                            guard let v = ValueMapping.dateToDate(call.arguments[1], f) else { throw typeError(call, 1, expected: "a date") }
                            return v
                        }),
            FunctionDef(name: "date", signature: "date(s)", summary: "Reads ISO text (\"2024-06-30\") as a date; null when it is not one.",
                        example: "date(\"2024-06-30\")", kind: .scalar, arity: 1...1, scalar: { call in
                            if call.arguments[0].type == .date { return call.arguments[0] }
                            switch call.arguments[0] {
                            case .scalar(.string(let s)): return .scalar(CivilDate.daysSinceEpoch(iso: s).map { .date($0) } ?? .null)
                            case .scalar(.null): return .scalar(.null)
                            case .column(let c):
                                guard case .string(let codes, let dict) = c.storage else { throw typeError(call, 0, expected: "text") }
                                let per = (0..<dict.count).map { CivilDate.daysSinceEpoch(iso: dict.string(Int32($0))) }
                                var out = [Int32](repeating: 0, count: codes.count)
                                var validity = c.validity ?? Bitmap(count: codes.count, allValid: true)
                                for i in 0..<codes.count { if let d = per[Int(codes[i])] { out[i] = d } else { validity[i] = false } }
                                return .column(Column(.date(out), validity: validity))
                            default: throw typeError(call, 0, expected: "text")
                            }
                        }),
        ]
    }

    // MARK: Conditional

    static var conditional: [FunctionDef] {
        [
            FunctionDef(name: "coalesce", signature: "coalesce(a, b, ...)", summary: "The first non-null argument.",
                        example: "coalesce(monetary, 0)", kind: .scalar, arity: 1...64, scalar: { call in
                            let n = call.rowCount
                            // Rows take the first argument that is not null.
                            var choice = [Int32](repeating: Int32(call.arguments.count - 1), count: n)
                            var decided = [Bool](repeating: false, count: n)
                            for (k, a) in call.arguments.enumerated() {
                                switch a {
                                case .scalar(.null): continue
                                case .scalar, .duration:
                                    for i in 0..<n where !decided[i] { choice[i] = Int32(k); decided[i] = true }
                                case .column(let c):
                                    for i in 0..<n where !decided[i] && !c.isNull(i) { choice[i] = Int32(k); decided[i] = true }
                                }
                            }
                            return scalarIfConstant(call, .column(try call.evaluator.select(choice, from: call.arguments,
                                type: call.evaluator.commonType(call.arguments.compactMap { $0.type }, span: call.span), count: n)))
                        }),
            FunctionDef(name: "if", signature: "if(cond, a, b)", summary: "a where cond is true, else b (null cond → b).",
                        example: "if(monetary > 100000, \"大客户\", \"普通\")", kind: .scalar, arity: 3...3, scalar: { call in
                            let n = call.rowCount
                            let c = call.arguments[0]
                            guard c.type == .bool || c.isNullScalar else { throw typeError(call, 0, expected: "a condition (true/false)") }
                            let cc = c.column(count: n, nullType: .bool)
                            var choice = [Int32](repeating: 1, count: n)
                            if case .bool(let bits) = cc.storage { for i in 0..<n where bits[i] && !cc.isNull(i) { choice[i] = 0 } }
                            let vals = Array(call.arguments[1...2])
                            // Null fits any type: two null branches give null, not an int column.
                            let types = vals.compactMap { $0.type }
                            guard !types.isEmpty else { return .scalar(.null) }
                            return scalarIfConstant(call, .column(try call.evaluator.select(choice, from: vals,
                                type: call.evaluator.commonType(types, span: call.span), count: n)))
                        }),
        ]
    }

    // MARK: Aggregates

    static func agg(_ name: String, _ signature: String, _ summary: String, _ example: String, arity: ClosedRange<Int> = 1...1,
                    scalar: ((FunctionCall) throws -> Value)? = nil, _ kind: @escaping (FunctionCall) throws -> AggregateKind) -> FunctionDef {
        FunctionDef(name: name, signature: signature, summary: summary, example: example, kind: .aggregate, arity: arity,
                    scalar: scalar, aggregate: kind)
    }

    static var aggregates: [FunctionDef] {
        [
            agg("count", "count() | count(x)", "Rows in the group; count(x) counts non-null x.", "summarize n = count() by tier", arity: 0...1) {
                $0.arguments.isEmpty ? .count : .countNonNull
            },
            agg("count_distinct", "count_distinct(x)", "Distinct non-null values.", "summarize buyers = count_distinct(customer_id)") { _ in .countDistinct },
            agg("sum", "sum(x)", "Sum of non-null values (null when there are none).", "summarize revenue = sum(amount) by industry") { _ in .sum },
            agg("avg", "avg(x)", "Mean of non-null values.", "avg(monetary) over industry") { _ in .avg },
            agg("min", "min(x) | min(a, b, ...)", "Smallest value; with several arguments, the smallest per row.", "min(order_date)",
                arity: 1...64, scalar: { try extremum($0, max: false) }) { _ in .min },
            agg("max", "max(x) | max(a, b, ...)", "Largest value; with several arguments, the largest per row.", "max(order_date)",
                arity: 1...64, scalar: { try extremum($0, max: true) }) { _ in .max },
            agg("median", "median(x)", "The middle value (interpolated).", "median(monetary) over region") { _ in .median },
            agg("quantile", "quantile(x, p)", "The p-quantile, 0 ≤ p ≤ 1, interpolated linearly.", "quantile(monetary, 0.9)", arity: 2...2) { call in
                let p = try call.constantDouble(1, what: "p")
                guard (0...1).contains(p) else { throw call.error("quantile(): p must be between 0 and 1", argument: 1) }
                return .quantile(p)
            },
            agg("stddev", "stddev(x)", "Sample standard deviation (null for fewer than 2 values).", "stddev(monetary)") { _ in .stddev },
            agg("first", "first(x)", "The first value in row order.", "first(name)") { _ in .first },
            agg("last", "last(x)", "The last value in row order.", "last(order_date)") { _ in .last },
        ]
    }

    /// min/max across arguments, per row (nulls are skipped, as in SQL's least/greatest).
    static func extremum(_ call: FunctionCall, max: Bool) throws -> Value {
        let n = call.rowCount
        let ev = call.evaluator
        let type = try ev.commonType(call.arguments.compactMap { $0.type }, span: call.span)
        var best = ev.converted(call.arguments[0].column(count: n, nullType: type), to: type)
        for k in 1..<call.arguments.count {
            let next = ev.converted(call.arguments[k].column(count: n, nullType: type), to: type)
            let better = try Kernels.compare(next, best, op: max ? .gt : .lt)
            guard case .bool(let bits) = better.storage else { continue }
            var choice = [Int32](repeating: 0, count: n)
            for i in 0..<n where !next.isNull(i) && (best.isNull(i) || (bits[i] && !better.isNull(i))) { choice[i] = 1 }
            best = try ev.select(choice, from: [.column(best), .column(next)], type: type, count: n)
        }
        return scalarIfConstant(call, .column(best))
    }

    // MARK: Window

    static func win(_ name: String, _ signature: String, _ summary: String, _ example: String, arity: ClosedRange<Int> = 1...1,
                    _ kind: @escaping (FunctionCall) throws -> (WindowKind, Int)) -> FunctionDef {
        FunctionDef(name: name, signature: signature, summary: summary, example: example, kind: .window, arity: arity, window: kind)
    }

    static var windows: [FunctionDef] {
        [
            win("rank", "rank(x) [over COL]", "1 + the number of rows with a smaller x (ties share a rank). Rank by -x for largest first.",
                "rank(-revenue) over industry") { _ in (.rank, 0) },
            win("dense_rank", "dense_rank(x) [over COL]", "Rank without gaps after ties.", "dense_rank(-monetary)") { _ in (.denseRank, 0) },
            win("percent_rank", "percent_rank(x) [over COL]", "(rank - 1) / (N - 1); 0 when N = 1.", "percent_rank(monetary)") { _ in (.percentRank, 0) },
            win("ntile", "ntile(n, x) [over COL]", "n buckets of (almost) equal size of the non-null x, ordered by x; ties may split; null x → null (not counted, unlike SQL NTILE, which buckets nulls last).",
                "ntile(4, monetary)", arity: 2...2) { call in
                let n = try call.constantInt(0, what: "n")
                guard n >= 1 else { throw call.error("ntile(): n must be at least 1", argument: 0) }
                return (.ntile(n), 1)
            },
            win("quantile_score", "quantile_score(x, n) [over COL]",
                "1..n by quantiles of x; ties never split: ceil(n × r / N), r = 1 + values below x, N = non-null values.",
                "quantile_score(-recency, 5)", arity: 2...2) { call in
                let n = try call.constantInt(1, what: "n")
                guard n >= 1 else { throw call.error("quantile_score(): n must be at least 1", argument: 1) }
                return (.quantileScore(n), 0)
            },
            win("cumsum", "cumsum(x) [over COL]", "Running sum in row order.", "cumsum(amount) over customer_id") { _ in (.cumsum, 0) },
            win("share", "share(x) [over COL]", "x divided by the total of x.", "share(monetary) over industry") { _ in (.share, 0) },
            win("minmax", "minmax(x) [over COL]", "Scales x to 0..1 ((x - min) / (max - min)); all-equal → 0.",
                "0.4 * minmax(hist) + 0.6 * minmax(potential)") { _ in (.minmax, 0) },
            win("zscore", "zscore(x) [over COL]", "(x - mean) / sample standard deviation.", "zscore(monetary) over industry") { _ in (.zscore, 0) },
        ]
    }
}

