import Columnar
import Diagnostics
import IO
import Language

/// What a pipeline produced: its table, plus reports (pareto summaries, the CLV holdout
/// check) and charts as values (shown by whoever shows them) and notes (warnings) gathered
/// along the way.
public struct PipelineResult {
    public var table: Table
    public var reports: [Report] = []
    public var charts: [Chart] = []
    public var notes: [String] = []
    public init(table: Table) { self.table = table }
}

/// What an operator implementation may use: the session, the source file of the step (for
/// diagnostics), a way to evaluate expressions over a table, and places to put notes,
/// reports and charts.
public final class StepContext {
    public let session: Session
    public let file: SourceFile
    /// Parameter values in force (a what-if evaluates with some of them changed).
    public let parameters: [String: Scalar]
    public var notes: [String] = []
    public var reports: [Report] = []
    public var charts: [Chart] = []

    init(session: Session, file: SourceFile, parameters: [String: Scalar]) {
        self.session = session
        self.file = file
        self.parameters = parameters
    }

    /// An expression evaluator over `table` for expressions written in `file` (a rule set
    /// defined in another script passes its own file).
    public func evaluator(for table: Table, file: SourceFile? = nil) -> ExpressionEvaluator {
        let params = parameters
        return ExpressionEvaluator(table: table, file: file ?? self.file, parameters: { params[$0] },
                                   functions: session.functions)
    }

    public func error(_ message: String, _ span: Span, hints: [String] = []) -> Diagnostic {
        Diagnostic(message, at: span, in: file, hints: hints)
    }
}

