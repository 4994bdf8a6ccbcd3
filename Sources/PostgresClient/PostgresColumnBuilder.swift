import Columnar
import Engine
import IO

/// Collects one result column from binary COPY fields into typed storage: one generic
/// builder (`FieldColumnBuilder`) that keeps the values and the validity, over a small
/// decoder per family of PostgreSQL types (see `PostgresType` for the mapping). The enum
/// picks the builder with a switch, so each field runs code specialized for its decoder.
enum PostgresColumnBuilder {
    case int(FieldColumnBuilder<IntField>)
    case double(FieldColumnBuilder<DoubleField>)
    case numeric(FieldColumnBuilder<NumericField>)
    case text(FieldColumnBuilder<TextField>)
    case date(FieldColumnBuilder<DateField>)
    case bool(FieldColumnBuilder<BoolField>)
    case timestamp(FieldColumnBuilder<TimestampField>)

    init(name: String, type: PostgresType) {
        switch type {
        case .int2, .int4, .int8: self = .int(FieldColumnBuilder(name: name, type: type, decoder: IntField()))
        case .float4, .float8: self = .double(FieldColumnBuilder(name: name, type: type, decoder: DoubleField()))
        case .numeric: self = .numeric(FieldColumnBuilder(name: name, type: type, decoder: NumericField()))
        case .text, .varchar, .bpchar, .name, .json: self = .text(FieldColumnBuilder(name: name, type: type, decoder: TextField(form: .bytes)))
        case .jsonb: self = .text(FieldColumnBuilder(name: name, type: type, decoder: TextField(form: .jsonb)))
        case .uuid: self = .text(FieldColumnBuilder(name: name, type: type, decoder: TextField(form: .uuid)))
        case .date: self = .date(FieldColumnBuilder(name: name, type: type, decoder: DateField()))
        case .bool: self = .bool(FieldColumnBuilder(name: name, type: type, decoder: BoolField()))
        case .timestamp, .timestamptz:
            self = .timestamp(FieldColumnBuilder(name: name, type: type, decoder: TimestampField(withZone: type == .timestamptz)))
        }
    }

    /// Appends one non-null field; `row` (1-based) is for messages.
    @inline(__always)
    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        switch self {
        case .int(let b): try b.append(field, row: row)
        case .double(let b): try b.append(field, row: row)
        case .numeric(let b): try b.append(field, row: row)
        case .text(let b): try b.append(field, row: row)
        case .date(let b): try b.append(field, row: row)
        case .bool(let b): try b.append(field, row: row)
        case .timestamp(let b): try b.append(field, row: row)
        }
    }

    /// Appends a null (a placeholder value plus a cleared validity bit).
    func appendNull() {
        switch self {
        case .int(let b): b.appendNull()
        case .double(let b): b.appendNull()
        case .numeric(let b): b.appendNull()
        case .text(let b): b.appendNull()
        case .date(let b): b.appendNull()
        case .bool(let b): b.appendNull()
        case .timestamp(let b): b.appendNull()
        }
    }

    func finish() throws -> Column {
        switch self {
        case .int(let b): return try b.finish()
        case .double(let b): return try b.finish()
        case .numeric(let b): return try b.finish()
        case .text(let b): return try b.finish()
        case .date(let b): return try b.finish()
        case .bool(let b): return try b.finish()
        case .timestamp(let b): return try b.finish()
        }
    }
}

/// Why a field could not be decoded; the builder adds the column, its type and the row.
enum FieldProblem: Error {
    /// The field's byte count is not one of the type's.
    case wrongWidth(Int)
    /// The rest of a message after "column 'NAME' (TYPE): row N ", given the column's name.
    case value((_ name: String) -> String)
}

/// Decodes the binary fields of one family of PostgreSQL types into one segsh column type.
protocol FieldDecoder {
    associatedtype Value
    /// The value of one non-null field.
    mutating func decode(_ field: UnsafeRawBufferPointer) throws -> Value
    /// The placeholder under a null.
    mutating func null() -> Value
    /// The column of all values.
    mutating func column(_ values: [Value], validity: Bitmap?) throws -> Column
}

/// The one column builder: values in a contiguous array, validity as a bitmap made at the
/// first null, each field decoded by `Decoder` (specialized per decoder, no dynamic calls
/// inside the loop over a field's bytes). The state sits behind a pointer the builder owns:
/// a class's stored properties would pay a dynamic exclusivity check on every field (a
/// quarter of a bulk load's CPU).
final class FieldColumnBuilder<Decoder: FieldDecoder> {
    let name: String
    let type: PostgresType
    private struct State {
        var decoder: Decoder
        var values: [Decoder.Value] = []
        var validity: Bitmap?
    }
    private let state: UnsafeMutablePointer<State>

    init(name: String, type: PostgresType, decoder: Decoder) {
        self.name = name; self.type = type
        state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(decoder: decoder))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    @inline(__always)
    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        do {
            let value = try state.pointee.decoder.decode(field)
            state.pointee.values.append(value)
        } catch let problem as FieldProblem {
            let place = "column '\(name)' (\(type.sqlName)): row \(row)"
            switch problem {
            case .wrongWidth(let n):
                throw RemoteError("\(place) holds \(n) bytes, which is not a valid \(type.sqlName); please report this with the query")
            case .value(let rest):
                throw RemoteError("\(place) \(rest(name))")
            }
        }
        if state.pointee.validity != nil { state.pointee.validity?.append(true) }
    }

    func appendNull() {
        if state.pointee.validity == nil { state.pointee.validity = Bitmap(count: state.pointee.values.count, allValid: true) }
        state.pointee.values.append(state.pointee.decoder.null())
        state.pointee.validity?.append(false)
    }

    func finish() throws -> Column { try state.pointee.decoder.column(state.pointee.values, validity: state.pointee.validity) }
}

@inline(__always) private func bigEndianUInt64(_ p: UnsafeRawBufferPointer) -> UInt64 {
    UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))
}

@inline(__always) private func bigEndianUInt32(_ p: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
}

/// smallint, integer, bigint → int.
struct IntField: FieldDecoder {
    func decode(_ field: UnsafeRawBufferPointer) throws -> Int64 {
        switch field.count {
        case 8: return Int64(bitPattern: bigEndianUInt64(field))
        case 4: return Int64(Int32(bitPattern: bigEndianUInt32(field)))
        case 2: return Int64(Int16(bitPattern: UInt16(field[0]) << 8 | UInt16(field[1])))
        default: throw FieldProblem.wrongWidth(field.count)
        }
    }
    func null() -> Int64 { 0 }
    func column(_ values: [Int64], validity: Bitmap?) -> Column { Column(.int(values), validity: validity) }
}

/// real, double precision → double.
struct DoubleField: FieldDecoder {
    func decode(_ field: UnsafeRawBufferPointer) throws -> Double {
        switch field.count {
        case 8: return Double(bitPattern: bigEndianUInt64(field))
        case 4: return Double(Float(bitPattern: bigEndianUInt32(field)))
        default: throw FieldProblem.wrongWidth(field.count)
        }
    }
    func null() -> Double { 0 }
    func column(_ values: [Double], validity: Bitmap?) -> Column { Column(.double(values), validity: validity) }
}

/// `numeric` → double, refusing a value whose double would not read back as the same number.
struct NumericField: FieldDecoder {
    func decode(_ field: UnsafeRawBufferPointer) throws -> Double {
        guard let numeric = PostgresNumeric(binary: field) else { throw FieldProblem.wrongWidth(field.count) }
        guard let value = numeric.exactDouble else {
            let text = numeric.text
            throw FieldProblem.value { name in
                "holds \(text), which a double cannot hold exactly; round it or cast it in the query, e.g. round(\(name), 2) or \(name)::text"
            }
        }
        return value
    }
    func null() -> Double { 0 }
    func column(_ values: [Double], validity: Bitmap?) -> Column { Column(.double(values), validity: validity) }
}

/// date → date; `infinity` is refused.
struct DateField: FieldDecoder {
    func decode(_ field: UnsafeRawBufferPointer) throws -> Int32 {
        guard field.count == 4 else { throw FieldProblem.wrongWidth(field.count) }
        let days = Int32(bitPattern: bigEndianUInt32(field))
        guard days != Int32.max, days != Int32.min else {
            throw FieldProblem.value { _ in "holds \(days > 0 ? "" : "-")infinity, which segsh dates cannot hold; filter it out or replace it in the query" }
        }
        guard let value = Int32(exactly: Int64(days) + PostgresType.epochOffsetDays) else {
            throw FieldProblem.value { _ in "lies beyond the dates segsh can hold" }
        }
        return value
    }
    func null() -> Int32 { 0 }
    func column(_ values: [Int32], validity: Bitmap?) -> Column { Column(.date(values), validity: validity) }
}

/// boolean → bool.
struct BoolField: FieldDecoder {
    func decode(_ field: UnsafeRawBufferPointer) throws -> Bool {
        guard field.count == 1 else { throw FieldProblem.wrongWidth(field.count) }
        return field[0] != 0
    }
    func null() -> Bool { false }
    func column(_ values: [Bool], validity: Bitmap?) -> Column { Column(.bool(values), validity: validity) }
}

/// Every text form → string codes, interned by the CSV reader's table (`CSVStringTable`:
/// identifiers arriving in order are appended without hashing). Fields are copied to a
/// small staging area and interned in batches (`internBatch`), so that the cache misses of
/// a large table (a customer id column) overlap; the codes are the column's own (the
/// builder's values are empty placeholders).
struct TextField: FieldDecoder {
    enum Form {
        /// UTF-8 as the server sends it (text, varchar, char(n) with its padding, name, json).
        case bytes
        /// A version byte (1), then the text.
        case jsonb
        /// 16 bytes, written `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11` (PostgreSQL's form).
        case uuid
    }
    let form: Form
    private var strings = CSVStringTable()
    private var codes: [Int32] = []
    /// Fields waiting to be interned: their bytes in `staging`, where they start, their length.
    private var staging: [UInt8]
    private var pending: [(start: Int, count: Int)] = []
    private var used = 0
    static let stagingBytes = 1 << 16
    static let batch = 256

    init(form: Form) {
        self.form = form
        staging = [UInt8](repeating: 0, count: TextField.stagingBytes)
        pending.reserveCapacity(TextField.batch)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    mutating func decode(_ field: UnsafeRawBufferPointer) throws {
        switch form {
        case .bytes:
            enqueue(field)
        case .jsonb:
            guard field.count >= 1, field[0] == 1 else { throw FieldProblem.wrongWidth(field.count) }
            enqueue(UnsafeRawBufferPointer(rebasing: field.dropFirst()))
        case .uuid:
            guard field.count == 16 else { throw FieldProblem.wrongWidth(field.count) }
            var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
            var out = 0
            for (i, byte) in field.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { out += 1 }
                text[out] = TextField.hex[Int(byte >> 4)]
                text[out + 1] = TextField.hex[Int(byte & 15)]
                out += 2
            }
            text.withUnsafeBytes { enqueue($0) }
        }
    }

    /// A null's placeholder is the empty string (interned in order, like any field).
    mutating func null() { enqueue(UnsafeRawBufferPointer(start: nil, count: 0)) }

    mutating func column(_ values: [Void], validity: Bitmap?) -> Column {
        flush()
        let (bytes, offsets) = strings.takeStrings()
        return Column(.string(codes: codes, dictionary: StringDictionary(distinctBytes: bytes, offsets: offsets)), validity: validity)
    }

    @inline(__always)
    private mutating func enqueue(_ field: UnsafeRawBufferPointer) {
        let n = field.count
        if used + n > TextField.stagingBytes || pending.count == TextField.batch { flush() }
        codes.append(0)
        if n > TextField.stagingBytes {
            // Longer than the staging area: in order, on its own.
            codes[codes.count - 1] = strings.intern(field)
            return
        }
        if n > 0, let base = field.baseAddress {
            staging.withUnsafeMutableBytes { s in
                if let to = s.baseAddress { (to + used).copyMemory(from: base, byteCount: n) }
            }
        }
        pending.append((used, n))
        used += n
    }

    /// Interns the pending fields, writing their codes in place.
    private mutating func flush() {
        guard !pending.isEmpty else { return }
        let first = codes.count - pending.count
        staging.withUnsafeBytes { s in
            guard let base = s.baseAddress else { return }
            var fields = pending.enumerated().map { i, f in CSVPendingString(p: base + f.start, n: f.count, index: first + i) }
            codes.withUnsafeMutableBufferPointer { c in
                fields.withUnsafeMutableBufferPointer { f in
                    if let fb = f.baseAddress, let cb = c.baseAddress { strings.internBatch(fb, count: f.count, codes: cb) }
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
        used = 0
    }
}

/// timestamp, timestamptz (microseconds since 2000-01-01 00:00, UTC for timestamptz) →
/// string in PostgreSQL's own text form (the session runs in UTC), whether or not a value
/// has a time of day, so the column's type never depends on its values (compiled queries
/// read the column as `CAST(ts AS TEXT)`, the same text).
struct TimestampField: FieldDecoder {
    let withZone: Bool
    private var strings = CSVStringTable()

    init(withZone: Bool) { self.withZone = withZone }

    mutating func decode(_ field: UnsafeRawBufferPointer) throws -> Int32 {
        guard field.count == 8 else { throw FieldProblem.wrongWidth(field.count) }
        let micros = Int64(bitPattern: bigEndianUInt64(field))
        guard micros != Int64.max, micros != Int64.min else {
            throw FieldProblem.value { _ in "holds \(micros > 0 ? "" : "-")infinity, which segsh cannot hold; filter it out or replace it in the query" }
        }
        return Array(TimestampField.text(micros, withZone: withZone).utf8).withUnsafeBytes { strings.intern($0) }
    }
    mutating func null() -> Int32 { strings.intern(UnsafeRawBufferPointer(start: nil, count: 0)) }
    mutating func column(_ values: [Int32], validity: Bitmap?) -> Column {
        let (bytes, offsets) = strings.takeStrings()
        return Column(.string(codes: values, dictionary: StringDictionary(distinctBytes: bytes, offsets: offsets)), validity: validity)
    }

    static let microsecondsPerDay: Int64 = 86_400_000_000

    /// `2024-06-30 12:34:56.5` (trailing zeros of the fraction dropped), `+00` for timestamptz.
    static func text(_ micros: Int64, withZone: Bool) -> String {
        var days = micros / microsecondsPerDay
        var rest = micros % microsecondsPerDay
        if rest < 0 { rest += microsecondsPerDay; days -= 1 }
        let date = CivilDate(daysSinceEpoch: Int32(clamping: days + PostgresType.epochOffsetDays))
        let seconds = rest / 1_000_000, fraction = rest % 1_000_000
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var s = "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            s += "." + digits
        }
        return withZone ? s + "+00" : s
    }
}
