/// How Spark rounds the four limb sums of an exact sum (`SQLDialect+ExactSum.swift`) to the
/// double nearest to `N·2^-80`, `N = s0·2^96 + s1·2^64 + s2·2^32 + s3`, in 64-bit integer
/// and double arithmetic only: correctly rounded for every N, and compiled to JVM code.
///
/// The steps are SQL functions, created in a session before its first query that calls them
/// (`sessionFunctions`; about 0.4 s, so not at `attach`). A function's arguments are bound
/// once (Spark evaluates them in a projection below its body), so each limb sum, each window
/// aggregate in particular, is computed once however often the body uses it. A lambda (`transform`) would bind them too, but runs interpreted, row by row, and
/// DECIMAL(38,0) arithmetic is several times slower and overflows beyond 10^38.
///
/// 1. `segsh_sum_limbs`: null limb sums (no rows) count as 0, so that no step below is
///    nullable (the residual's sum carries the nullness), which keeps the generated code
///    short enough for the JVM to compile (8,000 bytes a method); and the sign of N (carries
///    from the lowest limb up: the top one's sign).
/// 2. `segsh_sum_signed`: N's magnitude: the limb sums times the sign, normalized from the
///    lowest up: `|N| = t0·2^96 + r1·2^64 + r2·2^32 + r3` with every r in [0, 2^32), t0 ≥ 0.
/// 3. `segsh_sum_magnitude`: where |N|'s leading bit is, from a double estimate (its log2,
///    right to a bit or two): `k` such that `W = floor(|N| / 2^k)` has 57 to 60 bits (k = 0
///    when |N| < 2^60, W = |N|).
/// 4. `segsh_sum_window`: W from the limbs, shifted by k, with its lowest bit set when any bit
///    below k is (rounding to odd: W keeps at least 55 bits, so the cast of W to double then
///    rounds as N itself would, ties to even included), times 2^(k-80) (exact).
/// Four levels, not more: Spark adds a projection per call and level to the plan, and a
/// query with dozens of exact means (`rfm_class8`, rules) plans in time with four.
extension SparkSQLDialect {
    /// The SQL functions `double(ofLimbSums:)` calls, as `CREATE TEMPORARY FUNCTION`
    /// statements, callee first.
    static var exactSumFunctions: [String] {
        let low32 = "4294967295"
        let limbs = [("t0", 96), ("r1", 64), ("r2", 32), ("r3", 0)]
        // The bits of limb x (weight 2^j) at and above bit k of |N|, moved down by k; the bits
        // below. Shifts stay below 63 (the JVM takes a shift modulo 64).
        let kept = limbs.map { x, j in "CASE WHEN k <= \(j) THEN shiftleft(\(x), \(j) - k) ELSE shiftright(\(x), least(k - \(j), 62)) END" }
        let lost = limbs.map { x, j in "CASE WHEN k <= \(j) THEN 0L ELSE \(x) & (shiftleft(1L, least(k - \(j), 62)) - 1L) END" }
        let estimate = "CAST(t0 AS DOUBLE) * \(Double(0x1p16))D + CAST(r1 AS DOUBLE) * \(Double(0x1p-16))D"
            + " + CAST(r2 AS DOUBLE) * \(Double(0x1p-48))D + CAST(r3 AS DOUBLE) * \(Double(0x1p-80))D"
        // t2 = s2 + carry of s3, t1 = s1 + carry of t2 (times the sign g).
        let t2 = "(g * s2 + shiftright(g * s3, 32))", t1 = "(g * s1 + shiftright(\(t2), 32))"
        let orZero = (0..<4).map { "coalesce(s\($0), 0L)" }
        let functions: [(name: String, parameters: String, body: String)] = [
            ("segsh_sum_window", "t0 BIGINT, r1 BIGINT, r2 BIGINT, r3 BIGINT, k INT",
             "CAST((\(kept.joined(separator: " + "))) | CASE WHEN (\(lost.joined(separator: " | "))) = 0L THEN 0L ELSE 1L END AS DOUBLE) * pow(2D, k - 80)"),
            // log2 of 0 is null, and greatest() passes over nulls: k = 0 and W = 0 then.
            ("segsh_sum_magnitude", "t0 BIGINT, r1 BIGINT, r2 BIGINT, r3 BIGINT",
             "segsh_sum_window(t0, r1, r2, r3, greatest(CAST(floor(log2(\(estimate))) AS INT) + 22, 0))"),
            ("segsh_sum_signed", "g BIGINT, s0 BIGINT, s1 BIGINT, s2 BIGINT, s3 BIGINT",
             "g * segsh_sum_magnitude(g * s0 + shiftright(\(t1), 32), \(t1) & \(low32), \(t2) & \(low32), (g * s3) & \(low32))"),
            ("segsh_sum_limbs", "s0 BIGINT, s1 BIGINT, s2 BIGINT, s3 BIGINT",
             "segsh_sum_signed(CASE WHEN \(orZero[0]) + shiftright(\(orZero[1]) + shiftright(\(orZero[2]) + shiftright(\(orZero[3]), 32), 32), 32) < 0L THEN -1L ELSE 1L END, \(orZero.joined(separator: ", ")))"),
        ]
        return functions.map { "CREATE OR REPLACE TEMPORARY FUNCTION \($0.name)(\($0.parameters)) RETURNS DOUBLE RETURN \($0.body)" }
    }

    /// `segsh_sum_limbs` (above) of the four limb sums.
    public func double(ofLimbSums sums: [String]) -> String {
        "segsh_sum_limbs(\(sums.joined(separator: ", ")))"
    }
}
