import Columnar

/// Limits and bookkeeping that keep chains of views linear and bounded: a view that reads a
/// view that reads a view ... is fingerprinted and evaluated one level per view, never by
/// re-walking or copying the whole chain at each level, and a chain deeper than
/// `ViewChain.maxDepth` is refused with an error instead of overflowing the stack.
final class ViewChain {
    /// How many views may stand on top of each other (a `let` reading a view reading a view ...).
    static let maxDepth = 500

    /// Fingerprint texts by number: a view's fingerprint names the views it reads by the
    /// number of their fingerprints, so it stays as short as its own pipeline. Numbers are
    /// never reused, so forgetting the table (when it grows large) costs only cache misses.
    private var numbers: [String: Int] = [:]
    private var next = 0
    /// Views being evaluated, innermost last.
    var evaluating = 0

    /// The fingerprint number of each view as last computed, valid while nothing it can
    /// depend on changed: the session's version (tables, rule sets, files), the results (`_`) and the view
    /// definitions (`forget` on a redefinition), for the same parameter values. It makes
    /// defining view n + 1 on view n cost one level, not n.
    private var known: [String: (version: (Int, Int), parameters: [String: Scalar], number: Int)] = [:]

    func knownNumber(of view: String, version: (Int, Int), parameters: [String: Scalar]) -> Int? {
        guard let k = known[view], k.version == version, k.parameters == parameters else { return nil }
        return k.number
    }

    func remember(_ number: Int, of view: String, version: (Int, Int), parameters: [String: Scalar]) {
        known[view] = (version, parameters, number)
    }

    /// Forgets every remembered fingerprint (a view was redefined, so views reading it changed).
    func forget() { known.removeAll(keepingCapacity: true) }

    func number(of fingerprint: String) -> Int {
        if let n = numbers[fingerprint] { return n }
        if numbers.count >= 100_000 { numbers.removeAll(keepingCapacity: true) }
        next += 1
        numbers[fingerprint] = next
        return next
    }
}
