import Columnar
import Diagnostics
import Engine
import Language

/// Checking and reading what `whatif`, `sweep` and `compare` are given: the view, parameter
/// names and values, the class, key and measure columns. Every error names the text it is
/// about (with a did-you-mean where a name is misspelled).
enum WhatIfInputs {
    /// The default measure: summed per class when the view has it and `measure` is not given.
    static let defaultMeasure = "monetary"

    /// Fails unless `name` is a view (what-if and sweep re-evaluate a view's pipeline).
    static func requireView(_ name: Name, _ context: StepContext, statement: String) throws {
        let session = context.session
        guard !session.isView(name.text) else { return }
        let views = session.tableNames.filter { session.isView($0) }
        if session.tableNames.contains(name.text) {
            throw context.error("'\(name.text)' is a table, not a view: \(statement) re-evaluates a view with other parameter values",
                                name.span, hints: ["define one with: let tiered = \(name.text) | classify tier"])
        }
        let suggestion = didYouMeanSuffix(name.text, in: views)
        throw context.error("unknown view '\(name.text)'\(suggestion)", name.span,
                            hints: views.isEmpty ? ["define one with: let NAME = PIPELINE"] : ["views: " + views.joined(separator: ", ")])
    }

    /// Fails unless `$name` is a defined parameter.
    static func requireParameter(_ name: Name, _ context: StepContext) throws {
        let known = context.session.parameterNames
        guard !known.contains(name.text) else { return }
        let suggestion = didYouMeanSuffix(name.text, in: known)
        throw context.error("unknown parameter '\(name.text)'\(suggestion)", name.span,
                            hints: known.isEmpty ? ["define it first: param \(name.text) = VALUE"]
                                                 : ["parameters: " + known.joined(separator: ", ")])
    }

    /// A note when the view does not use the parameter (the what-if cannot change anything).
    static func unusedNote(_ parameter: String, view: String, _ context: StepContext) -> String? {
        context.session.parametersUsed(byView: view).contains(parameter)
            ? nil : "note: the view '\(view)' does not depend on $\(parameter)"
    }

    /// A constant expression's value (`45`, `0.7`, `@2025-06-30`, `$s_recency + 15`).
    /// Durations come back as `.duration`; a column reference is an error.
    static func constant(_ expr: Expr, _ context: StepContext) throws -> Value {
        let value = try context.evaluator(for: Table()).evaluate(expr)
        if case .column = value {
            throw context.error("expected a constant such as 45, 0.7, \"S\" or @2025-06-30", expr.span)
        }
        return value
    }

    /// A constant as a parameter value (a duration counts its days, as `param` does).
    static func parameterValue(_ expr: Expr, _ context: StepContext) throws -> Scalar {
        switch try constant(expr, context) {
        case .scalar(let s): return s
        case .duration(let n, let unit): return .int(Int64(Duration.days(n, unit)))
        case .column: return .null
        }
    }

    /// The column `name` of `table`, or the engine's "unknown column" error (with a
    /// did-you-mean and the available columns).
    static func column(_ name: Name, in table: Table, _ context: StepContext, of tableName: String? = nil) throws -> Column {
        if let c = table.column(name.text) { return c }
        let d = context.evaluator(for: table).unknownColumn(name.text, name.span)
        guard let tableName else { throw d }
        throw Diagnostic(d.message + " in \(tableName)", at: name.span, in: context.file, hints: d.hints)
    }

    /// The measure summed per class: `measure M` when given (must be numeric), else
    /// `monetary` when the table has a numeric column of that name, else none.
    static func measure(_ name: Name?, in table: Table, _ context: StepContext) throws -> (name: String, column: Column)? {
        if let name {
            let c = try column(name, in: table, context)
            guard c.type.isNumeric else {
                throw context.error("the measure '\(name.text)' must be a number column, not \(c.type.rawValue)", name.span)
            }
            return (name.text, c)
        }
        if let c = table.column(defaultMeasure), c.type.isNumeric { return (defaultMeasure, c) }
        return nil
    }

    /// The error for a key that occurs twice on one side.
    static func duplicateKey(_ key: String, value: Scalar, in what: String, at span: Span, _ context: StepContext) -> Diagnostic {
        context.error("the key '\(key)' is not unique in \(what): \(ClassCodes.name(of: value)) occurs more than once", span,
                      hints: ["name a column with one value per row: ... key COL"])
    }
}
