/// Elementwise comparison of two equal-length columns.
public enum ComparisonOp: Sendable, Equatable {
    case eq, ne, lt, le, gt, ge

    @inline(__always)
    func holds(_ c: Int) -> Bool {
        switch self {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        case .ge: return c >= 0
        }
    }
}

@inline(__always)
private func cmp<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

/// Doubles in the kernels' total order: NaN equals NaN and is above every number; -0.0
/// equals 0.0.
@inline(__always)
func compareDoubles(_ a: Double, _ b: Double) -> Int {
    if a < b { return -1 }
    if a > b { return 1 }
    if a == b { return 0 }
    return a.isNaN ? (b.isNaN ? 0 : 1) : -1
}

/// `compareDoubles`'s `<` and `>` as 0 or 1, without branches (so loops over them vectorize):
/// NaN is above every number and equal to NaN.
enum DoubleOrder {
    @inline(__always) static func bit(_ b: Bool) -> UInt8 { unsafeBitCast(b, to: UInt8.self) }
    @inline(__always) static func lt(_ a: Double, _ b: Double) -> UInt8 { bit(a < b) | (bit(a == a) & bit(b != b)) }
    @inline(__always) static func gt(_ a: Double, _ b: Double) -> UInt8 { bit(a > b) | (bit(a != a) & bit(b == b)) }
}

extension Kernels {
    /// `a op b` row by row as a bool column; null when either side is null (SQL). Ints and
    /// doubles compare numerically, dates by day, bools with false < true, strings by their
    /// UTF-8 bytes (= code point order), also across different dictionaries. NaN equals NaN
    /// and sorts above every number (as in `sortPermutation`).
    /// Comparison of two int arrays with the operator chosen outside the loop (vectorizable).
    @inline(__always)
    private static func fast<T: Comparable>(_ x: [T], _ y: [T], _ op: ComparisonOp, _ out: inout [Bool]) {
        let n = out.count
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { o in
                    switch op {
                    case .lt: for i in 0..<n { o[i] = x[i] < y[i] }
                    case .le: for i in 0..<n { o[i] = x[i] <= y[i] }
                    case .gt: for i in 0..<n { o[i] = x[i] > y[i] }
                    case .ge: for i in 0..<n { o[i] = x[i] >= y[i] }
                    case .eq: for i in 0..<n { o[i] = x[i] == y[i] }
                    case .ne: for i in 0..<n { o[i] = x[i] != y[i] }
                    }
                }
            }
        }
    }

    /// `< <= > >=` of two double arrays, exactly as `compareDoubles` orders them (NaN above
    /// every number, equal to NaN), with the operator chosen outside the loop and no branch
    /// per row (`DoubleOrder`).
    private static func fastDoubles(_ x: [Double], _ y: [Double], _ op: ComparisonOp, _ out: inout [Bool]) {
        let n = out.count
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBytes { ob in
                    let o = ob.bindMemory(to: UInt8.self)
                    switch op {
                    case .lt: for i in 0..<n { o[i] = DoubleOrder.lt(x[i], y[i]) }
                    case .le: for i in 0..<n { o[i] = DoubleOrder.gt(x[i], y[i]) ^ 1 }
                    case .gt: for i in 0..<n { o[i] = DoubleOrder.gt(x[i], y[i]) }
                    case .ge: for i in 0..<n { o[i] = DoubleOrder.lt(x[i], y[i]) ^ 1 }
                    case .eq, .ne: for i in 0..<n { o[i] = op.holds(compareDoubles(x[i], y[i])) ? 1 : 0 }
                    }
                }
            }
        }
    }

    public static func compare(_ a: Column, _ b: Column, op: ComparisonOp) throws -> Column {
        let n = try KernelSupport.checkSameLength([a, b], "comparison")
        let valid = bothValid(a.validity, b.validity)
        var out = [Bool](repeating: false, count: n)
        func run<X, Y>(_ x: [X], _ y: [Y], _ c: (X, Y) -> Int) throws {
            try x.withUnsafeBufferPointer { x in
                try y.withUnsafeBufferPointer { y in
                    try out.withUnsafeMutableBufferPointer { o in
                        try KernelSupport.chunked(0..<n) { r in
                            for i in r { o[i] = op.holds(c(x[i], y[i])) }
                        }
                    }
                }
            }
        }
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)): fast(x, y, op, &out)
        case (.double(let x), .double(let y)) where op != .eq && op != .ne: fastDoubles(x, y, op, &out)
        case (.double(let x), .double(let y)): try run(x, y, compareDoubles)
        case (.int(let x), .double(let y)): try run(x, y) { compareDoubles(Double($0), $1) }
        case (.double(let x), .int(let y)): try run(x, y) { compareDoubles($0, Double($1)) }
        case (.date(let x), .date(let y)): try run(x, y, cmp)
        case (.bool(let x), .bool(let y)): try run(x, y) { cmp($0 ? 1 : 0, $1 ? 1 : 0) }
        case (.string(let x, let dx), .string(let y, let dy)):
            if dx === dy && (op == .eq || op == .ne) {
                try run(x, y, cmp)
            } else {
                // Positions in dx's byte order: 2 * rank + 1 for dx's strings; dy's strings
                // placed between them.
                let px = dx.orderPositions(of: dx)
                let py = dx.orderPositions(of: dy)
                try px.withUnsafeBufferPointer { px in
                    try py.withUnsafeBufferPointer { py in
                        try run(x, y) { cx, cy in
                            let u = UInt32(bitPattern: cx) < UInt32(px.count) ? px[Int(cx)] : 0
                            let v = UInt32(bitPattern: cy) < UInt32(py.count) ? py[Int(cy)] : 0
                            return cmp(u, v)
                        }
                    }
                }
            }
        default:
            throw KernelError.typeMismatch("cannot compare \(a.type.rawValue) with \(b.type.rawValue)")
        }
        return Column(.bool(out), validity: valid)
    }
}
