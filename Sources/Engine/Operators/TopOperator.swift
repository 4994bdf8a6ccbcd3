import Columnar
import Language

/// `| top N by EXPR [asc], ...`: the N rows with the largest keys (descending unless `asc`),
/// in key order; ties keep their order.
struct TopOperator: PlanOperator {
    let step: Step
    let count: Int
    let keys: [SortKey]

    static let definition = OperatorDefinition(
        keyword: "top", syntax: "| top N by EXPR [asc], ...", summary: "The N rows with the largest keys.",
        example: "feats | top 20 by monetary") { step, _, _ in
            guard case .top(let n, let keys) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return TopOperator(step: step, count: n, keys: keys)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        let ev = context.evaluator(for: input)
        let cols = try keys.map { (column: try ev.column($0.expr), descending: $0.descending) }
        return input.gather(try Kernels.topPermutation(keys: cols, limit: max(0, count)))
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        let order = try compiler.orderBy(keys, over: input)
        let sorted = compiler.select(compiler.passThrough(input), from: input, schema: input.schema, newOrder: order)
        return compiler.select(compiler.passThrough(sorted), from: sorted, schema: sorted.schema,
                               limit: max(0, count), orderForLimit: compiler.quote(SQLCompiler.orderColumn))
    }
}
