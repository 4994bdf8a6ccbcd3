import Diagnostics

/// Statements: `load`, `let`, `param`, `rules`, `export`, `whatif`, `sweep`, `compare`, ...
extension Parser {
    mutating func parseProgram() -> [Statement] {
        var out: [Statement] = []
        while true {
            while case .newline = current.kind { advance() }
            if case .eof = current.kind { break }
            let before = diagnostics.count
            do {
                let s = try statement()
                if !atStatementEnd { throw fail("end of statement", hints: hintForTrailing()) }
                out.append(s)
            } catch {
                if diagnostics.count == before { _ = fail("a statement") }
                // Resynchronise at the next statement boundary.
                while !atStatementEnd { advance() }
            }
        }
        return out
    }

    func hintForTrailing() -> [String] {
        if case .identifier(let w) = current.kind, Keywords.operators.contains(w) {
            return ["pipeline operators are joined with '|': write '| \(w) ...'"]
        }
        return []
    }

    mutating func statement() throws -> Statement {
        let start = current.span
        if case .identifier(let w) = current.kind, !current.quoted {
            switch w {
            case "load": return try loadStatement()
            case "let":
                advance()
                let n = try name("a view name after 'let'")
                try expectSymbol("=", "'=' after the view name")
                let pl = try pipeline()
                return Statement(.letView(n, pl), start.to(pl.span))
            case "param":
                advance()
                let n = try name("a parameter name after 'param'")
                try expectSymbol("=", "'=' after the parameter name")
                let e = try expression()
                return Statement(.param(n, e), start.to(e.span))
            case "rules": return try rulesStatement()
            case "export":
                advance()
                let pl = try pipeline()
                try expectWord("to", "'to \"PATH\"' after the pipeline to export")
                if case .identifier = current.kind {
                    let table = try dottedName("a database table such as crm.customer_tiers after 'to'")
                    let replace = acceptWord("replace")
                    return Statement(.exportRemote(pl, table: table, replace: replace), start.to(tokens[p - 1].span))
                }
                let (path, ps) = try stringLiteral("a quoted file path after 'to'")
                return Statement(.export(pl, path: path, pathSpan: ps), start.to(ps))
            case "attach":
                advance()
                let (url, us) = try stringLiteral("a quoted URL after 'attach', such as \"postgresql://user@host/db\"")
                try expectWord("as", "'as NAME' after the URL")
                let alias = try name("a name for the database after 'as'")
                return Statement(.attach(url: url, urlSpan: us, alias: alias), start.to(alias.span))
            case "detach":
                advance()
                let alias = try name("the name of an attached database after 'detach'")
                return Statement(.detach(alias), start.to(alias.span))
            case "explain":
                advance()
                let pl = try pipeline()
                return Statement(.explain(pl), start.to(pl.span))
            case "profile":
                advance()
                let t = try name("a table name after 'profile'")
                var key: Name?
                if acceptWord("key") { key = try name("a key column after 'key'") }
                return Statement(.profile(t, key: key), start.to(key?.span ?? t.span))
            case "whatif":
                let wi = try whatIf()
                if isSymbol("|") {
                    let src = Source(.whatIf(wi), start.to(tokens[p - 1].span))
                    let steps = try pipelineSteps()
                    let span = start.to(steps.last?.span ?? src.span)
                    return Statement(.pipeline(Pipeline(source: src, steps: steps, span: span)), span)
                }
                return Statement(.whatIf(wi), start.to(tokens[p - 1].span))
            case "sweep":
                advance()
                let param = try parameterName()
                try expectWord("from", "'from' after the swept parameter")
                let a = try expression()
                try expectWord("to", "'to' in 'sweep P from A to B step S'")
                let b = try expression()
                try expectWord("step", "'step' in 'sweep P from A to B step S'")
                let s = try expression()
                try expectWord("on", "'on VIEW' after the sweep range")
                let v = try name("a view name after 'on'")
                try expectWord("by", "'by COLUMN' after the view")
                let by = try name("a class column after 'by'")
                var measure: Name?
                if acceptWord("measure") { measure = try name("a column after 'measure'") }
                return Statement(.sweep(parameter: param, from: a, to: b, step: s, view: v, by: by, measure: measure),
                                 start.to(tokens[p - 1].span))
            case "compare":
                advance()
                let old = try name("the old table after 'compare'")
                let new = try name("the new table after the old one")
                try expectWord("on", "'on KEY' after the two tables")
                let key = try name("a key column after 'on'")
                try expectWord("by", "'by COLUMN' after the key")
                let by = try name("a class column after 'by'")
                return Statement(.compare(old: old, new: new, key: key, by: by), start.to(by.span))
            case "run":
                advance()
                let (path, ps) = try stringLiteral("a quoted script path after 'run'")
                return Statement(.run(path: path, pathSpan: ps), start.to(ps))
            default: break
            }
        }
        let pl = try pipeline()
        return Statement(.pipeline(pl), pl.span)
    }

    mutating func parameterName() throws -> Name {
        if case .parameter(let s) = current.kind {
            let t = advance()
            return Name(s, t.span)
        }
        return try name("a parameter name")
    }

    mutating func loadStatement() throws -> Statement {
        let start = advance().span
        var tableName: Name?
        if case .identifier = current.kind {
            tableName = try name()
            try expectWord("from", "'from \"PATH\"' after the table name")
        }
        if tableName != nil, case .identifier = current.kind {
            let table = try dottedName("a database table such as crm.orders after 'from'")
            return Statement(.loadRemote(name: tableName, table: table), start.to(table.span))
        }
        let (path, ps) = try stringLiteral(tableName == nil ? "a table name or a quoted path after 'load'" : "a quoted file path after 'from'")
        let options = try withOptions()
        return Statement(.load(name: tableName, path: path, pathSpan: ps, options: options),
                         start.to(options.last?.span ?? ps))
    }

    mutating func withOptions() throws -> [OptionPair] {
        guard acceptWord("with") else { return [] }
        var out: [OptionPair] = []
        repeat {
            let key = try name("an option name such as delimiter, header, encoding")
            try expectSymbol("=", "'=' after option '\(key.text)'")
            let e = try primary()
            guard case .literal(let lit) = e.kind else {
                throw fail(message: "option values must be literals", at: e.span)
            }
            out.append(OptionPair(key: key, value: lit, span: key.span.to(e.span)))
        } while acceptSymbol(",")
        return out
    }

    mutating func rulesStatement() throws -> Statement {
        let start = advance().span
        let n = try name("a rule set name after 'rules'")
        try expectSymbol("{", "'{' to open the rule set")
        var rules: [Rule] = []
        while !isSymbol("}") {
            if case .eof = current.kind { throw fail("'}' to close the rule set") }
            if case .newline = current.kind { advance(); continue }
            let label = try primary()
            guard case .literal = label.kind else {
                throw fail(message: "a rule starts with its class label, e.g. \"S\" when ...", at: label.span)
            }
            if acceptWord("otherwise") {
                rules.append(Rule(label: label, condition: nil, span: label.span.to(tokens[p - 1].span)))
            } else {
                try expectWord("when", "'when CONDITION' or 'otherwise' after the label")
                let cond = try expression()
                rules.append(Rule(label: label, condition: cond, span: label.span.to(cond.span)))
            }
            _ = acceptSymbol(",")
        }
        let end = advance().span
        guard let last = rules.last, last.condition == nil else {
            throw fail(message: "rule set '\(n.text)' must end with an 'otherwise' rule", at: end,
                       hints: ["add a last rule such as: \"C\" otherwise"])
        }
        if let bad = rules.dropLast().first(where: { $0.condition == nil }) {
            throw fail(message: "'otherwise' must be the last rule; rules after it can never match", at: bad.span)
        }
        return Statement(.rules(n, rules), start.to(end))
    }

    mutating func whatIf() throws -> WhatIf {
        advance()
        var assigns: [Assignment] = []
        repeat {
            let n = try parameterName()
            try expectSymbol("=", "'=' after parameter '\(n.text)'")
            assigns.append(Assignment(n, try expression()))
        } while acceptSymbol(",")
        try expectWord("on", "'on VIEW' after the parameter values")
        let view = try name("a view name after 'on'")
        try expectWord("by", "'by COLUMN' after the view")
        let by = try name("a class column after 'by'")
        var key: Name?, measure: Name?
        while true {
            if acceptWord("key") { key = try name("a key column after 'key'"); continue }
            if acceptWord("measure") { measure = try name("a column after 'measure'"); continue }
            break
        }
        return WhatIf(assignments: assigns, view: view, by: by, key: key, measure: measure)
    }
}
