import Columnar

/// CSV (RFC 4180) and TSV text of a table, streamed into a `ByteSink`.
///
/// Both write a header row, `\n` line ends, nulls as empty fields, ints as plain digits,
/// doubles as their shortest round-trip text (`formatDouble`), ISO dates and `true`/`false`.
/// - CSV quotes a field that contains the delimiter, a quote, CR or LF (doubling inner
///   quotes), and writes an empty string as `""` so it reads back apart from null.
/// - TSV never quotes: a tab, LF or CR inside a value is written as `\t`, `\n`, `\r`.
enum DelimitedWriter {
    enum Dialect {
        case csv, tsv
        var delimiter: UInt8 { self == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t") }
    }

    static func write(_ table: Table, dialect: Dialect, to sink: ByteSink, cancellable: Bool) throws {
        let delimiter = dialect.delimiter
        for (j, name) in table.names.enumerated() {
            if j > 0 { sink.append(delimiter) }
            var name = name
            name.withUTF8 { appendField(UnsafeRawBufferPointer($0), dialect: dialect, to: sink) }
        }
        sink.append(UInt8(ascii: "\n"))

        let cells = table.columns.map { cellWriter($0, dialect: dialect, sink: sink) }
        for row in 0..<table.rowCount {
            for (j, cell) in cells.enumerated() {
                if j > 0 { sink.append(delimiter) }
                cell(row)
            }
            sink.append(UInt8(ascii: "\n"))
            if row & 4095 == 4095 {
                if cancellable { try Cancellation.check() }
                try sink.flushIfNeeded()
            }
        }
    }

    /// A closure that appends the text of one row of `column` (nothing for null).
    static func cellWriter(_ column: Column, dialect: Dialect, sink: ByteSink) -> (Int) -> Void {
        let validity = column.validity
        switch column.storage {
        case .int(let v):
            return { row in if validity?[row] ?? true { sink.append(v[row]) } }
        case .double(let v):
            return { row in if validity?[row] ?? true { appendDouble(v[row], to: sink) } }
        case .date(let v):
            return { row in if validity?[row] ?? true { sink.appendDate(v[row]) } }
        case .bool(let v):
            return { row in if validity?[row] ?? true { sink.append(v[row] ? "true" : "false") } }
        case .string(let codes, let dictionary):
            return { row in
                if validity?[row] ?? true {
                    dictionary.withBytes(codes[row]) { appendField($0, dialect: dialect, to: sink) }
                }
            }
        }
    }

    static let powersOfTen: [Double] = (0...15).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

    /// The text of `formatDouble(v)` (shortest round-trip; whole values as plain digits),
    /// written without creating a `String` for the common case of a value with at most 15
    /// significant digits between 0.001 and 1e15: the fewest decimals `k` such that
    /// `round(|v| × 10^k) / 10^k == |v|` (both factors exact, the division correctly rounded,
    /// so this is exactly "the decimal reads back as v"; under 10^15 at most one decimal of
    /// each length can, so it is the shortest round-trip text). Other values go through
    /// `formatDouble`.
    @inline(__always)
    static func appendDouble(_ v: Double, to sink: ByteSink) {
        if v == v.rounded(), abs(v) < 1e15 { sink.append(Int64(v)); return }
        let a = abs(v)
        if a >= 1e-3 && a < 1e15 {
            for k in 1...15 {
                let scale = powersOfTen[k]
                let scaled = (a * scale).rounded()
                if scaled >= 1e15 { break }
                guard scaled / scale == a else { continue }
                let m = UInt64(scaled), divisor = UInt64(scale)
                if v < 0 { sink.append(UInt8(ascii: "-")) }
                sink.append(Int64(m / divisor))
                sink.append(UInt8(ascii: "."))
                let fraction = m % divisor  // > 0: v is not whole
                var width = 1
                var rest = fraction / 10
                while rest > 0 { width += 1; rest /= 10 }
                for _ in width..<k { sink.append(UInt8(ascii: "0")) }
                sink.append(Int64(fraction))
                return
            }
        }
        sink.append(formatDouble(v))
    }

    /// Appends one text field, quoted (CSV) or escaped (TSV) when needed.
    static func appendField(_ bytes: UnsafeRawBufferPointer, dialect: Dialect, to sink: ByteSink) {
        let delimiter = dialect.delimiter
        var special = false
        for b in bytes where b == delimiter || b == UInt8(ascii: "\"") || b == 10 || b == 13 {
            special = true
            break
        }
        switch dialect {
        case .csv:
            if bytes.isEmpty { sink.append(UInt8(ascii: "\"")); sink.append(UInt8(ascii: "\"")); return }
            guard special else { sink.append(bytes); return }
            sink.append(UInt8(ascii: "\""))
            for b in bytes {
                if b == UInt8(ascii: "\"") { sink.append(b) }
                sink.append(b)
            }
            sink.append(UInt8(ascii: "\""))
        case .tsv:
            guard special else { sink.append(bytes); return }
            for b in bytes {
                switch b {
                case 9: sink.append(UInt8(ascii: "\\")); sink.append(UInt8(ascii: "t"))
                case 10: sink.append(UInt8(ascii: "\\")); sink.append(UInt8(ascii: "n"))
                case 13: sink.append(UInt8(ascii: "\\")); sink.append(UInt8(ascii: "r"))
                default: sink.append(b)
                }
            }
        }
    }
}
