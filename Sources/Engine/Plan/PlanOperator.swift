import Columnar
import Diagnostics
import Language

/// A bound pipeline operator: one step of a `LogicalPlan`, with its arguments checked
/// against its input schema. Each operator lives in one file (`Engine/Operators/`,
/// `Segmentation/`) that owns its binding, its in-memory execution and its SQL lowering,
/// and registers an `OperatorDefinition` in the session's `OperatorRegistry`.
public protocol PlanOperator {
    /// The step as written (keyword and span, for messages).
    var step: Step { get }
    /// The schema this operator produces from `input`. The default runs `execute` over a
    /// two-row sample table of the input schema (`Schema.sampleTable`): the types come out
    /// of the same code that computes the values, so binding and execution cannot disagree.
    func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema
    /// Runs the operator in memory.
    func execute(_ input: Table, _ context: StepContext) throws -> Table
    /// Lowers the operator to SQL on top of `input` (the query so far).
    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery
    /// Other plans this operator reads (a join's right side), for dependency walks.
    var inputs: [LogicalPlan] { get }
    /// Whether the operator brings the rows into memory (`collect`): the steps after it run here.
    var isCollect: Bool { get }
}

extension PlanOperator {
    public func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema {
        Schema(try execute(input.sampleTable, context))
    }
    public var inputs: [LogicalPlan] { [] }
    public var isCollect: Bool { false }
    public func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        throw compiler.error("'\(step.name)' does not run in a database yet", step.span,
                             hints: ["add '| collect' before it to bring the rows here first"])
    }
}

/// An operator that brings the rows into memory (`isCollect`) but, over a database, first
/// lowers a part of itself there: `lower` makes a smaller relation in the database (`clv`'s
/// one row per customer), and `finish` completes the step here from its rows. `explain`
/// says which part runs where (`splitDescription`).
public protocol SplitPlanOperator: PlanOperator {
    /// The step's result from the rows of its lowered part.
    func finish(_ lowered: Table, _ context: StepContext) throws -> Table
    /// What runs in the database and what here, for `explain`.
    var splitDescription: String { get }
}

/// An operator as data: its keyword, how it is written, what it does, an example, and how
/// to bind a parsed step into a `PlanOperator`. `.help`, completion and the binder read it.
public struct OperatorDefinition {
    public let keyword: String
    /// `| where EXPR`
    public let syntax: String
    public let summary: String
    public let example: String
    /// Binds a parsed step against its input schema.
    public let bind: (_ step: Step, _ input: Schema, _ binder: Binder) throws -> PlanOperator

    /// The `.help` page made from the definition (operators whose page is longer keep it in
    /// `HelpPages.operators`).
    public var help: String { "\(syntax)\n  \(summary)\n  example: \(example)\n" }

    public init(keyword: String, syntax: String, summary: String, example: String,
                bind: @escaping (_ step: Step, _ input: Schema, _ binder: Binder) throws -> PlanOperator) {
        self.keyword = keyword; self.syntax = syntax; self.summary = summary; self.example = example; self.bind = bind
    }
}

/// Every pipeline operator, by keyword. The Engine registers its own (`EngineOperators`);
/// Segmentation registers `rfm`, `classify`, `pareto` the same way.
public final class OperatorRegistry {
    private var definitions: [String: OperatorDefinition] = [:]
    public init() {}
    public func register(_ d: OperatorDefinition) { definitions[d.keyword] = d }
    public func definition(_ keyword: String) -> OperatorDefinition? { definitions[keyword] }
    public var keywords: [String] { definitions.keys.sorted() }
}
