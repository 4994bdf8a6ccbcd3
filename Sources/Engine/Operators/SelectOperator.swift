import Columnar
import Language

/// `| select COL, NAME = EXPR, ...`: exactly these columns, in this order.
struct SelectOperator: PlanOperator {
    let step: Step
    let items: [Assignment]

    static let definition = OperatorDefinition(
        keyword: "select", syntax: "| select COL, NAME = EXPR, ...", summary: "Keeps (and computes) just these columns, in this order.",
        example: "customers | select customer_id, name, industry") { step, _, _ in
            guard case .select(let a) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return SelectOperator(step: step, items: a)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        let ev = context.evaluator(for: input)
        var out = Table()
        for item in items {
            let v = try ev.evaluate(item.value)
            out.set(item.name.text, try context.materialize(v, count: input.rowCount, item.value.span))
        }
        return Table(uncheckedNames: out.names, columns: out.columns, rowCount: input.rowCount)
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        try compiler.withWindowColumns(over: input, {
            var schema = Schema(names: [], types: [])
            var sqlItems: [String] = []
            for item in items {
                let value = compiler.column(try compiler.expression(item.value, over: input))
                if let i = schema.index(of: item.name.text) {
                    schema.types[i] = value.type
                    sqlItems[i] = "\(value.sql) AS \(compiler.quote(item.name.text))"
                } else {
                    schema.names.append(item.name.text); schema.types.append(value.type)
                    sqlItems.append("\(value.sql) AS \(compiler.quote(item.name.text))")
                }
            }
            return (sqlItems, schema)
        }, step: { lowered, source in
            compiler.select(lowered.0, from: source, schema: lowered.1)
        })
    }
}
