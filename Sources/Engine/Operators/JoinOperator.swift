import Columnar
import Diagnostics
import Language

/// `| join [inner|left|anti] TABLE on COL [== COL]`: a hash join on one key. `on COL` keeps
/// one key column; a right-side column whose name is taken gets the right table's name as a
/// suffix (`region_feats`). Null keys match nothing.
struct JoinOperator: PlanOperator {
    let step: Step
    let kind: Language.JoinKind
    let right: LogicalPlan
    let rightName: String
    let leftKey: Name
    let rightKey: Name

    var inputs: [LogicalPlan] { [right] }

    static let definition = OperatorDefinition(
        keyword: "join", syntax: "| join [inner|left|anti] TABLE on COL [== COL]", summary: "Joins another table on a key column.",
        example: "orders | join left customers on customer_id") { step, input, binder in
            guard case .join(let kind, let source, let lk, let rk) = step.kind else { throw OperatorBindingError.mismatch(step) }
            let (ps, schema) = try binder.nested().bindSource(source)
            let right = LogicalPlan(source: ps, sourceSchema: schema, steps: [], pipeline: Pipeline(source: source, steps: [], span: source.span))
            let op = JoinOperator(step: step, kind: kind, right: right, rightName: sourceName(source), leftKey: lk, rightKey: rk)
            guard let lt = input.type(of: lk.text) else { throw binder.unknownColumn(lk, in: input) }
            guard let rt = schema.type(of: rk.text) else { throw op.unknownRightKey(schema.names, binder.file) }
            try op.checkKeyTypes(lt, rt, binder.file)
            return op
        }

    static func sourceName(_ s: Source) -> String {
        switch s.kind {
        case .table(let n): return n.split(separator: ".").last.map(String.init) ?? n
        case .file(let p, _): return String(p.split(separator: "/").last?.split(separator: ".").first ?? "right")
        case .whatIf: return "moved"
        case .nested(let p): return sourceName(p.source)
        }
    }

    func unknownRightKey(_ names: [String], _ file: SourceFile) -> Diagnostic {
        let suggestion = closestMatch(to: rightKey.text, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        return Diagnostic("the joined table '\(rightName)' has no column '\(rightKey.text)'\(suggestion)", at: rightKey.span, in: file,
                          hints: ["its columns: " + names.joined(separator: ", ")])
    }

    func checkKeyTypes(_ l: DataType, _ r: DataType, _ file: SourceFile) throws {
        if !(l == r || (l.isNumeric && r.isNumeric)) {
            throw Diagnostic("cannot join \(l.rawValue) key '\(leftKey.text)' with \(r.rawValue) key '\(rightKey.text)'", at: leftKey.span.to(rightKey.span), in: file,
                             hints: ["load one side with types=\"\(rightKey.text):\(l.rawValue)\" so the key types match"])
        }
    }

    /// The output columns: the left's, then the right's but its key (with `on COL`), renamed
    /// when taken; `rightIndexes` are the right columns kept, in order.
    func outputNames(left: [String], right: [String]) -> (names: [String], rightIndexes: [Int]) {
        guard kind != .anti else { return (left, []) }
        let resolved = JoinColumnNames.resolve(left: left, right: right, skip: leftKey.text == rightKey.text ? rightKey.text : nil,
                                               rightName: rightName)
        return (resolved.names, resolved.kept)
    }

    func outputSchema(_ input: Schema, _ context: StepContext) throws -> Schema {
        let (names, kept) = outputNames(left: input.names, right: right.schema.names)
        return Schema(names: names, types: input.types + kept.map { right.schema.types[$0] })
    }

    func execute(_ left: Table, _ context: StepContext) throws -> Table {
        let right = try context.session.execute(self.right, file: context.file, parameters: context.parameters).table
        guard let lcol = left.column(leftKey.text) else { throw context.evaluator(for: left).unknownColumn(leftKey.text, leftKey.span) }
        guard let rcol = right.column(rightKey.text) else { throw unknownRightKey(right.names, context.file) }
        try checkKeyTypes(lcol.type, rcol.type, context.file)
        let jk: Columnar.JoinKind
        switch kind {
        case .inner: jk = .inner
        case .left: jk = .left
        case .anti: jk = .anti
        }
        let outputColumns = left.columns + (kind == .anti ? [] : right.columns)
        let rowBytes = outputColumns.reduce(0) { $0 + $1.type.bytesPerRow }
        let (li, ri) = try Kernels.hashJoin(left: [lcol], right: [rcol], kind: jk, outputRowBytes: rowBytes)
        let (names, kept) = outputNames(left: left.names, right: right.names)
        // Every left row once, in order (each found one match): the left columns as they are.
        let leftKept = li.count == left.rowCount && Kernels.isIdentity(li)
        var gathers: [(Column, [Int32])] = leftKept ? [] : left.columns.map { ($0, li) }
        for i in kept { gathers.append((right.columns[i], ri)) }
        try Cancellation.check()
        let gathered = Kernels.gatherColumns(gathers)
        try Cancellation.check()
        return Table(uncheckedNames: names, columns: (leftKept ? left.columns : []) + gathered, rowCount: li.count)
    }

    func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
        let r = try compiler.relation(for: right, joinedTo: input, span: step.span)
        let (names, kept) = outputNames(left: input.schema.names, right: r.schema.names)
        let schema = Schema(names: names, types: input.schema.types + kept.map { r.schema.types[$0] })
        let l = "l", rr = "r"
        var items = input.schema.names.map { "\(l).\(compiler.quote($0))" }
        for (j, i) in kept.enumerated() {
            items.append("\(rr).\(compiler.quote(r.schema.names[i])) AS \(compiler.quote(names[input.schema.count + j]))")
        }
        let on = "\(l).\(compiler.quote(leftKey.text)) = \(rr).\(compiler.quote(rightKey.text))"
        let from: String
        switch kind {
        case .inner: from = "\(input.relation) \(l) JOIN \(r.relation) \(rr) ON \(on)"
        case .left: from = "\(input.relation) \(l) LEFT JOIN \(r.relation) \(rr) ON \(on)"
        case .anti:
            from = "\(input.relation) \(l) WHERE NOT EXISTS (SELECT 1 FROM \(r.relation) \(rr) WHERE \(on))"
        }
        // Rows in left order, matches of one left row in right order (as the hash join
        // gives them), when the inputs have an order.
        let ord = compiler.quote(SQLCompiler.orderColumn)
        if input.ordered {
            let keys = r.ordered && kind != .anti ? "\(l).\(ord), \(rr).\(ord)" : "\(l).\(ord)"
            items.append("ROW_NUMBER() OVER (ORDER BY \(keys)) AS \(ord)")
        }
        var merged = compiler.merge(r, into: input)
        merged = compiler.addStep("SELECT \(items.joined(separator: ", ")) FROM \(from)", to: merged, schema: schema, ordered: input.ordered)
        return merged
    }
}
