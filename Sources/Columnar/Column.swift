/// The typed, contiguous storage of a column. Dates are days since 1970-01-01.
/// Strings are dictionary-encoded: one `Int32` code per row into a shared dictionary.
public enum ColumnStorage: Sendable {
    case int([Int64])
    case double([Double])
    case date([Int32])
    case bool([Bool])
    case string(codes: [Int32], dictionary: StringDictionary)
}

/// One column: typed storage plus a validity bitmap (`nil` when no value is null).
/// A null slot holds an unspecified placeholder value (0, false or code 0).
public struct Column: Sendable {
    public var storage: ColumnStorage
    public var validity: Bitmap?

    public init(_ storage: ColumnStorage, validity: Bitmap? = nil) {
        self.storage = storage
        self.validity = validity.flatMap { $0.nullCount == 0 ? nil : $0 }
    }

    public var type: DataType {
        switch storage {
        case .int: return .int
        case .double: return .double
        case .date: return .date
        case .bool: return .bool
        case .string: return .string
        }
    }

    public var count: Int {
        switch storage {
        case .int(let v): return v.count
        case .double(let v): return v.count
        case .date(let v): return v.count
        case .bool(let v): return v.count
        case .string(let c, _): return c.count
        }
    }

    @inline(__always)
    public func isNull(_ i: Int) -> Bool {
        guard let validity else { return false }
        return !validity[i]
    }

    public var nullCount: Int { validity?.nullCount ?? 0 }

    /// One value, boxed. For display, tests and small-cardinality paths only — never a hot loop.
    public subscript(i: Int) -> Scalar {
        if isNull(i) { return .null }
        switch storage {
        case .int(let v): return .int(v[i])
        case .double(let v): return .double(v[i])
        case .date(let v): return .date(v[i])
        case .bool(let v): return .bool(v[i])
        case .string(let c, let d): return .string(d.string(c[i]))
        }
    }

    /// A column of `count` nulls of a type.
    public static func nulls(_ type: DataType, count: Int) -> Column {
        let v = Bitmap(count: count, allValid: false)
        switch type {
        case .int: return Column(.int([Int64](repeating: 0, count: count)), validity: v)
        case .double: return Column(.double([Double](repeating: 0, count: count)), validity: v)
        case .date: return Column(.date([Int32](repeating: 0, count: count)), validity: v)
        case .bool: return Column(.bool([Bool](repeating: false, count: count)), validity: v)
        case .string:
            let d = StringDictionary()
            _ = d.intern("")
            return Column(.string(codes: [Int32](repeating: 0, count: count), dictionary: d), validity: v)
        }
    }

    /// A column of `count` copies of a scalar (a null scalar gives a null column of `type`).
    public static func constant(_ value: Scalar, count: Int, type: DataType? = nil) -> Column {
        switch value {
        case .null: return nulls(type ?? .int, count: count)
        case .int(let x): return Column(.int([Int64](repeating: x, count: count)))
        case .double(let x): return Column(.double([Double](repeating: x, count: count)))
        case .date(let x): return Column(.date([Int32](repeating: x, count: count)))
        case .bool(let x): return Column(.bool([Bool](repeating: x, count: count)))
        case .string(let s):
            let d = StringDictionary()
            let code = d.intern(s)
            return Column(.string(codes: [Int32](repeating: code, count: count), dictionary: d))
        }
    }

    /// Builds a column from boxed values (tests, small results). The type is the first
    /// non-null value's type, or `type` when given; ints mixed with doubles become doubles.
    public static func from(_ values: [Scalar], type: DataType? = nil) -> Column {
        var t = type
        if t == nil {
            for v in values {
                guard let vt = v.type else { continue }
                if t == nil { t = vt } else if t == .int && vt == .double { t = .double }
            }
        }
        let ty = t ?? .string
        var validity = Bitmap(count: values.count, allValid: true)
        for (i, v) in values.enumerated() where v.isNull { validity[i] = false }
        switch ty {
        case .int: return Column(.int(values.map { $0.intValue ?? 0 }), validity: validity)
        case .double: return Column(.double(values.map { $0.doubleValue ?? 0 }), validity: validity)
        case .date: return Column(.date(values.map { if case .date(let d) = $0 { return d } else { return 0 } }), validity: validity)
        case .bool: return Column(.bool(values.map { if case .bool(let b) = $0 { return b } else { return false } }), validity: validity)
        case .string:
            let d = StringDictionary()
            let codes = values.map { v -> Int32 in
                if case .null = v { return d.intern("") }
                return d.intern(v.description)
            }
            return Column(.string(codes: codes, dictionary: d), validity: validity)
        }
    }
}

/// A single boxed value: literals, parameters, display. Not for hot loops.
public enum Scalar: Sendable, Hashable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case date(Int32)
    case bool(Bool)
    case string(String)

    public var type: DataType? {
        switch self {
        case .null: return nil
        case .int: return .int
        case .double: return .double
        case .date: return .date
        case .bool: return .bool
        case .string: return .string
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v): return v.isFinite && abs(v) < 9.2e18 ? Int64(v) : nil
        case .date(let v): return Int64(v)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        case .date(let v): return Double(v)
        default: return nil
        }
    }

    /// Plain text form (no thousands separators), as written to CSV.
    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .double(let v): return formatDouble(v)
        case .date(let d): return CivilDate(daysSinceEpoch: d).description
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return s
        }
    }
}

/// Shortest round-tripping text of a double; whole values print without a fraction
/// (`3` not `3.0`), which is what an analyst expects in a CSV.
public func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}
