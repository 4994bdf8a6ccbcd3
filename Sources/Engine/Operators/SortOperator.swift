import Columnar
import Language

/// `| sort EXPR [desc], ...`: a stable sort (equal keys keep their order); nulls last in
/// both directions; strings by their bytes.
struct SortOperator: PlanOperator {
    let step: Step
    let keys: [SortKey]

    static let definition = OperatorDefinition(
        keyword: "sort", syntax: "| sort EXPR [desc], ...", summary: "Stable sort; nulls last.",
        example: "feats | sort monetary desc, customer_id") { step, _, _ in
            guard case .sort(let keys) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return SortOperator(step: step, keys: keys)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        let ev = context.evaluator(for: input)
        let cols = try keys.map { (column: try ev.column($0.expr), descending: $0.descending) }
        return try input.gatherInterruptible(try Kernels.sortPermutation(keys: cols))
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        try compiler.withWindowColumns(over: input, { try compiler.orderBy(keys, over: input) }, step: { order, source in
            compiler.select(compiler.passThrough(input), from: source, schema: input.schema, newOrder: order)
        })
    }
}
