import Columnar
import Language

/// `| rename NEW = OLD, ...`: renames columns in place.
struct RenameOperator: PlanOperator {
    let step: Step
    let pairs: [RenamePair]

    static let definition = OperatorDefinition(
        keyword: "rename", syntax: "| rename NEW = OLD, ...", summary: "Renames columns in place.",
        example: "customers | rename 客户编号 = customer_id") { step, _, _ in
            guard case .rename(let pairs) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return RenameOperator(step: step, pairs: pairs)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table {
        var out = input
        for p in pairs {
            guard out.index(of: p.old.text) != nil else { throw context.evaluator(for: out).unknownColumn(p.old.text, p.old.span) }
            if p.new.text != p.old.text, out.index(of: p.new.text) != nil {
                throw context.error("cannot rename to '\(p.new.text)': a column of that name exists", p.new.span)
            }
            out.rename(p.old.text, to: p.new.text)
        }
        return out
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        var schema = input.schema
        var items = schema.names.map(compiler.quote)
        for p in pairs {
            guard let i = schema.index(of: p.old.text) else { continue }
            schema.names[i] = p.new.text
            items[i] = "\(compiler.quote(input.schema.names[i])) AS \(compiler.quote(p.new.text))"
        }
        return compiler.select(items, from: input, schema: schema)
    }
}
