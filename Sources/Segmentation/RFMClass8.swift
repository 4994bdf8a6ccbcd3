import Columnar
import Engine

/// `rfm_class8(recency, frequency, monetary) [over COL, ...]`: the eight-class RFM model of
/// Chinese CRM practice (SPEC 5.3).
///
/// Each of R, F, M is high (H) or low (L) against its mean over the table (or over the
/// row's group with `over`), computed over the rows where all three values are present:
/// - R is high when the customer bought more recently than average: `recency <= mean`;
/// - F is high when `frequency >= mean`, M is high when `monetary >= mean`
/// (a value equal to the mean counts as high). A null input gives a null class.
///
/// | R F M | class |
/// | --- | --- |
/// | H H H | 重要价值客户 (important value) |
/// | L H H | 重要保持客户 (important to keep: valuable and loyal, but not recent) |
/// | H L H | 重要发展客户 (important to develop: recent and big, but infrequent) |
/// | L L H | 重要挽留客户 (important to win back: big spender, fading) |
/// | H H L | 一般价值客户 |
/// | L H L | 一般保持客户 |
/// | H L L | 一般发展客户 |
/// | L L L | 一般挽留客户 |
enum RFMClass8 {
    /// Classes in the order of the table above; index = (R low ? 1 : 0) + (F low ? 2 : 0) + (M low ? 4 : 0).
    static let labels = ["重要价值客户", "重要保持客户", "重要发展客户", "重要挽留客户",
                         "一般价值客户", "一般保持客户", "一般发展客户", "一般挽留客户"]

    @inline(__always)
    static func index(_ r: Bool, _ f: Bool, _ m: Bool) -> Int {
        (r ? 0 : 1) + (f ? 0 : 2) + (m ? 0 : 4)
    }

    static let function = FunctionDef(
        name: "rfm_class8", signature: "rfm_class8(recency, frequency, monetary) [over COL]",
        summary: """
            The eight-class RFM model: R, F, M each high or low against the mean over the table (or the 'over' group).
                R high = recency <= mean (bought more recently than average); F high = frequency >= mean; M high = monetary >= mean.
                HHH 重要价值客户  LHH 重要保持客户  HLH 重要发展客户  LLH 重要挽留客户
                HHL 一般价值客户  LHL 一般保持客户  HLL 一般发展客户  LLL 一般挽留客户   (R,F,M order; null input → null)
            """,
        example: "derive class8 = rfm_class8(recency, frequency, monetary)",
        kind: .window, arity: 3...3, grouped: evaluate)

    static func evaluate(_ call: FunctionCall, _ groups: GroupIndex?) throws -> Value {
        let n = call.rowCount
        var values: [[Double]] = []
        var validity: Bitmap?
        let names = ["recency", "frequency", "monetary"]
        for i in 0..<3 {
            let c = call.column(i)
            switch c.storage {
            case .int(let xs): values.append(xs.map { Double($0) })
            case .double(let xs): values.append(xs)
            default:
                throw call.error("rfm_class8() needs numbers for \(names[i]), but argument \(i + 1) is \(c.type.rawValue)", argument: i)
            }
            validity = bothValid(validity, c.validity)
        }
        let partition = groups ?? GroupIndex.single(rowCount: n)
        let ids = partition.ids
        // Means per group over the rows where all three values are present: the same mean
        // as `avg` (compensated summation), so `recency <= avg(recency)` agrees with R high.
        var means: [[Double]] = []
        for j in 0..<3 {
            let avg = try Kernels.aggregate(.avg, Column(.double(values[j]), validity: validity), groups: partition)
            guard case .double(let m) = avg.storage else { return .scalar(.null) }
            means.append(m)
        }
        let dictionary = StringDictionary(labels)
        var codes = [Int32](repeating: 0, count: n)
        let r = values[0], f = values[1], m = values[2]
        for i in 0..<n {
            if let validity, !validity[i] { continue }
            let k = Int(ids[i])
            codes[i] = Int32(index(r[i] <= means[0][k], f[i] >= means[1][k], m[i] >= means[2][k]))
        }
        return .column(Column(.string(codes: codes, dictionary: dictionary), validity: validity))
    }
}

extension RFMClass8 {
    /// Each of R, F, M against its mean over the rows (of the `over` group) where all three
    /// are present; null input → null.
    static let sql: SQLFunctionLowering = { c in
        let xs = (0..<3).map { c.double($0) }
        let present = xs.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        let means = xs.map { c.dialect.mean("CASE WHEN \(present) THEN \($0) END", type: .double, over: c.over) }
        // The label's index as `index` computes it (the `labels` order), each mean written
        // once (a CASE per label would repeat each mean eight times, and an engine computes
        // each as written).
        let low = ["\(xs[0]) > \(means[0])", "\(xs[1]) < \(means[1])", "\(xs[2]) < \(means[2])"]
        let index = zip(low, [1, 2, 4]).map { "CASE WHEN \($0) THEN \($1) ELSE 0 END" }.joined(separator: " + ")
        let label = c.dialect.element(index, of: labels.map(c.dialect.string))
        return SQLValue("CASE WHEN \(present) THEN \(label) END", .string)
    }
}
