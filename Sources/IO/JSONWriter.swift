import Columnar

/// JSON text of a table, streamed into a `ByteSink`: one object per row with the column
/// names as keys in column order. Numbers are JSON numbers (ints as digits, doubles as their
/// shortest round-trip text; NaN and infinities, which JSON cannot express, become `null`),
/// dates are `"2024-06-30"` strings, nulls are `null`.
///
/// - `.array` writes `[`, one object per line separated by commas, then `]` (`[]` when empty).
/// - `.lines` (JSON Lines) writes one object per line and nothing else.
enum JSONWriter {
    enum Layout { case array, lines }

    static func write(_ table: Table, layout: Layout, to sink: ByteSink, cancellable: Bool) throws {
        let keys: [[UInt8]] = table.names.map { name in
            let keySink = ByteSink(capacity: name.utf8.count + 4)
            var name = name
            name.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: keySink) }
            keySink.append(UInt8(ascii: ":"))
            return keySink.bytes
        }
        let cells = table.columns.map { cellWriter($0, sink: sink) }
        if layout == .array {
            sink.append(UInt8(ascii: "["))
            if table.rowCount > 0 { sink.append(UInt8(ascii: "\n")) }
        }
        for row in 0..<table.rowCount {
            sink.append(UInt8(ascii: "{"))
            for (j, cell) in cells.enumerated() {
                if j > 0 { sink.append(UInt8(ascii: ",")) }
                keys[j].withUnsafeBytes { sink.append($0) }
                cell(row)
            }
            sink.append(UInt8(ascii: "}"))
            if layout == .array && row + 1 < table.rowCount { sink.append(UInt8(ascii: ",")) }
            sink.append(UInt8(ascii: "\n"))
            if row & 4095 == 4095 {
                if cancellable { try Cancellation.check() }
                try sink.flushIfNeeded()
            }
        }
        if layout == .array { sink.append("]\n") }
    }

    static func cellWriter(_ column: Column, sink: ByteSink) -> (Int) -> Void {
        let validity = column.validity
        switch column.storage {
        case .int(let v):
            return { row in if validity?[row] ?? true { sink.append(v[row]) } else { sink.append("null") } }
        case .double(let v):
            return { row in
                let x = v[row]
                if (validity?[row] ?? true) && x.isFinite {
                    DelimitedWriter.appendDouble(x, to: sink)
                } else {
                    sink.append("null")
                }
            }
        case .date(let v):
            return { row in
                if validity?[row] ?? true {
                    sink.append(UInt8(ascii: "\""))
                    sink.appendDate(v[row])
                    sink.append(UInt8(ascii: "\""))
                } else {
                    sink.append("null")
                }
            }
        case .bool(let v):
            return { row in sink.append(validity?[row] ?? true ? (v[row] ? "true" : "false") : "null") }
        case .string(let codes, let dictionary):
            return { row in
                if validity?[row] ?? true {
                    dictionary.withBytes(codes[row]) { appendString($0, to: sink) }
                } else {
                    sink.append("null")
                }
            }
        }
    }

    /// A JSON string literal: quotes, backslash and control characters escaped; other
    /// characters (Chinese included) written as UTF-8.
    static func appendString(_ bytes: UnsafeRawBufferPointer, to sink: ByteSink) {
        sink.append(UInt8(ascii: "\""))
        var plain = true
        for b in bytes where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            plain = false
            break
        }
        if plain {
            sink.append(bytes)
        } else {
            let hex = Array("0123456789abcdef".utf8)
            for b in bytes {
                switch b {
                case UInt8(ascii: "\""): sink.append("\\\"")
                case UInt8(ascii: "\\"): sink.append("\\\\")
                case 10: sink.append("\\n")
                case 13: sink.append("\\r")
                case 9: sink.append("\\t")
                case 8: sink.append("\\b")
                case 12: sink.append("\\f")
                case 0..<0x20:
                    sink.append("\\u00")
                    sink.append(hex[Int(b >> 4)])
                    sink.append(hex[Int(b & 15)])
                default: sink.append(b)
                }
            }
        }
        sink.append(UInt8(ascii: "\""))
    }
}
