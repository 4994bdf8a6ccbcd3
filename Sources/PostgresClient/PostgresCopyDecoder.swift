import Columnar
import Engine

/// Reads the rows of `COPY (query) TO STDOUT (FORMAT binary)` into typed columns, one
/// CopyData message (one row, the first also carrying the file header) at a time.
///
/// Binary is the faster format for segsh: ints, doubles, dates and booleans arrive as fixed
/// width big-endian values that need no parsing, and text arrives as raw UTF-8 (the client
/// encoding is UTF-8), interned straight from libpq's buffer.
struct PostgresCopyDecoder {
    let names: [String]
    private let builders: [PostgresColumnBuilder]
    private var headerPending = true
    private var finished = false
    private(set) var rowCount = 0

    /// One builder per result column; throws for a type segsh does not read, naming the
    /// column and its type.
    init(columns: [(name: String, oid: UInt32)], typeName: (UInt32) -> String) throws {
        var seen = Set<String>()
        for column in columns where !seen.insert(column.name).inserted {
            throw RemoteError("the query returns two columns named '\(column.name)'; rename one with AS")
        }
        names = columns.map(\.name)
        builders = try columns.map { column in
            guard let type = PostgresType(rawValue: column.oid) else {
                throw RemoteError("column '\(column.name)' has PostgreSQL type \(typeName(column.oid)), which segsh does not read; cast it in the query (\(column.name)::text, ::double precision or ::date)")
            }
            return makeColumnBuilder(name: column.name, type: type)
        }
    }

    static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// Reads one CopyData message.
    mutating func consume(_ message: UnsafeRawBufferPointer) throws {
        var reader = BigEndianReader(message)
        if headerPending {
            guard message.count >= 19, message.prefix(11).elementsEqual(PostgresCopyDecoder.signature) else {
                throw malformed("the binary COPY header is missing")
            }
            reader.offset = 11
            _ = try reader.int32()  // flags
            let extensionLength = try reader.int32()
            guard extensionLength >= 0 else { throw malformed("bad header extension") }
            try reader.skip(Int(extensionLength))
            headerPending = false
        }
        if reader.isAtEnd { return }
        let fieldCount = try reader.int16()
        if fieldCount == -1 { finished = true; return }
        guard Int(fieldCount) == builders.count else {
            throw malformed("a row has \(fieldCount) fields, expected \(builders.count)")
        }
        rowCount += 1
        for builder in builders {
            let length = try reader.int32()
            if length < 0 {
                builder.appendNull()
            } else {
                let field = try reader.bytes(Int(length))
                try builder.append(field, row: rowCount)
            }
        }
    }

    /// The table of all rows read.
    func finish() throws -> Table {
        let columns = try builders.map { try $0.finish() }
        return try Table(names: names, columns: columns)
    }

    /// Bytes that each row takes in memory, roughly (for the memory limit).
    var bytesPerRow: Int { builders.count * 8 + 8 }

    private func malformed(_ what: String) -> RemoteError {
        RemoteError("PostgreSQL sent COPY data segsh cannot read (\(what)); please report this with the query")
    }
}

/// Reads big-endian integers from a buffer, bounds-checked.
struct BigEndianReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset >= buffer.count }

    mutating func bytes(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= buffer.count - offset else {
            throw RemoteError("PostgreSQL sent a COPY row shorter than its fields say; please report this with the query")
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])
        offset += n
        return slice
    }

    mutating func skip(_ n: Int) throws { _ = try bytes(n) }

    mutating func int16() throws -> Int16 {
        let b = try bytes(2)
        return Int16(bitPattern: UInt16(bigEndian: b.loadUnaligned(as: UInt16.self)))
    }

    mutating func int32() throws -> Int32 {
        let b = try bytes(4)
        return Int32(bitPattern: UInt32(bigEndian: b.loadUnaligned(as: UInt32.self)))
    }
}
