import Columnar
import Engine

/// Writes a table as `COPY ... FROM STDIN (FORMAT binary)` data, in chunks of about 1 MiB.
/// `check` first refuses what PostgreSQL cannot store exactly, naming the column and row,
/// before anything is sent.
enum PostgresCopyEncoder {
    static let chunkSize = 1 << 20

    /// Throws for a value PostgreSQL's column type cannot hold: a date outside 4714 BC –
    /// 5874897 AD, or text holding a NUL character. ints (bigint), doubles (double
    /// precision, NaN and infinities included) and booleans always fit.
    static func check(_ table: Table) throws {
        for (name, column) in zip(table.names, table.columns) {
            switch column.storage {
            case .date(let days):
                for (i, d) in days.enumerated() where !column.isNull(i) && !PostgresType.dateRange.contains(Int64(d)) {
                    throw RemoteError("column '\(name)': row \(i + 1) holds the date \(CivilDate(daysSinceEpoch: d)), outside PostgreSQL's dates (4714-11-24 BC to 5874897-12-31); filter or fix it before writing")
                }
            case .string(let codes, let dictionary):
                guard dictionary.bytes.contains(0) else { continue }
                for (i, code) in codes.enumerated() where !column.isNull(i) {
                    let hasNul = dictionary.withBytes(code) { $0.contains(0) }
                    if hasNul {
                        throw RemoteError("column '\(name)': row \(i + 1) holds text with a NUL character, which PostgreSQL text cannot store; remove it (replace) before writing")
                    }
                }
            case .int, .double, .bool:
                continue
            }
        }
    }

    /// Encodes every row and hands the bytes to `send` in chunks.
    static func encode(_ table: Table, send: (UnsafeRawBufferPointer) throws -> Void) throws {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize + 4096)
        buffer.append(contentsOf: PostgresCopyDecoder.signature)
        buffer.appendBigEndian(UInt32(0))  // flags
        buffer.appendBigEndian(UInt32(0))  // header extension length
        let fieldCount = UInt16(clamping: table.columnCount)
        for row in 0..<table.rowCount {
            buffer.appendBigEndian(fieldCount)
            for column in table.columns {
                if column.isNull(row) {
                    buffer.appendBigEndian(UInt32(bitPattern: -1))
                    continue
                }
                switch column.storage {
                case .int(let v):
                    buffer.appendBigEndian(UInt32(8))
                    buffer.appendBigEndian(UInt64(bitPattern: v[row]))
                case .double(let v):
                    buffer.appendBigEndian(UInt32(8))
                    buffer.appendBigEndian(v[row].bitPattern)
                case .date(let v):
                    buffer.appendBigEndian(UInt32(4))
                    // Checked by `check`: within PostgreSQL's range, so this fits Int32.
                    let days = Int32(clamping: Int64(v[row]) - PostgresType.epochOffsetDays)
                    buffer.appendBigEndian(UInt32(bitPattern: days))
                case .bool(let v):
                    buffer.appendBigEndian(UInt32(1))
                    buffer.append(v[row] ? 1 : 0)
                case .string(let codes, let dictionary):
                    dictionary.withBytes(codes[row]) { bytes in
                        buffer.appendBigEndian(UInt32(bytes.count))
                        buffer.append(contentsOf: bytes)
                    }
                }
            }
            if buffer.count >= chunkSize {
                try buffer.withUnsafeBytes { try send($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        buffer.appendBigEndian(UInt16(0xFFFF))  // trailer: field count -1
        try buffer.withUnsafeBytes { try send($0) }
    }
}

extension Array where Element == UInt8 {
    @inline(__always) mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
