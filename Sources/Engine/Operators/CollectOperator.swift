import Columnar
import Language

/// `| collect`: brings the rows computed so far in an attached database into memory; the
/// steps after it run here. In memory it does nothing.
struct CollectOperator: PlanOperator {
    let step: Step
    var isCollect: Bool { true }

    static let definition = OperatorDefinition(
        keyword: "collect", syntax: "| collect", summary: "Brings the rows computed so far in the database into memory; the rest runs here.",
        example: "crm.orders | where region == \"华东\" | collect | rfm customer=customer_id, date=order_date, amount=amount") { step, _, _ in
            CollectOperator(step: step)
        }

    func execute(_ input: Table, _ context: StepContext) throws -> Table { input }
    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery { input }
}
