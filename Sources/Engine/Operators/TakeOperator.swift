import Columnar
import Language

/// `| take N`: the first N rows.
struct TakeOperator: PlanOperator {
    let step: Step
    let count: Int

    static let definition = OperatorDefinition(
        keyword: "take", syntax: "| take N", summary: "The first N rows.",
        example: "customers | take 10") { step, _, _ in
            guard case .take(let n) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return TakeOperator(step: step, count: n)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        input.slice(0..<max(0, min(count, input.rowCount)))
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        compiler.select(compiler.passThrough(input), from: input, schema: input.schema,
                        limit: max(0, count), orderForLimit: input.ordered ? compiler.quote(SQLCompiler.orderColumn) : nil)
    }
}
