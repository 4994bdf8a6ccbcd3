import Columnar
import Diagnostics
import Engine
import Language

/// `| clv_fit customer=COL, date=COL, amount=COL [, asof=DATE] [, unit=DURATION]`
/// (SPEC 12): the fits of `clv` as a table, one row per figure:
///
/// | column | type | meaning |
/// | --- | --- | --- |
/// | `model` | string | `bgnbd` or `gammagamma` |
/// | `parameter` | string | `r`, `alpha`, `a`, `b` / `p`, `q`, `gamma`, then `log_likelihood`, `customers`, `converged` (1 or 0), `gradient_norm`, `iterations` |
/// | `value` | double | the estimate or figure |
/// | `std_error` | double | for parameters: the standard error from the observed information (null elsewhere, or when the information is not positive definite) |
enum CLVFitOperator {
    static func apply(_ step: Step, _ input: Table, _ context: StepContext) throws -> Table {
        let arguments = try CLVArguments(step, input, context)
        return try table(try CustomerSummary(arguments), arguments, step: step, context: context)
    }

    /// The fits on `summary` as a table.
    static func table(_ summary: CustomerSummary, _ arguments: CLVArguments, step: Step, context: StepContext) throws -> Table {
        let model = try CLVOperator.fit(summary, arguments, step: step, context: context)
        var models: [String] = [], parameters: [String] = [], values: [Double] = [], errors: [Double?] = []
        func add(_ name: String, _ names: [String], _ fit: BoundedOptimizer.Fit, customers: Int) {
            for (i, p) in names.enumerated() {
                models.append(name); parameters.append(p); values.append(fit.parameters[i]); errors.append(fit.standardErrors?[i])
            }
            let figures: [(String, Double)] = [("log_likelihood", fit.logLikelihood), ("customers", Double(customers)),
                                               ("converged", fit.converged ? 1 : 0), ("gradient_norm", fit.gradientNorm),
                                               ("iterations", Double(fit.iterations))]
            for (p, v) in figures { models.append(name); parameters.append(p); values.append(v); errors.append(nil) }
        }
        add("bgnbd", BGNBD.parameterNames, model.purchasesFit, customers: model.groups.customers)
        if let f = model.valueFit { add("gammagamma", GammaGamma.parameterNames, f, customers: model.valueCustomers) }
        return Table(uncheckedNames: ["model", "parameter", "value", "std_error"],
                     columns: [Column.from(models.map { .string($0) }, type: .string), Column.from(parameters.map { .string($0) }, type: .string),
                               Column(.double(values)), CLVPrediction.nullable(errors)],
                     rowCount: models.count)
    }
}

extension CLVFitOperator {
    static let definition = OperatorDefinition(
        keyword: "clv_fit", syntax: "| clv_fit customer=COL, date=COL, amount=COL [, asof=DATE] [, unit=DURATION]",
        summary: "The BG/NBD and Gamma-Gamma fits as a table: model, parameter, value, std_error.",
        example: "orders | clv_fit customer=customer_id, date=order_date, amount=amount") { step, input, _ in
            guard case .operatorCall(let assignments) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return Bound(step: step, assignments: assignments, input: input)
        }

    /// The bound `clv_fit` step. Over a database, the customer summary is computed there and
    /// the fits here.
    struct Bound: SplitPlanOperator {
        let step: Step
        let assignments: [Assignment]
        let input: Schema

        func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema {
            Schema([("model", .string), ("parameter", .string), ("value", .double), ("std_error", .double)])
        }
        /// The fits run here: the steps after it run in memory.
        var isCollect: Bool { true }
        func execute(_ input: Table, _ context: StepContext) throws -> Table { try CLVFitOperator.apply(step, input, context) }
        func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
            let a = try CLVArguments(assignments, step: step, table: input.schema.emptyTable, context: StepContext.scratch(compiler))
            return try CustomerSummary.lower(a, assignments, over: input, compiler)
        }
        func finish(_ lowered: Table, _ context: StepContext) throws -> Table {
            let a = try CLVArguments(assignments, step: step, table: input.emptyTable, context: context)
            return try CLVFitOperator.table(try CustomerSummary(lowered: lowered, a), a, step: step, context: context)
        }
        var splitDescription: String { CLVOperator.splitDescription }
    }
}
