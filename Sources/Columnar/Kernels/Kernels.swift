import Dispatch

/// Vectorized operations over columns: selection, sort, group-by, aggregates, window
/// functions, joins and elementwise arithmetic/comparison. Every kernel works on the typed
/// arrays of `ColumnStorage`, never on boxed `Scalar`s, checks `Cancellation` about every
/// 64K rows, and uses both cores for large inputs where that pays.
public enum Kernels {
    /// Inputs with more rows than this are split over two threads by the kernels that can
    /// (group ids, sort, sums and counts, medians). A tuning knob; tests lower it to
    /// exercise the parallel paths on small inputs.
    nonisolated(unsafe) public static var parallelThreshold = 1 << 20
}

/// A kernel was called with arguments it cannot work on. The evaluator validates types and
/// arguments first and reports them as `Diagnostic`s with a span; these errors are the
/// backstop for paths it did not check.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    case typeMismatch(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .typeMismatch(let s): return "type mismatch: \(s)"
        case .invalidArgument(let s): return "invalid argument: \(s)"
        }
    }
}

/// Helpers shared by the kernels: chunked loops with cancellation checks and two-way
/// parallelism (the target machines have two cores).
enum KernelSupport {
    /// Rows per chunk between cancellation checks.
    static let chunk = 1 << 16
    /// Inputs larger than this are split over two threads where a kernel supports it.
    static var parallelThreshold: Int { Kernels.parallelThreshold }

    /// Calls `body` for consecutive ranges of at most `chunk` rows, checking cancellation
    /// before each.
    @inline(__always)
    static func chunked(_ range: Range<Int>, _ body: (Range<Int>) throws -> Void) throws {
        var i = range.lowerBound
        while i < range.upperBound {
            try Cancellation.check()
            let end = Swift.min(i + chunk, range.upperBound)
            try body(i..<end)
            i = end
        }
    }

    /// Same as `chunked` for code that cannot throw (parallel halves): stops early when
    /// cancellation is requested; the caller checks afterwards.
    @inline(__always)
    static func chunkedNoThrow(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var i = range.lowerBound
        while i < range.upperBound {
            if Cancellation.isRequested { return }
            let end = Swift.min(i + chunk, range.upperBound)
            body(i..<end)
            i = end
        }
    }

    /// Runs `body(0)` and `body(1)` concurrently.
    static func both(_ body: (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: 2, execute: body)
    }

    /// The two halves of `0..<n`.
    static func halves(_ n: Int) -> [Range<Int>] { [0..<(n / 2), (n / 2)..<n] }

    static func checkSameLength(_ columns: [Column], _ what: String) throws -> Int {
        let n = columns.first?.count ?? 0
        for c in columns where c.count != n {
            throw ColumnarError.shape("\(what): columns of \(n) and \(c.count) rows")
        }
        return n
    }
}

/// A result slot written by one thread of a `KernelSupport.both` call.
final class Slot<T>: @unchecked Sendable {
    var value: T?
    init() {}
}

/// Reading validity bits from a bitmap's words without going through `Bitmap`'s subscript.
@inline(__always)
func validBit(_ words: UnsafeBufferPointer<UInt64>, _ i: Int) -> Bool {
    (words[i &>> 6] &>> UInt64(i & 63)) & 1 == 1
}

extension Column {
    /// Calls `body` with the validity words, or nil when no value is null.
    @inline(__always)
    func withValidityWords<R>(_ body: (UnsafeBufferPointer<UInt64>?) throws -> R) rethrows -> R {
        if let validity { return try validity.words.withUnsafeBufferPointer { try body($0) } }
        return try body(nil)
    }
}

/// Builds a validity bitmap row by row; `finish` gives nil when nothing was null.
struct ValidityBuilder {
    private(set) var bitmap: Bitmap
    private var anyNull = false

    init(count: Int) { bitmap = Bitmap(count: count, allValid: true) }

    @inline(__always)
    mutating func setNull(_ i: Int) {
        bitmap[i] = false
        anyNull = true
    }

    func finish() -> Bitmap? { anyNull ? bitmap : nil }
}

/// A column of Int32 values as an int column (group ids, row numbers).
func intColumn(_ v: [Int32]) -> Column {
    Column(.int(v.map { Int64($0) }))
}
