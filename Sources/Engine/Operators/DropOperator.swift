import Columnar
import Language

/// `| drop COL, ...`: removes columns.
struct DropOperator: PlanOperator {
    let step: Step
    let names: [Name]

    static let definition = OperatorDefinition(
        keyword: "drop", syntax: "| drop COL, ...", summary: "Removes columns.",
        example: "customers | drop owner, size") { step, input, binder in
            guard case .drop(let names) = step.kind else { throw OperatorBindingError.mismatch(step) }
            for n in names where input.index(of: n.text) == nil { throw binder.unknownColumn(n, in: input) }
            return DropOperator(step: step, names: names)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        var out = input
        for n in names {
            guard input.index(of: n.text) != nil else { throw context.evaluator(for: input).unknownColumn(n.text, n.span) }
            out.remove(n.text)
        }
        return Table(uncheckedNames: out.names, columns: out.columns, rowCount: input.rowCount)
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        let dropped = Set(names.map(\.text))
        var schema = Schema(names: [], types: [])
        for (n, t) in zip(input.schema.names, input.schema.types) where !dropped.contains(n) {
            schema.names.append(n); schema.types.append(t)
        }
        return compiler.select(schema.names.map(compiler.quote), from: input, schema: schema)
    }
}
