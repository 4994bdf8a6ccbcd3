import Columnar

/// The columns a plan step produces: names and types, in order. A step's schema is known
/// before anything runs (see `Binder`).
public struct Schema: Equatable, Sendable {
    public var names: [String]
    public var types: [DataType]

    public init(names: [String], types: [DataType]) { self.names = names; self.types = types }
    public init(_ table: Table) { names = table.names; types = table.columns.map(\.type) }
    public init(_ columns: [(String, DataType)]) { names = columns.map(\.0); types = columns.map(\.1) }

    public var count: Int { names.count }
    public func index(of name: String) -> Int? { names.firstIndex(of: name) }
    public func type(of name: String) -> DataType? { index(of: name).map { types[$0] } }

    /// A table with these columns and no rows.
    public var emptyTable: Table {
        Table(uncheckedNames: names, columns: types.map { Column.nulls($0, count: 0) }, rowCount: 0)
    }

    /// A table with these columns and two equal rows of plain values (0, 0.0, "", false,
    /// 1970-01-01): what binding runs an operator over to learn its output schema. Non-null
    /// rows, not zero rows, so that aggregates and comparisons keep their types (over no rows
    /// an aggregate is an untyped null), and two of them so that `stddev` has a value.
    public var sampleTable: Table {
        let columns: [Column] = types.map { t in
            switch t {
            case .int: return Column(.int([0, 0]))
            case .double: return Column(.double([0, 0]))
            case .date: return Column(.date([0, 0]))
            case .bool: return Column(.bool([false, false]))
            case .string: return Column(.string(codes: [0, 0], dictionary: StringDictionary([""])))
            }
        }
        return Table(uncheckedNames: names, columns: columns, rowCount: 2)
    }
}
