import Columnar
import Diagnostics
import Language

/// A lowered expression: its SQL text and its segsh type (nil for an untyped null).
public struct SQLValue {
    public var sql: String
    public var type: DataType?
    public init(_ sql: String, _ type: DataType?) { self.sql = sql; self.type = type }
}

/// How a function's call is written in SQL, registered by name (`SQLFunctions` for the
/// built-in ones; Segmentation adds `rfm_segment` and `rfm_class8`).
public typealias SQLFunctionLowering = (SQLCall) throws -> SQLValue

/// What a function's lowering gets: its lowered arguments, the `over` partition, and the
/// compiler (for the dialect and errors).
public struct SQLCall {
    public let name: String
    public let arguments: [SQLValue]
    /// The argument expressions as written (constants are read from them).
    public let expressions: [Expr]
    /// `PARTITION BY ...` of an `over` clause, or "" for the whole table.
    public let partition: String
    /// Whether the call is an aggregate inside `summarize` (else aggregates are windows).
    public let grouped: Bool
    /// The type the in-memory engine gives the call.
    public let type: DataType?
    public let span: Span
    public let compiler: SQLCompiler
    /// The input's hidden order column, when it has one (running sums, first/last).
    public let orderColumn: String?
    /// The relation the call is computed over, for subqueries over it: the step's input, or
    /// for a window value `WindowColumns.stepInput`, the input of the step that computes it.
    public let relation: String
    /// The `over` columns, quoted.
    public let overColumns: [String]

    public var dialect: SQLDialect { compiler.dialect }
    public func error(_ message: String, hints: [String] = []) -> Diagnostic { compiler.error(message, span, hints: hints) }

    /// `OVER (PARTITION BY ...)`.
    public var over: String { "OVER (\(partition))" }

    /// Argument i as an integer constant.
    public func constantInt(_ i: Int) throws -> Int {
        if i < expressions.count, case .literal(.int(let v)) = expressions[i].kind { return Int(v) }
        if i < expressions.count, case .parameter(let p) = expressions[i].kind, case .int(let v)? = compiler.parameters[p] { return Int(v) }
        throw error("\(name)(): argument \(i + 1) must be a whole number")
    }
    public func constantDouble(_ i: Int) throws -> Double {
        if i < expressions.count {
            switch expressions[i].kind {
            case .literal(.int(let v)): return Double(v)
            case .literal(.double(let v)): return v
            case .parameter(let p):
                if let d = compiler.parameters[p]?.doubleValue { return d }
            default: break
            }
        }
        throw error("\(name)(): argument \(i + 1) must be a number")
    }
    public func constantString(_ i: Int) throws -> String {
        if i < expressions.count, case .literal(.string(let s)) = expressions[i].kind { return s }
        if i < expressions.count, case .parameter(let p) = expressions[i].kind, case .string(let s)? = compiler.parameters[p] { return s }
        throw error("\(name)(): argument \(i + 1) must be a text literal")
    }
    /// Argument i in double precision.
    public func double(_ i: Int) -> String {
        arguments[i].type == .double ? arguments[i].sql : compiler.dialect.cast(arguments[i].sql, to: .double)
    }
    /// Argument i prepared for ordering (strings in byte order).
    public func orderable(_ i: Int) -> String {
        arguments[i].type == .string ? dialect.byteOrder(arguments[i].sql) : arguments[i].sql
    }
}

extension SQLCompiler {
    /// The in-memory value of an expression over a two-row sample table of `schema`: its type, and
    /// whether it is constant. The compiler uses the engine's own typing, so SQL and memory
    /// agree on every type.
    func memoryValue(_ e: Expr, _ schema: Schema) throws -> Value {
        let params = parameters
        let ev = ExpressionEvaluator(table: schema.sampleTable, file: file, parameters: { params[$0] }, functions: session.functions)
        return try ev.evaluate(e)
    }

    /// A boolean condition where null counts as false.
    public func condition(_ e: Expr, over input: SQLQuery, what: String) throws -> String {
        let v = try expression(e, over: input)
        return "(\(v.sql)) IS TRUE"
    }

    /// Lowers an expression over the columns of `input`. Inside `summarize`, `groupKeys` are
    /// the group columns and aggregates are plain SQL aggregates; elsewhere aggregates and
    /// window functions become window functions over their `over` partition.
    public func expression(_ e: Expr, over input: SQLQuery, groupKeys: [String]? = nil) throws -> SQLValue {
        try lower(e, input, grouped: groupKeys != nil)
    }

    func literal(_ s: Scalar) -> SQLValue {
        switch s {
        case .null: return SQLValue("NULL", nil)
        case .int(let v): return SQLValue("CAST(\(v) AS BIGINT)", .int)
        case .double(let d): return SQLValue(dialect.double(d), .double)
        case .string(let t): return SQLValue(dialect.string(t), .string)
        case .bool(let b): return SQLValue(b ? "TRUE" : "FALSE", .bool)
        case .date(let d): return SQLValue(dialect.date(d), .date)
        }
    }

    func lower(_ e: Expr, _ input: SQLQuery, grouped: Bool) throws -> SQLValue {
        switch e.kind {
        case .literal(let l):
            if case .duration = l { throw error("a duration is not a column value; add it to a date (e.g. asof - 30days)", e.span) }
            return literal(l.scalar)
        case .column(let name):
            guard let t = input.schema.type(of: name) else {
                let suggestion = closestMatch(to: name, in: input.schema.names).map { " (did you mean '\($0)'?)" } ?? ""
                throw error("unknown column '\(name)'\(suggestion)", e.span, hints: ["available columns: " + input.schema.names.joined(separator: ", ")])
            }
            return SQLValue(quote(name), t)
        case .parameter(let p):
            guard let v = parameters[p] else { throw error("unknown parameter $\(p)", e.span) }
            return literal(v)
        case .unary(let op, let x):
            let v = try lower(x, input, grouped: grouped)
            switch op {
            case .neg: return SQLValue("(-\(v.sql))", v.type)
            case .not: return SQLValue("(NOT \(v.sql))", .bool)
            }
        case .binary(let op, let a, let b):
            return try binary(op, a, b, e, input, grouped: grouped)
        case .call(let name, let args, let over):
            return try call(name, args, over: over, e, input, grouped: grouped)
        case .inList(let x, let items, let negated):
            let v = try lower(x, input, grouped: grouped)
            let list = try items.map { try lower($0, input, grouped: grouped).sql }
            return SQLValue("(\(v.sql) \(negated ? "NOT IN" : "IN") (\(list.joined(separator: ", "))))", .bool)
        case .between(let x, let lo, let hi, let negated):
            let vs = try [x, lo, hi].map { try lower($0, input, grouped: grouped) }
            let isText = vs.contains { $0.type == .string }
            let s = vs.map { isText ? dialect.byteOrder($0.sql) : $0.sql }
            return SQLValue("(\(s[0]) \(negated ? "NOT BETWEEN" : "BETWEEN") \(s[1]) AND \(s[2]))", .bool)
        case .like(let x, let pattern, let negated):
            let v = try lower(x, input, grouped: grouped), p = try lower(pattern, input, grouped: grouped)
            return SQLValue(dialect.like(v.sql, p.sql, negated: negated), .bool)
        case .caseWhen(let arms, let otherwise):
            let type = try memoryValue(e, input.schema).type
            var sql = "CASE"
            for arm in arms {
                let c = try lower(arm.condition, input, grouped: grouped)
                let v = try lower(arm.value, input, grouped: grouped)
                sql += " WHEN (\(c.sql)) IS TRUE THEN \(typed(v, type))"
            }
            if let otherwise { sql += " ELSE \(typed(try lower(otherwise, input, grouped: grouped), type))" }
            return SQLValue(sql + " END", type)
        }
    }

    /// `v` cast to `type` when it differs (an int branch of a double `case`).
    func typed(_ v: SQLValue, _ type: DataType?) -> String {
        guard let type, v.type != type else { return v.sql }
        return dialect.cast(v.sql, to: type)
    }

    func binary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ e: Expr, _ input: SQLQuery, grouped: Bool) throws -> SQLValue {
        switch op {
        case .and, .or:
            let l = try lower(a, input, grouped: grouped), r = try lower(b, input, grouped: grouped)
            return SQLValue("(\(l.sql) \(op == .and ? "AND" : "OR") \(r.sql))", .bool)
        case .eq, .ne, .lt, .le, .gt, .ge:
            if case .literal(.null) = b.kind, op == .eq || op == .ne {
                return SQLValue("(\(try lower(a, input, grouped: grouped).sql) IS \(op == .ne ? "NOT " : "")NULL)", .bool)
            }
            if case .literal(.null) = a.kind, op == .eq || op == .ne {
                return SQLValue("(\(try lower(b, input, grouped: grouped).sql) IS \(op == .ne ? "NOT " : "")NULL)", .bool)
            }
            var l = try lower(a, input, grouped: grouped), r = try lower(b, input, grouped: grouped)
            if l.type == nil || r.type == nil { return SQLValue("CAST(NULL AS BOOLEAN)", .bool) }
            // A date compared with a string literal that spells a date.
            if l.type == .date, case .literal(.string(let s)) = b.kind, let d = CivilDate.daysSinceEpoch(iso: s) { r = literal(.date(d)) }
            if r.type == .date, case .literal(.string(let s)) = a.kind, let d = CivilDate.daysSinceEpoch(iso: s) { l = literal(.date(d)) }
            _ = try memoryValue(e, input.schema)   // the engine's type check
            let text = l.type == .string || r.type == .string
            let ls = text ? dialect.byteOrder(l.sql) : l.sql, rs = text ? dialect.byteOrder(r.sql) : r.sql
            let sym = op == .eq ? "=" : op == .ne ? "<>" : op.rawValue
            return SQLValue("(\(ls) \(sym) \(rs))", .bool)
        case .add, .sub, .mul, .div, .mod:
            let type = try memoryValue(e, input.schema).type
            // Date arithmetic.
            if case .literal(.duration(let n, let unit)) = b.kind, op == .add || op == .sub {
                let l = try lower(a, input, grouped: grouped)
                return SQLValue(shift(l.sql, op == .add ? n : -n, unit), .date)
            }
            if case .literal(.duration(let n, let unit)) = a.kind, op == .add {
                let r = try lower(b, input, grouped: grouped)
                return SQLValue(shift(r.sql, n, unit), .date)
            }
            let l = try lower(a, input, grouped: grouped), r = try lower(b, input, grouped: grouped)
            if l.type == .date && r.type == .date && op == .sub { return SQLValue(dialect.daysBetween(r.sql, l.sql), .int) }
            if l.type == .date && r.type == .int {
                return SQLValue(dialect.addDays(l.sql, op == .add ? r.sql : "(-\(r.sql))"), .date)
            }
            if l.type == nil || r.type == nil { return SQLValue(dialect.cast("NULL", to: type ?? .int), type) }
            let isDouble = type == .double
            let ls = isDouble && l.type != .double ? dialect.cast(l.sql, to: .double) : l.sql
            let rs = isDouble && r.type != .double ? dialect.cast(r.sql, to: .double) : r.sql
            switch op {
            case .add: return SQLValue("(\(ls) + \(rs))", type)
            case .sub: return SQLValue("(\(ls) - \(rs))", type)
            case .mul: return SQLValue("(\(ls) * \(rs))", type)
            case .div: return SQLValue("(\(ls) / NULLIF(\(rs), 0))", .double)
            default:
                if isDouble { return SQLValue("CASE WHEN \(rs) <> 0 THEN \(dialect.doubleRemainder(ls, rs)) END", .double) }
                return SQLValue("(\(ls) % NULLIF(\(rs), 0))", .int)
            }
        }
    }

    /// A date moved by a duration: days and weeks exactly, months and years by the calendar.
    func shift(_ date: String, _ n: Int, _ unit: DurationUnit) -> String {
        switch unit {
        case .days: return dialect.addDays(date, "\(n)")
        case .weeks: return dialect.addDays(date, "\(n.multipliedReportingOverflow(by: 7).partialValue)")
        case .months: return dialect.addMonths(date, n)
        case .years: return dialect.addMonths(date, n.multipliedReportingOverflow(by: 12).partialValue)
        }
    }

    func call(_ name: Name, _ args: [Expr], over: [Name]?, _ e: Expr, _ input: SQLQuery, grouped: Bool) throws -> SQLValue {
        var type = try memoryValue(e, input.schema).type   // arity, types and `over` checked as in memory
        guard let lowering = session.sqlFunctions[name.text] else {
            throw error("\(name.text)() does not run in \(dialect.name) yet", name.span,
                        hints: ["add '| collect' before this step to compute it here"])
        }
        let definition = session.functions.lookup(name.text)
        let aggregates = definition?.isAggregate(arguments: args.count) == true
        let groupedCall = grouped && over == nil   // an aggregate of `summarize`, not a window
        var lowered = try args.map { try lower($0, input, grouped: grouped) }
        // An aggregate over the sample rows may be an untyped null (max of all-null values):
        // its type is then what the aggregate gives for its argument's type.
        if type == nil, aggregates {
            switch name.text {
            case "count", "count_distinct": type = .int
            case "avg", "stddev", "median", "quantile": type = .double
            default: type = lowered.first?.type
            }
        }
        if groupedCall, aggregates, preAggregated != nil {
            for (i, a) in lowered.enumerated() where a.sql.contains(" OVER (") {
                let column = "__segsh_arg\(preAggregated?.count ?? 0)"
                preAggregated?.append((column, a.sql))
                lowered[i] = SQLValue(quote(column), a.type)
            }
        }
        // A window value of a step (an aggregate per row, a window or table-wide function) is
        // a hidden column of a step before it, computed over that step's input.
        let windows = groupedCall ? nil : windowColumns
        let windowValue = windows != nil && (aggregates || definition?.window != nil || definition?.grouped != nil)
        let partition = over.map { "PARTITION BY " + $0.map { quote($0.text) }.joined(separator: ", ") } ?? ""
        let call = SQLCall(name: name.text, arguments: lowered, expressions: args, partition: partition, grouped: groupedCall,
                           type: type, span: e.span, compiler: self, orderColumn: input.ordered ? quote(SQLCompiler.orderColumn) : nil,
                           relation: windowValue ? WindowColumns.stepInput : input.relation, overColumns: (over ?? []).map { quote($0.text) })
        // The engine's type wins (a function of nulls only is an int column in memory).
        var value = try lowering(call)
        if let type, let given = value.type, given != type { value = SQLValue(dialect.cast(value.sql, to: type), type) }
        // No type in memory: a constant null (`date("2024-02-30")`, null-only arguments), an
        // int column when kept. A function of the rows keeps its own type: the sample rows are
        // zeros, so `round(sum(a) / sum(b), 2)` is null over them (0 / 0), a double over data.
        if type == nil, !args.contains(where: dependsOnRows) || lowered.allSatisfy({ $0.type == nil }) {
            value = SQLValue(value.sql, nil)
        }
        if call.grouped, aggregates, let n = aggregated?.count {
            let column = "__segsh_aggregate\(n)"
            aggregated?.append((column, value.sql, value.type ?? .int))
            return SQLValue(quote(column), value.type)
        }
        if windowValue, let windows {
            return SQLValue(windows.column(for: value.sql), value.type)
        }
        return value
    }
}

extension SQLCompiler {
    /// Whether the value of `e` depends on the rows (reads a column or aggregates), not only
    /// on constants and parameters.
    func dependsOnRows(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal, .parameter: return false
        case .column: return true
        case .unary(_, let a): return dependsOnRows(a)
        case .binary(_, let a, let b), .like(let a, let b, _): return dependsOnRows(a) || dependsOnRows(b)
        case .call(let name, let args, _):
            return session.functions.lookup(name.text)?.isAggregate(arguments: args.count) == true || args.contains(where: dependsOnRows)
        case .inList(let a, let list, _): return dependsOnRows(a) || list.contains(where: dependsOnRows)
        case .between(let a, let lo, let hi, _): return dependsOnRows(a) || dependsOnRows(lo) || dependsOnRows(hi)
        case .caseWhen(let arms, let otherwise):
            return arms.contains { dependsOnRows($0.condition) || dependsOnRows($0.value) } || otherwise.map(dependsOnRows) == true
        }
    }

    /// A value as a column: an untyped null becomes an int column of nulls, as in memory.
    public func column(_ v: SQLValue) -> (sql: String, type: DataType) {
        guard let t = v.type else { return (dialect.cast(v.sql, to: .int), .int) }
        return (v.sql, t)
    }
}
