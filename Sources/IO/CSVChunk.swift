import Columnar

/// A data error found while parsing, located by byte offset (turned into `path:line:col`
/// by the reader).
struct CSVRowError {
    var offset: Int
    var message: String
}

/// One byte range of the file, parsed in one pass on one thread: every record that starts
/// inside `start..<end` is scanned, checked for its field count and appended to typed
/// column builders, and its start offset is kept so a column can be re-read as strings.
final class CSVChunk: @unchecked Sendable {
    let text: CSVText
    let start: Int
    let end: Int
    let delimiter: UInt8
    let columnNames: [String]
    let parser: CSVValueParser
    let skipBadRows: Bool
    var progress: ((Double) -> Void)?

    private(set) var builders: [CSVColumnBuilder]
    private(set) var rowStarts: [Int] = []
    /// Offset where parsing stopped: just past the last record read.
    private(set) var stoppedAt = 0
    private(set) var skippedRows = 0
    private(set) var firstSkipped: CSVRowError?
    /// The first data error (when rows are not skipped).
    private(set) var error: CSVRowError?
    /// Values that did not fit a type fixed by the `types` option and were read as null.
    private(set) var badValues = 0
    private(set) var firstBadValue: CSVRowError?
    private(set) var cancelled = false

    private var scratch: [UInt8] = []

    init(text: CSVText, start: Int, end: Int, delimiter: UInt8, columnNames: [String],
         types: [DataType?], options: CSVOptions) {
        self.text = text
        self.start = start
        self.end = end
        self.delimiter = delimiter
        self.columnNames = columnNames
        self.parser = CSVValueParser(options: options)
        self.skipBadRows = options.skipBadRows
        self.builders = types.map { CSVColumnBuilder(forced: $0) }
    }


    var rowCount: Int { rowStarts.count }

    func run() {
        let p = text.base
        let textEnd = text.count
        let columns = builders.count
        let spans = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: max(columns, 1))
        defer { spans.deallocate() }
        var pos = start
        let span = Double(max(end - start, 1))
        var starts: [Int] = []
        if let guess = estimatedRows() {
            starts.reserveCapacity(guess)
            for j in builders.indices { builders[j] = CSVColumnBuilder(forced: builders[j].forced?.dataType, capacityHint: guess) }
        }
        var columnBuilders = builders
        builders = []
        defer { builders = columnBuilders; rowStarts = starts }
        columnBuilders.withUnsafeMutableBufferPointer { b in
        while pos < end {
            pos = CSVRecordScanner.skipBlankLines(p, from: pos, end: textEnd)
            if pos >= end { break }
            let scan = CSVRecordScanner.scan(p, from: pos, end: textEnd, delimiter: delimiter, spans: spans, capacity: columns)
            var problem: CSVRowError?
            if scan.unterminatedQuote >= 0 {
                problem = CSVRowError(offset: scan.unterminatedQuote, message: "unterminated quoted field")
            } else if scan.fieldCount != columns {
                let at = scan.fieldCount < columns ? scan.lineEnd : scan.extraFieldStart
                problem = CSVRowError(offset: at, message: "row has \(scan.fieldCount) field\(scan.fieldCount == 1 ? "" : "s"), expected \(columns)")
            }
            if let problem {
                if skipBadRows {
                    skippedRows += 1
                    if firstSkipped == nil { firstSkipped = problem }
                    pos = scan.next
                    continue
                }
                error = problem
                stoppedAt = pos
                return
            }
            let row = starts.count
            starts.append(pos)
            for j in 0..<columns { add(b, column: j, span: spans[j], row: row, starts: starts) }
            if error != nil { stoppedAt = pos; return }
            pos = scan.next
            if row & 0xFFF == 0xFFF {
                if Cancellation.isRequested { cancelled = true; stoppedAt = pos; return }
                if row & 0xFFFF == 0xFFFF { progress?(Double(pos - start) / span) }
            }
        }
        stoppedAt = pos
        }
    }

    /// A row-count guess from the first records, to reserve the row-offset array once.
    private func estimatedRows() -> Int? {
        let sample = min(end - start, 1 << 16)
        guard sample > 0, end - start > 1 << 20 else { return nil }
        var lines = 0
        for i in start..<(start + sample) where text.base[i] == csvLF { lines += 1 }
        guard lines > 0 else { return nil }
        return Int(Double(end - start) / (Double(sample) / Double(lines)) * 1.05)
    }

    @inline(__always)
    private func add(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, span: CSVFieldSpan, row: Int, starts: [Int]) {
        if span.form == .raw {
            CSVRecordScanner.unescape(text.base, span, into: &scratch)
            let copy = scratch
            copy.withUnsafeBufferPointer { buf in
                let base = buf.baseAddress ?? text.base
                add(b, column: j, bytes: base, count: buf.count, span: span, row: row, starts: starts)
            }
        } else {
            add(b, column: j, bytes: text.base + span.start, count: span.end - span.start, span: span, row: row, starts: starts)
        }
    }

    @inline(__always)
    private func add(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, bytes p: UnsafePointer<UInt8>, count n: Int, span: CSVFieldSpan, row: Int, starts: [Int]) {
        var lo = 0, hi = n
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 { hi -= 1 }
        let t = p + lo, tn = hi - lo
        if CSVValueParser.isNull(t, tn) { b[j].appendNull(row: row); return }
        switch b[j].kind {
        case .string:
            appendString(b, column: j, bytes: p, count: n, span: span, row: row, starts: starts)
            return
        case .int:
            if case .value(let v) = parser.parseInt(t, tn) { b[j].ints.append(v); return }
        case .double:
            if let v = parser.parseDouble(t, tn) { b[j].doubles.append(v); return }
        case .date:
            if case .value(let v) = parser.parseDate(t, tn) { b[j].dates.append(v); return }
        case .bool:
            if let v = CSVValueParser.parseBool(t, tn) { b[j].bools.append(v); return }
        case .null:
            break
        }
        addSlow(b, column: j, raw: p, count: n, value: parser.classify(t, tn), span: span, row: row, starts: starts)
    }

    /// The value does not fit the column's current kind: widen, demote or report.
    private func addSlow(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, raw p: UnsafePointer<UInt8>, count n: Int, value: CSVValue, span: CSVFieldSpan, row: Int, starts: [Int]) {
        let offset = span.start
        if let forced = b[j].forced {
            if forced == .double, case .int(let v) = value { b[j].doubles.append(Double(v)); return }
            let problem = CSVRowError(offset: offset,
                message: "cannot read '\(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))' as \(forced.dataType.rawValue) (column '\(columnNames[j])' has type \(forced.dataType.rawValue) from the types option)")
            if skipBadRows {
                badValues += 1
                if firstBadValue == nil { firstBadValue = problem }
                b[j].appendNull(row: row)
            } else {
                error = problem
                b[j].appendNull(row: row)
            }
            return
        }
        if b[j].issue == nil {
            if case .intOverflow = value {
                b[j].issue = CSVColumnIssue(kind: .intOverflow, offset: offset, text: String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
            } else if case .floatOverflow = value {
                b[j].issue = CSVColumnIssue(kind: .floatOverflow, offset: offset, text: String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
            } else if case .invalidDate = value {
                b[j].issue = CSVColumnIssue(kind: .invalidDate, offset: offset, text: String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
            }
        }
        let current = b[j].kind
        let target = current.joined(value.kind)
        if current == .null {
            b[j].start(target, rows: row)
        } else if current == .int && target == .double {
            b[j].widenToDouble()
        } else if target == .string && current != .string {
            var table = CSVStringTable()
            let codes = readStrings(column: j, rows: row, nullRows: b[j].nullRows, rowStarts: starts, into: &table)
            b[j].becomeString(codes: codes, table: table)
        }
        if target == .string {
            appendString(b, column: j, bytes: p, count: n, span: span, row: row, starts: starts)
        } else {
            b[j].append(value)
        }
    }

    /// Interns a string value into the chunk's dictionary, or keeps its span once the column
    /// has deferred interning (too many distinct values for a per-chunk dictionary).
    @inline(__always)
    private func appendString(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, bytes p: UnsafePointer<UInt8>,
                              count n: Int, span: CSVFieldSpan, row: Int, starts: [Int]) {
        if b[j].deferred { b[j].appendSpan(span); return }
        b[j].codes.append(b[j].table.intern(UnsafeRawPointer(p), n))
        if b[j].table.count > CSVColumnBuilder.maxChunkDictionary {
            let (s, l) = readSpans(column: j, rows: row + 1, nullRows: b[j].nullRows, rowStarts: starts)
            b[j].becomeDeferred(starts: s, lengths: l)
        }
    }

    /// The spans of column `j` in the first `rows` records (nulls get `Int32.min`).
    private func readSpans(column j: Int, rows: Int, nullRows: [Int32], rowStarts: [Int]) -> ([Int], [Int32]) {
        var builder = CSVColumnBuilder(forced: nil)
        builder.spanStarts.reserveCapacity(rows)
        builder.spanLengths.reserveCapacity(rows)
        builder.deferred = true
        let spans = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: j + 1)
        defer { spans.deallocate() }
        var nextNull = 0
        for row in 0..<rows {
            if nextNull < nullRows.count, Int(nullRows[nextNull]) == row {
                builder.spanStarts.append(0); builder.spanLengths.append(Int32.min)
                nextNull += 1
                continue
            }
            _ = CSVRecordScanner.scan(text.base, from: rowStarts[row], end: text.count, delimiter: delimiter, spans: spans, capacity: j + 1)
            builder.appendSpan(spans[j])
        }
        return (builder.spanStarts, builder.spanLengths)
    }

    /// Interns a deferred column's spans into `dictionary`, in row order.
    func internSpans(starts: [Int], lengths: [Int32], into table: inout CSVStringTable) -> [Int32] {
        var codes = [Int32]()
        codes.reserveCapacity(starts.count)
        var scratch: [UInt8] = []
        let p = text.base
        for (k, (start, length)) in zip(starts, lengths).enumerated() {
            if k & 0xFFFF == 0xFFFF && Cancellation.isRequested { break }  // the reader then throws
            if length >= 0 {
                codes.append(table.intern(UnsafeRawPointer(p + start), Int(length)))
            } else if length == Int32.min {
                codes.append(0)
            } else {
                CSVRecordScanner.unescape(p, CSVFieldSpan(start: start, end: start + Int(-length - 1), form: .raw), into: &scratch)
                codes.append(scratch.withUnsafeBytes { table.intern($0) })
            }
        }
        return codes
    }

    /// Re-reads column `j` of the first `rows` records as strings (nulls get code 0).
    /// Touches no chunk state, so columns can be re-read in parallel.
    func readStrings(column j: Int, rows: Int, nullRows: [Int32], rowStarts: [Int], into table: inout CSVStringTable) -> [Int32] {
        var codes = [Int32]()
        codes.reserveCapacity(rows)
        let spans = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: j + 1)
        defer { spans.deallocate() }
        var scratch: [UInt8] = []
        var nextNull = 0
        let p = text.base
        for row in 0..<rows {
            if row & 0xFFFF == 0xFFFF && Cancellation.isRequested { break }  // the reader then throws
            if nextNull < nullRows.count, Int(nullRows[nextNull]) == row {
                codes.append(0)
                nextNull += 1
                continue
            }
            _ = CSVRecordScanner.scan(p, from: rowStarts[row], end: text.count, delimiter: delimiter, spans: spans, capacity: j + 1)
            let span = spans[j]
            if span.form == .raw {
                CSVRecordScanner.unescape(p, span, into: &scratch)
                codes.append(scratch.withUnsafeBytes { table.intern($0) })
            } else {
                codes.append(table.intern(UnsafeRawPointer(p + span.start), span.end - span.start))
            }
        }
        return codes
    }
}
