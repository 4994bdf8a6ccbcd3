import Columnar
import Diagnostics
import Language

/// Groups computed for `over` clauses, shared by the expressions of one operator so that
/// `avg(m) over industry` and `avg(f) over industry` group the table once.
final class GroupCache {
    var groups: [[String]: GroupIndex] = [:]
    var whole: GroupIndex?
}

extension ExpressionEvaluator {
    func call(_ name: Name, _ args: [Expr], over: [Name]?, _ span: Span) throws -> Value {
        guard let f = functions.lookup(name.text) else {
            let suggestion = didYouMeanSuffix(name.text, in: functions.names)
            throw error("unknown function '\(name.text)'" + suggestion, name.span,
                        hints: ["'.help functions' lists them"])
        }
        guard f.arity.contains(args.count) else {
            let expected = f.arity.lowerBound == f.arity.upperBound ? "\(f.arity.lowerBound)" :
                (f.arity.upperBound >= 64 ? "at least \(f.arity.lowerBound)" : "\(f.arity.lowerBound) to \(f.arity.upperBound)")
            throw error("\(f.name)() takes \(expected) argument\(f.arity.upperBound == 1 ? "" : "s"), but got \(args.count)", span,
                        hints: ["usage: \(f.signature)"])
        }
        let useAggregate = f.isAggregate(arguments: args.count)
        if let over, groups != nil {
            throw error("'over' cannot be used inside summarize", over.first?.span ?? span,
                        hints: ["use 'derive' for group-wise values, or add the columns to 'by'"])
        }
        if useAggregate, let aggregateKind = f.aggregate {
            return try aggregate(f, aggregateKind, args, over: over, span)
        }
        if let window = f.window {
            if groups != nil {
                throw error("\(f.name)() is a window function; use it in 'derive', not in 'summarize'", span)
            }
            let (values, spans) = try arguments(args)
            let fc = FunctionCall(name: f.name, arguments: values, argumentSpans: spans, span: span, rowCount: rowCount, file: file, evaluator: self)
            let (kind, index) = try window(fc)
            let x = values[index]
            guard x.type != .bool, x.type != nil || x.isNullScalar else {
                throw fc.error("\(f.name)() needs numbers, dates or text, but this is \(x.typeName)", argument: index)
            }
            if kind.needsNumbers, x.type?.isNumeric != true, !x.isNullScalar {
                throw fc.error("\(f.name)() needs numbers, but this is \(x.typeName)", argument: index)
            }
            let g = try over.map { try groupIndex($0) }
            return .column(try Kernels.window(kind, x.column(count: rowCount), groups: g))
        }
        if let grouped = f.grouped {
            let (values, spans) = try arguments(args)
            let fc = FunctionCall(name: f.name, arguments: values, argumentSpans: spans, span: span, rowCount: rowCount, file: file, evaluator: self)
            return try grouped(fc, try over.map { try groupIndex($0) })
        }
        if let over {
            throw error("\(f.name)() is not an aggregate or window function, so it cannot take 'over'", over.first?.span ?? span)
        }
        guard let scalar = f.scalar else { throw error("\(f.name)() cannot be used here", span) }
        let (values, spans) = try arguments(args)
        let fc = FunctionCall(name: f.name, arguments: values, argumentSpans: spans, span: span, rowCount: rowCount, file: file, evaluator: self)
        return try scalar(fc)
    }

    func arguments(_ args: [Expr]) throws -> ([Value], [Span]) {
        (try args.map { try evaluate($0) }, args.map { $0.span })
    }

    /// Aggregates: per group in summarize; broadcast over `over` groups (or the whole table)
    /// elsewhere.
    func aggregate(_ f: FunctionDef, _ kindOf: (FunctionCall) throws -> AggregateKind, _ args: [Expr], over: [Name]?, _ span: Span) throws -> Value {
        // The aggregated expression is evaluated row-wise, over the whole input table.
        var rowEvaluator = self
        rowEvaluator.groups = nil
        let (values, spans) = try rowEvaluator.arguments(args)
        let fc = FunctionCall(name: f.name, arguments: values, argumentSpans: spans, span: span,
                              rowCount: table.rowCount, file: file, evaluator: rowEvaluator)
        let kind = try kindOf(fc)
        let input: Column? = values.first.map { $0.column(count: table.rowCount) }
        if let input {
            switch kind {
            case .sum, .avg, .median, .quantile, .stddev:
                guard input.type.isNumeric || values[0].isNullScalar else {
                    throw fc.error("\(f.name)() needs numbers, but this is \(input.type.rawValue)", argument: 0)
                }
            default: break
            }
        }
        if let groups {
            return .column(try Kernels.aggregate(kind, input, groups: groups))
        }
        if let over {
            let g = try groupIndex(over)
            let perGroup = try Kernels.aggregate(kind, input, groups: g)
            return .column(Kernels.broadcast(perGroup, groups: g))
        }
        let whole = try wholeTable()
        let perGroup = try Kernels.aggregate(kind, input, groups: whole)
        return .scalar(perGroup.count > 0 ? perGroup[0] : .null)
    }

    func groupIndex(_ over: [Name]) throws -> GroupIndex {
        let key = over.map { $0.text }
        if let g = groupCache.groups[key] { return g }
        var cols: [Column] = []
        for n in over {
            guard let c = table.column(n.text) else { throw unknownColumn(n.text, n.span) }
            cols.append(c)
        }
        let g = try Kernels.groupIDs(keys: cols)
        groupCache.groups[key] = g
        return g
    }

    func wholeTable() throws -> GroupIndex {
        if let g = groupCache.whole { return g }
        let g = GroupIndex.single(rowCount: table.rowCount)
        groupCache.whole = g
        return g
    }
}

extension WindowKind {
    /// Scaling functions need numbers; ranking works on any ordered type.
    var needsNumbers: Bool {
        switch self {
        case .cumsum, .share, .minmax, .zscore: return true
        default: return false
        }
    }
}
