import Language

/// Which steps of a plan must carry the hidden order column (`SQLCompiler.orderColumn`).
///
/// A fixed row order costs a `ROW_NUMBER()` window (a sort of the whole relation) where it is
/// made and a column through every step after it. It is kept only where something downstream
/// reads it: the order of the result (the outermost `ORDER BY`), `take`, `top` and `pareto`
/// (which rows, which ties), the functions that follow row order (`first`, `last`, `cumsum`,
/// `ntile`'s ties), `sort`'s ties when its own order is needed, and the order of groups made by
/// `summarize`/`distinct` when theirs is. Dropping it anywhere else changes no result.
enum RowOrderDemand {
    /// The functions whose SQL reads the order column (`SQLFunctions`).
    static let orderedFunctions: Set<String> = ["first", "last", "cumsum", "ntile"]

    /// For a plan's first `steps` steps: whether the source's order is needed (element 0) and
    /// whether each step's output order is needed (element i + 1), when the result's order is
    /// needed if `resultNeedsOrder`.
    static func demand(_ plan: LogicalPlan, steps: Int, resultNeedsOrder: Bool, session: Session) -> [Bool] {
        let steps = Array(plan.steps.prefix(steps))
        var needs = Array(repeating: false, count: steps.count + 1)
        needs[steps.count] = resultNeedsOrder
        for i in stride(from: steps.count - 1, through: 0, by: -1) {
            let previous = i > 0 ? steps[i - 1].op.step : nil
            needs[i] = inputNeedsOrder(steps[i].op.step, outputNeedsOrder: needs[i + 1], previous: previous, session: session)
        }
        return needs
    }

    /// Whether a step reads its input's order, given whether its own output order is needed.
    static func inputNeedsOrder(_ step: Step, outputNeedsOrder out: Bool, previous: Step?, session: Session) -> Bool {
        switch step.kind {
        case .whereFilter(let e): return out || usesOrder(e)
        case .derive(let a), .select(let a): return out || a.contains { usesOrder($0.value) }
        case .drop, .rename, .distinct: return out
        case .join: return out
        case .sort(let keys):
            // Ties keep the input order, which matters only when this order does, and not
            // when the keys are unique (sorting the groups `summarize`/`distinct` just made).
            if keys.contains(where: { usesOrder($0.expr) }) { return true }
            return out && !keysAreUnique(keys, after: previous)
        case .summarize(let a, let by):
            return (out && !by.isEmpty) || a.contains { usesOrder($0.value) }
        case .rfm(let a):
            // One row per customer in customer order: the input's order is not read.
            return a.contains { usesOrder($0.value) }
        case .classify(let name, _):
            guard let rules = session.ruleSet(name.text) else { return true }
            return out || rules.rules.contains { r in r.condition.map(usesOrder) ?? false }
        case .take, .top, .pareto, .chartBar, .chartHist, .moved, .collect, .operatorCall:
            return true
        }
    }

    /// Whether sort keys include every group key of the step before (so no two rows tie).
    static func keysAreUnique(_ keys: [SortKey], after previous: Step?) -> Bool {
        let columns = Set(keys.compactMap { k -> String? in if case .column(let c) = k.expr.kind { return c } else { return nil } })
        switch previous?.kind {
        case .summarize(_, let by)?: return !by.isEmpty && by.allSatisfy { columns.contains($0.text) }
        case .distinct(let names)?: return !names.isEmpty && names.allSatisfy { columns.contains($0.text) }
        default: return false
        }
    }

    /// Whether an expression calls a function that follows row order.
    static func usesOrder(_ e: Expr) -> Bool {
        switch e.kind {
        case .literal, .column, .parameter: return false
        case .unary(_, let x): return usesOrder(x)
        case .binary(_, let a, let b): return usesOrder(a) || usesOrder(b)
        case .call(let name, let args, _): return orderedFunctions.contains(name.text) || args.contains(where: usesOrder)
        case .inList(let x, let list, _): return usesOrder(x) || list.contains(where: usesOrder)
        case .between(let x, let lo, let hi, _): return usesOrder(x) || usesOrder(lo) || usesOrder(hi)
        case .like(let x, let p, _): return usesOrder(x) || usesOrder(p)
        case .caseWhen(let arms, let otherwise):
            return arms.contains { usesOrder($0.condition) || usesOrder($0.value) } || (otherwise.map(usesOrder) ?? false)
        }
    }
}
