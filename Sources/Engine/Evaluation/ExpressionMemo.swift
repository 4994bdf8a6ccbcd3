import Columnar
import Diagnostics
import Language

/// Results of parameter-free subexpressions over one table, kept between evaluations of the
/// same rule set: a what-if or sweep step changes a threshold such as `$s_recency`, and only
/// the subexpressions that use a changed parameter are computed again (those that use
/// parameters are kept with the parameters' values, the last value each) — `avg(monetary) over
/// industry`, `monetary > 0`, `recency <= 60` and every conjunct without a parameter come
/// from here. Keyed by the expression's span in its source file (one memo per rule set
/// version and input table, see `Session.classifyMemo`).
public final class ExpressionMemo: @unchecked Sendable {
    let table: Table
    let tableKey: String
    let version: Int
    var values: [Span: Value] = [:]
    /// Subexpressions that use parameters: the last value, with the values of the
    /// parameters it used (in the order of their sorted names).
    var withParameters: [Span: (parameters: [Scalar], value: Value)] = [:]

    /// Whether two lists of parameter values are the same values (doubles bit for bit, so
    /// -0.0 is not 0.0 and NaN is NaN).
    static func same(_ a: [Scalar], _ b: [Scalar]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (.double(let u), .double(let v)): if u.bitPattern != v.bitPattern { return false }
            default: if x != y { return false }
            }
        }
        return true
    }

    init(table: Table, tableKey: String, version: Int) {
        self.table = table
        self.tableKey = tableKey
        self.version = version
    }

    /// A key that changes whenever the table's content may have: column names, types, row
    /// count, and the identity of each column's storage and validity buffers (the memo
    /// keeps the table alive, so a buffer address is never reused while it is held).
    static func key(of table: Table) -> String {
        var parts = ["\(table.rowCount)"]
        for (name, column) in zip(table.names, table.columns) {
            parts.append("\(name):\(column.type.rawValue):\(column.storageAddress):\(column.validity?.wordsAddress ?? 0):\(column.nullCount)")
        }
        return parts.joined(separator: "|")
    }
}

extension Session {
    /// The memo for classifying `table` with rule set `name`: the one kept from the last
    /// classification when the table and the rule set are unchanged, else a new one (which
    /// replaces it).
    public func classifyMemo(for name: String, table: Table) -> ExpressionMemo? {
        guard let version = ruleSets[name]?.version else { return nil }
        let key = ExpressionMemo.key(of: table)
        if let memo = classifyMemos[name], memo.version == version, memo.tableKey == key { return memo }
        let memo = ExpressionMemo(table: table, tableKey: key, version: version)
        classifyMemos[name] = memo
        return memo
    }
}

extension Expr {
    /// Whether the expression reads no `$parameter`.
    var isParameterFree: Bool {
        var out = Set<String>()
        collectParameters(into: &out)
        return out.isEmpty
    }
}

extension Column {
    /// The address of the storage buffer (identity of the values, not their content).
    var storageAddress: UInt {
        func address<T>(_ v: [T]) -> UInt { v.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        switch storage {
        case .int(let v): return address(v)
        case .double(let v): return address(v)
        case .date(let v): return address(v)
        case .bool(let v): return address(v)
        case .string(let c, let d): return address(c) &+ UInt(bitPattern: ObjectIdentifier(d).hashValue)
        }
    }
}

extension Bitmap {
    var wordsAddress: UInt { words.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
}
