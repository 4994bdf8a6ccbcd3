import Columnar
import Diagnostics
import Language

public enum FunctionKind: String, Sendable { case scalar, aggregate, window }

/// What a function body sees: its evaluated arguments, their spans, and the row count.
public struct FunctionCall {
    public let name: String
    public let arguments: [Value]
    public let argumentSpans: [Span]
    public let span: Span
    public let rowCount: Int
    let file: SourceFile
    /// The evaluator calling the function (for shared helpers such as type unification).
    let evaluator: ExpressionEvaluator

    public func error(_ message: String, argument: Int? = nil, hints: [String] = []) -> Diagnostic {
        let s = argument.flatMap { $0 < argumentSpans.count ? argumentSpans[$0] : nil } ?? span
        return Diagnostic(message, at: s, in: file, hints: hints)
    }

    /// Argument i as a column of `rowCount` rows.
    public func column(_ i: Int) -> Column { arguments[i].column(count: rowCount) }

    /// Argument i, which must be a constant of the given kind.
    public func constantInt(_ i: Int, what: String) throws -> Int {
        if case .scalar(.int(let v)) = arguments[i] { return Int(v) }
        throw error("\(name)(): \(what) must be a whole number", argument: i)
    }

    public func constantDouble(_ i: Int, what: String) throws -> Double {
        if case .scalar(let s) = arguments[i], let d = s.doubleValue { return d }
        throw error("\(name)(): \(what) must be a number", argument: i)
    }

    public func constantString(_ i: Int, what: String) throws -> String {
        if case .scalar(.string(let s)) = arguments[i] { return s }
        throw error("\(name)(): \(what) must be a text literal", argument: i)
    }
}

/// A function as data: name, signature, documentation and a vectorized body. `.help NAME`,
/// Tab completion and the evaluator all read the same entry.
public struct FunctionDef {
    public let name: String
    public let signature: String
    public let summary: String
    public let example: String
    public let kind: FunctionKind
    public let arity: ClosedRange<Int>
    /// Row-wise body (scalar functions; also `min`/`max` with two or more arguments).
    public let scalar: ((FunctionCall) throws -> Value)?
    /// For aggregates: which aggregate, given the constant arguments after the first.
    public let aggregate: ((FunctionCall) throws -> AggregateKind)?
    /// For window functions: which kernel, and the index of the argument it ranks or scales.
    public let window: ((FunctionCall) throws -> (WindowKind, Int))?
    /// For table-wide functions that need the whole column at once (like `rfm_class8`), a
    /// body that gets the arguments as columns and the optional groups from `over`.
    public let grouped: ((FunctionCall, GroupIndex?) throws -> Value)?

    public init(name: String, signature: String, summary: String, example: String, kind: FunctionKind,
                arity: ClosedRange<Int>,
                scalar: ((FunctionCall) throws -> Value)? = nil,
                aggregate: ((FunctionCall) throws -> AggregateKind)? = nil,
                window: ((FunctionCall) throws -> (WindowKind, Int))? = nil,
                grouped: ((FunctionCall, GroupIndex?) throws -> Value)? = nil) {
        self.name = name; self.signature = signature; self.summary = summary; self.example = example
        self.kind = kind; self.arity = arity; self.scalar = scalar; self.aggregate = aggregate
        self.window = window; self.grouped = grouped
    }

    /// Whether a call with `count` arguments aggregates (`max(x)`), rather than computing row
    /// by row (`max(a, b)`, the row-wise form of `min` and `max`).
    public func isAggregate(arguments count: Int) -> Bool {
        aggregate != nil && !(scalar != nil && count >= 2)
    }

    /// The `.help NAME` page.
    public var helpText: String {
        "\(signature)  [\(kind.rawValue)]\n  \(summary)\n  example: \(example)\n"
    }
}

/// All functions, by name.
public final class FunctionRegistry {
    public private(set) var functions: [String: FunctionDef] = [:]

    public init() {}

    public func register(_ f: FunctionDef) { functions[f.name] = f }

    public func lookup(_ name: String) -> FunctionDef? { functions[name.lowercased()] ?? functions[name] }

    public var names: [String] { functions.keys.sorted() }

    /// The registry with every built-in function.
    public static func standard() -> FunctionRegistry {
        let r = FunctionRegistry()
        for f in BuiltinFunctions.all { r.register(f) }
        return r
    }
}
