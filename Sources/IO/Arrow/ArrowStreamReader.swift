import Columnar

/// Reads Arrow IPC streams (the "streaming format": a schema message, record batches, an
/// end-of-stream marker) into segsh columns, one record batch at a time: each batch is
/// decoded straight into the columns being built and not kept, so memory is bounded by the
/// result. Several streams with the same schema may be read one after the other (Spark
/// Connect sends one stream per batch); `finish()` returns the table.
///
/// See `ArrowColumnBuilder` for how Arrow types become segsh types. Compressed and
/// dictionary-encoded batches, big-endian data and types segsh cannot hold are errors that
/// name the column; damaged data is an error, never a crash.
public final class ArrowStreamReader {
    /// The schema of the first stream read (nil before).
    public private(set) var fields: [ArrowField]?
    private var builders: [ArrowColumnBuilder] = []
    /// Rows read so far.
    public private(set) var rowCount = 0

    public init() {}

    /// Reads one stream (or several concatenated) held in `bytes`.
    public func read(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try read($0) }
    }

    /// Reads one stream (or several concatenated) held in `bytes`.
    public func read(_ bytes: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < bytes.count {
            guard position + 4 <= bytes.count else { throw ArrowError("the Arrow stream ends inside a message header") }
            var length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int32.self)))
            position += 4
            if length == -1 { // the continuation marker 0xFFFFFFFF, then the length
                guard position + 4 <= bytes.count else { throw ArrowError("the Arrow stream ends inside a message header") }
                length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Int32.self)))
                position += 4
            }
            if length == 0 { continue } // end of one stream; another may follow
            guard length > 0, length <= bytes.count - position else {
                throw ArrowError("the Arrow stream is cut short: a message of \(length) bytes is announced, \(bytes.count - position) remain")
            }
            let metadata = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
            position += length
            let message = try FlatBufferTable(root: metadata)
            // Message: version 0, header_type 1, header 2, bodyLength 3.
            let headerType = try message.scalar(1, default: UInt8(0))
            let bodyLength = Int(try message.scalar(3, default: Int64(0)))
            guard bodyLength >= 0, bodyLength <= bytes.count - position else {
                throw ArrowError("the Arrow stream is cut short: a body of \(bodyLength) bytes is announced, \(bytes.count - position) remain")
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + bodyLength)])
            position += bodyLength
            guard let header = try message.table(2) else { throw ArrowError("an Arrow message has no header") }
            switch headerType {
            case 1: try readSchema(header)
            case 3: try readRecordBatch(header, body: body)
            case 2: throw ArrowError("the Arrow stream holds a dictionary batch; segsh does not read dictionary-encoded columns")
            default: throw ArrowError("the Arrow stream holds a message of kind \(headerType), which segsh does not read")
            }
        }
    }

    private func readSchema(_ schema: FlatBufferTable) throws {
        let read = try readArrowSchema(schema)
        if let fields {
            guard fields == read else {
                throw ArrowError("the Arrow schema changed between batches: \(describe(fields)) became \(describe(read))")
            }
            return
        }
        builders = try read.map(ArrowColumnBuilder.init(field:))
        fields = read
    }

    private func describe(_ fields: [ArrowField]) -> String {
        "(" + fields.map { "\($0.name) \($0.type)" }.joined(separator: ", ") + ")"
    }

    /// RecordBatch: length 0, nodes 1 (FieldNode structs: length, null_count), buffers 2
    /// (Buffer structs: offset, length), compression 3.
    private func readRecordBatch(_ batch: FlatBufferTable, body: UnsafeRawBufferPointer) throws {
        guard fields != nil else { throw ArrowError("the Arrow stream has a record batch before its schema") }
        if try batch.table(3) != nil {
            throw ArrowError("the Arrow batch is compressed, which segsh does not read; turn compression off on the server")
        }
        let length = Int(try batch.scalar(0, default: Int64(0)))
        let nodes = try batch.vector(1, elementSize: 16)
        let buffers = try batch.vector(2, elementSize: 16)
        guard nodes.count == builders.count else {
            throw ArrowError("the Arrow batch has \(nodes.count) columns, its schema \(builders.count)")
        }
        let buffer = batch.buffer
        var nextBuffer = 0
        var arrays: [(nullCount: Int, buffers: [UnsafeRawBufferPointer])] = []
        for (i, builder) in builders.enumerated() {
            let nodeLength = Int(try FlatBufferTable.load(Int64.self, buffer, at: nodes.start + 16 * i))
            let nullCount = Int(try FlatBufferTable.load(Int64.self, buffer, at: nodes.start + 16 * i + 8))
            guard nodeLength == length else {
                throw ArrowError("column '\(builder.field.name)': the batch has \(length) rows but the column \(nodeLength)")
            }
            var parts: [UnsafeRawBufferPointer] = []
            for _ in 0..<builder.bufferCount {
                guard nextBuffer < buffers.count else {
                    throw ArrowError("column '\(builder.field.name)': the Arrow batch lists too few buffers")
                }
                let offset = Int(try FlatBufferTable.load(Int64.self, buffer, at: buffers.start + 16 * nextBuffer))
                let size = Int(try FlatBufferTable.load(Int64.self, buffer, at: buffers.start + 16 * nextBuffer + 8))
                nextBuffer += 1
                guard offset >= 0, size >= 0, offset <= body.count, size <= body.count - offset else {
                    throw ArrowError("column '\(builder.field.name)': a buffer lies outside the batch's \(body.count)-byte body")
                }
                parts.append(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + size)]))
            }
            // Every column is checked before any is appended to, so a damaged batch fails fast.
            try builder.check(length: length, nullCount: nullCount, buffers: parts)
            arrays.append((nullCount, parts))
        }
        for (builder, array) in zip(builders, arrays) {
            try builder.append(length: length, nullCount: array.nullCount, buffers: array.buffers)
        }
        rowCount += length
    }

    /// The table of every batch read; an empty table when no stream was read.
    public func finish() throws -> Table {
        guard let fields else { return Table() }
        return Table(uncheckedNames: fields.map(\.name), columns: try builders.map { try $0.finish() }, rowCount: rowCount)
    }
}
