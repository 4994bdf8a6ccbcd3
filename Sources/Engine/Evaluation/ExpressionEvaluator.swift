import Columnar
import Diagnostics
import Language

/// Evaluates expressions over a whole table at once: every node produces a column (or a
/// scalar that is broadcast only when combined with a column), so no AST is interpreted per
/// row.
public struct ExpressionEvaluator {
    public let table: Table
    let file: SourceFile
    let parameters: (String) -> Scalar?
    let functions: FunctionRegistry
    /// Set while evaluating `summarize` items: aggregates reduce to one value per group and
    /// plain column references must be group keys.
    var groups: GroupIndex?
    var groupKeys: [String] = []
    let groupCache = GroupCache()
    /// Parameter-free subexpression results kept between evaluations (classify sets it).
    public var memo: ExpressionMemo?

    public init(table: Table, file: SourceFile, parameters: @escaping (String) -> Scalar?, functions: FunctionRegistry) {
        self.table = table
        self.file = file
        self.parameters = parameters
        self.functions = functions
    }

    /// Number of rows a column result has in the current mode.
    var rowCount: Int { groups?.groupCount ?? table.rowCount }

    func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }

    /// Evaluates and broadcasts to a column.
    public func column(_ e: Expr) throws -> Column {
        try evaluate(e).column(count: rowCount)
    }

    /// Evaluates a condition to a bool column (null = not true).
    public func condition(_ e: Expr, what: String = "condition") throws -> Column {
        let v = try evaluate(e)
        if v.isNullScalar { return Column.constant(.bool(false), count: rowCount) }
        guard v.type == .bool else {
            throw error("the \(what) must be true or false, but this is \(v.typeName)", e.span,
                        hints: ["compare it with something, e.g. '\(file.slice(e.span)) > 0'"])
        }
        return v.column(count: rowCount)
    }

    public func evaluate(_ e: Expr) throws -> Value {
        if let memo, groups == nil {
            switch e.kind {
            case .literal, .column, .parameter: break
            default:
                if let v = memo.values[e.span] { return v }
                var names = Set<String>()
                e.collectParameters(into: &names)
                if names.isEmpty {
                    let v = try evaluateNode(e)
                    memo.values[e.span] = v
                    return v
                }
                // Uses parameters: kept with the values they had (a sweep changes one of
                // them; the subexpressions that use only the others are not redone).
                let values = names.sorted().map { parameters($0) ?? .null }
                if let kept = memo.withParameters[e.span], ExpressionMemo.same(kept.parameters, values) { return kept.value }
                let v = try evaluateNode(e)
                memo.withParameters[e.span] = (values, v)
                return v
            }
        }
        return try evaluateNode(e)
    }

    private func evaluateNode(_ e: Expr) throws -> Value {
        try Cancellation.check()
        switch e.kind {
        case .literal(let lit):
            return lit.value
        case .parameter(let name):
            guard let v = parameters(name) else {
                throw error("unknown parameter '$\(name)'", e.span,
                            hints: ["define it with: param \(name) = VALUE"])
            }
            return .scalar(v)
        case .column(let name):
            return try columnReference(name, e.span)
        case .unary(let op, let x):
            return try unary(op, x, e.span)
        case .binary(let op, let a, let b):
            return try binary(op, a, b, e.span)
        case .call(let name, let args, let over):
            return try call(name, args, over: over, e.span)
        case .inList(let x, let items, let negated):
            return try inList(x, items, negated: negated, e.span)
        case .between(let x, let lo, let hi, let negated):
            let ge = try binary(.ge, x, lo, e.span)
            let le = try binary(.le, x, hi, e.span)
            let both = try logical(.and, ge, le)
            return negated ? try not(both) : both
        case .like(let x, let pat, let negated):
            return try like(x, pat, negated: negated, e.span)
        case .caseWhen(let arms, let otherwise):
            return try caseWhen(arms, otherwise: otherwise, e.span)
        }
    }

    // MARK: Columns

    func columnReference(_ name: String, _ span: Span) throws -> Value {
        guard let i = table.index(of: name) else { throw unknownColumn(name, span) }
        let c = table.columns[i]
        if let groups {
            guard groupKeys.contains(name) else {
                throw error("column '\(name)' must be inside an aggregate or listed after 'by'", span,
                            hints: ["e.g. first(\(name)) or sum(\(name)), or add it to 'by'"])
            }
            return .column(c.gather(groups.firstRow))
        }
        return .column(c)
    }

    /// `unknown column 'recncy' (did you mean 'recency'?)` with the columns in scope.
    public func unknownColumn(_ name: String, _ span: Span) -> Diagnostic {
        let suggestion = didYouMeanSuffix(name, in: table.names)
        return error("unknown column '\(name)'\(suggestion)", span,
                     hints: ["available columns: " + table.names.joined(separator: ", ")])
    }

    // MARK: Operators

    func unary(_ op: UnaryOp, _ x: Expr, _ span: Span) throws -> Value {
        let v = try evaluate(x)
        switch op {
        case .not:
            if v.isNullScalar { return v }
            guard v.type == .bool else { throw error("'not' needs true or false, but this is \(v.typeName)", x.span) }
            return try not(v)
        case .neg:
            switch v {
            case .scalar(.int(let i)): return .scalar(i == .min ? .double(-Double(i)) : .int(-i))  // overflow: double, as in arithmetic
            case .scalar(.double(let d)): return .scalar(.double(-d))
            case .scalar(.null): return v
            case .duration(let n, let u): return .duration(n == .min ? .max : -n, u)
            case .column(let c) where c.type.isNumeric:
                return .column(try Kernels.arithmetic(Column.constant(.int(0), count: c.count), c, op: .sub))
            default:
                throw error("cannot negate a \(v.typeName)", x.span)
            }
        }
    }

    func not(_ v: Value) throws -> Value {
        switch v {
        case .scalar(.bool(let b)): return .scalar(.bool(!b))
        case .column(let c):
            guard case .bool(let bits) = c.storage else { return v }
            return .column(Column(.bool(bits.map { !$0 }), validity: c.validity))
        default: return v
        }
    }

    func binary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ span: Span) throws -> Value {
        switch op {
        case .and, .or:
            let l = try evaluate(a), r = try evaluate(b)
            for (v, e) in [(l, a), (r, b)] where !(v.type == .bool || v.isNullScalar) {
                throw error("'\(op.rawValue)' needs true or false on both sides, but this is \(v.typeName)", e.span)
            }
            return try logical(op, l, r)
        case .eq, .ne, .lt, .le, .gt, .ge:
            // `x == null` / `x != null` test for null, as in PRQL.
            if case .literal(.null) = b.kind, op == .eq || op == .ne { return try nullTest(a, negated: op == .ne) }
            if case .literal(.null) = a.kind, op == .eq || op == .ne { return try nullTest(b, negated: op == .ne) }
            let l = try evaluate(a), r = try evaluate(b)
            return try compare(op, l, r, a, b, span)
        case .add, .sub, .mul, .div, .mod:
            let l = try evaluate(a), r = try evaluate(b)
            return try arithmetic(op, l, r, a, b, span)
        }
    }

    func nullTest(_ x: Expr, negated: Bool) throws -> Value {
        let v = try evaluate(x)
        switch v {
        case .scalar(let s): return .scalar(.bool(s.isNull != negated))
        case .duration: return .scalar(.bool(negated))
        case .column(let c):
            var bits = [Bool](repeating: !negated ? false : true, count: c.count)
            if let validity = c.validity {
                for i in 0..<c.count { bits[i] = validity[i] == negated }
            }
            return .column(Column(.bool(bits)))
        }
    }

    func compare(_ op: BinaryOp, _ l: Value, _ r: Value, _ a: Expr, _ b: Expr, _ span: Span) throws -> Value {
        if l.isNullScalar || r.isNullScalar { return .scalar(.null) }
        var l = l, r = r
        // A date compared with a string literal that spells a date: read the string as a date.
        if l.type == .date, case .scalar(.string(let s)) = r, let d = CivilDate.daysSinceEpoch(iso: s) { r = .scalar(.date(d)) }
        if r.type == .date, case .scalar(.string(let s)) = l, let d = CivilDate.daysSinceEpoch(iso: s) { l = .scalar(.date(d)) }
        guard let lt = l.type, let rt = r.type, comparable(lt, rt) else {
            throw error("cannot compare \(l.typeName) with \(r.typeName)", span,
                        hints: comparisonHint(l, r, a, b))
        }
        let kop: ComparisonOp
        switch op {
        case .eq: kop = .eq
        case .ne: kop = .ne
        case .lt: kop = .lt
        case .le: kop = .le
        case .gt: kop = .gt
        default: kop = .ge
        }
        if case .scalar = l, case .scalar = r {
            let c = try Kernels.compare(l.column(count: 1), r.column(count: 1), op: kop)
            return .scalar(c[0])
        }
        // A column against a constant (`recency <= $s_recency`): no column of the constant.
        if case .column(let c) = l, case .scalar(let s) = r, let out = try Kernels.compare(c, constant: s, op: kop) {
            return .column(out)
        }
        if case .scalar(let s) = l, case .column(let c) = r, let out = try Kernels.compare(c, constant: s, op: kop.swapped) {
            return .column(out)
        }
        let n = rowCount
        return .column(try Kernels.compare(l.column(count: n), r.column(count: n), op: kop))
    }

    func comparable(_ a: DataType, _ b: DataType) -> Bool {
        if a == b { return true }
        return a.isNumeric && b.isNumeric
    }

    func comparisonHint(_ l: Value, _ r: Value, _ a: Expr, _ b: Expr) -> [String] {
        if l.type == .string && r.type?.isNumeric == true {
            return ["'\(file.slice(a.span))' is text; write the number in quotes (\"\(file.slice(b.span))\") or convert the column when loading (with types=...)"]
        }
        if r.type == .string && l.type?.isNumeric == true {
            return ["'\(file.slice(b.span))' is text but '\(file.slice(a.span))' is a number; remove the quotes to compare numbers"]
        }
        if l.type == .date || r.type == .date { return ["write dates as @2024-06-30"] }
        return []
    }

    func arithmetic(_ op: BinaryOp, _ l: Value, _ r: Value, _ a: Expr, _ b: Expr, _ span: Span) throws -> Value {
        // Date arithmetic.
        if case .duration(let n, let u) = r, l.type == .date || l.isNullScalar, op == .add || op == .sub {
            return mapDates(l) { Duration.shift($0, by: op == .add ? n : (n == .min ? .max : -n), u) }
        }
        if case .duration(let n, let u) = l, r.type == .date, op == .add {
            return mapDates(r) { Duration.shift($0, by: n, u) }
        }
        if l.type == .date && r.type == .date && op == .sub {
            let n = rowCount
            let lc = l.column(count: n), rc = r.column(count: n)
            guard case .date(let x) = lc.storage, case .date(let y) = rc.storage else { return .scalar(.null) }
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n { out[i] = Int64(x[i]) - Int64(y[i]) }
            let validity = bothValid(lc.validity, rc.validity)
            if case .scalar = l, case .scalar = r { return .scalar(Column(.int(out), validity: validity)[0]) }
            return .column(Column(.int(out), validity: validity))
        }
        if l.type == .date, r.type == .int, op == .add || op == .sub {
            // date ± integer days
            let n = rowCount
            let rc = r.column(count: n)
            guard case .int(let ds) = rc.storage else { return .scalar(.null) }
            // No rows (or no days): nothing to shift.
            if ds.isEmpty { return .column(Column(.date([]))) }
            var idx = 0
            return mapDates(l) { d -> Int32? in
                defer { idx += 1 }
                let k = ds[min(idx, ds.count - 1)]
                let (v, overflow) = op == .add ? Int64(d).addingReportingOverflow(k) : Int64(d).subtractingReportingOverflow(k)
                return overflow ? nil : Int32(exactly: v)  // beyond the dates segsh can hold: null
            }
        }
        if case .duration = l { throw error("a duration can only be added to or subtracted from a date", a.span) }
        if case .duration = r { throw error("a duration can only be added to or subtracted from a date", b.span) }
        if l.isNullScalar || r.isNullScalar { return .scalar(.null) }
        for (v, e) in [(l, a), (r, b)] where v.type?.isNumeric != true {
            throw error("cannot apply '\(op.rawValue)' to \(l.typeName) and \(r.typeName)", span,
                        hints: v.type == .string ? ["'\(file.slice(e.span))' is text; use concat() to join strings"] : [])
        }
        let kop: ArithmeticOp
        switch op {
        case .add: kop = .add
        case .sub: kop = .sub
        case .mul: kop = .mul
        case .div: kop = .div
        default: kop = .mod
        }
        if case .scalar = l, case .scalar = r {
            return .scalar(try Kernels.arithmetic(l.column(count: 1), r.column(count: 1), op: kop)[0])
        }
        if case .column(let c) = l, case .scalar(let s) = r,
           let out = try Kernels.arithmetic(c, constant: s, op: kop, constantFirst: false) {
            return .column(out)
        }
        if case .scalar(let s) = l, case .column(let c) = r,
           let out = try Kernels.arithmetic(c, constant: s, op: kop, constantFirst: true) {
            return .column(out)
        }
        let n = rowCount
        return .column(try Kernels.arithmetic(l.column(count: n), r.column(count: n), op: kop))
    }

    /// Applies `f` to every date; a nil result (a date out of range) is null.
    func mapDates(_ v: Value, _ f: (Int32) -> Int32?) -> Value {
        switch v {
        case .scalar(.date(let d)): return .scalar(f(d).map { .date($0) } ?? .null)
        case .column(let c):
            guard case .date(let ds) = c.storage else { return v }
            var out = [Int32](repeating: 0, count: ds.count)
            var validity = c.validity
            for i in 0..<ds.count {
                if let d = f(ds[i]) {
                    out[i] = d
                } else {
                    if validity == nil { validity = Bitmap(count: ds.count, allValid: true) }
                    validity?[i] = false
                }
            }
            return .column(Column(.date(out), validity: validity))
        default: return v
        }
    }

    /// SQL three-valued AND/OR.
    func logical(_ op: BinaryOp, _ l: Value, _ r: Value) throws -> Value {
        if case .scalar(let a) = l, case .scalar(let b) = r {
            let x = boolOrNil(a), y = boolOrNil(b)
            return .scalar(threeValued(op, x, y).map { .bool($0) } ?? .null)
        }
        let n = rowCount
        let lc = l.column(count: n, nullType: .bool), rc = r.column(count: n, nullType: .bool)
        guard case .bool(let x) = lc.storage, case .bool(let y) = rc.storage else { return .scalar(.null) }
        var out = [Bool](repeating: false, count: n)
        if lc.validity == nil && rc.validity == nil {
            // Bools are bytes 0 or 1: combine them bytewise, without branches.
            x.withUnsafeBytes { xb in
                y.withUnsafeBytes { yb in
                    out.withUnsafeMutableBytes { ob in
                        guard let xp = xb.baseAddress?.assumingMemoryBound(to: UInt8.self),
                              let yp = yb.baseAddress?.assumingMemoryBound(to: UInt8.self),
                              let op8 = ob.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                        if op == .and { for i in 0..<n { op8[i] = xp[i] & yp[i] } } else { for i in 0..<n { op8[i] = xp[i] | yp[i] } }
                    }
                }
            }
            return .column(Column(.bool(out)))
        }
        var validity = Bitmap(count: n, allValid: true)
        for i in 0..<n {
            let a: Bool? = lc.isNull(i) ? nil : x[i]
            let b: Bool? = rc.isNull(i) ? nil : y[i]
            if let v = threeValued(op, a, b) { out[i] = v } else { validity[i] = false }
        }
        return .column(Column(.bool(out), validity: validity))
    }

    func boolOrNil(_ s: Scalar) -> Bool? { if case .bool(let b) = s { return b } else { return nil } }

    func threeValued(_ op: BinaryOp, _ a: Bool?, _ b: Bool?) -> Bool? {
        if op == .and {
            if a == false || b == false { return false }
            if let a, let b { return a && b }
            return nil
        }
        if a == true || b == true { return true }
        if let a, let b { return a || b }
        return nil
    }

    func inList(_ x: Expr, _ items: [Expr], negated: Bool, _ span: Span) throws -> Value {
        var result: Value = .scalar(.bool(false))
        for item in items {
            let eq = try binary(.eq, x, item, span)
            result = try logical(.or, result, eq)
        }
        return negated ? try not(result) : result
    }

    func like(_ x: Expr, _ pat: Expr, negated: Bool, _ span: Span) throws -> Value {
        let v = try evaluate(x)
        guard case .scalar(.string(let pattern)) = try evaluate(pat) else {
            throw error("'like' needs a text pattern such as \"%有限公司\"", pat.span)
        }
        if v.isNullScalar { return v }
        guard v.type == .string else { throw error("'like' needs text, but this is \(v.typeName)", x.span) }
        let matcher = LikePattern(pattern)
        let result = try mapStrings(v) { matcher.matches($0) != negated }
        return result
    }

    /// Applies a predicate to each distinct string of a string value (dictionary entries, not
    /// rows), then maps codes to results.
    func mapStrings(_ v: Value, _ f: (String) -> Bool) throws -> Value {
        switch v {
        case .scalar(.string(let s)): return .scalar(.bool(f(s)))
        case .column(let c):
            guard case .string(let codes, let dict) = c.storage else { return .scalar(.null) }
            var perCode = [Bool](repeating: false, count: dict.count)
            for code in 0..<dict.count { perCode[code] = f(dict.string(Int32(code))) }
            var out = [Bool](repeating: false, count: codes.count)
            for i in 0..<codes.count { out[i] = perCode[Int(codes[i])] }
            return .column(Column(.bool(out), validity: c.validity))
        default: return .scalar(.null)
        }
    }

    func caseWhen(_ arms: [CaseArm], otherwise: Expr?, _ span: Span) throws -> Value {
        let n = rowCount
        var conditions: [Column] = []
        var values: [Value] = []
        for arm in arms {
            conditions.append(try condition(arm.condition, what: "case condition"))
            values.append(try evaluate(arm.value))
        }
        let elseValue = try otherwise.map { try evaluate($0) } ?? .scalar(.null)
        let all = values + [elseValue]
        // Null fits any type: when every branch is null, so is the result (of no type yet).
        let types = all.compactMap { $0.type }
        guard !types.isEmpty else { return .scalar(.null) }
        let type = try commonType(types, span: span)
        // Which arm applies to each row (arms.count = else).
        var choice = [Int32](repeating: Int32(arms.count), count: n)
        var decided = [Bool](repeating: false, count: n)
        for (k, c) in conditions.enumerated() {
            guard case .bool(let bits) = c.storage else { continue }
            for i in 0..<n where !decided[i] && bits[i] && !c.isNull(i) {
                choice[i] = Int32(k); decided[i] = true
            }
        }
        return .column(try select(choice, from: all, type: type, count: n))
    }

    /// Builds a column taking row i from `sources[choice[i]]`, converted to `type`.
    func select(_ choice: [Int32], from sources: [Value], type: DataType, count n: Int) throws -> Column {
        let cols = sources.map { converted($0.column(count: n, nullType: type), to: type) }
        var validity = Bitmap(count: n, allValid: true)
        for i in 0..<n where cols[Int(choice[i])].isNull(i) { validity[i] = false }
        switch type {
        case .int:
            let arrays = cols.map { if case .int(let v) = $0.storage { return v } else { return [] } }
            return Column(.int((0..<n).map { arrays[Int(choice[$0])][$0] }), validity: validity)
        case .double:
            let arrays = cols.map { if case .double(let v) = $0.storage { return v } else { return [] } }
            return Column(.double((0..<n).map { arrays[Int(choice[$0])][$0] }), validity: validity)
        case .date:
            let arrays = cols.map { if case .date(let v) = $0.storage { return v } else { return [] } }
            return Column(.date((0..<n).map { arrays[Int(choice[$0])][$0] }), validity: validity)
        case .bool:
            let arrays = cols.map { if case .bool(let v) = $0.storage { return v } else { return [] } }
            return Column(.bool((0..<n).map { arrays[Int(choice[$0])][$0] }), validity: validity)
        case .string:
            // Re-intern the chosen strings into one dictionary (done per distinct code pair).
            let dict = StringDictionary()
            var remaps: [[Int32]] = []
            for c in cols {
                guard case .string(_, let d) = c.storage else { remaps.append([]); continue }
                remaps.append((0..<d.count).map { code in d.withBytes(Int32(code)) { dict.intern($0) } })
            }
            var codes = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let k = Int(choice[i])
                if case .string(let cs, _) = cols[k].storage, !cols[k].isNull(i) { codes[i] = remaps[k][Int(cs[i])] }
            }
            if dict.count == 0 { _ = dict.intern("") }
            return Column(.string(codes: codes, dictionary: dict), validity: validity)
        }
    }

    /// The type several values unify to: ints with doubles give double; otherwise they must agree.
    func commonType(_ types: [DataType], span: Span) throws -> DataType {
        guard var t = types.first else { return .int }
        for u in types.dropFirst() where u != t {
            if t.isNumeric && u.isNumeric { t = .double } else {
                throw error("the branches give different types: \(t.rawValue) and \(u.rawValue)", span)
            }
        }
        return t
    }

    func converted(_ c: Column, to type: DataType) -> Column {
        if c.type == type { return c }
        if type == .double, let d = Kernels.castToDouble(c) { return d }
        if c.validity?.nullCount == c.count || c.count == 0 { return Column.nulls(type, count: c.count) }
        return c
    }
}

/// SQL LIKE: `%` any run, `_` one character.
struct LikePattern {
    let parts: [Character]
    init(_ s: String) { parts = Array(s) }

    func matches(_ s: String) -> Bool {
        let t = Array(s)
        var memo = [Int: Bool]()
        func m(_ i: Int, _ j: Int) -> Bool {
            if j == parts.count { return i == t.count }
            let key = i * (parts.count + 1) + j
            if let v = memo[key] { return v }
            let r: Bool
            switch parts[j] {
            case "%": r = m(i, j + 1) || (i < t.count && m(i + 1, j))
            case "_": r = i < t.count && m(i + 1, j + 1)
            default: r = i < t.count && t[i] == parts[j] && m(i + 1, j + 1)
            }
            memo[key] = r
            return r
        }
        return m(0, 0)
    }
}
