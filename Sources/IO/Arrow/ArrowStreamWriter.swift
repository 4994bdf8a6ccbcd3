import Columnar

/// Writes segsh tables as Arrow IPC streams (the streaming format: a schema message, record
/// batches, the end-of-stream marker), uncompressed, little-endian, metadata version V5.
///
/// Types: int → int64, double → double, date → date32, bool → bool, string → utf8; nulls as
/// validity bitmaps. This is what segsh sends to Spark Connect as a `LocalRelation`.
public enum ArrowStreamWriter {
    /// The Arrow type each segsh type is written as.
    public static func arrowType(of type: DataType) -> ArrowType {
        switch type {
        case .int: return .int(bitWidth: 64, signed: true)
        case .double: return .floatingPoint(bitWidth: 64)
        case .date: return .date(milliseconds: false)
        case .bool: return .bool
        case .string: return .utf8
        }
    }

    /// One stream holding `rows` of `table` (all rows when nil) in batches of at most
    /// `batchRows` rows. Throws when a batch's strings exceed 2 GiB (write fewer rows).
    public static func stream(_ table: Table, rows: Range<Int>? = nil, batchRows: Int = 65_536) throws -> [UInt8] {
        let rows = rows ?? 0..<table.rowCount
        var out: [UInt8] = []
        append(message: schemaMessage(table), body: [], to: &out)
        var start = rows.lowerBound
        repeat {
            let end = min(start + max(batchRows, 1), rows.upperBound)
            try appendBatch(table, rows: start..<end, to: &out)
            start = end
        } while start < rows.upperBound
        out.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        return out
    }

    private static func typeNode(_ type: DataType) -> (tag: ArrowTypeTag, body: FlatBufferNode) {
        switch type {
        case .int: return (.int, .table([.int32(64), .uint8(1)]))
        case .double: return (.floatingPoint, .table([.int16(2)]))
        case .date: return (.date, .table([.int16(0)]))
        case .bool: return (.bool, .table([]))
        case .string: return (.utf8, .table([]))
        }
    }

    private static func schemaMessage(_ table: Table) -> [UInt8] {
        let fields: [FlatBufferNode] = zip(table.names, table.columns).map { name, column in
            let (tag, body) = typeNode(column.type)
            return .table([.node(.string(name)), .uint8(1), .uint8(tag.rawValue), .node(body), nil, .node(.tables([]))])
        }
        let schema = FlatBufferNode.table([.int16(0), .node(.tables(fields))])
        return FlatBufferBuilder.build(.table([.int16(4), .uint8(1), .node(schema), .int64(0)]))
    }

    private static func appendBatch(_ table: Table, rows: Range<Int>, to out: inout [UInt8]) throws {
        var body: [UInt8] = []
        var nodes: [UInt8] = []
        var buffers: [UInt8] = []
        func addBuffer(_ bytes: [UInt8]) {
            appendLE(Int64(body.count), to: &buffers)
            appendLE(Int64(bytes.count), to: &buffers)
            body.append(contentsOf: bytes)
            while body.count % 8 != 0 { body.append(0) }
        }
        for (name, column) in zip(table.names, table.columns) {
            var nulls = 0
            var validity = [UInt8](repeating: 0, count: (rows.count + 7) / 8)
            for (j, i) in rows.enumerated() {
                if column.isNull(i) { nulls += 1 } else { validity[j >> 3] |= 1 << UInt8(j & 7) }
            }
            appendLE(Int64(rows.count), to: &nodes)
            appendLE(Int64(nulls), to: &nodes)
            addBuffer(nulls > 0 ? validity : [])
            var values: [UInt8] = []
            switch column.storage {
            case .int(let v):
                values.reserveCapacity(rows.count * 8)
                for i in rows { appendLE(v[i], to: &values) }
            case .double(let v):
                values.reserveCapacity(rows.count * 8)
                for i in rows { appendLE(v[i].bitPattern, to: &values) }
            case .date(let v):
                values.reserveCapacity(rows.count * 4)
                for i in rows { appendLE(v[i], to: &values) }
            case .bool(let v):
                values = [UInt8](repeating: 0, count: (rows.count + 7) / 8)
                for (j, i) in rows.enumerated() where v[i] { values[j >> 3] |= 1 << UInt8(j & 7) }
            case .string(let codes, let dictionary):
                var offsets: [UInt8] = []
                offsets.reserveCapacity((rows.count + 1) * 4)
                appendLE(Int32(0), to: &offsets)
                for i in rows {
                    if !column.isNull(i) {
                        dictionary.withBytes(codes[i]) { values.append(contentsOf: $0) }
                    }
                    guard let end = Int32(exactly: values.count) else {
                        throw ArrowError("column '\(name)': more than 2 GiB of text in one batch; write fewer rows at a time")
                    }
                    appendLE(end, to: &offsets)
                }
                addBuffer(offsets)
            }
            addBuffer(values)
        }
        let batch = FlatBufferNode.table([
            .int64(Int64(rows.count)),
            .node(.structs(count: nodes.count / 16, alignment: 8, bytes: nodes)),
            .node(.structs(count: buffers.count / 16, alignment: 8, bytes: buffers)),
        ])
        let message = FlatBufferBuilder.build(.table([.int16(4), .uint8(3), .node(batch), .int64(Int64(body.count))]))
        append(message: message, body: body, to: &out)
    }

    private static func append(message: [UInt8], body: [UInt8], to out: inout [UInt8]) {
        appendLE(UInt32.max, to: &out)
        appendLE(Int32(message.count), to: &out) // `message` is padded to 8 bytes
        out.append(contentsOf: message)
        out.append(contentsOf: body)
    }

    private static func appendLE<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
