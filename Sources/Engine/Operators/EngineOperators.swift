import Columnar
import Diagnostics
import Language

/// The pipeline operators of SPEC section 4 that the Engine itself implements; each lives in
/// its own `XOperator.swift`.
public enum EngineOperators {
    public static let all: [OperatorDefinition] = [
        WhereOperator.definition, DeriveOperator.definition, SelectOperator.definition,
        DropOperator.definition, RenameOperator.definition, SortOperator.definition,
        TakeOperator.definition, TopOperator.definition, SummarizeOperator.definition,
        JoinOperator.definition, DistinctOperator.definition, ChartOperator.definition,
        CollectOperator.definition,
    ]

    static func registry() -> OperatorRegistry {
        let r = OperatorRegistry()
        for d in all { r.register(d) }
        return r
    }
}

/// A step handed to an operator definition of another keyword: a bug, not a user error.
public enum OperatorBindingError: Error, CustomStringConvertible {
    case mismatch(Step)
    public var description: String {
        switch self { case .mismatch(let s): return "internal: the operator definition got a '\(s.name)' step" }
    }
}

extension Binder {
    /// `unknown column 'x' (did you mean 'y'?)` for a name in a step.
    public func unknownColumn(_ name: Name, in schema: Schema) -> Diagnostic {
        let suggestion = closestMatch(to: name.text, in: schema.names).map { " (did you mean '\($0)'?)" } ?? ""
        return error("unknown column '\(name.text)'\(suggestion)", name.span, hints: ["available columns: " + schema.names.joined(separator: ", ")])
    }
}

extension StepContext {
    /// A value as a column of `count` rows (a duration is not a column value).
    public func materialize(_ v: Value, count: Int, _ span: Span) throws -> Column {
        if case .duration = v {
            throw error("a duration is not a column value; add it to a date (e.g. asof - 30days)", span)
        }
        return v.column(count: count)
    }
}
