import Columnar
import Language

/// `| where EXPR`: keeps the rows where the condition is true (null counts as not true).
struct WhereOperator: PlanOperator {
    let step: Step
    let condition: Expr

    static let definition = OperatorDefinition(
        keyword: "where", syntax: "| where EXPR", summary: "Keeps the rows where EXPR is true (null is not true).",
        example: "orders | where amount > 1000 and region == \"华东\"") { step, _, _ in
            guard case .whereFilter(let e) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return WhereOperator(step: step, condition: e)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        let mask = try context.evaluator(for: input).condition(condition, what: "'where' condition")
        return try input.gatherInterruptible(try Kernels.selection(from: mask))
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        let cond = try compiler.condition(condition, over: input, what: "'where' condition")
        return compiler.select(compiler.passThrough(input), from: input, where: cond, schema: input.schema)
    }
}
