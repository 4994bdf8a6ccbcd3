import Diagnostics

/// Expressions by precedence climbing: `or`, `and`, `not`, comparisons, `+ -`, `* / %`,
/// unary minus, postfix (`over`), primaries and `case`.
extension Parser {
    /// How deep expressions may nest (parentheses, function arguments, unary minus, `not`)
    /// and how many binary operators one expression may hold: the tree is evaluated (and
    /// freed) recursively, and a deeper one would overflow the stack instead of failing.
    static let maxNesting = 100
    static let maxOperators = 1_000

    public mutating func expression() throws -> Expr {
        if nesting == 0 { operators = 0 }
        try enter()
        defer { nesting -= 1 }
        return try orExpr()
    }

    /// One more level of nesting, refused past `maxNesting`.
    mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw fail(message: "expression nested too deeply (more than \(Parser.maxNesting) levels)", at: current.span,
                       hints: ["split it with derive steps"])
        }
    }

    /// A binary node, refused past `maxOperators` in one expression.
    mutating func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr) throws -> Expr {
        operators += 1
        if operators > Parser.maxOperators {
            throw fail(message: "expression too long (more than \(Parser.maxOperators) operators)", at: r.span,
                       hints: ["split it with derive steps, or use 'in (...)' for a list of values"])
        }
        return Expr(.binary(op, l, r), l.span.to(r.span))
    }

    mutating func orExpr() throws -> Expr {
        var l = try andExpr()
        while acceptWord("or") {
            let r = try andExpr()
            l = try binary(.or, l, r)
        }
        return l
    }

    mutating func andExpr() throws -> Expr {
        var l = try notExpr()
        while acceptWord("and") {
            let r = try notExpr()
            l = try binary(.and, l, r)
        }
        return l
    }

    mutating func notExpr() throws -> Expr {
        if isWord("not") {
            let s = advance().span
            try enter()
            defer { nesting -= 1 }
            let e = try notExpr()
            return Expr(.unary(.not, e), s.to(e.span))
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expr {
        let l = try additive()
        let ops: [(String, BinaryOp)] = [("==", .eq), ("!=", .ne), ("<=", .le), (">=", .ge), ("<", .lt), (">", .gt)]
        for (sym, op) in ops where isSymbol(sym) {
            advance()
            let r = try additive()
            return try binary(op, l, r)
        }
        if isSymbol("=") {
            throw fail("a comparison operator", hints: ["use '==' to compare; '=' names a column in derive/select"])
        }
        var negated = false
        if isWord("not") && (isWord("in", next) || isWord("between", next) || isWord("like", next)) {
            advance(); negated = true
        }
        if acceptWord("in") {
            try expectSymbol("(", "'(' after 'in'")
            var items: [Expr] = []
            if !isSymbol(")") {
                repeat { items.append(try expression()) } while acceptSymbol(",")
            }
            let end = current.span
            try expectSymbol(")", "')' to close the 'in' list")
            return Expr(.inList(l, items, negated: negated), l.span.to(end))
        }
        if acceptWord("between") {
            let lo = try additive()
            try expectWord("and", "'and' in 'between A and B'")
            let hi = try additive()
            return Expr(.between(l, lo, hi, negated: negated), l.span.to(hi.span))
        }
        if acceptWord("like") {
            let pat = try additive()
            return Expr(.like(l, pat, negated: negated), l.span.to(pat.span))
        }
        if negated { throw fail("'in', 'between' or 'like' after 'not'") }
        return l
    }

    mutating func additive() throws -> Expr {
        var l = try multiplicative()
        while true {
            let op: BinaryOp
            if isSymbol("+") { op = .add } else if isSymbol("-") { op = .sub } else { break }
            advance()
            let r = try multiplicative()
            l = try binary(op, l, r)
        }
        return l
    }

    mutating func multiplicative() throws -> Expr {
        var l = try unary()
        while true {
            let op: BinaryOp
            if isSymbol("*") { op = .mul } else if isSymbol("/") { op = .div } else if isSymbol("%") { op = .mod } else { break }
            advance()
            let r = try unary()
            l = try binary(op, l, r)
        }
        return l
    }

    mutating func unary() throws -> Expr {
        if isSymbol("-") {
            let s = advance().span
            try enter()
            defer { nesting -= 1 }
            let e = try unary()
            if case .literal(.int(let v)) = e.kind { return Expr(.literal(.int(-v)), s.to(e.span)) }
            if case .literal(.double(let v)) = e.kind { return Expr(.literal(.double(-v)), s.to(e.span)) }
            return Expr(.unary(.neg, e), s.to(e.span))
        }
        if isSymbol("+") {
            advance()
            try enter()
            defer { nesting -= 1 }
            return try unary()
        }
        return try postfix()
    }

    mutating func postfix() throws -> Expr {
        let e = try primary()
        guard case .call(let n, let args, over: nil) = e.kind, isWord("over") else { return e }
        advance()
        var over: [Name] = []
        if acceptSymbol("(") {
            repeat { over.append(try name("a column name after 'over ('")) } while acceptSymbol(",")
            try expectSymbol(")", "')' to close 'over (...)'")
        } else {
            over.append(try name("a column name after 'over'"))
        }
        return Expr(.call(n, args, over: over), e.span.to(tokens[p - 1].span))
    }

    mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(.literal(.int(v)), t.span)
        case .double(let v): advance(); return Expr(.literal(.double(v)), t.span)
        case .string(let s): advance(); return Expr(.literal(.string(s)), t.span)
        case .date(let y, let m, let d): advance(); return Expr(.literal(.date(year: y, month: m, day: d)), t.span)
        case .duration(let n, let u): advance(); return Expr(.literal(.duration(n, u)), t.span)
        case .parameter(let s): advance(); return Expr(.parameter(s), t.span)
        case .symbol("("):
            advance()
            let e = try expression()
            try expectSymbol(")", "')' to close '('")
            return Expr(e.kind, t.span.to(tokens[p - 1].span))
        case .identifier(let s):
            if !t.quoted {
                switch s {
                case "true": advance(); return Expr(.literal(.bool(true)), t.span)
                case "false": advance(); return Expr(.literal(.bool(false)), t.span)
                case "null": advance(); return Expr(.literal(.null), t.span)
                case "case": return try caseExpr()
                default: break
                }
            }
            advance()
            if isSymbol("(") && !t.quoted {
                advance()
                var args: [Expr] = []
                if !isSymbol(")") {
                    repeat { args.append(try expression()) } while acceptSymbol(",")
                }
                let end = current.span
                try expectSymbol(")", "')' to close the arguments of \(s)()")
                return Expr(.call(Name(s, t.span), args, over: nil), t.span.to(end))
            }
            return Expr(.column(s), t.span)
        default:
            // After an operator, say which one is missing its operand: "expected an
            // expression after '>', but found '|'".
            if p > 0, let op = Self.operatorText(tokens[p - 1]) {
                throw fail("an expression after '\(op)'")
            }
            throw fail("an expression")
        }
    }

    mutating func caseExpr() throws -> Expr {
        let start = advance().span
        try expectSymbol("{", "'{' after 'case'")
        var arms: [CaseArm] = []
        var otherwise: Expr?
        while !isSymbol("}") {
            if case .eof = current.kind { throw fail("'}' to close 'case'") }
            if acceptWord("else") {
                try expectSymbol("=>", "'=>' after 'else'")
                otherwise = try expression()
            } else {
                let c = try expression()
                try expectSymbol("=>", "'=>' after the condition")
                arms.append(CaseArm(c, try expression()))
            }
            if !acceptSymbol(",") { break }
        }
        let end = current.span
        try expectSymbol("}", "'}' to close 'case'")
        return Expr(.caseWhen(arms, otherwise: otherwise), start.to(end))
    }
}
