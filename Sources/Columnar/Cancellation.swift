import Synchronization

/// The process-wide interrupt flag. The shell's SIGINT handler sets it; long kernels call
/// `Cancellation.check()` every few thousand rows and stop with `ColumnarError.cancelled`.
public enum Cancellation {
    private static let flag = Atomic<Bool>(false)

    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func reset() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    @inline(__always)
    public static func check() throws {
        if flag.load(ordering: .relaxed) { throw ColumnarError.cancelled }
    }
}
