import Columnar

/// A value that made a column fall back to string, kept for the load's warnings.
struct CSVColumnIssue {
    enum Kind { case intOverflow, floatOverflow, invalidDate }
    var kind: Kind
    var offset: Int
    var text: String
}

/// The typed values of one column within one chunk, filled speculatively: the column starts
/// as the kind of its first non-null value and is widened (int → double) or demoted to
/// string when a later value does not fit. Null rows hold a placeholder and are listed in
/// `nullRows` (chunk-local row numbers, ascending).
struct CSVColumnBuilder {
    var kind: CSVKind
    /// The kind fixed by the `types` option, if any.
    let forced: CSVKind?
    var ints: [Int64] = []
    var doubles: [Double] = []
    var dates: [Int32] = []
    var bools: [Bool] = []
    var codes: [Int32] = []
    var table = CSVStringTable()
    var nullRows: [Int32] = []
    var issue: CSVColumnIssue?
    /// Rows expected in this chunk, to reserve storage once.
    var capacityHint = 0

    init(forced: DataType?, capacityHint: Int = 0) {
        self.forced = forced.map(CSVKind.init)
        self.kind = self.forced ?? .null
        self.capacityHint = capacityHint
        if let f = self.forced { reserve(f) }
    }

    private mutating func reserve(_ kind: CSVKind) {
        guard capacityHint > 0 else { return }
        switch kind {
        case .null: break
        case .int: ints.reserveCapacity(capacityHint)
        case .double: doubles.reserveCapacity(capacityHint)
        case .date: dates.reserveCapacity(capacityHint)
        case .bool: bools.reserveCapacity(capacityHint)
        case .string: codes.reserveCapacity(capacityHint)
        }
    }

    @inline(__always)
    mutating func appendNull(row: Int) {
        switch kind {
        case .null: break
        case .int: ints.append(0)
        case .double: doubles.append(0)
        case .date: dates.append(0)
        case .bool: bools.append(false)
        case .string: codes.append(0)
        }
        nullRows.append(Int32(truncatingIfNeeded: row))
    }

    /// Switches an all-null column to `kind`, with placeholders for the `rows` nulls so far.
    mutating func start(_ newKind: CSVKind, rows: Int) {
        kind = newKind
        reserve(newKind)
        switch newKind {
        case .null, .string: codes.append(contentsOf: repeatElement(0, count: rows))
        case .int: ints.append(contentsOf: repeatElement(0, count: rows))
        case .double: doubles.append(contentsOf: repeatElement(0, count: rows))
        case .date: dates.append(contentsOf: repeatElement(0, count: rows))
        case .bool: bools.append(contentsOf: repeatElement(false, count: rows))
        }
    }

    /// Widens an int column to double in place (exact: both round the same decimal value).
    mutating func widenToDouble() {
        doubles = ints.map { Double($0) }
        ints = []
        kind = .double
    }

    /// Replaces the typed values with string codes re-read from the text.
    mutating func becomeString(codes newCodes: [Int32], table newTable: CSVStringTable) {
        ints = []; doubles = []; dates = []; bools = []
        codes = newCodes
        table = newTable
        kind = .string
    }

    /// Appends a value known to fit `kind`.
    @inline(__always)
    mutating func append(_ value: CSVValue) {
        switch (kind, value) {
        case (.int, .int(let v)): ints.append(v)
        case (.double, .double(let v)): doubles.append(v)
        case (.double, .int(let v)): doubles.append(Double(v))
        case (.date, .date(let v)): dates.append(v)
        case (.bool, .bool(let v)): bools.append(v)
        default: break
        }
    }

    var rowCount: Int {
        switch kind {
        case .null: return nullRows.count
        case .int: return ints.count
        case .double: return doubles.count
        case .date: return dates.count
        case .bool: return bools.count
        case .string: return codes.count
        }
    }
}
