import Columnar
import Diagnostics
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What loading a CSV file produced.
public struct CSVLoadResult: Sendable {
    public var table: Table
    /// Malformed rows skipped with `on_error="skip"`.
    public var skippedRows: Int
    /// Things the analyst should know (renamed columns, columns read as string because of a
    /// bad value, the encoding that was guessed, skipped rows), one sentence each.
    public var warnings: [String]
    /// The size of the file in bytes.
    public var bytesRead: Int
    /// The delimiter that was used (given or detected).
    public var delimiter: UInt8
    /// Whether the first row was read as column names (given or detected).
    public var hasHeader: Bool
}

/// Reads CSV/TSV files into a `Table`.
///
/// The whole file is read as bytes (a read-only memory map; the file is never changed),
/// converted to UTF-8 when needed, and parsed in parallel chunks split at record boundaries.
/// Each chunk fills typed column buffers in one pass; the chunks are then unified.
///
/// **Encoding.** UTF-8 with or without a byte order mark. With `encoding="gb18030"` or `"gbk"`,
/// or when the bytes are not valid UTF-8, the whole buffer is converted from GB18030 first
/// (a warning says so when it was guessed). A UTF-8 byte order mark in front of GB18030 text
/// is dropped (with a warning when the encoding was guessed). A file with UTF-16 byte order
/// mark is converted too. NUL bytes and bytes valid in neither encoding are errors naming
/// line and column.
///
/// **Header detection** (when `header` is not given). The first row is read as data only when
/// one of its fields is a number, date or bool that fits the type inferred for the rest of its
/// column (or the rest of the column is empty): `1,2,3` followed by numbers is data. In every
/// other case the first row holds column names — CRM exports always have one, so when in doubt
/// it is a header. A first-row value named in the `types` option also marks a header.
/// Without a header the columns are `column1`, `column2`, … An empty header name becomes
/// `columnN` and a repeated one gets `_2`, `_3` (each with a warning).
///
/// **Types** are inferred over the whole file, per column: int (Int64), double, date, bool
/// (`true`/`false` in any case), else string. Empty fields, `NULL`, `null`, `NA`, `N/A` are
/// null. Digit strings with a leading zero (`00123`) are identifiers: the column stays string.
/// An integer too large for 64 bits, a number too large for a 64-bit float (`1e400`), or an
/// impossible date (`2024-02-30`), makes its column a string and adds a warning; with the
/// `types` option fixing the column's type, it is an error instead. Dates: `2024-06-30`, `2024-6-3`, `2024/6/30`, `2024年6月30日`,
/// and the `dates` format when given. `¥1,200.50`, `$3,000`, `1,234` are numbers only with
/// `numbers="currency"`.
public enum CSVReader {
    /// Reads a file. `.tsv` files default to the tab delimiter. `progress` is called with the
    /// fraction done, from a worker thread.
    public static func read(path: String, options: CSVOptions = CSVOptions(),
                            progress: ((Double) -> Void)? = nil) throws -> CSVLoadResult {
        let text = try CSVText.map(path: path)
        return try read(text: text, name: path, options: options, progress: progress)
    }

    /// Reads CSV text held in memory; `name` is used in messages and for the `.tsv` rule.
    public static func read(bytes: [UInt8], name: String, options: CSVOptions = CSVOptions()) throws -> CSVLoadResult {
        try read(text: CSVText.copy(bytes), name: name, options: options, progress: nil)
    }

    static func read(text raw: CSVText, name: String, options: CSVOptions,
                     progress: ((Double) -> Void)?) throws -> CSVLoadResult {
        // Converted text (UTF-16, or GB18030 when asked) is valid UTF-8 by construction; the
        // file's own bytes are checked for UTF-8 and NUL bytes by the chunks (their first
        // block, then every distinct string they keep: see `CSVChunk`), not in a pass of
        // their own. When a check fails, or any error stops the parse early, the whole text
        // is checked first, as if up front, so that the outcome (a GB18030 guess, a NUL or
        // UTF-8 error) is the same.
        var warnings: [String] = []
        let estimate = estimatedSize(raw, encoding: options.encoding)
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        try MemoryBudget.check(estimate.bytes, for: "loading '\(fileName)' (about \(MemoryBudget.grouped(estimate.rows)) rows)")
        let checkLater: Bool
        let text: CSVText
        if let converted = try convertedUpFront(raw, name: name, encoding: options.encoding) {
            text = converted
            checkLater = false
            if let nul = text.firstNUL() { throw nulError(text, name, nul) }
        } else {
            text = raw.droppingBOM()
            checkLater = true
        }
        do {
            return try parse(text: text, raw: raw, name: name, options: options, checked: !checkLater,
                             warnings: warnings, progress: progress)
        } catch CSVNeedsFullCheck.check {
            // fall through to the full check below
        } catch ColumnarError.cancelled {
            throw ColumnarError.cancelled
        } catch {
            if checkLater, let redo = try fullCheck(raw, name: name, options: options, warnings: &warnings, progress: progress) {
                return redo
            }
            throw error
        }
        if let redo = try fullCheck(raw, name: name, options: options, warnings: &warnings, progress: progress) { return redo }
        // The parse stopped for a reason the full check does not confirm: parse once more
        // with everything checked.
        return try parse(text: text, raw: raw, name: name, options: options, checked: true, warnings: warnings, progress: progress)
    }

    private enum CSVNeedsFullCheck: Error { case check }

    /// The checks a load makes before parsing, over the whole text: invalid UTF-8 (the text
    /// is then converted from GB18030 and parsed again, or the error is thrown) and NUL
    /// bytes (thrown). Nil when the text passes.
    static func fullCheck(_ raw: CSVText, name: String, options: CSVOptions, warnings: inout [String],
                                  progress: ((Double) -> Void)?) throws -> CSVLoadResult? {
        var notes: [String] = []
        let decoded = try decode(raw, name: name, encoding: options.encoding, warnings: &notes)
        if let nul = decoded.firstNUL() { throw nulError(decoded, name, nul) }
        guard !notes.isEmpty || decoded.base != raw.droppingBOM().base else { return nil }
        return try parse(text: decoded, raw: raw, name: name, options: options, checked: true,
                         warnings: warnings + notes, progress: progress)
    }

    static func nulError(_ text: CSVText, _ name: String, _ offset: Int) -> Diagnostic {
        error(text, name, offset, "NUL byte in the data", hints: ["is this a binary file, or UTF-16 without a byte order mark?"])
    }

    /// Parses UTF-8 text (`checked`: known valid and NUL-free; else the chunks check it).
    static func parse(text: CSVText, raw: CSVText, name: String, options: CSVOptions, checked: Bool,
                              warnings initialWarnings: [String], progress: ((Double) -> Void)?) throws -> CSVLoadResult {
        var warnings = initialWarnings
        let trace = CSVTrace()
        let p = text.base
        var start = CSVRecordScanner.skipBlankLines(p, from: 0, end: text.count)
        // skip=N: title lines above the header, whatever they hold.
        for _ in 0..<options.skipLines where start < text.count {
            while start < text.count, p[start] != csvLF, p[start] != csvCR { start += 1 }
            start = CSVRecordScanner.skipBlankLines(p, from: start, end: text.count)
        }
        guard start < text.count else {
            throw Diagnostic(options.skipLines > 0 ? "nothing left after skipping \(options.skipLines) line\(options.skipLines == 1 ? "" : "s")" : "empty file",
                             location: name)
        }

        var delimiter = options.delimiter ?? 0
        if options.delimiter == nil {
            let lower = name.lowercased()
            delimiter = lower.hasSuffix(".tsv") || lower.hasSuffix(".tab")
                ? UInt8(ascii: "\t") : CSVRecordScanner.detectDelimiter(p + start, count: text.count - start, quoting: options.quoting)
        }

        // The first record fixes the field count and is the header candidate.
        var capacity = 64
        var firstScan: CSVRecordScan
        var firstSpans: [CSVFieldSpan]
        repeat {
            var spans = [CSVFieldSpan](repeating: CSVFieldSpan(start: 0, end: 0, form: .plain), count: capacity)
            firstScan = spans.withUnsafeMutableBufferPointer { buf -> CSVRecordScan in
                guard let b = buf.baseAddress else { return CSVRecordScan(fieldCount: 0, next: 0, lineEnd: 0, extraFieldStart: -1, unterminatedQuote: -1) }
                return CSVRecordScanner.scan(p, from: start, end: text.count, delimiter: delimiter, spans: b, capacity: capacity,
                                             quoting: options.quoting)
            }
            firstSpans = Array(spans.prefix(min(firstScan.fieldCount, capacity)))
            if firstScan.fieldCount > capacity { capacity = firstScan.fieldCount } else { break }
        } while true
        if firstScan.unterminatedQuote >= 0 {
            throw error(text, name, firstScan.unterminatedQuote, "unterminated quoted field", hints: CSVChunk.quoteHints)
        }
        let columnCount = firstScan.fieldCount
        let firstValues = firstSpans.map { fieldString(text, $0) }
        let dataStart = firstScan.next

        // Parse the rest in parallel chunks, and the first row on its own. Types given by name
        // are keyed by the header candidates unless there is no header.
        let candidateNames = firstValues.map { $0.csvTrimmingSpaces }
        let defaultNames = (0..<columnCount).map { "column\($0 + 1)" }
        let headerTypes = candidateNames.map { options.types[$0] }
        let defaultTypes = defaultNames.map { options.types[$0] }
        var restTypes = options.header == false ? defaultTypes : headerTypes
        var chunks = parseRest(text: text, from: dataStart, delimiter: delimiter,
                               names: options.header == false ? defaultNames : candidateNames,
                               types: restTypes, options: options, validate: !checked, progress: progress)
        if !checked {
            if chunks.contains(where: { $0.cancelled }) { throw ColumnarError.cancelled }
            let head = CSVText.firstInvalidUTF8(p, 0, dataStart) != nil || memchr(p, 0, dataStart) != nil
            if head || chunks.contains(where: { $0.invalidUTF8 != nil || $0.nulByte != nil }) { throw CSVNeedsFullCheck.check }
            // A chunk stopped by a data error did not check the rest of its bytes.
            if chunks.contains(where: { !$0.validatedClean }), text.firstInvalidUTF8() != nil || text.firstNUL() != nil {
                throw CSVNeedsFullCheck.check
            }
        }

        trace.mark("chunks")
        let firstRow = CSVChunk(text: text, start: start, end: dataStart, delimiter: delimiter, columnNames: defaultNames,
                                types: Array(repeating: nil, count: columnCount), options: options)
        firstRow.run()
        let hasHeader = options.header ?? detectHeader(firstRow: firstRow, rest: chunks, firstValues: firstValues, types: options.types)
        let names: [String]
        if hasHeader {
            names = headerNames(firstValues, warnings: &warnings)
        } else {
            names = defaultNames
            if restTypes != defaultTypes {
                restTypes = defaultTypes
                chunks = parseRest(text: text, from: dataStart, delimiter: delimiter, names: names, types: restTypes,
                                   options: options, validate: false, progress: nil)
            }
            let firstData = CSVChunk(text: text, start: start, end: dataStart, delimiter: delimiter, columnNames: names,
                                     types: restTypes, options: options)
            firstData.run()
            chunks.insert(firstData, at: 0)
        }
        // Sorted: a dictionary's order changes from one run to the next.
        for key in options.types.keys.sorted() where !names.contains(key) { throw typesError(key, names: names) }

        if chunks.contains(where: { $0.cancelled }) { throw ColumnarError.cancelled }
        if let first = chunks.compactMap({ $0.error }).min(by: { $0.offset < $1.offset }) {
            var hints = first.hints
            // A title line above a table: one field on line 1, more on a line just below.
            if columnCount == 1, options.skipLines == 0, first.message.hasPrefix("row has "),
               text.location(of: first.offset).line <= 10 {
                hints.append("the first line has one field and the next ones more: if it is a title above the table, skip it with skip=1 (or more lines with skip=N)")
            }
            throw error(text, name, first.offset, first.message, hints: hints)
        }
        try Cancellation.check()

        let skipped = chunks.reduce(0) { $0 + $1.skippedRows }
        if skipped > 0, let first = chunks.compactMap({ $0.firstSkipped }).min(by: { $0.offset < $1.offset }) {
            let loc = text.location(of: first.offset)
            warnings.append("skipped \(skipped) malformed row\(skipped == 1 ? "" : "s") (first: \(name):\(loc.line):\(loc.column): \(first.message))")
        }
        let blank = chunks.reduce(0) { $0 + $1.blankLines }
        if blank > 0 {
            warnings.append("skipped \(blank) blank line\(blank == 1 ? "" : "s") between the rows")
        }
        let literal = chunks.reduce(0) { $0 + $1.literalQuoteRows }
        if literal > 0, let first = chunks.compactMap({ $0.firstLiteralQuote }).min() {
            let loc = text.location(of: first)
            warnings.append("\(literal) row\(literal == 1 ? " has a field" : "s have fields") with text after a closing quote, read as written with the quotes (first: \(name):\(loc.line):\(loc.column)); quote=\"\" reads all quotes as text")
        }
        let bad = chunks.reduce(0) { $0 + $1.badValues }
        if bad > 0, let first = chunks.compactMap({ $0.firstBadValue }).min(by: { $0.offset < $1.offset }) {
            let loc = text.location(of: first.offset)
            warnings.append("\(bad) value\(bad == 1 ? "" : "s") read as null (first: \(name):\(loc.line):\(loc.column): \(first.message))")
        }

        let issues = (0..<columnCount).map { j in
            chunks.compactMap { $0.builders[j].issue }.min(by: { $0.offset < $1.offset })
        }
        let columns = unify(chunks, columnCount: columnCount)
        try Cancellation.check()  // unify stops early when interrupted
        trace.mark("unify")
        for j in 0..<columnCount {
            guard let issue = issues[j], case .string = columns[j].type else { continue }
            let line = text.location(of: issue.offset).line
            switch issue.kind {
            case .intOverflow:
                warnings.append("column '\(names[j])': \(issue.text) on line \(line) does not fit a 64-bit integer; the column is read as string")
            case .floatOverflow:
                warnings.append("column '\(names[j])': \(issue.text) on line \(line) is too large for a 64-bit float; the column is read as string")
            case .invalidDate:
                warnings.append("column '\(names[j])': \(issue.text) on line \(line) is not a valid date; the column is read as string")
            }
        }
        progress?(1)
        let rowCount = columns.first?.count ?? 0
        let table = Table(uncheckedNames: names, columns: columns, rowCount: rowCount)
        return CSVLoadResult(table: table, skippedRows: skipped, warnings: warnings, bytesRead: raw.count,
                             delimiter: delimiter, hasHeader: hasHeader)
    }

    // MARK: - Memory

    /// What loading a file will take, estimated before parsing (for `MemoryBudget`): the
    /// file's pages, a converted copy for GB18030, and per row 8 bytes for each column (the
    /// widest type) plus the row's offset. Rows and columns come from the first 64 KB.
    static func estimatedSize(_ raw: CSVText, encoding: String?) -> (bytes: Int, rows: Int) {
        let sample = min(raw.count, 1 << 16)
        guard sample > 0 else { return (0, 0) }
        var lines = 0
        var firstLineEnd = -1
        for i in 0..<sample where raw.base[i] == csvLF {
            lines += 1
            if firstLineEnd < 0 { firstLineEnd = i }
        }
        if firstLineEnd < 0 { firstLineEnd = sample }
        var best = 0
        for d in [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")] {
            var k = 0
            for i in 0..<firstLineEnd where raw.base[i] == d { k += 1 }
            best = max(best, k)
        }
        let rows = Int(Double(raw.count) * Double(max(lines, 1)) / Double(sample))
        var bytes = raw.count + rows * ((best + 1) * 8 + 8)
        if encoding == "gb18030" || encoding == "gbk" { bytes += raw.count / 2 * 3 }
        return (bytes, rows)
    }

    // MARK: - Header

    static func detectHeader(firstRow: CSVChunk, rest: [CSVChunk], firstValues: [String], types: [String: DataType]) -> Bool {
        if firstValues.contains(where: { types[$0.csvTrimmingSpaces] != nil }) { return true }
        for j in 0..<firstRow.builders.count {
            let kind = firstRow.builders[j].kind
            guard kind != .null, kind != .string else { continue }
            var restKind = CSVKind.null
            for chunk in rest where chunk.error == nil { restKind = restKind.joined(chunk.builders[j].kind) }
            if restKind == .null || restKind.joined(kind) != .string { return false }
        }
        return true
    }

    static func headerNames(_ values: [String], warnings: inout [String]) -> [String] {
        var names: [String] = []
        var taken = Set<String>()
        for (j, raw) in values.enumerated() {
            var name = raw.csvTrimmingSpaces
            if name.isEmpty {
                name = "column\(j + 1)"
                if !taken.contains(name) { warnings.append("column \(j + 1) has no name in the header; it is called '\(name)'") }
            }
            if taken.contains(name) {
                var k = 2
                while taken.contains("\(name)_\(k)") { k += 1 }
                warnings.append("duplicate column name '\(name)': column \(j + 1) renamed to '\(name)_\(k)'")
                name = "\(name)_\(k)"
            }
            taken.insert(name)
            names.append(name)
        }
        return names
    }

    // MARK: - Messages

    static func fieldString(_ text: CSVText, _ span: CSVFieldSpan) -> String {
        if span.form == .raw {
            var out: [UInt8] = []
            CSVRecordScanner.unescape(text.base, span, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(start: text.base + span.start, count: span.end - span.start), as: UTF8.self)
    }

    static func error(_ text: CSVText, _ name: String, _ offset: Int, _ message: String, hints: [String] = []) -> Diagnostic {
        let loc = text.location(of: offset)
        return Diagnostic(message, hints: hints, location: "\(name):\(loc.line):\(loc.column)")
    }

    static func typesError(_ key: String, names: [String]) -> Diagnostic {
        var hints: [String] = []
        if let m = closestMatch(to: key, in: names) { hints.append("did you mean '\(m)'?") }
        hints.append("columns: " + names.joined(separator: ", "))
        return Diagnostic("types names an unknown column '\(key)'", hints: hints)
    }

    static let emptyString = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    static func memchrAny(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ n: Int) -> Bool {
        n > 0 && memchr(p, Int32(byte), n) != nil
    }
}

extension CSVReader {
    /// How many chunks a text would be parsed in (for tests).
    static func chunkPlan(_ text: String, options: CSVOptions) -> Int? {
        let t = CSVText.copy(Array(text.utf8))
        return makeChunks(text: t, from: 0, delimiter: UInt8(ascii: ","), names: [], types: [], options: options).count
    }
}

/// Phase timings on stderr when `SEGSH_CSV_TRACE` is set (for tuning the reader).
final class CSVTrace {
    private let enabled = getenv("SEGSH_CSV_TRACE") != nil
    private var last = CSVTrace.now()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func mark(_ phase: String) {
        guard enabled else { return }
        let t = CSVTrace.now()
        fputs("csv: \(phase) \(Int((t - last) * 1000)) ms\n", stderr)
        last = t
    }
}
