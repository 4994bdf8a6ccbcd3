import Columnar

/// Type inference of CSV columns: each field is classified (`CSVValueParser.classify`), and a
/// column's kind is the join of its fields' kinds.

/// What a column holds so far while a chunk is parsed; `.null` means only nulls were seen.
/// Kinds join upwards: int + double = double, anything else mixed = string.
enum CSVKind: UInt8, Sendable {
    case null, int, double, date, bool, string

    init(_ type: DataType) {
        switch type {
        case .int: self = .int
        case .double: self = .double
        case .date: self = .date
        case .bool: self = .bool
        case .string: self = .string
        }
    }

    var dataType: DataType {
        switch self {
        case .int: return .int
        case .double: return .double
        case .date: return .date
        case .bool: return .bool
        case .null, .string: return .string
        }
    }

    func joined(_ other: CSVKind) -> CSVKind {
        if self == other || other == .null { return self }
        if self == .null { return other }
        if (self == .int && other == .double) || (self == .double && other == .int) { return .double }
        return .string
    }
}

/// One field's value as inferred from its bytes.
enum CSVValue {
    case null
    case int(Int64)
    case double(Double)
    case date(Int32)
    case bool(Bool)
    case string
    /// All digits but too large for 64 bits: read as string, and the load warns.
    case intOverflow
    /// Shaped like a date that does not exist (2024-02-30): read as string, and the load warns.
    case invalidDate
    /// A decimal number beyond the range of a 64-bit float (`1e400`): read as string, and the load warns.
    case floatOverflow

    var kind: CSVKind {
        switch self {
        case .null: return .null
        case .int: return .int
        case .double: return .double
        case .date: return .date
        case .bool: return .bool
        case .string, .intOverflow, .invalidDate, .floatOverflow: return .string
        }
    }
}

extension CSVValueParser {
    /// The full inference of one (trimmed) field.
    func classify(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVValue {
        if CSVValueParser.isNull(p, n) { return .null }
        // The `dates` format first: with dates="%Y%m%d", 19970101 is a date, not an int.
        if let f = dateFormat, case .value(let d) = f.parse(p, n) { return .date(d) }
        switch parseInt(p, n) {
        case .value(let v): return .int(v)
        case .overflow: return .intOverflow
        case .none: break
        }
        if let d = parseDouble(p, n) { return .double(d) }
        if CSVValueParser.isOverflowingDouble(p, n) { return .floatOverflow }
        switch parseDate(p, n) {
        case .value(let d): return .date(d)
        case .invalid: return .invalidDate
        case .none: break
        }
        if let b = CSVValueParser.parseBool(p, n) { return .bool(b) }
        return .string
    }
}
