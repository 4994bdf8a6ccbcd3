import Columnar
import Language

/// `| derive NAME = EXPR, ...`: adds columns (a NAME that exists is replaced in place); each
/// expression sees the columns derived before it in the same step.
struct DeriveOperator: PlanOperator {
    let step: Step
    let assignments: [Assignment]

    static let definition = OperatorDefinition(
        keyword: "derive", syntax: "| derive NAME = EXPR, ...", summary: "Adds columns (a name that exists is replaced in place). Later items see earlier ones.",
        example: "feats | derive avg_order = monetary / frequency") { step, _, _ in
            guard case .derive(let a) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return DeriveOperator(step: step, assignments: a)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        var out = input
        for a in assignments {
            let v = try context.evaluator(for: out).evaluate(a.value)
            out.set(a.name.text, try context.materialize(v, count: out.rowCount, a.value.span))
        }
        return out
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        var query = input
        for a in assignments {
            query = try compiler.withWindowColumns(over: query, {
                compiler.column(try compiler.expression(a.value, over: query))
            }, step: { value, source in
                var schema = query.schema
                var items: [String] = []
                if let i = schema.index(of: a.name.text) {
                    schema.types[i] = value.type
                    for (j, n) in schema.names.enumerated() {
                        items.append(j == i ? "\(value.sql) AS \(compiler.quote(n))" : compiler.quote(n))
                    }
                } else {
                    items = schema.names.map(compiler.quote)
                    items.append("\(value.sql) AS \(compiler.quote(a.name.text))")
                    schema.names.append(a.name.text); schema.types.append(value.type)
                }
                return compiler.select(items, from: source, schema: schema)
            })
        }
        return query
    }
}
