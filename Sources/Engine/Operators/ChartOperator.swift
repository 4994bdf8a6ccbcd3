import Columnar
import IO
import Language

/// `| chart bar LABEL VALUE` and `| chart hist EXPR [bins N]`: the last step of a pipeline;
/// draws its input (SPEC 8). A chart always draws here: on a database pipeline the rows
/// before it are computed there and brought back.
struct ChartOperator: PlanOperator {
    let step: Step
    var isCollect: Bool { true }

    static let definition = OperatorDefinition(
        keyword: "chart", syntax: "| chart bar LABEL VALUE | chart hist EXPR [bins N]", summary: "Draws the result as a bar chart or a histogram.",
        example: "orders | summarize revenue = sum(amount) by region | chart bar region revenue") { step, _, _ in
            ChartOperator(step: step)
        }

    func execute(_ table: Table, _ context: StepContext) throws -> Table {
        let ev = context.evaluator(for: table)
        switch step.kind {
        case .chartBar(let label, let value):
            let labels = try ev.column(label)
            let values = try ev.column(value)
            guard let (vs, _) = ValueMapping.doubles(values) else {
                throw context.error("chart bar needs numbers for its values, but this is \(values.type.rawValue)", value.span)
            }
            let shown = min(table.rowCount, Chart.maxBars)
            var chart = Chart.bar(labels: (0..<shown).map { labels[$0].isNull ? "∅" : labels[$0].description },
                                  values: (0..<shown).map { values.isNull($0) ? 0 : vs[$0] },
                                  valueName: context.file.slice(value.span))
            chart.omitted = table.rowCount - shown
            context.charts.append(chart)
            return table
        case .chartHist(let e, let bins):
            let values = try ev.column(e)
            guard let (vs, _) = ValueMapping.doubles(values) else {
                throw context.error("chart hist needs numbers, but this is \(values.type.rawValue)", e.span)
            }
            guard bins >= 1, bins <= 1000 else { throw context.error("bins must be between 1 and 1000, not \(bins)", step.span) }
            let present = (0..<vs.count).filter { !values.isNull($0) && vs[$0].isFinite }.map { vs[$0] }
            context.charts.append(Chart.histogram(of: present, bins: bins, valueName: context.file.slice(e.span)))
            return table
        default:
            throw OperatorBindingError.mismatch(step)
        }
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery { input }
}
