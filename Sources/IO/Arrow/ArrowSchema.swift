import Columnar

/// An error reading or writing Arrow IPC data, phrased for the user (one line; names the
/// column when one is at fault).
public struct ArrowError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The Arrow types segsh knows by name. Types it can read are mapped to segsh columns by
/// `ArrowColumnBuilder`; every other type is kept as `.unsupported` with its Arrow name, so
/// the error that follows can say which column and which type.
public enum ArrowType: Equatable, Sendable, CustomStringConvertible {
    case null
    case bool
    case int(bitWidth: Int, signed: Bool)
    /// 16, 32 or 64 bits.
    case floatingPoint(bitWidth: Int)
    case decimal(precision: Int, scale: Int, bitWidth: Int)
    case utf8
    case largeUTF8
    /// Days (`date32`) or milliseconds (`date64`) since 1970-01-01.
    case date(milliseconds: Bool)
    /// `unitsPerSecond`: 1, 1,000, 1,000,000 or 1,000,000,000; `timezone` nil for a wall-clock
    /// timestamp (Spark's TIMESTAMP_NTZ).
    case timestamp(unitsPerSecond: Int64, timezone: String?)
    /// Anything else (binary, time, interval, list, struct, map, dictionary-encoded...).
    case unsupported(String)

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int(let w, let s): return "\(s ? "int" : "uint")\(w)"
        case .floatingPoint(let w): return w == 16 ? "float16" : w == 32 ? "float" : "double"
        case .decimal(let p, let s, let w): return w == 128 ? "decimal128(\(p), \(s))" : "decimal\(w)(\(p), \(s))"
        case .utf8: return "utf8"
        case .largeUTF8: return "large_utf8"
        case .date(let ms): return ms ? "date64" : "date32"
        case .timestamp(let u, let tz):
            let unit = u == 1 ? "s" : u == 1_000 ? "ms" : u == 1_000_000 ? "us" : "ns"
            return tz.map { "timestamp[\(unit), tz=\($0)]" } ?? "timestamp[\(unit)]"
        case .unsupported(let name): return name
        }
    }
}

/// One column of an Arrow schema.
public struct ArrowField: Equatable, Sendable {
    public var name: String
    public var type: ArrowType
    public var nullable: Bool
    /// Nested columns (lists, structs): only counted, to skip their buffers is not supported.
    public var childCount: Int
    public init(name: String, type: ArrowType, nullable: Bool = true, childCount: Int = 0) {
        self.name = name; self.type = type; self.nullable = nullable; self.childCount = childCount
    }
}

/// Arrow's `Type` union numbers (Schema.fbs) that segsh reads or names.
enum ArrowTypeTag: UInt8 {
    case none = 0, null, int, floatingPoint, binary, utf8, bool, decimal, date, time, timestamp,
         interval, list, structType, union, fixedSizeBinary, fixedSizeList, map, duration,
         largeBinary, largeUTF8, largeList, runEndEncoded, binaryView, utf8View, listView,
         largeListView

    var arrowName: String {
        switch self {
        case .none: return "none"
        case .null: return "null"
        case .int: return "int"
        case .floatingPoint: return "float"
        case .binary: return "binary"
        case .utf8: return "utf8"
        case .bool: return "bool"
        case .decimal: return "decimal"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .interval: return "interval"
        case .list: return "list"
        case .structType: return "struct"
        case .union: return "union"
        case .fixedSizeBinary: return "fixed_size_binary"
        case .fixedSizeList: return "fixed_size_list"
        case .map: return "map"
        case .duration: return "duration"
        case .largeBinary: return "large_binary"
        case .largeUTF8: return "large_utf8"
        case .largeList: return "large_list"
        case .runEndEncoded: return "run_end_encoded"
        case .binaryView: return "binary_view"
        case .utf8View: return "utf8_view"
        case .listView: return "list_view"
        case .largeListView: return "large_list_view"
        }
    }
}

extension ArrowField {
    /// Reads a `Field` table of Schema.fbs: name 0, nullable 1, type_type 2, type 3,
    /// dictionary 4, children 5.
    init(flatBuffer field: FlatBufferTable) throws {
        name = try field.string(0) ?? ""
        nullable = try field.bool(1)
        childCount = try field.vector(5, elementSize: 4).count
        let tag = try field.scalar(2, default: UInt8(0))
        let body = try field.table(3)
        if try field.table(4) != nil {
            type = .unsupported("dictionary-encoded \(ArrowTypeTag(rawValue: tag)?.arrowName ?? "type \(tag)")")
            return
        }
        switch ArrowTypeTag(rawValue: tag) {
        case .null: type = .null
        case .bool: type = .bool
        case .utf8: type = .utf8
        case .largeUTF8: type = .largeUTF8
        case .int:
            let width = Int(try body?.scalar(0, default: Int32(0)) ?? 0)
            let signed = try body?.bool(1) ?? false
            type = [8, 16, 32, 64].contains(width) ? .int(bitWidth: width, signed: signed) : .unsupported("int\(width)")
        case .floatingPoint:
            // Precision: HALF 0, SINGLE 1, DOUBLE 2.
            switch try body?.scalar(0, default: Int16(0)) ?? 0 {
            case 0: type = .floatingPoint(bitWidth: 16)
            case 1: type = .floatingPoint(bitWidth: 32)
            default: type = .floatingPoint(bitWidth: 64)
            }
        case .decimal:
            let precision = Int(try body?.scalar(0, default: Int32(0)) ?? 0)
            let scale = Int(try body?.scalar(1, default: Int32(0)) ?? 0)
            let width = Int(try body?.scalar(2, default: Int32(128)) ?? 128)
            let maxPrecision = width == 256 ? 76 : 38
            type = (1...maxPrecision).contains(precision) && abs(scale) <= maxPrecision
                ? .decimal(precision: precision, scale: scale, bitWidth: width)
                : .unsupported("decimal\(width)(\(precision), \(scale))")
        case .date:
            // DateUnit: DAY 0, MILLISECOND 1 (the default).
            type = .date(milliseconds: try body?.scalar(0, default: Int16(1)) ?? 1 != 0)
        case .timestamp:
            // TimeUnit: SECOND 0, MILLISECOND 1, MICROSECOND 2, NANOSECOND 3.
            let unit = try body?.scalar(0, default: Int16(0)) ?? 0
            let perSecond: Int64 = unit == 0 ? 1 : unit == 1 ? 1_000 : unit == 2 ? 1_000_000 : 1_000_000_000
            let tz = try body?.string(1)
            type = .timestamp(unitsPerSecond: perSecond, timezone: tz.flatMap { $0.isEmpty ? nil : $0 })
        case .time:
            let unit = try body?.scalar(0, default: Int16(1)) ?? 1
            let width = try body?.scalar(1, default: Int32(32)) ?? 32
            type = .unsupported("time\(width)[\(["s", "ms", "us", "ns"][Int(min(max(unit, 0), 3))])]")
        case let other?:
            type = .unsupported(other.arrowName)
        case nil:
            type = .unsupported("Arrow type number \(tag)")
        }
    }
}

/// Reads a `Schema` table: endianness 0 (Little 0, Big 1), fields 1.
func readArrowSchema(_ schema: FlatBufferTable) throws -> [ArrowField] {
    if try schema.scalar(0, default: Int16(0)) != 0 {
        throw ArrowError("the Arrow data is big-endian, which segsh does not read")
    }
    return try schema.tables(1).map(ArrowField.init(flatBuffer:))
}
