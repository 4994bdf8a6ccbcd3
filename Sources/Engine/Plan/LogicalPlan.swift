import Columnar
import Language

/// Where a pipeline starts, resolved by the binder.
public indirect enum PlanSource {
    /// A loaded table.
    case table(String)
    /// A view, with its own bound plan (inlined when the pipeline is compiled to SQL).
    case view(String, LogicalPlan)
    /// A numbered result `_N`.
    case result(Int)
    /// A source that can only be known by reading it (`from "file.csv"`, `whatif ... | moved`):
    /// read once while binding, so it is not read again to execute.
    case materialized(Table, notes: [String])
    /// `(PIPELINE)`.
    case nested(LogicalPlan)
    /// A table in an attached database or cluster.
    case remote(alias: String, table: RemoteTableName)
}

/// Where a plan's rows are computed.
public enum PlanLocation: Equatable {
    case memory
    /// In the attached database of this alias.
    case database(String)
}

/// One bound step: the operator and the schema it produces.
public struct PlanStep {
    public let op: PlanOperator
    public let schema: Schema
}

/// A typed logical plan: a pipeline whose source is resolved and whose every step knows its
/// input and output schema. Made by `Binder` from the AST before anything runs; executed in
/// memory by `Session.execute(_:)` or lowered to SQL by `SQLCompiler`.
public struct LogicalPlan {
    public let source: PlanSource
    public let sourceSchema: Schema
    public var steps: [PlanStep]
    /// The pipeline as written.
    public let pipeline: Pipeline

    /// The schema of the plan's result.
    public var schema: Schema { steps.last?.schema ?? sourceSchema }

    /// Where the source's rows are: a remote table (or a view or nested pipeline over one
    /// that does not `collect`) is in its database.
    public var sourceLocation: PlanLocation {
        switch source {
        case .remote(let alias, _): return .database(alias)
        case .view(_, let p), .nested(let p): return p.location
        case .table, .result, .materialized: return .memory
        }
    }

    /// Where the plan's result is computed: in the source's database up to a `collect`,
    /// in memory after it.
    public var location: PlanLocation {
        if steps.contains(where: { $0.op.isCollect }) { return .memory }
        return sourceLocation
    }

    /// The number of leading steps that run where the source is (all of them unless a
    /// `collect` brings the rows here).
    public var remotePrefixCount: Int {
        steps.firstIndex(where: { $0.op.isCollect }) ?? steps.count
    }

    /// The step that brings the rows here when it lowers a part of itself to the source's
    /// database (a `SplitPlanOperator`); nil when there is none or the source is in memory.
    public var splitStep: SplitPlanOperator? {
        guard case .database = sourceLocation, remotePrefixCount < steps.count else { return nil }
        return steps[remotePrefixCount].op as? SplitPlanOperator
    }

    /// The number of steps lowered to the source's database: the remote prefix, and the
    /// lowered part of a split step after it.
    public var loweredStepCount: Int { remotePrefixCount + (splitStep == nil ? 0 : 1) }
}
