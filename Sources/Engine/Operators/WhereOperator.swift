import Columnar
import Language

/// `| where EXPR`: keeps the rows where the condition is true (null counts as not true).
struct WhereOperator: PlanOperator {
    let step: Step
    let condition: Expr

    static let definition = OperatorDefinition(
        keyword: "where", syntax: "| where CONDITION", summary: "Keeps rows where the condition is true (null counts as false).",
        example: "customers | where industry == \"制造业\" and region in (\"华东\", \"华南\")") { step, _, _ in
            guard case .whereFilter(let e) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return WhereOperator(step: step, condition: e)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        let mask = try context.evaluator(for: input).condition(condition, what: "'where' condition")
        return try input.gatherInterruptible(try Kernels.selection(from: mask))
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        try compiler.withWindowColumns(over: input, {
            try compiler.condition(condition, over: input, what: "'where' condition")
        }, step: { cond, source in
            compiler.select(compiler.passThrough(input), from: source, where: cond, schema: input.schema)
        })
    }
}
