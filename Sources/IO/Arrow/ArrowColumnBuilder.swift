import Columnar

/// Builds one segsh column from the Arrow arrays of successive record batches, decoding each
/// batch straight into the growing typed storage (no copy of the batch is kept).
///
/// How Arrow types become segsh types:
/// - int8/16/32/64 and uint8/16/32 → int; uint64 → int, or an error for a value above 2^63-1.
/// - float, double → double; float16 is an error.
/// - decimal (32, 64 or 128 bits) → double when the value has at most 15 significant digits
///   (then the double prints back as the same decimal); any other value is an error naming
///   the column and saying to cast or round it in the query. decimal256 is an error.
/// - utf8, large_utf8 → string.
/// - date32, date64 → date.
/// - timestamp (any unit, with or without a time zone): segsh has no timestamp type. When every
///   value of the column is a midnight the column becomes a date; otherwise it becomes text
///   `yyyy-mm-dd hh:mm:ss` with `.ffffff` (`.fffffffff` for nanoseconds) when a value has a
///   fraction of a second. Values with a time zone are written in UTC, wall-clock values
///   (TIMESTAMP_NTZ) as they are.
/// - bool → bool; the null type → an int column of nulls (segsh's type for an untyped null).
/// - Every other type (binary, time, interval, list, struct, map, dictionary-encoded...) is an
///   error naming the column and the type.
final class ArrowColumnBuilder {
    let field: ArrowField
    private enum Values {
        case int([Int64])
        case double([Double])
        case date([Int32])
        case bool([Bool])
        case string([Int32], StringDictionary)
        case timestamp([Int64], unitsPerSecond: Int64)
    }
    private var values: Values
    private var validity: Bitmap?
    private(set) var count = 0

    init(field: ArrowField) throws {
        self.field = field
        switch field.type {
        case .null, .int: values = .int([])
        case .floatingPoint(let w) where w != 16: values = .double([])
        case .decimal(_, _, let w) where w <= 128: values = .double([])
        case .utf8, .largeUTF8: values = .string([], StringDictionary())
        case .date: values = .date([])
        case .bool: values = .bool([])
        case .timestamp(let perSecond, _): values = .timestamp([], unitsPerSecond: perSecond)
        default:
            throw ArrowError("column '\(field.name)' has Arrow type \(field.type), which segsh cannot read; convert it in the query (for example CAST(`\(field.name)` AS STRING))")
        }
    }

    /// How many body buffers an array of this field's type takes in a record batch.
    var bufferCount: Int {
        switch field.type {
        case .null: return 0
        case .utf8, .largeUTF8: return 3
        default: return 2
        }
    }

    private func columnError(_ what: String) -> ArrowError {
        ArrowError("column '\(field.name)' (\(field.type)): \(what)")
    }

    private func need(_ buffer: UnsafeRawBufferPointer, _ bytes: Int, _ what: String) throws {
        guard buffer.count >= bytes else {
            throw columnError("the \(what) buffer holds \(buffer.count) bytes, \(bytes) expected; the Arrow data is damaged")
        }
    }

    /// Throws when `buffers` cannot hold an array of `length` rows of this field's type.
    func check(length: Int, nullCount: Int, buffers: [UnsafeRawBufferPointer]) throws {
        guard length >= 0, length <= 1 << 40, nullCount >= 0, nullCount <= length else {
            throw columnError("a batch reports \(length) rows with \(nullCount) nulls")
        }
        switch field.type {
        case .null:
            guard length <= 1 << 26 else { throw columnError("a batch of \(length) rows is more than segsh reads at once") }
        case .int(let width, _): try need(buffers[1], length * (width / 8), "values")
        case .floatingPoint(let width): try need(buffers[1], length * (width / 8), "values")
        case .decimal(_, _, let width): try need(buffers[1], length * (width / 8), "values")
        case .date(let milliseconds): try need(buffers[1], length * (milliseconds ? 8 : 4), "values")
        case .timestamp: try need(buffers[1], length * 8, "values")
        case .bool: try need(buffers[1], (length + 7) / 8, "values")
        case .utf8: if length > 0 { try need(buffers[1], (length + 1) * 4, "offsets") }
        case .largeUTF8: if length > 0 { try need(buffers[1], (length + 1) * 8, "offsets") }
        case .unsupported: break
        }
        if nullCount > 0, field.type != .null { try need(buffers[0], (length + 7) / 8, "validity") }
    }

    /// Appends one array of `length` rows whose buffers (validity first) are `buffers`.
    func append(length: Int, nullCount: Int, buffers: [UnsafeRawBufferPointer]) throws {
        try check(length: length, nullCount: nullCount, buffers: buffers)
        let valid: (Int) -> Bool
        if case .null = field.type {
            valid = { _ in false }
        } else if nullCount > 0 {
            let bits = buffers[0]
            valid = { bits[$0 >> 3] & (1 << UInt8($0 & 7)) != 0 }
        } else {
            valid = { _ in true }
        }
        appendValidity(length: length, allValid: nullCount == 0 && field.type != .null, valid)
        switch values {
        case .int(var v):
            values = .int([]) // keeps `v` uniquely referenced while it grows
            defer { values = .int(v) }
            v.reserveCapacity(v.count + length)
            switch field.type {
            case .null:
                v.append(contentsOf: repeatElement(0, count: length))
            case .int(let width, let signed):
                let data = buffers[1]
                try need(data, length * width / 8, "values")
                for i in 0..<length {
                    switch (width, signed) {
                    case (8, true): v.append(Int64(data.loadUnaligned(fromByteOffset: i, as: Int8.self)))
                    case (8, false): v.append(Int64(data.loadUnaligned(fromByteOffset: i, as: UInt8.self)))
                    case (16, true): v.append(Int64(Int16(littleEndian: data.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))))
                    case (16, false): v.append(Int64(UInt16(littleEndian: data.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
                    case (32, true): v.append(Int64(Int32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))))
                    case (32, false): v.append(Int64(UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
                    case (64, true): v.append(Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    default:
                        let u = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                        guard let x = Int64(exactly: u) else {
                            if !valid(i) { v.append(0); continue }
                            throw columnError("the value \(u) is above segsh's largest int, 9223372036854775807")
                        }
                        v.append(x)
                    }
                }
            default: break
            }
        case .double(var v):
            values = .double([])
            defer { values = .double(v) }
            v.reserveCapacity(v.count + length)
            let data = buffers[1]
            switch field.type {
            case .floatingPoint(32):
                try need(data, length * 4, "values")
                for i in 0..<length {
                    v.append(Double(Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))))
                }
            case .floatingPoint:
                try need(data, length * 8, "values")
                for i in 0..<length {
                    v.append(Double(bitPattern: UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                }
            case .decimal(_, let scale, let width):
                let size = width / 8
                try need(data, length * size, "values")
                for i in 0..<length {
                    guard valid(i) else { v.append(0); continue }
                    let unscaled: Int64?
                    switch width {
                    case 32: unscaled = Int64(Int32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case 64: unscaled = Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    default:
                        let lo = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 16 * i, as: UInt64.self))
                        let hi = UInt64(littleEndian: data.loadUnaligned(fromByteOffset: 16 * i + 8, as: UInt64.self))
                        let loSigned = Int64(bitPattern: lo)
                        // The 128-bit value fits an Int64 when the high word is the low word's sign.
                        unscaled = (hi == 0 && loSigned >= 0) || (hi == UInt64.max && loSigned < 0) ? loSigned : nil
                        if unscaled == nil {
                            let digits = ArrowColumnBuilder.digits(high: hi, low: lo)
                            throw columnError("the decimal \(ArrowColumnBuilder.decimalText(digits: digits.text, negative: digits.negative, scale: scale)) has more than 15 significant digits, so it is not exact as a double; round it or CAST it to DOUBLE in the query")
                        }
                    }
                    guard let unscaled, let d = ArrowColumnBuilder.exactDouble(unscaled: unscaled, scale: scale) else {
                        let shown = unscaled.map { ArrowColumnBuilder.decimalText(unscaled: $0, scale: scale) } ?? ""
                        throw columnError("the decimal \(shown) has more than 15 significant digits, so it is not exact as a double; round it or CAST it to DOUBLE in the query")
                    }
                    v.append(d)
                }
            default: break
            }
        case .date(var v):
            values = .date([])
            defer { values = .date(v) }
            v.reserveCapacity(v.count + length)
            let data = buffers[1]
            if case .date(milliseconds: true) = field.type {
                try need(data, length * 8, "values")
                for i in 0..<length {
                    let ms = Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    let days = ms >= 0 ? ms / 86_400_000 : -((-(ms + 1)) / 86_400_000) - 1
                    v.append(Int32(clamping: days))
                }
            } else {
                try need(data, length * 4, "values")
                for i in 0..<length {
                    v.append(Int32(littleEndian: data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                }
            }
        case .bool(var v):
            values = .bool([])
            defer { values = .bool(v) }
            let data = buffers[1]
            try need(data, (length + 7) / 8, "values")
            v.reserveCapacity(v.count + length)
            for i in 0..<length { v.append(data[i >> 3] & (1 << UInt8(i & 7)) != 0) }
        case .timestamp(var v, let perSecond):
            values = .timestamp([], unitsPerSecond: perSecond)
            defer { values = .timestamp(v, unitsPerSecond: perSecond) }
            let data = buffers[1]
            try need(data, length * 8, "values")
            v.reserveCapacity(v.count + length)
            for i in 0..<length { v.append(Int64(littleEndian: data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .string(var codes, let dictionary):
            values = .string([], dictionary)
            defer { values = .string(codes, dictionary) }
            codes.reserveCapacity(codes.count + length)
            let offsets = buffers[1], data = buffers[2]
            let large = field.type == .largeUTF8
            let width = large ? 8 : 4
            if length > 0 { try need(offsets, (length + 1) * width, "offsets") }
            func offset(_ i: Int) -> Int {
                large ? Int(truncatingIfNeeded: Int64(littleEndian: offsets.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                      : Int(Int32(littleEndian: offsets.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
            for i in 0..<length {
                guard valid(i) else { codes.append(dictionary.intern("")); continue }
                let start = offset(i), end = offset(i + 1)
                guard start >= 0, start <= end, end <= data.count else {
                    throw columnError("row \(count - length + i + 1) points outside the string data; the Arrow data is damaged")
                }
                codes.append(dictionary.intern(UnsafeRawBufferPointer(rebasing: data[start..<end])))
            }
        }
    }

    private func appendValidity(length: Int, allValid: Bool, _ valid: (Int) -> Bool) {
        if allValid {
            if validity != nil { for _ in 0..<length { validity?.append(true) } }
        } else {
            if validity == nil { validity = Bitmap(count: count, allValid: true) }
            for i in 0..<length { validity?.append(valid(i)) }
        }
        count += length
    }

    /// The finished column (timestamps are decided here: dates when all are midnights).
    func finish() throws -> Column {
        switch values {
        case .int(let v): return Column(.int(v), validity: validity)
        case .double(let v): return Column(.double(v), validity: validity)
        case .date(let v): return Column(.date(v), validity: validity)
        case .bool(let v): return Column(.bool(v), validity: validity)
        case .string(let c, let d): return Column(.string(codes: c, dictionary: d), validity: validity)
        case .timestamp(let v, let perSecond):
            let perDay = perSecond * 86_400
            let isNull = { (i: Int) in self.validity.map { !$0[i] } ?? false }
            if v.indices.allSatisfy({ isNull($0) || v[$0] % perDay == 0 }) {
                var days = [Int32]()
                days.reserveCapacity(v.count)
                for (i, t) in v.enumerated() {
                    guard !isNull(i) else { days.append(0); continue }
                    guard let d = Int32(exactly: t / perDay) else {
                        throw columnError("the timestamp on row \(i + 1) lies beyond the dates segsh can hold")
                    }
                    days.append(d)
                }
                return Column(.date(days), validity: validity)
            }
            let dictionary = StringDictionary()
            var codes = [Int32]()
            codes.reserveCapacity(v.count)
            for (i, t) in v.enumerated() {
                codes.append(dictionary.intern(isNull(i) ? "" : ArrowColumnBuilder.timestampText(t, unitsPerSecond: perSecond)))
            }
            return Column(.string(codes: codes, dictionary: dictionary), validity: validity)
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { n in (0..<n).reduce(1.0) { x, _ in x * 10 } }

    /// `unscaled × 10^-scale` as a double when the decimal has at most 15 significant digits
    /// (both factors are then exact doubles, so the quotient is the correctly rounded value
    /// and prints back as the same decimal); nil otherwise.
    static func exactDouble(unscaled: Int64, scale: Int) -> Double? {
        var digits = unscaled, scale = scale
        while digits != 0, digits % 10 == 0 { digits /= 10; scale -= 1 }
        guard digits.magnitude < 1_000_000_000_000_000, abs(scale) <= 22 else { return digits == 0 ? 0 : nil }
        return scale >= 0 ? Double(digits) / powersOfTen[scale] : Double(digits) * powersOfTen[-scale]
    }

    static func decimalText(unscaled: Int64, scale: Int) -> String {
        decimalText(digits: String(unscaled.magnitude), negative: unscaled < 0, scale: scale)
    }

    static func decimalText(digits: String, negative: Bool, scale: Int) -> String {
        var digits = digits
        if scale <= 0 {
            digits += String(repeating: "0", count: -scale)
        } else {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (negative ? "-" : "") + digits
    }

    /// The decimal digits of a two's-complement 128-bit integer.
    static func digits(high: UInt64, low: UInt64) -> (text: String, negative: Bool) {
        let negative = high >> 63 == 1
        var hi = high, lo = low
        if negative { // negate: invert and add one
            hi = ~hi; lo = ~lo
            let (sum, carry) = lo.addingReportingOverflow(1)
            lo = sum
            if carry { hi &+= 1 }
        }
        var text: [Character] = []
        repeat {
            let (qHigh, rHigh) = hi.quotientAndRemainder(dividingBy: 10)
            let (qLow, r) = UInt64(10).dividingFullWidth((rHigh, lo))
            hi = qHigh; lo = qLow
            text.append(Character(String(r)))
        } while hi != 0 || lo != 0
        return (String(text.reversed()), negative)
    }

    /// `yyyy-mm-dd hh:mm:ss[.ffffff]` of a count of units since 1970-01-01 00:00:00.
    static func timestampText(_ t: Int64, unitsPerSecond: Int64) -> String {
        let perDay = unitsPerSecond * 86_400
        var days = t / perDay, rest = t % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let date = CivilDate(daysSinceEpoch: Int32(clamping: days))
        let seconds = rest / unitsPerSecond, fraction = rest % unitsPerSecond
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(date) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        if fraction != 0 {
            let digits = unitsPerSecond == 1_000_000_000 && fraction % 1000 != 0 ? 9 : 6
            let scaled = digits == 9 ? fraction
                : unitsPerSecond >= 1_000_000 ? fraction / (unitsPerSecond / 1_000_000) : fraction * (1_000_000 / unitsPerSecond)
            let s = String(scaled)
            text += "." + String(repeating: "0", count: digits - s.count) + s
        }
        return text
    }
}
