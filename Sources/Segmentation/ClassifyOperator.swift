import Columnar
import Diagnostics
import Engine
import Language

/// `| classify RULES [as COL]` (SPEC 5.4): the class of each row from a named rule set.
///
/// Each rule's condition is evaluated over the whole table (vectorized; conditions may use
/// `$parameters` and group-wise aggregates such as `avg(monetary) over industry`), and the
/// first rule whose condition is true for a row gives its class; a null condition counts as
/// not matching; `otherwise` takes the rest. Errors in a condition point into the text where
/// the rules were written.
///
/// The column is named after the rule set unless `as COL`; a column of that name is
/// replaced in place. Its values are the rule labels: an int column when every label is an
/// integer literal, otherwise a string column (a number label such as `1.5` becomes the
/// text `"1.5"`). The rule order is recorded in `session.classOrders[COL]` so that what-if,
/// sweep and compare list classes in that order.
enum ClassifyOperator {
    static func apply(_ step: Step, _ input: Table, _ context: StepContext) throws -> Table {
        guard case .classify(let name, let asName) = step.kind else {
            throw context.error("internal: the classify handler got a '\(step.name)' step", step.span)
        }
        let session = context.session
        guard let ruleSet = session.ruleSet(name.text) else {
            let known = session.ruleSetNames
            let suggestion = didYouMeanSuffix(name.text, in: known)
            var hints = [known.isEmpty ? "define one first: rules \(name.text) { \"A\" when ... \"B\" otherwise }"
                                       : "'.rules' lists the rule sets: " + known.joined(separator: ", ")]
            if known.isEmpty { hints.append("'.rules' lists the rule sets") }
            throw context.error("unknown rule set '\(name.text)'\(suggestion)", name.span, hints: hints)
        }
        let column = try classify(input, with: ruleSet, context: context)
        let columnName = asName?.text ?? ruleSet.name
        var out = input
        out.set(columnName, column)
        session.classOrders[columnName] = uniqueLabels(ruleSet)
        return out
    }

    /// The labels in rule order without repeats (two rules may give the same class).
    static func uniqueLabels(_ ruleSet: RuleSet) -> [String] {
        var seen = Set<String>()
        return ruleSet.labels.filter { seen.insert($0).inserted }
    }

    /// The class column of `table` under `ruleSet`.
    static func classify(_ table: Table, with ruleSet: RuleSet, context: StepContext) throws -> Column {
        let n = table.rowCount
        var ev = context.evaluator(for: table, file: ruleSet.file)
        // What-ifs and sweeps classify the same table again with other parameter values:
        // the conditions' parameter-free parts are kept from the last time.
        ev.memo = context.session.classifyMemo(for: ruleSet.name, table: table)
        // choice[i]: the index of the first matching rule for row i (-1 while none matched).
        var choice = [Int32](repeating: -1, count: n)
        var unassigned = n
        for (index, rule) in ruleSet.rules.enumerated() {
            let r = Int32(index)
            guard let condition = rule.condition else {
                // otherwise
                choice.withUnsafeMutableBufferPointer { ch in
                    for i in 0..<n { let c = ch[i]; ch[i] = c < 0 ? r : c }
                }
                unassigned = 0
                break
            }
            let label = ruleSet.labels[index]
            let mask = try ev.condition(condition, what: "condition of rule \"\(label)\" in '\(ruleSet.name)'")
            guard case .bool(let bits) = mask.storage else { continue }
            if unassigned == 0 { continue }  // still evaluated above, so its errors are reported
            let validity = mask.validity
            try Cancellation.check()
            if let validity {
                var taken = 0
                choice.withUnsafeMutableBufferPointer { ch in
                    bits.withUnsafeBufferPointer { b in
                        for i in 0..<n where ch[i] < 0 && b[i] && validity[i] {
                            ch[i] = r
                            taken += 1
                        }
                    }
                }
                unassigned -= taken
            } else {
                // Branch-free: a row takes rule r when it has no rule yet (sign bit) and its
                // condition holds (byte 1).
                var taken = 0
                choice.withUnsafeMutableBufferPointer { ch in
                    bits.withUnsafeBytes { bb in
                        guard let b = bb.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
                        for i in 0..<n {
                            let c = ch[i]
                            let take = Int32(truncatingIfNeeded: UInt32(bitPattern: c) >> 31) & Int32(b[i])
                            ch[i] = take != 0 ? r : c
                            taken &+= Int(take)
                        }
                    }
                }
                unassigned -= taken
            }
        }
        return labelColumn(ruleSet, choice: choice, complete: unassigned == 0)
    }

    /// The labels as an int column (all labels integer literals) or a string column.
    /// `complete`: every row has a rule (no null label to mark).
    static func labelColumn(_ ruleSet: RuleSet, choice: [Int32], complete: Bool = false) -> Column {
        let n = choice.count
        var ints: [Int64] = []
        for rule in ruleSet.rules {
            guard case .literal(.int(let v)) = rule.label.kind else { ints = []; break }
            ints.append(v)
        }
        if ints.count == ruleSet.rules.count {
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n where choice[i] >= 0 { out[i] = ints[Int(choice[i])] }
            return Column(.int(out), validity: complete ? nil : nullMask(choice))
        }
        let dictionary = StringDictionary()
        let codes = ruleSet.labels.map { dictionary.intern($0) }
        var out = [Int32](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            choice.withUnsafeBufferPointer { ch in
                codes.withUnsafeBufferPointer { codes in
                    for i in 0..<n where ch[i] >= 0 { o[i] = codes[Int(ch[i])] }
                }
            }
        }
        return Column(.string(codes: out, dictionary: dictionary), validity: complete ? nil : nullMask(choice))
    }

    /// Rows that no rule matched (only possible without `otherwise`, which the parser requires).
    static func nullMask(_ choice: [Int32]) -> Bitmap? {
        guard choice.contains(where: { $0 < 0 }) else { return nil }
        var b = Bitmap(count: choice.count, allValid: true)
        for i in 0..<choice.count where choice[i] < 0 { b[i] = false }
        return b
    }
}

extension ClassifyOperator {
    static let definition = OperatorDefinition(
        keyword: "classify", syntax: "| classify RULES [as COL]", summary: "Adds the class of each row from a named rule set (first matching rule wins).",
        example: "feats | classify tier") { step, _, _ in
            guard case .classify(let name, let asName) = step.kind else { throw OperatorBindingError.mismatch(step) }
            return Bound(step: step, ruleSetName: name, asName: asName)
        }

    /// The bound `classify` step.
    struct Bound: PlanOperator {
        let step: Step
        let ruleSetName: Name
        let asName: Name?

        func execute(_ input: Table, _ context: StepContext) throws -> Table { try ClassifyOperator.apply(step, input, context) }

        /// `CASE WHEN rule 1 THEN label 1 ... ELSE otherwise END`: first match wins; a null
        /// condition does not match.
        func lower(_ input: SQLQuery, _ compiler: SQLCompiler) throws -> SQLQuery {
            guard let ruleSet = compiler.session.ruleSet(ruleSetName.text) else {
                throw compiler.error("unknown rule set '\(ruleSetName.text)'", ruleSetName.span)
            }
            let column = asName?.text ?? ruleSet.name
            let intLabels = ruleSet.rules.allSatisfy { if case .literal(.int) = $0.label.kind { return true } else { return false } }
            return try compiler.withWindowColumns(over: input, { () throws -> String in
                let ruleCompiler = compiler.with(file: ruleSet.file)
                var sql = "CASE"
                var otherwise = "NULL"
                for (rule, label) in zip(ruleSet.rules, ruleSet.labels) {
                    let value = intLabels ? "CAST(\(label) AS BIGINT)" : compiler.dialect.string(label)
                    guard let condition = rule.condition else { otherwise = value; continue }
                    sql += " WHEN \(try ruleCompiler.condition(condition, over: input, what: "rule condition")) THEN \(value)"
                }
                return sql + " ELSE \(otherwise) END"
            }, step: { sql, source in
                var schema = input.schema
                var items = schema.names.map(compiler.quote)
                let type: DataType = intLabels ? .int : .string
                if let i = schema.index(of: column) {
                    items[i] = "\(sql) AS \(compiler.quote(column))"; schema.types[i] = type
                } else {
                    items.append("\(sql) AS \(compiler.quote(column))"); schema.names.append(column); schema.types.append(type)
                }
                compiler.session.classOrders[column] = ClassifyOperator.uniqueLabels(ruleSet)
                return compiler.select(items, from: source, schema: schema)
            })
        }
    }
}
