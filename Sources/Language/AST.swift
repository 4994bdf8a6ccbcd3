import Diagnostics

/// A name as written, with its span.
public struct Name: Equatable, Sendable {
    public var text: String
    public var span: Span
    public init(_ text: String, _ span: Span) { self.text = text; self.span = span }
}

public enum Literal: Equatable, Sendable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case date(year: Int, month: Int, day: Int)
    case duration(Int, DurationUnit)
}

public enum UnaryOp: String, Sendable { case neg = "-", not }
public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and, or
}

/// An expression node. Every node carries the span of the text it was parsed from.
public indirect enum ExprKind: Equatable, Sendable {
    case literal(Literal)
    case column(String)
    case parameter(String)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    /// `f(args)`, optionally `over COL` / `over (COL, ...)`.
    case call(Name, [Expr], over: [Name]?)
    case inList(Expr, [Expr], negated: Bool)
    case between(Expr, Expr, Expr, negated: Bool)
    case like(Expr, Expr, negated: Bool)
    /// `case { COND => VALUE, ..., else => VALUE }`
    case caseWhen([CaseArm], otherwise: Expr?)
}

public struct CaseArm: Equatable, Sendable {
    public var condition: Expr
    public var value: Expr
    public init(_ condition: Expr, _ value: Expr) { self.condition = condition; self.value = value }
}

public struct RenamePair: Equatable, Sendable {
    public var new: Name
    public var old: Name
    public init(new: Name, old: Name) { self.new = new; self.old = old }
}

public struct Expr: Equatable, Sendable {
    public var kind: ExprKind
    public var span: Span
    public init(_ kind: ExprKind, _ span: Span) { self.kind = kind; self.span = span }
}

public struct Assignment: Equatable, Sendable {
    public var name: Name
    public var value: Expr
    public init(_ name: Name, _ value: Expr) { self.name = name; self.value = value }
}

public struct SortKey: Equatable, Sendable {
    public var expr: Expr
    public var descending: Bool
    public init(_ expr: Expr, descending: Bool) { self.expr = expr; self.descending = descending }
}

public enum JoinKind: String, Sendable { case inner, left, anti }

/// One `| operator ...` of a pipeline.
public enum StepKind: Equatable, Sendable {
    case whereFilter(Expr)
    case derive([Assignment])
    /// `select a, n = expr`: an item without `=` keeps (or evaluates) the expression under its
    /// own name.
    case select([Assignment])
    case drop([Name])
    /// `rename new = old, ...`
    case rename([RenamePair])
    case sort([SortKey])
    case take(Int)
    case top(Int, [SortKey])
    case summarize([Assignment], by: [Name])
    case join(JoinKind, table: Source, leftKey: Name, rightKey: Name)
    case distinct([Name])
    /// `rfm customer=COL, date=COL, amount=COL, asof=..., window=...`
    case rfm([Assignment])
    case classify(Name, as: Name?)
    case pareto(Expr, classes: [Double])
    case chartBar(label: Expr, value: Expr)
    case chartHist(Expr, bins: Int)
    /// `moved`: after a `whatif`, the rows whose class changed.
    case moved
    /// `collect`: the rows computed so far in an attached database come into memory.
    case collect
    /// An operator registered by name outside the Engine, written `NAME key=EXPR, ...`
    /// (clv, clv_fit).
    case operatorCall([Assignment])
}

public struct Step: Equatable, Sendable {
    public var kind: StepKind
    public var span: Span
    /// The operator keyword, for messages.
    public var name: String
    public init(_ kind: StepKind, _ name: String, _ span: Span) { self.kind = kind; self.name = name; self.span = span }
}

/// Where a pipeline starts.
public enum SourceKind: Equatable, Sendable {
    case table(String)          // a table, view, `_N` or `_`
    case file(String, options: [OptionPair])   // from "file.csv"
    /// `whatif ... | moved`: the what-if as a table source.
    case whatIf(WhatIf)
    /// `(PIPELINE)`: a nested pipeline, e.g. the right side of a join.
    indirect case nested(Pipeline)
}

public struct Source: Equatable, Sendable {
    public var kind: SourceKind
    public var span: Span
    public init(_ kind: SourceKind, _ span: Span) { self.kind = kind; self.span = span }
}

public struct Pipeline: Equatable, Sendable {
    public var source: Source
    public var steps: [Step]
    public var span: Span
    public init(source: Source, steps: [Step], span: Span) { self.source = source; self.steps = steps; self.span = span }
}

public struct OptionPair: Equatable, Sendable {
    public var key: Name
    public var value: Literal
    public var span: Span
    public init(key: Name, value: Literal, span: Span) { self.key = key; self.value = value; self.span = span }
}

public struct Rule: Equatable, Sendable {
    /// The class label (a string or number literal expression).
    public var label: Expr
    /// nil for `otherwise`.
    public var condition: Expr?
    public var span: Span
    public init(label: Expr, condition: Expr?, span: Span) { self.label = label; self.condition = condition; self.span = span }
}

public struct WhatIf: Equatable, Sendable {
    public var assignments: [Assignment]
    public var view: Name
    public var by: Name
    public var key: Name?
    public var measure: Name?
    public init(assignments: [Assignment], view: Name, by: Name, key: Name?, measure: Name?) {
        self.assignments = assignments; self.view = view; self.by = by; self.key = key; self.measure = measure
    }
}

public enum StatementKind: Equatable, Sendable {
    case load(name: Name?, path: String, pathSpan: Span, options: [OptionPair])
    case pipeline(Pipeline)
    case letView(Name, Pipeline)
    case param(Name, Expr)
    case rules(Name, [Rule])
    case export(Pipeline, path: String, pathSpan: Span)
    case profile(Name, key: Name?)
    case whatIf(WhatIf)
    case sweep(parameter: Name, from: Expr, to: Expr, step: Expr, view: Name, by: Name, measure: Name?)
    case compare(old: Name, new: Name, key: Name, by: Name)
    case run(path: String, pathSpan: Span)
    /// `attach "URL" as NAME`
    case attach(url: String, urlSpan: Span, alias: Name)
    /// `detach NAME`
    case detach(Name)
    /// `explain PIPELINE`: the plan, where each part runs, and the SQL.
    case explain(Pipeline)
    /// `load NAME from ALIAS.[SCHEMA.]TABLE`: a remote table copied into memory.
    case loadRemote(name: Name?, table: Name)
    /// `export PIPELINE to ALIAS.[SCHEMA.]TABLE [replace]`
    case exportRemote(Pipeline, table: Name, replace: Bool)
}

public struct Statement: Equatable, Sendable {
    public var kind: StatementKind
    public var span: Span
    public init(_ kind: StatementKind, _ span: Span) { self.kind = kind; self.span = span }
}
