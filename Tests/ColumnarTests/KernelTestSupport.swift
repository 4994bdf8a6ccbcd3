import XCTest
import Columnar

/// Deterministic random numbers (SplitMix64) so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The sizes every sweep test runs over.
let sweepSizes = [0, 1, 2, 63, 64, 65, 1000, 100_000]

/// Strings for random string columns: ASCII, Chinese, prefixes of each other, empty.
let stringPool = ["制造业", "零售", "金融", "客户A", "客户B", "a", "ab", "abc", "B", "", "重要价值客户", "z", "Ω", "制造"]

enum RandomColumn {
    static func ints(_ n: Int, _ range: ClosedRange<Int64>, nulls: Double, _ rng: inout SeededRandom) -> Column {
        Column.from((0..<n).map { _ in
            Double.random(in: 0..<1, using: &rng) < nulls ? .null : .int(Int64.random(in: range, using: &rng))
        }, type: .int)
    }

    static func doubles(_ n: Int, nulls: Double, nan: Double = 0, _ rng: inout SeededRandom) -> Column {
        Column.from((0..<n).map { _ in
            let u = Double.random(in: 0..<1, using: &rng)
            if u < nulls { return .null }
            if u < nulls + nan { return .double(.nan) }
            // Few distinct values so that ties happen; include -0.0.
            let v = Double(Int.random(in: -20...20, using: &rng)) / 4
            return .double(v == 0 && Bool.random(using: &rng) ? -0.0 : v)
        }, type: .double)
    }

    static func strings(_ n: Int, nulls: Double, pool: [String] = stringPool, _ rng: inout SeededRandom) -> Column {
        Column.from((0..<n).map { _ in
            Double.random(in: 0..<1, using: &rng) < nulls ? .null : .string(pool[Int.random(in: 0..<pool.count, using: &rng)])
        }, type: .string)
    }

    static func dates(_ n: Int, nulls: Double, _ rng: inout SeededRandom) -> Column {
        Column.from((0..<n).map { _ in
            Double.random(in: 0..<1, using: &rng) < nulls ? .null : .date(Int32.random(in: 19000...19100, using: &rng))
        }, type: .date)
    }

    static func bools(_ n: Int, nulls: Double, _ rng: inout SeededRandom) -> Column {
        Column.from((0..<n).map { _ in
            Double.random(in: 0..<1, using: &rng) < nulls ? .null : .bool(Bool.random(using: &rng))
        }, type: .bool)
    }
}

extension Column {
    /// All values boxed (tests only).
    var scalars: [Scalar] { (0..<count).map { self[$0] } }
}

/// Reference ordering of boxed values: nulls last, NaN after numbers, strings by bytes.
/// Returns <0, 0, >0 for ascending order.
func referenceCompare(_ a: Scalar, _ b: Scalar) -> Int {
    func tier(_ s: Scalar) -> Int {
        if s.isNull { return 2 }
        if case .double(let d) = s, d.isNaN { return 1 }
        return 0
    }
    let ta = tier(a), tb = tier(b)
    if ta != 0 || tb != 0 { return ta - tb }
    switch (a, b) {
    case (.string(let x), .string(let y)):
        let u = Array(x.utf8), v = Array(y.utf8)
        return u.lexicographicallyPrecedes(v) ? -1 : (u == v ? 0 : 1)
    case (.bool(let x), .bool(let y)): return (x ? 1 : 0) - (y ? 1 : 0)
    case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    default:
        let x = a.doubleValue ?? 0, y = b.doubleValue ?? 0
        if case .int(let i) = a, case .int(let j) = b { return i < j ? -1 : (i == j ? 0 : 1) }
        return x < y ? -1 : (x == y ? 0 : 1)
    }
}

/// A hashable key for grouping boxed values: -0.0 == 0.0, NaN == NaN.
func referenceKey(_ s: Scalar) -> Scalar {
    if case .double(let d) = s {
        if d.isNaN { return .string("NaN-key") }
        if d == 0 { return .double(0) }
    }
    return s
}

func assertScalarsEqual(_ actual: [Scalar], _ expected: [Scalar], accuracy: Double = 1e-9,
                        _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        switch (a, e) {
        case (.double(let x), .double(let y)):
            if x.isNaN && y.isNaN { continue }
            if abs(x - y) > accuracy * max(1, abs(y)) {
                XCTFail("row \(i): \(x) != \(y) \(message)", file: file, line: line); return
            }
        default:
            if a != e { XCTFail("row \(i): \(a) != \(e) \(message)", file: file, line: line); return }
        }
    }
}

/// Runs `body` with the parallel threshold lowered, so two-thread paths run on small input.
func withParallelThreshold(_ t: Int, _ body: () throws -> Void) rethrows {
    let saved = Kernels.parallelThreshold
    Kernels.parallelThreshold = t
    defer { Kernels.parallelThreshold = saved }
    try body()
}
