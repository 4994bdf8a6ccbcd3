import Columnar
import Language

/// `| distinct [COL, ...]`: distinct rows (of the named columns only, when given), each at
/// its first occurrence.
struct DistinctOperator: PlanOperator {
    let step: Step
    let names: [Name]

    static let definition = OperatorDefinition(
        keyword: "distinct", syntax: "| distinct [COL, ...]", summary: "Distinct rows, or distinct values of the columns given.",
        example: "customers | distinct industry, region") { step, input, binder in
            guard case .distinct(let names) = step.kind else { throw OperatorBindingError.mismatch(step) }
            for n in names where input.index(of: n.text) == nil { throw binder.unknownColumn(n, in: input) }
            return DistinctOperator(step: step, names: names)
        }

    func execute(_ table: Table, _ context: StepContext) throws -> Table {
        if names.isEmpty { return try table.gatherInterruptible(try Kernels.distinctRows(keys: table.columns)) }
        var cols: [Column] = []
        for n in names {
            guard let c = table.column(n.text) else { throw context.evaluator(for: table).unknownColumn(n.text, n.span) }
            cols.append(c)
        }
        let rows = try Kernels.distinctRows(keys: cols)
        return Table(uncheckedNames: names.map { $0.text }, columns: cols.map { $0.gather(rows) }, rowCount: rows.count)
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        let kept = names.isEmpty ? input.schema.names : names.map(\.text)
        let schema = Schema(kept.map { ($0, input.schema.type(of: $0) ?? .string) })
        let items = kept.map(compiler.quote)
        // Each row at its first occurrence, as in memory, when the input has an order.
        return compiler.select(items, from: input, groupBy: items, schema: schema, keepOrder: false,
                               newOrder: input.ordered ? "min(\(compiler.quote(SQLCompiler.orderColumn)))" : nil)
    }
}
