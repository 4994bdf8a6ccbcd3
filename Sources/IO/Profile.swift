import Columnar
import Diagnostics

/// `profile TABLE [key COL]`: a summary of every column, like DuckDB's SUMMARIZE.
///
/// The summary has one row per column of the profiled table, with the columns
/// `column, type, rows, nulls, distinct, min, max, mean, p50, top`:
/// - `rows`: the table's row count; `nulls`: null cells; `distinct`: distinct non-null values.
/// - `min`, `max` (text): numbers as plain text (`formatDouble` for doubles), ISO dates,
///   `false` < `true`, strings in code-point order. Null when the column has no value.
/// - `mean`, `p50` (double): for int and double columns only (null for date, bool, string).
///   `p50` is the median: the middle value, or the mean of the two middle values for an even
///   count.
/// - `top`: the three most frequent values as `value (count), ...`, most frequent first, ties
///   in value order; long values are cut to 20 display columns. Null when no value occurs
///   more than once (an identifier column has no "top" values).
///
/// With a key column, `duplicateKeys` lists each non-null key value occurring more than once,
/// with columns `key` (the key column's type) and `count`, sorted by count descending, then
/// key ascending. Null keys are not listed (the summary's `nulls` counts them).
public enum Profile {
    /// Profiles `table`. Throws a `Diagnostic` (with a did-you-mean hint, at `keySpan` when
    /// given) for an unknown key column, `ColumnarError.cancelled` when interrupted.
    public static func profile(_ table: Table, key: String? = nil, keySpan: Span? = nil) throws
        -> (summary: Table, duplicateKeys: Table?) {
        var keyColumn: Column?
        if let key {
            guard let column = table.column(key) else {
                throw Diagnostic("unknown column '\(key)'" + didYouMeanSuffix(key, in: table.names), at: keySpan,
                                 hints: ["available columns: " + table.names.joined(separator: ", ")])
            }
            keyColumn = column
        }

        var stats: [ColumnStats] = []
        for column in table.columns {
            try Cancellation.check()
            stats.append(try ColumnStats(column))
        }
        let n = table.columnCount
        let summary = try Table(names: ["column", "type", "rows", "nulls", "distinct", "min", "max", "mean", "p50", "top"],
                                columns: [
            Column.from(table.names.map { .string($0) }, type: .string),
            Column.from(table.columns.map { .string($0.type.rawValue) }, type: .string),
            Column.from([Scalar](repeating: .int(Int64(table.rowCount)), count: n), type: .int),
            Column.from(stats.map { .int(Int64($0.nulls)) }, type: .int),
            Column.from(stats.map { .int(Int64($0.distinct)) }, type: .int),
            Column.from(stats.map { $0.min.map(Scalar.string) ?? .null }, type: .string),
            Column.from(stats.map { $0.max.map(Scalar.string) ?? .null }, type: .string),
            Column.from(stats.map { $0.mean.map(Scalar.double) ?? .null }, type: .double),
            Column.from(stats.map { $0.p50.map(Scalar.double) ?? .null }, type: .double),
            Column.from(stats.map { $0.top.map(Scalar.string) ?? .null }, type: .string),
        ])
        let duplicates = try keyColumn.map { try duplicateKeys($0) }
        return (summary, duplicates)
    }

    /// The key values occurring more than once, with their counts.
    static func duplicateKeys(_ column: Column) throws -> Table {
        let validity = column.validity
        func present(_ i: Int) -> Bool { validity?[i] ?? true }
        let keys: Column
        var counts: [Int64] = []
        switch column.storage {
        case .int(let v):
            let runs = try repeatedRuns(sortedValues(v, present: present))
            keys = Column(.int(runs.map(\.value))); counts = runs.map { Int64($0.count) }
        case .double(let v):
            let runs = try repeatedRuns(sortedValues(v, present: present))
            keys = Column(.double(runs.map(\.value))); counts = runs.map { Int64($0.count) }
        case .date(let v):
            let runs = try repeatedRuns(sortedValues(v, present: present))
            keys = Column(.date(runs.map(\.value))); counts = runs.map { Int64($0.count) }
        case .bool(let v):
            var t = 0, f = 0
            for i in 0..<v.count where present(i) { if v[i] { t += 1 } else { f += 1 } }
            var runs: [(value: Bool, count: Int)] = []
            if f > 1 { runs.append((false, f)) }
            if t > 1 { runs.append((true, t)) }
            runs.sort { $0.count != $1.count ? $0.count > $1.count : !$0.value }
            keys = Column(.bool(runs.map(\.value))); counts = runs.map { Int64($0.count) }
        case .string(let codes, let dictionary):
            let perCode = try codeCounts(codes, dictionaryCount: dictionary.count, present: present)
            var repeated: [Int32] = []
            for (code, c) in perCode.enumerated() where c > 1 { repeated.append(Int32(code)) }
            repeated.sort { a, b in
                perCode[Int(a)] != perCode[Int(b)] ? perCode[Int(a)] > perCode[Int(b)] : dictionary.compareCodes(a, b) < 0
            }
            keys = Column(.string(codes: repeated, dictionary: dictionary))
            counts = repeated.map { Int64(perCode[Int($0)]) }
        }
        return try Table(names: ["key", "count"], columns: [keys, Column(.int(counts))])
    }

    /// Non-null values, ascending.
    static func sortedValues<T: Comparable>(_ values: [T], present: (Int) -> Bool) throws -> [T] {
        var out = try nonNull(values, present: present)
        out.sort()
        return out
    }

    /// Non-null doubles, ascending, NaN last.
    static func sortedValues(_ values: [Double], present: (Int) -> Bool) throws -> [Double] {
        var out = try nonNull(values, present: present)
        out.sort { a, b in a < b || (b.isNaN && !a.isNaN) }
        return out
    }

    static func nonNull<T>(_ values: [T], present: (Int) -> Bool) throws -> [T] {
        var out: [T] = []
        out.reserveCapacity(values.count)
        for i in 0..<values.count {
            if i & 65535 == 65535 { try Cancellation.check() }
            if present(i) { out.append(values[i]) }
        }
        return out
    }

    /// Runs of equal values in a sorted array: (value, length), ascending by value.
    static func runs<T: Equatable>(_ sorted: [T]) throws -> [(value: T, count: Int)] {
        var out: [(value: T, count: Int)] = []
        var i = 0
        while i < sorted.count {
            var j = i + 1
            while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
            out.append((sorted[i], j - i))
            if out.count & 65535 == 0 { try Cancellation.check() }
            i = j
        }
        return out
    }

    /// The runs longer than one, most frequent first, ties by value ascending.
    static func repeatedRuns<T: Comparable>(_ sorted: [T]) throws -> [(value: T, count: Int)] {
        var r = try runs(sorted).filter { $0.count > 1 }
        r.sort { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        return r
    }

    /// How many non-null rows hold each dictionary code.
    static func codeCounts(_ codes: [Int32], dictionaryCount: Int, present: (Int) -> Bool) throws -> [Int] {
        var counts = [Int](repeating: 0, count: dictionaryCount)
        for i in 0..<codes.count {
            if i & 65535 == 65535 { try Cancellation.check() }
            if present(i) { counts[Int(codes[i])] += 1 }
        }
        return counts
    }
}

/// The figures of one column in a profile.
struct ColumnStats {
    var nulls = 0
    var distinct = 0
    var min: String?
    var max: String?
    var mean: Double?
    var p50: Double?
    var top: String?

    static let topCount = 3
    static let topWidth = 20

    init(_ column: Column) throws {
        nulls = column.nullCount
        let validity = column.validity
        func present(_ i: Int) -> Bool { validity?[i] ?? true }
        switch column.storage {
        case .int(let v):
            let sorted = try Profile.sortedValues(v, present: present)
            try numeric(sorted.map(Double.init), runs: Profile.runs(sorted)) { String($0) }
        case .double(let v):
            let sorted = try Profile.sortedValues(v, present: present)
            try numeric(sorted, runs: Profile.runs(sorted)) { formatDouble($0) }
        case .date(let v):
            let sorted = try Profile.sortedValues(v, present: present)
            let runs = try Profile.runs(sorted)
            let text = { (d: Int32) in CivilDate(daysSinceEpoch: d).description }
            distinct = runs.count
            min = sorted.first.map(text)
            max = sorted.last.map(text)
            top = ColumnStats.topText(runs.map { (text($0.value), $0.count) })
        case .bool(let v):
            var t = 0, f = 0
            for i in 0..<v.count where present(i) { if v[i] { t += 1 } else { f += 1 } }
            distinct = (t > 0 ? 1 : 0) + (f > 0 ? 1 : 0)
            if t + f > 0 {
                min = f > 0 ? "false" : "true"
                max = t > 0 ? "true" : "false"
            }
            var runs: [(String, Int)] = []
            if f > 0 { runs.append(("false", f)) }
            if t > 0 { runs.append(("true", t)) }
            top = ColumnStats.topText(runs)
        case .string(let codes, let dictionary):
            let counts = try Profile.codeCounts(codes, dictionaryCount: dictionary.count, present: present)
            var lo: Int32 = -1, hi: Int32 = -1
            var best: [Int32] = []  // up to topCount codes, most frequent first
            func before(_ a: Int32, _ b: Int32) -> Bool {
                counts[Int(a)] != counts[Int(b)] ? counts[Int(a)] > counts[Int(b)] : dictionary.compareCodes(a, b) < 0
            }
            for (i, c) in counts.enumerated() where c > 0 {
                let code = Int32(i)
                distinct += 1
                if lo < 0 || dictionary.compareCodes(code, lo) < 0 { lo = code }
                if hi < 0 || dictionary.compareCodes(code, hi) > 0 { hi = code }
                if best.count < ColumnStats.topCount || before(code, best[best.count - 1]) {
                    best.append(code)
                    best.sort(by: before)
                    if best.count > ColumnStats.topCount { best.removeLast() }
                }
            }
            if lo >= 0 { min = dictionary.string(lo) }
            if hi >= 0 { max = dictionary.string(hi) }
            if let first = best.first, counts[Int(first)] > 1 {
                top = best.map { "\(dictionary.string($0).visibleControlCharacters.truncated(toDisplayWidth: ColumnStats.topWidth)) (\(counts[Int($0)]))" }
                    .joined(separator: ", ")
            }
        }
    }

    /// min, max, mean, median, distinct and top of sorted numbers.
    private mutating func numeric<T>(_ sorted: [Double], runs: [(value: T, count: Int)], text: (T) -> String) {
        distinct = runs.count
        guard !sorted.isEmpty else { return }
        min = runs.first.map { text($0.value) }
        max = runs.last.map { text($0.value) }
        var sum = 0.0
        for x in sorted { sum += x }
        mean = sum / Double(sorted.count)
        let n = sorted.count
        p50 = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        top = ColumnStats.topText(runs.map { (text($0.value), $0.count) })
    }

    /// `value (count), ...` for the most frequent values (input ascending by value); nil when
    /// no value repeats.
    static func topText(_ runs: [(String, Int)]) -> String? {
        guard runs.contains(where: { $0.1 > 1 }) else { return nil }
        let ranked = runs.enumerated().sorted { a, b in
            a.element.1 != b.element.1 ? a.element.1 > b.element.1 : a.offset < b.offset
        }
        return ranked.prefix(topCount).map {
            "\($0.element.0.visibleControlCharacters.truncated(toDisplayWidth: topWidth)) (\($0.element.1))"
        }.joined(separator: ", ")
    }
}
