import Columnar
import Language

/// `| summarize NAME = AGG, ... [by COL, ...]`: one row per group (null keys form one group),
/// groups in order of first appearance; without `by`, one row.
struct SummarizeOperator: PlanOperator {
    let step: Step
    let items: [Assignment]
    let by: [Name]

    static let definition = OperatorDefinition(
        keyword: "summarize", syntax: "| summarize NAME = AGG, ... [by COL, ...]", summary: "One row per group (null keys form one group). Aggregates: count() count(x) count_distinct sum avg\n  min max median quantile(x, p) stddev first last.",
        example: "orders | summarize n = count(), revenue = sum(amount) by product_line") { step, input, binder in
            guard case .summarize(let items, let by) = step.kind else { throw OperatorBindingError.mismatch(step) }
            for n in by where input.index(of: n.text) == nil { throw binder.unknownColumn(n, in: input) }
            return SummarizeOperator(step: step, items: items, by: by)
        }

    func execute(_ table: Table, _ context: StepContext) throws -> Table {
        let ev = context.evaluator(for: table)
        var keyCols: [Column] = []
        for n in by {
            guard let c = table.column(n.text) else { throw ev.unknownColumn(n.text, n.span) }
            keyCols.append(c)
        }
        let groups = by.isEmpty ? GroupIndex.single(rowCount: table.rowCount) : try Kernels.groupIDs(keys: keyCols)
        var gev = ev
        gev.groups = groups
        gev.groupKeys = by.map { $0.text }
        var names: [String] = []
        var cols: [Column] = []
        for (n, c) in zip(by, keyCols) { names.append(n.text); cols.append(c.gather(groups.firstRow)) }
        for item in items {
            let v = try gev.evaluate(item.value)
            let c = try context.materialize(v, count: groups.groupCount, item.value.span)
            if let i = names.firstIndex(of: item.name.text) { cols[i] = c } else { names.append(item.name.text); cols.append(c) }
        }
        return Table(uncheckedNames: names, columns: cols, rowCount: groups.groupCount)
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        compiler.preAggregated = []
        compiler.aggregated = []
        defer { compiler.preAggregated = nil; compiler.aggregated = nil }
        var schema = Schema(names: [], types: [])
        var sqlItems: [String] = []
        for n in by {
            schema.names.append(n.text); schema.types.append(input.schema.type(of: n.text) ?? .string)
            sqlItems.append(compiler.quote(n.text))
        }
        for item in items {
            let value = compiler.column(try compiler.expression(item.value, over: input, groupKeys: by.map(\.text)))
            let entry = "\(value.sql) AS \(compiler.quote(item.name.text))"
            if let i = schema.index(of: item.name.text) { schema.types[i] = value.type; sqlItems[i] = entry }
            else { schema.names.append(item.name.text); schema.types.append(value.type); sqlItems.append(entry) }
        }
        // Window functions inside aggregates are computed per row first.
        var source = input
        if let pre = compiler.preAggregated, !pre.isEmpty {
            source = compiler.select(compiler.passThrough(input) + pre.map { "\($0.sql) AS \(compiler.quote($0.name))" },
                                     from: input, schema: input.schema)
        }
        // The grouping step: the keys and every aggregate (`compiler.aggregated`); groups in
        // order of first appearance, as in memory, when the input has an order. The items are
        // computed over it in the step after.
        let aggregates = compiler.aggregated ?? []
        var grouping = Schema(names: by.map(\.text), types: by.map { input.schema.type(of: $0.text) ?? .string })
        for a in aggregates { grouping.names.append(a.name); grouping.types.append(a.type) }
        let keys = by.map { compiler.quote($0.text) }
        let grouped = compiler.select(keys + aggregates.map { "\($0.sql) AS \(compiler.quote($0.name))" }, from: source, groupBy: keys,
                                      schema: grouping, keepOrder: false,
                                      newOrder: source.ordered && !by.isEmpty ? "min(\(compiler.quote(SQLCompiler.orderColumn)))" : nil)
        return compiler.select(sqlItems, from: grouped, schema: schema)
    }
}
