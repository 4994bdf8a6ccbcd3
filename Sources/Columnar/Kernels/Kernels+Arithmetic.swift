/// Elementwise arithmetic: `+ - * / %` over equal-length columns, null-propagating.
public enum ArithmeticOp: Sendable, Equatable {
    case add, sub, mul, div, mod
}

extension Kernels {
    /// `a op b` row by row. Null in either operand gives null, and so does division or
    /// modulo by zero. Types:
    /// - int op int is int, except `/` which is double; when any row of `+ - *` overflows
    ///   Int64, the whole result column is computed as double instead;
    /// - any double operand (int mixed with double) gives double; `%` is the truncating
    ///   remainder (sign of the dividend, as in SQL and C);
    /// - date - date is int (days), date ± int is date (null when out of range).
    public static func arithmetic(_ a: Column, _ b: Column, op: ArithmeticOp) throws -> Column {
        let n = try KernelSupport.checkSameLength([a, b], "arithmetic")
        let valid = bothValid(a.validity, b.validity)
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)):
            if op == .div { return try doubleArithmetic(toDouble(x), toDouble(y), n, valid, op) }
            if let r = try intArithmetic(x, y, n, valid, op) { return r }
            return try doubleArithmetic(toDouble(x), toDouble(y), n, valid, op)
        case (.double(let x), .double(let y)):
            return try doubleArithmetic(x, y, n, valid, op)
        case (.int(let x), .double(let y)):
            return try doubleArithmetic(toDouble(x), y, n, valid, op)
        case (.double(let x), .int(let y)):
            return try doubleArithmetic(x, toDouble(y), n, valid, op)
        case (.date(let x), .date(let y)) where op == .sub:
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n { out[i] = Int64(x[i]) - Int64(y[i]) }
            return Column(.int(out), validity: valid)
        case (.date(let x), .int(let y)) where op == .add || op == .sub:
            return dateShift(x, y, sign: op == .add ? 1 : -1, n, valid)
        case (.int(let x), .date(let y)) where op == .add:
            return dateShift(y, x, sign: 1, n, valid)
        default:
            throw KernelError.typeMismatch("cannot apply \(op) to \(a.type.rawValue) and \(b.type.rawValue)")
        }
    }

    /// The column as doubles (int or double input); nil for other types.
    public static func castToDouble(_ c: Column) -> Column? {
        switch c.storage {
        case .double: return c
        case .int(let v): return Column(.double(toDouble(v)), validity: c.validity)
        default: return nil
        }
    }

    static func toDouble(_ v: [Int64]) -> [Double] {
        [Double](unsafeUninitializedCapacity: v.count) { out, n in
            v.withUnsafeBufferPointer { s in
                for i in 0..<s.count { out.initializeElement(at: i, to: Double(s[i])) }
            }
            n = v.count
        }
    }

    /// nil when some row overflowed.
    private static func intArithmetic(_ x: [Int64], _ y: [Int64], _ n: Int, _ valid: Bitmap?,
                                      _ op: ArithmeticOp) throws -> Column? {
        var out = [Int64](repeating: 0, count: n)
        var nulls = ValidityBuilder(count: n)
        var overflow = false
        try x.withUnsafeBufferPointer { x in
            try y.withUnsafeBufferPointer { y in
                try out.withUnsafeMutableBufferPointer { o in
                    try KernelSupport.chunked(0..<n) { r in
                        switch op {
                        case .add:
                            for i in r { let (v, f) = x[i].addingReportingOverflow(y[i]); o[i] = v; overflow = overflow || f }
                        case .sub:
                            for i in r { let (v, f) = x[i].subtractingReportingOverflow(y[i]); o[i] = v; overflow = overflow || f }
                        case .mul:
                            for i in r { let (v, f) = x[i].multipliedReportingOverflow(by: y[i]); o[i] = v; overflow = overflow || f }
                        case .mod:
                            for i in r {
                                if y[i] == 0 { nulls.setNull(i) } else { o[i] = x[i].remainderReportingOverflow(dividingBy: y[i]).partialValue }
                            }
                        case .div:
                            break
                        }
                    }
                }
            }
        }
        // Overflow in a null row does not count.
        if overflow, op != .mod {
            var real = false
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    for i in 0..<n where valid.map({ $0[i] }) ?? true {
                        let f: Bool
                        switch op {
                        case .add: f = x[i].addingReportingOverflow(y[i]).overflow
                        case .sub: f = x[i].subtractingReportingOverflow(y[i]).overflow
                        default: f = x[i].multipliedReportingOverflow(by: y[i]).overflow
                        }
                        if f { real = true; break }
                    }
                }
            }
            if real { return nil }
        }
        return Column(.int(out), validity: bothValid(valid, nulls.finish()))
    }

    private static func doubleArithmetic(_ x: [Double], _ y: [Double], _ n: Int, _ valid: Bitmap?,
                                         _ op: ArithmeticOp) throws -> Column {
        var out = [Double](repeating: 0, count: n)
        var nulls = ValidityBuilder(count: n)
        try x.withUnsafeBufferPointer { x in
            try y.withUnsafeBufferPointer { y in
                try out.withUnsafeMutableBufferPointer { o in
                    try KernelSupport.chunked(0..<n) { r in
                        switch op {
                        case .add: for i in r { o[i] = x[i] + y[i] }
                        case .sub: for i in r { o[i] = x[i] - y[i] }
                        case .mul: for i in r { o[i] = x[i] * y[i] }
                        case .div: for i in r { if y[i] == 0 { nulls.setNull(i) } else { o[i] = x[i] / y[i] } }
                        case .mod:
                            for i in r { if y[i] == 0 { nulls.setNull(i) } else { o[i] = x[i].truncatingRemainder(dividingBy: y[i]) } }
                        }
                    }
                }
            }
        }
        return Column(.double(out), validity: bothValid(valid, nulls.finish()))
    }

    private static func dateShift(_ d: [Int32], _ days: [Int64], sign: Int64, _ n: Int, _ valid: Bitmap?) -> Column {
        var out = [Int32](repeating: 0, count: n)
        var nulls = ValidityBuilder(count: n)
        for i in 0..<n {
            let (delta, f1) = days[i].multipliedReportingOverflow(by: sign)
            let (v, f2) = Int64(d[i]).addingReportingOverflow(delta)
            if f1 || f2 || v < Int64(Int32.min) || v > Int64(Int32.max) { nulls.setNull(i) } else { out[i] = Int32(v) }
        }
        return Column(.date(out), validity: bothValid(valid, nulls.finish()))
    }
}
