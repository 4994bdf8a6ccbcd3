/// Comparison and arithmetic of a numeric column with one constant (`recency <= $s_recency`,
/// `$a_mult * avg_m`) without first repeating the constant into a column: the same results
/// as `compare`/`arithmetic` with `Column.constant(value, count: n)`, in one pass.
extension ComparisonOp {
    /// The operator with its operands swapped: `c < x` is `x > c`.
    public var swapped: ComparisonOp {
        switch self {
        case .eq, .ne: return self
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        }
    }
}

extension Kernels {
    /// `a op value` for an int or double column and a non-null int or double constant; nil
    /// for any other combination (the caller repeats the constant and uses `compare`).
    public static func compare(_ a: Column, constant value: Scalar, op: ComparisonOp) throws -> Column? {
        let n = a.count
        // Every element is written below (or the array is dropped when cancelled).
        var out = [Bool](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        func ints(_ x: UnsafeBufferPointer<Int64>, _ c: Int64, _ o: UnsafeMutableBufferPointer<Bool>) throws {
            try KernelSupport.chunked(0..<n) { r in
                switch op {
                case .lt: for i in r { o[i] = x[i] < c }
                case .le: for i in r { o[i] = x[i] <= c }
                case .gt: for i in r { o[i] = x[i] > c }
                case .ge: for i in r { o[i] = x[i] >= c }
                case .eq: for i in r { o[i] = x[i] == c }
                case .ne: for i in r { o[i] = x[i] != c }
                }
            }
        }
        // As `compareDoubles` orders them: NaN above every number, equal to NaN.
        func doubles<T>(_ x: UnsafeBufferPointer<T>, _ c: Double, _ out: UnsafeMutableBufferPointer<Bool>,
                        _ d: (T) -> Double) throws {
            let o = UnsafeMutableRawBufferPointer(out).bindMemory(to: UInt8.self)
            try KernelSupport.chunked(0..<n) { r in
                switch op {
                case .lt: for i in r { o[i] = DoubleOrder.lt(d(x[i]), c) }
                case .le: for i in r { o[i] = DoubleOrder.gt(d(x[i]), c) ^ 1 }
                case .gt: for i in r { o[i] = DoubleOrder.gt(d(x[i]), c) }
                case .ge: for i in r { o[i] = DoubleOrder.lt(d(x[i]), c) ^ 1 }
                case .eq, .ne: for i in r { o[i] = op.holds(compareDoubles(d(x[i]), c)) ? 1 : 0 }
                }
            }
        }
        switch (a.storage, value) {
        case (.int(let x), .int(let c)):
            try x.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try ints(x, c, $0) } }
        case (.int(let x), .double(let c)):
            try x.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try doubles(x, c, $0) { Double($0) } } }
        case (.double(let x), .double(let c)):
            try x.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try doubles(x, c, $0) { $0 } } }
        case (.double(let x), .int(let c)):
            try x.withUnsafeBufferPointer { x in try out.withUnsafeMutableBufferPointer { try doubles(x, Double(c), $0) { $0 } } }
        default:
            return nil
        }
        return Column(.bool(out), validity: a.validity)
    }

    /// `a op value` (or `value op a` when `constantFirst`) for `+ - *` of a double column
    /// and a non-null int or double constant, or an int column and a double constant: a
    /// double column. Nil for any other combination (the caller uses `arithmetic`).
    public static func arithmetic(_ a: Column, constant value: Scalar, op: ArithmeticOp,
                                  constantFirst: Bool) throws -> Column? {
        guard op == .add || op == .sub || op == .mul else { return nil }
        let c: Double
        switch (a.storage, value) {
        case (.double, .double(let v)), (.int, .double(let v)): c = v
        case (.double, .int(let v)): c = Double(v)
        default: return nil
        }
        let n = a.count
        var out = [Double](unsafeUninitializedCapacity: n) { _, initialized in initialized = n }
        func run<T>(_ x: [T], _ d: (T) -> Double) throws {
            try x.withUnsafeBufferPointer { x in
                try out.withUnsafeMutableBufferPointer { o in
                    try KernelSupport.chunked(0..<n) { r in
                        switch (op, constantFirst) {
                        case (.add, false): for i in r { o[i] = d(x[i]) + c }
                        case (.add, true): for i in r { o[i] = c + d(x[i]) }
                        case (.sub, false): for i in r { o[i] = d(x[i]) - c }
                        case (.sub, true): for i in r { o[i] = c - d(x[i]) }
                        case (.mul, false): for i in r { o[i] = d(x[i]) * c }
                        default: for i in r { o[i] = c * d(x[i]) }
                        }
                    }
                }
            }
        }
        switch a.storage {
        case .double(let x): try run(x) { $0 }
        case .int(let x): try run(x) { Double($0) }
        default: return nil
        }
        return Column(.double(out), validity: a.validity)
    }
}
