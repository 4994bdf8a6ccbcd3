// The statement grammar of segsh as a generator: libFuzzer's bytes choose, one at a time,
// which production to take, so every input is a script of valid statements (load-free:
// the tables are already there) whose literals are boundary values — 0, ±1, ±2^31, ±2^63,
// huge and tiny doubles, NaN-producing expressions, dates at years 1 and 9999, durations
// that overflow — with deep nesting and long chains of views and scripts. Coverage still
// guides libFuzzer: a mutation of the bytes is a mutation of the choices.
//
// Shared by Fuzz/grammar-parser.swift and Fuzz/grammar-session.swift (scripts/fuzz).

/// The bytes of one fuzz input, read as a stream of choices (0 once they run out).
struct Choices {
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var exhausted: Bool { at >= bytes.count }

    mutating func byte() -> Int {
        guard at < bytes.count else { return 0 }
        defer { at += 1 }
        return Int(bytes[at])
    }

    /// A number in 0..<n.
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : byte() % n }

    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }

    mutating func chance(_ inEight: Int) -> Bool { byte() % 8 < inEight }
}

/// Generates scripts over the tables `customers`, `orders`, `interactions` and `edges`
/// (a table of boundary values: int `i`, double `d`, date `dt`, string `s`, bool `b`).
struct StatementGrammar {
    var c: Choices
    /// Views defined so far in this script, so later statements can chain on them.
    var views: [String] = []
    var viewCount = 0

    init(_ bytes: [UInt8]) { c = Choices(bytes) }

    static let tables = ["customers", "orders", "interactions", "edges"]
    static let intColumns = ["i", "order_id"]
    static let doubleColumns = ["d", "amount"]
    static let dateColumns = ["dt", "order_date", "signup"]
    static let stringColumns = ["s", "name", "industry", "customer_id"]
    static let anyColumns = intColumns + doubleColumns + dateColumns + stringColumns + ["b", "vip"]

    static let boundaryInts = [
        "0", "1", "-1", "2", "-2", "7", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967296", "9223372036854775807", "-9223372036854775807", "(-9223372036854775807 - 1)",
        "9223372036854775806", "4611686018427387904", "99999999999999999999", "1000000000", "-1000000000",
    ]
    static let boundaryDoubles = [
        "0.0", "-0.0", "1.5", "-1.5", "0.5", "1e308", "1.7e308", "-1.7e308", "1.7976931348623157e308",
        "5e-324", "-5e-324", "2.2250738585072014e-308", "1e-300", "9.223372036854775807e18",
        "-9.223372036854775808e18", "1e19", "(0.0 / 0.0)", "(1e308 * 10)", "(-1e308 * 10)",
        "sqrt(-1)", "ln(0)", "exp(1000)", "pow(0, -1)", "pow(-8, 0.5)",
    ]
    static let boundaryDates = [
        "@0001-01-01", "@9999-12-31", "@1970-01-01", "@2024-02-29", "@2000-02-29", "@0001-12-31",
        "@9999-01-01", "@2025-06-30",
    ]
    static let durationAmounts = [
        "0", "1", "2", "365", "2147483647", "2147483648", "9223372036854775807", "30000000000000000",
        "1000000000000", "106751991167300", "4000000",
    ]
    static let durationUnits = ["days", "day", "weeks", "week", "months", "month", "years", "year"]
    static let strings = [
        "\"\"", "\"a\"", "\"%\"", "\"_%_\"", "\"制造业\"", "\"month\"", "\"year\"", "\"quarter\"", "\"week\"",
        "\"day\"", "\"2024-02-30\"", "\"9999-12-31\"", "\"0001-01-01\"", "\"\\\\\"", "\"𝄞\"",
    ]

    // MARK: Literals

    mutating func intLiteral() -> String {
        if c.chance(1) { return String(c.byte() * 257 + c.byte()) }
        return c.pick(Self.boundaryInts)
    }

    mutating func numberLiteral() -> String { c.chance(4) ? intLiteral() : c.pick(Self.boundaryDoubles) }

    mutating func durationLiteral() -> String { c.pick(Self.durationAmounts) + c.pick(Self.durationUnits) }

    mutating func literal() -> String {
        switch c.below(7) {
        case 0, 1: return intLiteral()
        case 2: return c.pick(Self.boundaryDoubles)
        case 3: return c.pick(Self.boundaryDates)
        case 4: return durationLiteral()
        case 5: return c.pick(Self.strings)
        default: return c.pick(["true", "false", "null"])
        }
    }

    // MARK: Expressions

    static let scalarFunctions: [(String, Int)] = [
        ("abs", 1), ("round", 2), ("round", 1), ("floor", 1), ("ceil", 1), ("sqrt", 1), ("ln", 1),
        ("exp", 1), ("pow", 2), ("lower", 1), ("upper", 1), ("len", 1), ("contains", 2),
        ("startswith", 2), ("endswith", 2), ("substr", 3), ("substr", 2), ("replace", 3), ("concat", 3),
        ("year", 1), ("month", 1), ("quarter", 1), ("day", 1), ("weekday", 1), ("days", 2),
        ("date_trunc", 2), ("date", 1), ("coalesce", 2), ("if", 3), ("min", 2), ("max", 3),
    ]
    static let aggregates: [(String, Int)] = [
        ("count", 0), ("count", 1), ("count_distinct", 1), ("sum", 1), ("avg", 1), ("min", 1), ("max", 1),
        ("median", 1), ("quantile", 2), ("stddev", 1), ("first", 1), ("last", 1),
    ]
    static let windows: [(String, Int)] = [
        ("rank", 1), ("dense_rank", 1), ("percent_rank", 1), ("ntile", 2), ("quantile_score", 2),
        ("cumsum", 1), ("share", 1), ("minmax", 1), ("zscore", 1),
    ]

    mutating func column() -> String { c.pick(Self.anyColumns) }

    mutating func arguments(_ n: Int, depth: Int) -> String {
        (0..<n).map { _ in expression(depth: depth + 1) }.joined(separator: ", ")
    }

    /// An expression; `depth` bounds the generator, not the language (deep nesting is its
    /// own production).
    mutating func expression(depth: Int = 0) -> String {
        if depth > 4 { return c.chance(4) ? column() : literal() }
        switch c.below(16) {
        case 0, 1: return column()
        case 2, 3: return literal()
        case 4:
            return "\(expression(depth: depth + 1)) \(c.pick(["+", "-", "*", "/", "%"])) \(expression(depth: depth + 1))"
        case 5:
            return "\(expression(depth: depth + 1)) \(c.pick(["==", "!=", "<", "<=", ">", ">="])) \(expression(depth: depth + 1))"
        case 6: return "\(c.pick(Self.dateColumns + Self.boundaryDates)) \(c.pick(["+", "-"])) \(durationLiteral())"
        case 7:
            let (f, n) = c.pick(Self.scalarFunctions)
            return "\(f)(\(arguments(n, depth: depth)))"
        case 8:
            // substr / ntile / quantile_score / round with boundary integer arguments.
            switch c.below(5) {
            case 0: return "substr(\(c.pick(Self.stringColumns)), \(intLiteral()), \(intLiteral()))"
            case 1: return "quantile_score(\(c.pick(Self.intColumns + Self.doubleColumns)), \(intLiteral()))"
            case 2: return "ntile(\(intLiteral()), \(c.pick(Self.intColumns + Self.doubleColumns)))"
            case 3: return "round(\(c.pick(Self.doubleColumns)), \(intLiteral()))"
            default: return "date_trunc(\(c.pick(Self.strings)), \(c.pick(Self.dateColumns + Self.boundaryDates)))"
            }
        case 9: return "-\(expression(depth: depth + 1))"
        case 10: return "not \(expression(depth: depth + 1))"
        case 11: return "(\(expression(depth: depth + 1)))"
        case 12:
            return "\(expression(depth: depth + 1)) \(c.chance(2) ? "not " : "")between \(literal()) and \(literal())"
        case 13: return "\(expression(depth: depth + 1)) in (\(literal()), \(literal()))"
        case 14:
            return "case { \(expression(depth: depth + 1)) => \(literal()), else => \(literal()) }"
        default:
            // Deeply nested: parentheses, minuses or a long sum.
            let n = c.pick([50, 99, 100, 101, 500, 5000])
            switch c.below(3) {
            case 0: return String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n)
            case 1: return String(repeating: "-", count: n) + "1"
            default: return Array(repeating: literal(), count: min(n, 1200)).joined(separator: " + ")
            }
        }
    }

    // MARK: Pipelines

    mutating func source(depth: Int = 0) -> String {
        switch c.below(6) {
        case 0 where !views.isEmpty: return c.pick(views)
        case 1: return "_"
        case 2 where depth < 3: return "(\(pipeline(depth: depth + 1)))"
        case 3:
            let n = c.pick([10, 100, 300, 1000, 3000, 10000])
            return String(repeating: "(", count: n) + c.pick(Self.tables) + String(repeating: ")", count: n)
        default: return c.pick(Self.tables)
        }
    }

    mutating func step(depth: Int) -> String {
        switch c.below(17) {
        case 0: return "where \(expression())"
        case 1: return "derive x\(c.below(4)) = \(expression())"
        case 2: return "select \(column()), y = \(expression())"
        case 3: return "drop \(column())"
        case 4: return "rename z = \(column())"
        case 5: return "sort \(expression())\(c.chance(4) ? " desc" : "")"
        case 6: return "take \(intLiteral())"
        case 7: return "top \(intLiteral()) by \(expression())"
        case 8:
            let (f, n) = c.pick(Self.aggregates)
            return "summarize v = \(f)(\(arguments(n, depth: 2))) by \(column())"
        case 9:
            return "join \(c.pick(["", "left ", "anti ", "inner "]))\(source(depth: depth + 1)) on customer_id"
        case 10: return "distinct \(column())"
        case 11:
            let (f, n) = c.pick(Self.windows)
            let args = f == "ntile" ? "\(intLiteral()), \(column())"
                : f == "quantile_score" ? "\(column()), \(intLiteral())" : arguments(n, depth: 2)
            return "derive w = \(f)(\(args))\(c.chance(3) ? " over \(column())" : "")"
        case 12:
            let asof = c.chance(5) ? ", asof=\(c.pick(Self.boundaryDates))" : ""
            let window = c.chance(5) ? ", window=\(durationLiteral())" : ""
            return "rfm customer=customer_id, date=\(c.pick(Self.dateColumns)), amount=\(c.pick(Self.doubleColumns + Self.intColumns))\(asof)\(window)"
        case 13: return "classify tier"
        case 14: return "pareto \(c.pick(Self.doubleColumns + Self.intColumns))\(c.chance(2) ? " classes \(c.pick(Self.boundaryDoubles)), \(c.pick(Self.boundaryDoubles))" : "")"
        case 15: return "chart hist \(c.pick(Self.doubleColumns + Self.intColumns + Self.dateColumns)) bins \(intLiteral())"
        default: return "chart bar \(c.pick(Self.stringColumns)) \(c.pick(Self.doubleColumns + Self.intColumns))"
        }
    }

    mutating func pipeline(depth: Int = 0) -> String {
        var text = source(depth: depth)
        for _ in 0..<c.below(5) {
            text += " | " + step(depth: depth)
        }
        return text
    }

    // MARK: Statements

    mutating func parameterValue() -> String {
        c.chance(5) ? intLiteral() : c.chance(4) ? numberLiteral() : c.chance(4) ? c.pick(Self.boundaryDates) : durationLiteral()
    }

    mutating func statement() -> String {
        switch c.below(14) {
        case 0, 1, 2: return pipeline()
        case 3:
            viewCount += 1
            let name = "v\(viewCount)"
            let text = "let \(name) = \(pipeline())"
            views.append(name)
            return text
        case 4: return "param p = \(parameterValue())"
        case 5:
            return """
                rules tier {
                  "S" when \(expression()) and \(c.pick(Self.anyColumns)) <= $p
                  "A" when \(expression())
                  "C" otherwise
                }
                """
        case 6:
            return "whatif p = \(parameterValue()) on \(views.last ?? "edges") by \(column())"
        case 7:
            let step = c.chance(6) ? intLiteral() : c.pick(Self.boundaryDoubles + [durationLiteral()])
            return "sweep p from \(parameterValue()) to \(parameterValue()) step \(step) on \(views.last ?? "edges") by \(column())"
        case 8: return "compare \(c.pick(Self.tables)) \(c.pick(Self.tables + views)) on customer_id by \(column())"
        case 9: return "profile \(c.pick(Self.tables))\(c.chance(3) ? " key \(column())" : "")"
        case 10:
            // A long chain of views, each reading the one before.
            let n = c.pick([10, 200, 600])
            var lines: [String] = []
            viewCount += 1
            let base = "chain\(viewCount)"
            lines.append("let \(base)_0 = \(c.pick(Self.tables))")
            for i in 1..<n { lines.append("let \(base)_\(i) = \(base)_\(i - 1) | \(c.chance(4) ? "take \(intLiteral())" : "where true")") }
            lines.append("\(base)_\(n - 1) | take 1")
            views.append("\(base)_\(n - 1)")
            return lines.joined(separator: "\n")
        case 11: return "whatif p = \(parameterValue()) on \(views.last ?? "edges") by \(column()) | moved | \(step(depth: 1))"
        case 12: return "param p = \(c.pick(Self.boundaryDates)) \(c.pick(["+", "-"])) \(durationLiteral())"
        default: return "\(c.pick(Self.tables)) | derive e = \(expression()) | chart hist e bins \(c.pick(["1", "2", "10", "1000", "2147483647"]))"
        }
    }

    /// A script of up to 8 statements; stops once the bytes run out.
    mutating func script() -> String {
        var lines: [String] = []
        for _ in 0..<8 {
            lines.append(statement())
            if c.exhausted { break }
        }
        return lines.joined(separator: "\n")
    }
}
