import Columnar
import Engine

/// Collects one result column from binary COPY fields into typed storage. Each conforming
/// class decodes one family of PostgreSQL types; see `PostgresType` for the mapping.
protocol PostgresColumnBuilder: AnyObject {
    var name: String { get }
    var type: PostgresType { get }
    /// Appends one non-null field; `row` (1-based) is for messages.
    func append(_ field: UnsafeRawBufferPointer, row: Int) throws
    /// Appends a null (a placeholder value plus a cleared validity bit).
    func appendNull()
    func finish() throws -> Column
}

func makeColumnBuilder(name: String, type: PostgresType) -> PostgresColumnBuilder {
    switch type {
    case .int2, .int4, .int8: return IntBuilder(name: name, type: type)
    case .float4, .float8: return DoubleBuilder(name: name, type: type)
    case .numeric: return NumericBuilder(name: name, type: type)
    case .text, .varchar, .bpchar, .name, .json: return StringBuilder(name: name, type: type)
    case .jsonb: return StringBuilder(name: name, type: type, skippingVersionByte: true)
    case .uuid: return UUIDBuilder(name: name, type: type)
    case .date: return DateBuilder(name: name, type: type)
    case .bool: return BoolBuilder(name: name, type: type)
    case .timestamp, .timestamptz: return TimestampBuilder(name: name, type: type)
    }
}

extension PostgresColumnBuilder {
    func wrongWidth(_ field: UnsafeRawBufferPointer, row: Int) -> RemoteError {
        RemoteError("column '\(name)' (\(type.sqlName)): row \(row) holds \(field.count) bytes, which is not a \(type.sqlName); please report this with the query")
    }
}

/// The validity bitmap of a column being built: nil until the first null.
struct ValidityBuilder {
    private(set) var bitmap: Bitmap?
    private var count = 0

    @inline(__always) mutating func valid() {
        bitmap?.append(true)
        count += 1
    }

    mutating func null() {
        if bitmap == nil { bitmap = Bitmap(count: count, allValid: true) }
        bitmap?.append(false)
        count += 1
    }
}

@inline(__always) private func bigEndianUInt64(_ p: UnsafeRawBufferPointer) -> UInt64 {
    UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))
}

@inline(__always) private func bigEndianUInt32(_ p: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
}

final class IntBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Int64] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        switch field.count {
        case 8: values.append(Int64(bitPattern: bigEndianUInt64(field)))
        case 4: values.append(Int64(Int32(bitPattern: bigEndianUInt32(field))))
        case 2: values.append(Int64(Int16(bitPattern: UInt16(field[0]) << 8 | UInt16(field[1]))))
        default: throw wrongWidth(field, row: row)
        }
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(0) }
    func finish() throws -> Column { Column(.int(values), validity: validity.bitmap) }
}

final class DoubleBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Double] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        switch field.count {
        case 8: values.append(Double(bitPattern: bigEndianUInt64(field)))
        case 4: values.append(Double(Float(bitPattern: bigEndianUInt32(field))))
        default: throw wrongWidth(field, row: row)
        }
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(0) }
    func finish() throws -> Column { Column(.double(values), validity: validity.bitmap) }
}

/// `numeric` → double, refusing a value whose double would not read back as the same number.
final class NumericBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Double] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        guard let numeric = PostgresNumeric(binary: field) else { throw wrongWidth(field, row: row) }
        guard let value = numeric.exactDouble else {
            throw RemoteError("column '\(name)' (numeric): row \(row) holds \(numeric.text), which a double cannot hold exactly; round it or cast it in the query, e.g. round(\(name), 2) or \(name)::text")
        }
        values.append(value)
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(0) }
    func finish() throws -> Column { Column(.double(values), validity: validity.bitmap) }
}

/// Text as the server sends it (UTF-8). jsonb's binary form is a version byte (1) and the text.
final class StringBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()
    let skippingVersionByte: Bool

    init(name: String, type: PostgresType, skippingVersionByte: Bool = false) {
        self.name = name; self.type = type; self.skippingVersionByte = skippingVersionByte
    }
    var interner = TextInterner()
    var codes: [Int32] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        if skippingVersionByte {
            guard field.count >= 1, field[0] == 1 else { throw wrongWidth(field, row: row) }
            codes.append(interner.intern(UnsafeRawBufferPointer(rebasing: field.dropFirst())))
        } else {
            codes.append(interner.intern(field))
        }
        validity.valid()
    }
    func appendNull() {
        validity.null()
        codes.append(interner.intern(UnsafeRawBufferPointer(start: nil, count: 0)))
    }
    func finish() throws -> Column {
        Column(.string(codes: codes, dictionary: interner.dictionary()), validity: validity.bitmap)
    }
}

/// 16 bytes, as text `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11` (PostgreSQL's form).
final class UUIDBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var interner = TextInterner()
    var codes: [Int32] = []
    private static let hex = Array("0123456789abcdef".utf8)

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        guard field.count == 16 else { throw wrongWidth(field, row: row) }
        var text = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var out = 0
        for (i, byte) in field.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out += 1 }
            text[out] = UUIDBuilder.hex[Int(byte >> 4)]
            text[out + 1] = UUIDBuilder.hex[Int(byte & 15)]
            out += 2
        }
        codes.append(text.withUnsafeBytes { interner.intern($0) })
        validity.valid()
    }
    func appendNull() {
        validity.null()
        codes.append(interner.intern(UnsafeRawBufferPointer(start: nil, count: 0)))
    }
    func finish() throws -> Column {
        Column(.string(codes: codes, dictionary: interner.dictionary()), validity: validity.bitmap)
    }
}

final class DateBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Int32] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        guard field.count == 4 else { throw wrongWidth(field, row: row) }
        let days = Int32(bitPattern: bigEndianUInt32(field))
        guard days != Int32.max, days != Int32.min else {
            throw RemoteError("column '\(name)' (date): row \(row) holds \(days > 0 ? "" : "-")infinity, which segsh dates cannot hold; filter it out or replace it in the query")
        }
        guard let value = Int32(exactly: Int64(days) + PostgresType.epochOffsetDays) else {
            throw RemoteError("column '\(name)' (date): row \(row) lies beyond the dates segsh can hold")
        }
        values.append(value)
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(0) }
    func finish() throws -> Column { Column(.date(values), validity: validity.bitmap) }
}

final class BoolBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Bool] = []

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        guard field.count == 1 else { throw wrongWidth(field, row: row) }
        values.append(field[0] != 0)
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(false) }
    func finish() throws -> Column { Column(.bool(values), validity: validity.bitmap) }
}

/// Microseconds since 2000-01-01 00:00 (UTC for timestamptz). The column becomes dates when
/// every value is a midnight, else text in PostgreSQL's own UTC form.
final class TimestampBuilder: PostgresColumnBuilder {
    let name: String
    let type: PostgresType
    var validity = ValidityBuilder()

    init(name: String, type: PostgresType) { self.name = name; self.type = type }
    var values: [Int64] = []
    var allMidnight = true
    static let microsecondsPerDay: Int64 = 86_400_000_000

    func append(_ field: UnsafeRawBufferPointer, row: Int) throws {
        guard field.count == 8 else { throw wrongWidth(field, row: row) }
        let micros = Int64(bitPattern: bigEndianUInt64(field))
        guard micros != Int64.max, micros != Int64.min else {
            throw RemoteError("column '\(name)' (\(type.sqlName)): row \(row) holds \(micros > 0 ? "" : "-")infinity, which segsh cannot hold; filter it out or replace it in the query")
        }
        if allMidnight, micros % TimestampBuilder.microsecondsPerDay != 0 { allMidnight = false }
        values.append(micros)
        validity.valid()
    }
    func appendNull() { validity.null(); values.append(0) }

    func finish() throws -> Column {
        if allMidnight {
            // PostgreSQL timestamps lie within ±300,000 years: the days always fit Int32.
            let days = values.map { Int32(clamping: $0 / TimestampBuilder.microsecondsPerDay + PostgresType.epochOffsetDays) }
            return Column(.date(days), validity: validity.bitmap)
        }
        let dictionary = StringDictionary()
        var codes: [Int32] = []
        codes.reserveCapacity(values.count)
        for (i, micros) in values.enumerated() {
            if let bitmap = validity.bitmap, !bitmap[i] {
                codes.append(dictionary.intern(""))
            } else {
                codes.append(dictionary.intern(TimestampBuilder.text(micros, withZone: type == .timestamptz)))
            }
        }
        return Column(.string(codes: codes, dictionary: dictionary), validity: validity.bitmap)
    }

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
