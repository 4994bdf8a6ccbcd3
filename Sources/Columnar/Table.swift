/// A table: named columns of equal length.
public struct Table: Sendable {
    public private(set) var names: [String]
    public private(set) var columns: [Column]
    public private(set) var rowCount: Int

    public init() { names = []; columns = []; rowCount = 0 }

    /// Columns must all have `rowCount` rows (checked; a mismatch is a programming error
    /// reported as a thrown error, never a crash).
    public init(names: [String], columns: [Column]) throws {
        guard names.count == columns.count else { throw ColumnarError.shape("\(names.count) names for \(columns.count) columns") }
        let n = columns.first?.count ?? 0
        for (name, c) in zip(names, columns) where c.count != n {
            throw ColumnarError.shape("column '\(name)' has \(c.count) rows, expected \(n)")
        }
        self.names = names
        self.columns = columns
        self.rowCount = n
    }

    /// For kernels that know their columns have equal length.
    public init(uncheckedNames names: [String], columns: [Column], rowCount: Int) {
        self.names = names
        self.columns = columns
        self.rowCount = rowCount
    }

    public var columnCount: Int { columns.count }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    public func column(_ name: String) -> Column? { index(of: name).map { columns[$0] } }

    /// Adds a column, or replaces the column of that name in place.
    public mutating func set(_ name: String, _ column: Column) {
        if columns.isEmpty && names.isEmpty { rowCount = column.count }
        if let i = index(of: name) { columns[i] = column } else { names.append(name); columns.append(column) }
    }

    public mutating func remove(_ name: String) {
        if let i = index(of: name) { names.remove(at: i); columns.remove(at: i) }
    }

    public mutating func rename(_ old: String, to new: String) {
        if let i = index(of: old) { names[i] = new }
    }

    /// Rows as boxed values: tests and small outputs only.
    public func row(_ i: Int) -> [Scalar] { columns.map { $0[i] } }
}

public enum ColumnarError: Error, CustomStringConvertible {
    case shape(String)
    case cancelled
    case memoryLimit(String)
    public var description: String {
        switch self {
        case .shape(let s): return "internal shape error: \(s)"
        case .cancelled: return "interrupted"
        case .memoryLimit(let s): return s
        }
    }
}
