import Columnar
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A data error found while parsing, located by byte offset (turned into `path:line:col`
/// by the reader).
struct CSVRowError {
    var offset: Int
    var message: String
    var hints: [String] = []
}

/// One byte range of the file, parsed in one pass on one thread: every record that starts
/// inside `start..<end` is scanned, checked for its field count and appended to typed
/// column builders (string fields are interned into the chunk's own dictionary per column,
/// straight from the bytes).
///
/// With `validate` set, the chunk also checks that its bytes are UTF-8 without NUL bytes, and
/// stops at the first problem: the reader then takes its slow path (conversion from GB18030,
/// or the error). Every byte of a record is a delimiter, a line end, a quote or part of a
/// field, and a field is either parsed as a number, date, bool or null (ASCII, or the exact
/// UTF-8 of `年月日` and currency signs) or kept as a string — interned into its column's
/// table. So instead of every byte of the file, the chunk checks its first block (a GBK
/// export shows itself there, before the whole chunk is parsed for nothing), the tables'
/// distinct strings at the end, and the bytes of skipped rows. Pages of a
/// memory-mapped file behind the parser are released as it goes, so a loaded file does not
/// stay resident next to its table. No per-row offsets are kept: a column that must be
/// re-read as strings is re-scanned from the chunk's start.
final class CSVChunk: @unchecked Sendable {
    let text: CSVText
    let start: Int
    let end: Int
    let delimiter: UInt8
    let columnNames: [String]
    let parser: CSVValueParser
    let skipBadRows: Bool
    /// Whether `"` quotes fields (`quote=""` turns quoting off).
    let quoting: Bool
    var progress: ((Double) -> Void)?
    /// Check UTF-8 validity and NUL bytes of `start..<end` while parsing.
    var validate = false
    /// Reserve column storage for the rows from `start` to the end of the text, not only to
    /// `end` (set on the first chunk: see `run`).
    var reserveForWholeText = false
    /// How many times this chunk's size the storage it reserves is.
    private var wholeTextFactor: Double {
        reserveForWholeText ? Double(text.count - start) / Double(max(end - start, 1)) : 1
    }

    private(set) var builders: [CSVColumnBuilder]
    private(set) var rowCount = 0
    /// Offset where parsing stopped: just past the last record read.
    private(set) var stoppedAt = 0
    private(set) var skippedRows = 0
    private(set) var firstSkipped: CSVRowError?
    /// The first data error (when rows are not skipped).
    private(set) var error: CSVRowError?
    /// Values that did not fit a type fixed by the `types` option and were read as null.
    private(set) var badValues = 0
    private(set) var firstBadValue: CSVRowError?
    /// Blank lines skipped between records (a one-column file reads them as nulls instead).
    private(set) var blankLines = 0
    /// Records with a field whose quotes were read as text (text after the closing quote), and the first such field.
    private(set) var literalQuoteRows = 0
    private(set) var firstLiteralQuote: Int?
    private(set) var cancelled = false
    /// With `validate`: `validatedTo` is `end` once the chunk was found clean; else the
    /// offset of an invalid UTF-8 byte or of a NUL byte (the chunk's start when the problem
    /// was found in a column's strings).
    private(set) var validatedTo = 0
    private(set) var invalidUTF8: Int?
    private(set) var nulByte: Int?

    /// Whether validation covered the whole chunk and found nothing.
    var validatedClean: Bool { validatedTo >= end && invalidUTF8 == nil && nulByte == nil }

    private var scratch: [UInt8] = []
    private var expectedRows = 0
    /// String fields of the current block of rows, per column, interned together
    /// (`flushStrings`): `pending[j * CSVChunk.batch + k]`, `pendingCount[j]` of them.
    /// (`let` pointers: no exclusivity check per field.)
    private let pending: UnsafeMutablePointer<CSVPendingString>
    private let pendingCount: UnsafeMutablePointer<Int>
    /// The columns that got pending strings since the last full flush, so a flush costs the
    /// columns with strings, not every column (a 100,000-column file flushed on each value
    /// that widened a column's kind, which made its load quadratic).
    private var pendingColumns: [Int] = []
    /// A batch's parsed values of one column, before they are appended at once.
    private let intValues = UnsafeMutablePointer<Int64>.allocate(capacity: CSVChunk.batch)
    private let doubleValues = UnsafeMutablePointer<Double>.allocate(capacity: CSVChunk.batch)
    private let dateValues = UnsafeMutablePointer<Int32>.allocate(capacity: CSVChunk.batch)
    private let boolValues = UnsafeMutablePointer<Bool>.allocate(capacity: CSVChunk.batch)
    private let columnCount: Int
    static let batch = 64

    /// What an unterminated quote's error suggests.
    static let quoteHints = ["if the file's quotes are plain text, not quoting, load it with quote=\"\""]

    init(text: CSVText, start: Int, end: Int, delimiter: UInt8, columnNames: [String],
         types: [DataType?], options: CSVOptions) {
        self.text = text
        self.start = start
        self.end = end
        self.delimiter = delimiter
        self.columnNames = columnNames
        self.parser = CSVValueParser(options: options)
        self.skipBadRows = options.skipBadRows
        self.quoting = options.quoting
        self.builders = types.map { CSVColumnBuilder(forced: $0) }
        self.validatedTo = start
        self.columnCount = types.count
        self.pending = .allocate(capacity: max(types.count, 1) * CSVChunk.batch)
        self.pendingCount = .allocate(capacity: max(types.count, 1))
        self.pendingCount.initialize(repeating: 0, count: max(types.count, 1))
    }

    deinit {
        pending.deallocate()
        pendingCount.deallocate()
        intValues.deallocate()
        doubleValues.deallocate()
        dateValues.deallocate()
        boolValues.deallocate()
    }

    /// Moves the builders out (the chunk keeps empty ones), so that the reader can free each
    /// column's chunk data as soon as it has been unified.
    func takeBuilders() -> [CSVColumnBuilder] {
        let out = builders
        builders = []
        return out
    }

    /// Bytes validated before parsing.
    private static let validationBlock = 1 << 20
    /// Bytes parsed between two releases of mapped pages.
    private static let releaseStep = 8 << 20

    func run() {
        let p = text.base
        let textEnd = text.count
        let columns = builders.count
        let batch = CSVChunk.batch
        // The field spans of one batch of records: record r's field j at `r * columns + j`.
        let spans = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: max(columns, 1) * batch)
        defer { spans.deallocate() }
        var pos = start
        let span = Double(max(end - start, 1))
        if let guess = estimatedRows() {
            expectedRows = guess
            // The first of several chunks reserves room for the rows of all of them (address
            // space only until written): its arrays become the loaded columns, and the other
            // chunks' values are appended without moving its own.
            let hint = Int(Double(guess) * wholeTextFactor)
            for j in builders.indices { builders[j] = CSVColumnBuilder(forced: builders[j].forced?.dataType, capacityHint: hint) }
        }
        var released = start
        var rows = 0
        var columnBuilders = builders
        builders = []
        defer {
            columnBuilders.withUnsafeMutableBufferPointer { flushStrings($0) }
            builders = columnBuilders
            rowCount = rows
            if text.isFileMapping { text.releasePages(from: released, to: stoppedAt) }
        }
        columnBuilders.withUnsafeMutableBufferPointer { b in
        if validate && !validateAhead(from: pos) { stoppedAt = pos; return }
        while pos < end {
            // Scan up to a batch of records; a malformed one is skipped or ends the batch.
            var count = 0
            var malformed: (problem: CSVRowError, at: Int)?
            while count < batch {
                let recordStart = CSVRecordScanner.recordStart(p, from: pos, end: textEnd, columns: columns)
                if recordStart != pos {
                    if recordStart < textEnd { blankLines += CSVRecordScanner.lineCount(p, from: pos, to: recordStart) }
                    pos = recordStart
                }
                if pos >= end { break }
                let scan = CSVRecordScanner.scan(p, from: pos, end: textEnd, delimiter: delimiter,
                                                 spans: spans + count * columns, capacity: columns, quoting: quoting)
                if scan.literalQuote >= 0 {
                    literalQuoteRows += 1
                    if firstLiteralQuote == nil { firstLiteralQuote = scan.literalQuote }
                }
                if scan.unterminatedQuote >= 0 || scan.fieldCount != columns {
                    let problem: CSVRowError
                    if scan.unterminatedQuote >= 0 {
                        problem = CSVRowError(offset: scan.unterminatedQuote, message: "unterminated quoted field",
                                              hints: CSVChunk.quoteHints)
                    } else {
                        let at = scan.fieldCount < columns ? scan.lineEnd : scan.extraFieldStart
                        problem = CSVRowError(offset: at, message: "row has \(scan.fieldCount) field\(scan.fieldCount == 1 ? "" : "s"), expected \(columns)")
                    }
                    if skipBadRows {
                        if validate && !checkBytes(pos, scan.next) { stoppedAt = pos; return }
                        skippedRows += 1
                        if firstSkipped == nil { firstSkipped = problem }
                        pos = scan.next
                        continue
                    }
                    malformed = (problem, pos)
                    break
                }
                count += 1
                pos = scan.next
            }
            // Then convert them column by column.
            for j in 0..<columns { convert(b, column: j, spans: spans, columns: columns, count: count, firstRow: rows) }
            rows += count
            flushStrings(b)
            if let (problem, at) = malformed {
                if error.map({ problem.offset < $0.offset }) ?? true { error = problem }
                stoppedAt = at
                return
            }
            if error != nil || invalidUTF8 != nil || nulByte != nil { stoppedAt = pos; return }
            if rows & 0xFFF < batch {
                if Cancellation.isRequested { cancelled = true; stoppedAt = pos; return }
                if rows >= 0x10000 && rows - count < 0x10000 { presizeStringTables(b, rows: rows) }
                if pos - released >= CSVChunk.releaseStep && text.isFileMapping {
                    text.releasePages(from: released, to: pos)
                    released = pos
                }
                progress?(Double(pos - start) / span)
            }
        }
        stoppedAt = pos
        if validate {
            flushStrings(b)
            if validateStrings(b) { validatedTo = end }
        }
        }
    }

    /// Converts field `j` of the batch's `count` records (rows `firstRow...`): runs of fields
    /// that parse as the column's kind as it stands go through a loop for that kind; a field
    /// that does not (null, spaces around it, escaped quotes, another type) goes through
    /// `add`, which may change the kind.
    @inline(__always)
    private func convert(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int,
                         spans: UnsafeMutablePointer<CSVFieldSpan>, columns: Int, count: Int, firstRow: Int) {
        var r = 0
        while r < count {
            let field = spans + j
            switch b[j].kind {
            case .string: r = stringRun(b, column: j, field, columns, from: r, to: count)
            case .int: r = valueRun(b, column: j, field, columns, from: r, to: count, into: \.ints, buffer: intValues) { p, n in
                if case .value(let v) = self.parser.parseInt(p, n) { return v }
                return nil
            }
            case .double: r = valueRun(b, column: j, field, columns, from: r, to: count, into: \.doubles, buffer: doubleValues) { p, n in
                self.parser.parseDouble(p, n)
            }
            case .date: r = valueRun(b, column: j, field, columns, from: r, to: count, into: \.dates, buffer: dateValues) { p, n in
                if case .value(let v) = self.parser.parseDate(p, n) { return v }
                return nil
            }
            case .bool: r = valueRun(b, column: j, field, columns, from: r, to: count, into: \.bools, buffer: boolValues) { p, n in
                CSVValueParser.parseBool(p, n)
            }
            case .null: break
            }
            if r < count {
                add(b, column: j, span: field[r * columns], row: firstRow + r)
                r += 1
            }
        }
    }

    /// Whether a field can take a typed loop: not empty, no space or tab (or other control
    /// byte) at either end, not an escaped quoted field.
    @inline(__always)
    private static func isSimple(_ span: CSVFieldSpan, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        span.form != .raw && n > 0 && p[0] &- 1 >= 0x20 && p[n - 1] &- 1 >= 0x20
    }

    /// Fields `r0..<count` of a typed column while they parse: the values are gathered in
    /// `buffer` and appended at once. Returns the first record not taken.
    @inline(__always)
    private func valueRun<T>(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int,
                             _ field: UnsafeMutablePointer<CSVFieldSpan>, _ columns: Int, from r0: Int, to count: Int,
                             into values: WritableKeyPath<CSVColumnBuilder, [T]>, buffer: UnsafeMutablePointer<T>,
                             _ parse: (UnsafePointer<UInt8>, Int) -> T?) -> Int {
        let base = text.base
        var r = r0
        while r < count {
            let span = field[r * columns]
            let p = base + span.start, n = span.end - span.start
            guard CSVChunk.isSimple(span, p, n), let v = parse(p, n) else { break }
            buffer[r - r0] = v
            r += 1
        }
        if r > r0 { b[j][keyPath: values].append(contentsOf: UnsafeBufferPointer(start: buffer, count: r - r0)) }
        return r
    }

    /// Fields `r0..<count` of a string column while they are plain non-null strings: each
    /// gets a placeholder code and waits in `pending` to be interned with the batch.
    @inline(__always)
    private func stringRun(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int,
                           _ field: UnsafeMutablePointer<CSVFieldSpan>, _ columns: Int, from r0: Int, to count: Int) -> Int {
        let base = text.base
        let fields = pending + j * CSVChunk.batch
        let first = b[j].codes.count
        var k = pendingCount[j]
        var r = r0
        while r < count {
            let span = field[r * columns]
            let p = base + span.start, n = span.end - span.start
            guard CSVChunk.isSimple(span, p, n), n > 4 || !CSVValueParser.isNull(p, n) else { break }
            fields[k] = CSVPendingString(p: UnsafeRawPointer(p), n: n, hash: 0, index: first + (r - r0))
            k += 1
            r += 1
        }
        if pendingCount[j] == 0 && k > 0 { pendingColumns.append(j) }
        pendingCount[j] = k
        if r > r0 { b[j].codes.append(contentsOf: repeatElement(0, count: r - r0)) }
        return r
    }

    /// Checks `lo..<hi` of the text; false (with the problem recorded) when it is not UTF-8
    /// or holds a NUL byte.
    private func checkBytes(_ lo: Int, _ hi: Int) -> Bool {
        let p = text.base
        if let bad = CSVText.firstInvalidUTF8(p, lo, hi) { invalidUTF8 = bad; return false }
        if let hit = memchr(p + lo, 0, hi - lo) { nulByte = UnsafeRawPointer(hit) - UnsafeRawPointer(p); return false }
        return true
    }

    /// Checks the distinct strings of every string column (see the type's comment); false
    /// (with the problem recorded at the chunk's start: the reader then checks the whole
    /// text and finds its place) when one is not UTF-8 or holds a NUL byte. The strings of a
    /// table are one byte array, checked at once; when it is not all ASCII, no string may
    /// start with a continuation byte either (else a sequence cut between two strings would
    /// pass as whole).
    private func validateStrings(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>) -> Bool {
        for j in 0..<b.count where b[j].kind == .string {
            let clean = b[j].table.bytes.withUnsafeBufferPointer { all -> Bool in
                guard let base = all.baseAddress, !all.isEmpty else { return true }
                if memchr(base, 0, all.count) != nil { nulByte = start; return false }
                if CSVText.firstInvalidUTF8(base, 0, all.count) != nil { invalidUTF8 = start; return false }
                if !CSVText.isASCII(base, all.count) {
                    let offsets = b[j].table.offsets
                    for k in 0..<(offsets.count - 1) where offsets[k] < offsets[k + 1] && base[offsets[k]] & 0xC0 == 0x80 {
                        invalidUTF8 = start
                        return false
                    }
                }
                return true
            }
            if !clean { return false }
        }
        return true
    }

    /// Checks the first block from `from` (the chunk's start); false at a problem.
    private func validateAhead(from: Int) -> Bool {
        let p = text.base
        var blockEnd = min(end, from + CSVChunk.validationBlock)
        while blockEnd < end, p[blockEnd] & 0xC0 == 0x80 { blockEnd += 1 }
        return checkBytes(from, blockEnd)
    }

    /// A row-count guess from the first records, to reserve the column buffers once.
    private func estimatedRows() -> Int? {
        let sample = min(end - start, 1 << 16)
        guard sample > 0, end - start > 1 << 20 else { return nil }
        var lines = 0
        for i in start..<(start + sample) where text.base[i] == csvLF { lines += 1 }
        guard lines > 0 else { return nil }
        return Int(Double(end - start) / (Double(sample) / Double(lines)) * 1.05)
    }

    /// After the first 64K rows: a string column with many distinct values so far (an
    /// identifier, a name) gets its dictionary sized for the whole chunk at once, instead of
    /// growing it by doubling (each growth rehashes every entry).
    private func presizeStringTables(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, rows: Int) {
        guard expectedRows > rows else { return }
        flushStrings(b)
        for j in 0..<b.count where b[j].kind == .string {
            let distinct = b[j].table.count
            guard distinct * 4 > rows else { continue }
            var projected = CSVChunk.projectedDistinct(distinct, in: rows, at: expectedRows)
            // Identifiers in order: every chunk adds its own, appended to the first's.
            if b[j].table.ascending { projected = Int(Double(projected) * wholeTextFactor) }
            let average = max(1, b[j].table.bytes.count / max(distinct, 1))
            b[j].table.reserveCapacity(projected, averageLength: average + 1)
        }
    }

    /// The distinct values expected in `total` rows when `rows` rows held `distinct`: the
    /// number of values N drawn from uniformly is estimated from the repeats so far
    /// (`distinct ≈ N (1 - e^(-rows/N))`), so that a column of a million customers does
    /// not get a table for ten million because its first 64K rows were nearly all distinct.
    static func projectedDistinct(_ distinct: Int, in rows: Int, at total: Int) -> Int {
        guard rows > 0, distinct < rows, distinct > 0 else { return max(distinct, total) }
        // Solve (1 - e^-x) / x = distinct / rows for x = rows / N (the left side falls from 1).
        let target = Double(distinct) / Double(rows)
        var lo = 1e-9, hi = 64.0
        for _ in 0..<60 {
            let x = (lo + hi) / 2
            if (1 - exp(-x)) / x > target { lo = x } else { hi = x }
        }
        let population = Double(rows) / ((lo + hi) / 2)
        let expected = population * (1 - exp(-Double(total) / population))
        return max(distinct, Int(min(expected * 1.1, Double(total))))
    }

    @inline(__always)
    private func add(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, span: CSVFieldSpan, row: Int) {
        if span.form == .raw {
            CSVRecordScanner.unescape(text.base, span, into: &scratch)
            let copy = scratch
            copy.withUnsafeBufferPointer { buf in
                let base = buf.baseAddress ?? text.base
                add(b, column: j, bytes: base, count: buf.count, span: span, row: row)
            }
        } else {
            add(b, column: j, bytes: text.base + span.start, count: span.end - span.start, span: span, row: row)
        }
    }

    @inline(__always)
    private func add(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, bytes p: UnsafePointer<UInt8>, count n: Int, span: CSVFieldSpan, row: Int) {
        var lo = 0, hi = n
        // Spaces and tabs around the value are not part of it (one test per end when none).
        if n > 0 && (p[0] &- 1 < 0x20 || p[n - 1] &- 1 < 0x20) {
            while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 { lo += 1 }
            while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 { hi -= 1 }
        }
        let t = p + lo, tn = hi - lo
        if CSVValueParser.isNull(t, tn) { b[j].appendNull(row: row); return }
        switch b[j].kind {
        case .string:
            if span.form == .raw {
                // The bytes are in the scratch buffer: intern now, after the fields before it.
                flushStrings(b, column: j)
                b[j].codes.append(b[j].table.intern(UnsafeRawPointer(p), n))
            } else {
                let k = pendingCount[j]
                pending[j * CSVChunk.batch + k] = CSVPendingString(p: UnsafeRawPointer(p), n: n, hash: 0, index: b[j].codes.count)
                if k == 0 { pendingColumns.append(j) }
                pendingCount[j] = k + 1
                b[j].codes.append(0)
            }
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
        addSlow(b, column: j, raw: p, count: n, value: parser.classify(t, tn), span: span, row: row)
    }

    /// Interns the pending string fields of every column (or of one).
    private func flushStrings(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column only: Int? = nil) {
        let columns = only.map { [$0] } ?? pendingColumns
        if only == nil { pendingColumns.removeAll(keepingCapacity: true) }
        for j in columns {
            let m = pendingCount[j]
            guard m > 0 else { continue }
            pendingCount[j] = 0
            let fields = pending + j * CSVChunk.batch
            b[j].codes.withUnsafeMutableBufferPointer { codes in
                guard let base = codes.baseAddress else { return }
                b[j].table.internBatch(fields, count: m, codes: base)
            }
        }
    }

    /// The value does not fit the column's current kind: widen, demote or report.
    private func addSlow(_ b: UnsafeMutableBufferPointer<CSVColumnBuilder>, column j: Int, raw p: UnsafePointer<UInt8>, count n: Int, value: CSVValue, span: CSVFieldSpan, row: Int) {
        flushStrings(b)
        let offset = span.start
        if let forced = b[j].forced {
            if forced == .double, case .int(let v) = value { b[j].doubles.append(Double(v)); return }
            let problem = CSVRowError(offset: offset,
                message: "cannot read '\(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))' as \(forced.dataType.rawValue) (column '\(columnNames[j])' has type \(forced.dataType.rawValue) from the types option)")
            if skipBadRows {
                // The value becomes null and its bytes are kept in no string table: check
                // them here (else invalid UTF-8 or a NUL byte past the first block is missed).
                if validate && !checkBytes(span.start, span.end) { b[j].appendNull(row: row); return }
                badValues += 1
                if firstBadValue.map({ offset < $0.offset }) ?? true { firstBadValue = problem }
                b[j].appendNull(row: row)
            } else {
                // Columns are converted one after the other: keep the first in the file.
                if error.map({ offset < $0.offset }) ?? true { error = problem }
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
            let codes = readStrings(column: j, rows: row, nullRows: b[j].nullRows, into: &table)
            b[j].becomeString(codes: codes, table: table)
        }
        if target == .string {
            b[j].codes.append(b[j].table.intern(UnsafeRawPointer(p), n))
        } else {
            b[j].append(value)
        }
    }

    /// Re-reads column `j` of the chunk's first `rows` records as strings (nulls get code 0),
    /// scanning from the chunk's start and skipping blank lines and malformed records exactly
    /// as `run` did. Touches no chunk state, so columns can be re-read in parallel.
    func readStrings(column j: Int, rows: Int, nullRows: [Int32], into table: inout CSVStringTable) -> [Int32] {
        var codes = [Int32]()
        codes.reserveCapacity(rows)
        let columns = max(columnNames.count, j + 1)
        let spans = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: j + 1)
        defer { spans.deallocate() }
        var scratch: [UInt8] = []
        var nextNull = 0
        let p = text.base
        let textEnd = text.count
        var pos = start
        var row = 0
        while row < rows && pos < textEnd {
            pos = CSVRecordScanner.recordStart(p, from: pos, end: textEnd, columns: columnNames.count)
            if pos >= textEnd { break }
            let scan = CSVRecordScanner.scan(p, from: pos, end: textEnd, delimiter: delimiter, spans: spans, capacity: j + 1,
                                             quoting: quoting)
            pos = scan.next
            if scan.unterminatedQuote >= 0 || scan.fieldCount != columns { continue }
            if row & 0xFFFF == 0xFFFF && Cancellation.isRequested { break }  // the reader then throws
            defer { row += 1 }
            if nextNull < nullRows.count, Int(nullRows[nextNull]) == row {
                codes.append(0)
                nextNull += 1
                continue
            }
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
