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
    private static func fullCheck(_ raw: CSVText, name: String, options: CSVOptions, warnings: inout [String],
                                  progress: ((Double) -> Void)?) throws -> CSVLoadResult? {
        var notes: [String] = []
        let decoded = try decode(raw, name: name, encoding: options.encoding, warnings: &notes)
        if let nul = decoded.firstNUL() { throw nulError(decoded, name, nul) }
        guard !notes.isEmpty || decoded.base != raw.droppingBOM().base else { return nil }
        return try parse(text: decoded, raw: raw, name: name, options: options, checked: true,
                         warnings: warnings + notes, progress: progress)
    }

    private static func nulError(_ text: CSVText, _ name: String, _ offset: Int) -> Diagnostic {
        error(text, name, offset, "NUL byte in the data", hints: ["is this a binary file, or UTF-16 without a byte order mark?"])
    }

    /// Parses UTF-8 text (`checked`: known valid and NUL-free; else the chunks check it).
    private static func parse(text: CSVText, raw: CSVText, name: String, options: CSVOptions, checked: Bool,
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

    // MARK: - Encoding

    /// The text converted to UTF-8 before parsing: for a UTF-16 byte order mark, or when
    /// GB18030/GBK is asked for. Nil for text to be parsed as UTF-8.
    private static func convertedUpFront(_ raw: CSVText, name: String, encoding: String?) throws -> CSVText? {
        let utf16 = raw.count >= 2 && ((raw.base[0] == 0xFF && raw.base[1] == 0xFE) || (raw.base[0] == 0xFE && raw.base[1] == 0xFF))
        guard utf16 || encoding == "gb18030" || encoding == "gbk" else { return nil }
        var unused: [String] = []
        return try decode(raw, name: name, encoding: encoding, warnings: &unused)
    }

    private static func decode(_ raw: CSVText, name: String, encoding: String?, warnings: inout [String]) throws -> CSVText {
        if raw.count >= 2, (raw.base[0] == 0xFF && raw.base[1] == 0xFE) || (raw.base[0] == 0xFE && raw.base[1] == 0xFF) {
            guard let utf8 = raw.converted(from: "UTF-16") else {
                throw Diagnostic("the file starts with a UTF-16 byte order mark but is not valid UTF-16", location: name)
            }
            return utf8.droppingBOM()
        }
        switch encoding {
        case "gb18030", "gbk":
            // A UTF-8 byte order mark before GBK text (some tools add one blindly) is not part of the data.
            guard let utf8 = raw.droppingBOM().converted(from: "GB18030") else {
                throw Diagnostic("the file is not valid \(encoding == "gbk" ? "GBK" : "GB18030") text",
                                 hints: ["try encoding=\"utf-8\""], location: name)
            }
            return utf8
        default:
            let text = raw.droppingBOM()
            guard let bad = text.firstInvalidUTF8() else { return text }
            if encoding == nil, let utf8 = text.converted(from: "GB18030") {
                let bom = text.count != raw.count ? " although it starts with a UTF-8 byte order mark" : ""
                if let share = gb2312Share(text), share < 0.9 {
                    warnings.append("\(name) is not valid UTF-8\(bom); it was read as GB18030, but the text may be wrong: only \(Int(share * 100))% of its two-byte characters are common Chinese ones, so it is likely in another encoding (Shift-JIS, Latin-1 …); convert it to UTF-8 first, e.g. iconv -f SHIFT-JIS -t UTF-8 (or -f LATIN1)")
                } else {
                    warnings.append("\(name) is not valid UTF-8\(bom); it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)")
                }
                return utf8
            }
            throw error(text, name, bad, "invalid UTF-8 byte 0x\(String(text.base[bad], radix: 16, uppercase: true))",
                        hints: encoding == nil ? ["the file is not GB18030 either"] : ["try encoding=\"gb18030\""])
        }
    }

    /// Of the two-byte GB18030 characters in the first 4 MB, the share in GB2312's range of
    /// common Chinese characters and symbols (lead and trail bytes 0xA1–0xFE, leads up to
    /// 0xF7): above 95% in Chinese text, far lower in Shift-JIS or Latin-1 text read as
    /// GB18030. Nil when there is none.
    static func gb2312Share(_ text: CSVText) -> Double? {
        let p = text.base
        let n = min(text.count, 4 << 20)
        var total = 0, common = 0
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            guard i + 1 < n else { break }
            let t = p[i + 1]
            if t >= 0x30 && t <= 0x39 { total += 1; i += 4; continue }  // four-byte sequence
            total += 1
            if b >= 0xA1 && b <= 0xF7 && t >= 0xA1 && t <= 0xFE { common += 1 }
            i += 2
        }
        return total == 0 ? nil : Double(common) / Double(total)
    }

    // MARK: - Chunks

    /// Chunks split at line ends. A line end counts only outside quotes, by the quote parity
    /// from `start` (a scan of the whole text up to the split) — unless no quote appears in
    /// the 64 KB before any split point and `exact` is not asked: then any line end after
    /// the split point is taken (a quoted field would have to be longer than that to hold
    /// it), and `boundariesConsistent` checks the guess afterwards all the same (a line end
    /// inside a quoted field makes the chunk before it stop elsewhere).
    static func makeChunks(text: CSVText, from start: Int, delimiter: UInt8, names: [String],
                           types: [DataType?], options: CSVOptions, exact: Bool = false) -> [CSVChunk] {
        let size = text.count - start
        let wanted = options.chunkCount ?? max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        let n = max(1, min(wanted, size / max(options.minChunkBytes, 1)))
        var bounds = [start]
        if n > 1 {
            let window = 1 << 16
            let quotesNearSplits = (1..<n).contains { k in
                let target = start + size * k / n
                let from = max(start, target - window)
                return memchrAny(text.base + from, csvQuote, target - from)
            }
            let parity = options.quoting && (exact || quotesNearSplits)
            let hasQuotes = parity && memchrAny(text.base + start, csvQuote, size)
            if parity {
                // That scan mapped the whole file into memory: let it go (the chunks read the
                // pages again as they parse, and release them behind them).
                text.releasePages(from: start, to: text.count)
            }
            for k in 1..<n {
                let target = start + size * k / n
                guard let b = recordBoundary(text, from: max(target, bounds[bounds.count - 1]), scanStart: start, quotes: hasQuotes),
                      b < text.count, b > bounds[bounds.count - 1] else { continue }
                bounds.append(b)
            }
        }
        bounds.append(text.count)
        return (0..<(bounds.count - 1)).map {
            CSVChunk(text: text, start: bounds[$0], end: bounds[$0 + 1], delimiter: delimiter, columnNames: names,
                     types: types, options: options)
        }
    }

    /// The first record start at or after `target`. Without quotes any line end will do;
    /// otherwise the quote parity from `scanStart` tells whether a line end is inside a field.
    private static func recordBoundary(_ text: CSVText, from target: Int, scanStart: Int, quotes: Bool) -> Int? {
        let p = text.base
        var i = target
        var inQuotes = false
        if quotes {
            var count = 0
            var k = scanStart
            while k < target {
                guard let hit = memchr(p + k, Int32(csvQuote), target - k) else { break }
                count += 1
                k = (UnsafeRawPointer(hit) - UnsafeRawPointer(p)) + 1
            }
            inQuotes = count & 1 == 1
        }
        while i < text.count {
            let b = p[i]
            if b == csvQuote { inQuotes.toggle() } else if !inQuotes && (b == csvLF || b == csvCR) {
                var next = i + 1
                if b == csvCR, next < text.count, p[next] == csvLF { next += 1 }
                return next
            }
            i += 1
        }
        return nil
    }

    /// Parses `start..<end of text` in parallel chunks; falls back to one chunk when a split
    /// turned out not to be at a record boundary.
    private static func parseRest(text: CSVText, from start: Int, delimiter: UInt8, names: [String], types: [DataType?],
                                  options: CSVOptions, validate: Bool, progress: ((Double) -> Void)?) -> [CSVChunk] {
        var chunks: [CSVChunk] = []
        // Split at any line end first; when that cut a quoted field, split by quote parity.
        for exact in [false, true] {
            chunks = makeChunks(text: text, from: start, delimiter: delimiter, names: names, types: types,
                                options: options, exact: exact)
            chunks.first?.progress = progress
            if chunks.count > 1 { chunks.first?.reserveForWholeText = true }
            for c in chunks { c.validate = validate }
            runChunks(chunks)
            // A chunk that found invalid bytes stopped early: the reader checks the whole text.
            if validate && chunks.contains(where: { $0.invalidUTF8 != nil || $0.nulByte != nil }) { return chunks }
            if chunks.count == 1 || boundariesConsistent(chunks, end: text.count) || chunks.contains(where: { $0.cancelled }) { return chunks }
        }
        if !boundariesConsistent(chunks, end: text.count) {
            chunks = [CSVChunk(text: text, start: start, end: text.count, delimiter: delimiter, columnNames: names,
                               types: types, options: options)]
            chunks[0].progress = progress
            chunks[0].validate = validate
            chunks[0].run()
        }
        return chunks
    }

    private static func runChunks(_ chunks: [CSVChunk]) {
        if chunks.count == 1 { chunks[0].run(); return }
        let t0 = CSVTrace.now()
        DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
            let t = CSVTrace.now()
            chunks[k].run()
            if getenv("SEGSH_CSV_TRACE") != nil {
                fputs("csv:   chunk \(k) \(chunks[k].end - chunks[k].start) bytes: started \(Int((t - t0) * 1000)) ms, took \(Int((CSVTrace.now() - t) * 1000)) ms\n", stderr)
            }
        }
    }

    /// Each chunk must have stopped exactly where the next one starts; a stray quote can fool
    /// the parity split, and then the file is parsed again in one chunk.
    private static func boundariesConsistent(_ chunks: [CSVChunk], end: Int) -> Bool {
        for k in 0..<(chunks.count - 1) where chunks[k].error == nil && !chunks[k].cancelled {
            if chunks[k].stoppedAt != chunks[k + 1].start { return false }
        }
        return true
    }

    // MARK: - Header

    private static func detectHeader(firstRow: CSVChunk, rest: [CSVChunk], firstValues: [String], types: [String: DataType]) -> Bool {
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

    private static func headerNames(_ values: [String], warnings: inout [String]) -> [String] {
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

    // MARK: - Unify

    /// Joins the chunks' builders into one column each: the column's type is the join of the
    /// chunks' kinds; a chunk whose kind differs is widened or re-read as strings; the
    /// chunks' string dictionaries are merged (`mergeStrings`). Columns in parallel; each
    /// chunk's data is freed as soon as its column has taken it.
    private static func unify(_ chunks: [CSVChunk], columnCount: Int) -> [Column] {
        // Column-major: parts[j][k] is column j of chunk k, owned by the worker of column j.
        var parts: [[CSVColumnBuilder]] = {
            let taken = chunks.map { $0.takeBuilders() }
            return (0..<columnCount).map { j in taken.map { $0[j] } }
        }()
        var columns = [Column?](repeating: nil, count: columnCount)
        let rowCounts = chunks.map { $0.rowCount }
        columns.withUnsafeMutableBufferPointer { out in
            parts.withUnsafeMutableBufferPointer { parts in
                DispatchQueue.concurrentPerform(iterations: columnCount) { j in
                    let t = CSVTrace.now()
                    var mine = parts[j]
                    parts[j] = []
                    out[j] = unifyColumn(j, &mine, chunks, rowCounts)
                    if getenv("SEGSH_CSV_TRACE") != nil { fputs("csv:   column \(j) \(Int((CSVTrace.now() - t) * 1000)) ms\n", stderr) }
                }
            }
        }
        return columns.map { $0 ?? Column.nulls(.string, count: 0) }
    }

    private static func unifyColumn(_ j: Int, _ parts: inout [CSVColumnBuilder], _ chunks: [CSVChunk], _ rowCounts: [Int]) -> Column {
        var kind = parts.first?.forced ?? .null
        if kind == .null { for b in parts { kind = kind.joined(b.kind) } }
        let total = rowCounts.reduce(0, +)
        var validity = Bitmap(count: total, allValid: true)
        var base = 0
        var anyNull = false
        for (k, b) in parts.enumerated() {
            for r in b.nullRows { validity[base + Int(r)] = false; anyNull = true }
            base += rowCounts[k]
        }
        let mask: Bitmap? = anyNull ? validity : nil
        /// Chunk k's builder, moved out of `parts` (so it is freed once used).
        func take(_ k: Int) -> CSVColumnBuilder {
            let b = parts[k]
            parts[k] = CSVColumnBuilder(forced: nil)
            return b
        }
        /// The chunks' values of one kind one after the other: the first chunk's array,
        /// moved (not copied), then the others appended (`other` converts a chunk of another
        /// kind, else it is filled with `filler`: its rows are all null).
        func concatenate<T>(_ total: Int, _ count: Int, _ take: (Int) -> CSVColumnBuilder, kind: CSVKind,
                            _ values: WritableKeyPath<CSVColumnBuilder, [T]>, filler: T,
                            other: (CSVColumnBuilder, inout [T]) -> Bool = { _, _ in false }) -> [T] {
            var v = [T]()
            for k in 0..<count {
                var b = take(k)
                if k == 0 && b.kind == kind {
                    v = b[keyPath: values]
                    b[keyPath: values] = []  // v is now the only reference: no copy below
                    v.reserveCapacity(total)
                    continue
                }
                if k == 0 { v.reserveCapacity(total) }
                if b.kind == kind {
                    v.append(contentsOf: b[keyPath: values])
                } else if !other(b, &v) {
                    v.append(contentsOf: repeatElement(filler, count: rowCounts[k]))
                }
            }
            return v
        }
        switch kind {
        case .int:
            return Column(.int(concatenate(total, parts.count, take, kind: .int, \.ints, filler: 0)), validity: mask)
        case .double:
            let v = concatenate(total, parts.count, take, kind: .double, \.doubles, filler: 0) { b, v in
                if b.kind == .int { v.append(contentsOf: b.ints.lazy.map { Double($0) }); return true }
                return false
            }
            return Column(.double(v), validity: mask)
        case .date:
            return Column(.date(concatenate(total, parts.count, take, kind: .date, \.dates, filler: 0)), validity: mask)
        case .bool:
            return Column(.bool(concatenate(total, parts.count, take, kind: .bool, \.bools, filler: false)), validity: mask)
        case .string, .null:
            // Each chunk's strings as a table and codes: string chunks as parsed, all-null
            // chunks empty, chunks of another kind re-read as text.
            var tables: [CSVStringTable] = []
            var codes: [[Int32]] = []
            for k in parts.indices {
                var b = take(k)
                switch b.kind {
                case .string:
                    // Moved, so that the merge can grow the first chunk's arrays in place.
                    tables.append(b.table); codes.append(b.codes)
                    b.table = CSVStringTable(); b.codes = []
                case .null:
                    tables.append(CSVStringTable()); codes.append([Int32](repeating: 0, count: rowCounts[k]))
                default:
                    var t = CSVStringTable()
                    codes.append(chunks[k].readStrings(column: j, rows: rowCounts[k], nullRows: b.nullRows, into: &t))
                    tables.append(t)
                }
            }
            let (dictionary, merged) = mergeStrings(&tables, &codes)
            return Column(.string(codes: merged, dictionary: dictionary), validity: mask)
        }
    }

    /// One dictionary and one code array from per-chunk string tables, the strings in order
    /// of first appearance in the file. Chunk 0's table is the start; each string of a later
    /// chunk is looked up in the earlier chunks' tables (in parallel halves for big tables)
    /// and gets a new code when none holds it, so no table is grown or rehashed, and each
    /// table's memory is released as soon as it is no longer needed.
    static func mergeStrings(_ tables: inout [CSVStringTable], _ codes: inout [[Int32]]) -> (StringDictionary, [Int32]) {
        if let merged = mergeAscending(&tables, &codes) { return merged }
        let k = tables.count
        for c in 0..<max(k - 1, 0) { tables[c].ensureIndex() }
        var remaps = [[Int32]](repeating: [], count: k)
        var total = tables.first?.count ?? 0
        var firstNew = [Int](repeating: 0, count: k)
        if k > 0 { tables[k - 1].releaseIndex() }
        for c in 1..<max(k, 1) {
            firstNew[c] = total
            let n = tables[c].count
            var remap = [Int32](repeating: -1, count: n)
            tables.withUnsafeBufferPointer { tabs in
                remaps.withUnsafeBufferPointer { maps in
                    remap.withUnsafeMutableBufferPointer { buffer in
                        let out = buffer
                        let body: (Range<Int>) -> Void = { range in
                            for e in range {
                                tabs[c].withBytes(e) { bytes in
                                    let p = bytes.baseAddress ?? emptyString
                                    let h = CSVStringTable.hash(p, bytes.count)
                                    for earlier in 0..<c {
                                        if let hit = tabs[earlier].find(p, bytes.count, hash: h) {
                                            out[e] = earlier == 0 ? hit : maps[earlier][Int(hit)]
                                            return
                                        }
                                    }
                                }
                            }
                        }
                        if n >= 1 << 18 {
                            DispatchQueue.concurrentPerform(iterations: 2) { half in body(half == 0 ? 0..<(n / 2) : (n / 2)..<n) }
                        } else {
                            body(0..<n)
                        }
                    }
                }
            }
            for e in 0..<n where remap[e] < 0 {
                remap[e] = Int32(truncatingIfNeeded: total)
                total += 1
            }
            remaps[c] = remap
        }
        for c in 0..<k { tables[c].releaseIndex() }

        // The strings in code order: chunk 0's, then each later chunk's new ones.
        var (bytes, offsets) = k > 0 ? tables[0].takeStrings() : ([], [0])
        if k > 1 {
            var extraBytes = 0
            for c in 1..<k {
                let t = tables[c]
                for e in 0..<t.count where Int(remaps[c][e]) >= firstNew[c] { extraBytes += t.offsets[e + 1] - t.offsets[e] }
            }
            bytes.reserveCapacity(bytes.count + extraBytes)
            offsets.reserveCapacity(total + 1)
            for c in 1..<k {
                let (tb, to) = tables[c].takeStrings()
                let remap = remaps[c]
                tb.withUnsafeBufferPointer { all in
                    for e in 0..<(to.count - 1) where Int(remap[e]) >= firstNew[c] {
                        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: all[to[e]..<to[e + 1]]))
                        offsets.append(bytes.count)
                    }
                }
            }
        }
        if offsets.count == 1 { offsets.append(0) }  // code 0 must exist for null placeholders

        var out = k > 0 ? codes[0] : []
        if k > 0 { codes[0] = [] }
        let rows = codes.reduce(out.count) { $0 + $1.count }
        out.reserveCapacity(rows)
        for c in 1..<max(k, 1) {
            let part = codes[c]
            codes[c] = []
            let remap = remaps[c]
            if remap.isEmpty {
                out.append(contentsOf: repeatElement(0, count: part.count))
            } else {
                remap.withUnsafeBufferPointer { r in out.append(contentsOf: part.lazy.map { r[Int($0)] }) }
            }
        }
        return (StringDictionary(distinctBytes: bytes, offsets: offsets), out)
    }

    /// The merge when every chunk's strings are ascending (`CSVStringTable.ascending`) and
    /// each chunk's first string is greater than the previous chunk's last: the strings are
    /// then all distinct, and a chunk's codes only shift by the entries of the chunks before
    /// it. Nil when that does not hold.
    static func mergeAscending(_ tables: inout [CSVStringTable], _ codes: inout [[Int32]]) -> (StringDictionary, [Int32])? {
        let k = tables.count
        guard k > 1, tables.allSatisfy({ $0.ascending || $0.count == 0 }) else { return nil }
        var last: (table: Int, entry: Int)?
        for c in 0..<k where tables[c].count > 0 {
            if let (t, e) = last {
                let ordered = tables[t].withBytes(e) { a in
                    tables[c].withBytes(0) { b -> Bool in
                        let m = min(a.count, b.count)
                        if m > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                            let r = memcmp(pa, pb, m)
                            if r != 0 { return r < 0 }
                        }
                        return a.count < b.count
                    }
                }
                guard ordered else { return nil }
            }
            last = (c, tables[c].count - 1)
        }
        var bases = [Int](repeating: 0, count: k)
        let counts = tables.map(\.count)
        var total = 0, totalBytes = 0, rows = 0
        for c in 0..<k {
            bases[c] = total
            total += tables[c].count
            totalBytes += tables[c].bytes.count
            rows += codes[c].count
        }
        // The first chunk's strings grow in place (no copy of them); the others' follow.
        var (bytes, offsets) = tables[0].takeStrings()
        bytes.reserveCapacity(totalBytes)
        offsets.reserveCapacity(total + 1)
        for c in 1..<k {
            let (tb, to) = tables[c].takeStrings()
            let shift = bytes.count
            bytes.append(contentsOf: tb)
            if shift == 0 {
                offsets.append(contentsOf: to.dropFirst())
            } else {
                offsets.append(contentsOf: to.dropFirst().lazy.map { $0 + shift })
            }
        }
        if offsets.count == 1 { offsets.append(0) }  // code 0 must exist for null placeholders
        var out = codes[0]
        codes[0] = []
        out.reserveCapacity(rows)
        for c in 1..<k {
            let part = codes[c]
            codes[c] = []
            let shift = Int32(truncatingIfNeeded: bases[c])
            if counts[c] == 0 {
                out.append(contentsOf: repeatElement(0, count: part.count))  // all null
            } else {
                out.append(contentsOf: part.lazy.map { $0 &+ shift })
            }
        }
        return (StringDictionary(distinctBytes: bytes, offsets: offsets), out)
    }

    // MARK: - Messages

    private static func fieldString(_ text: CSVText, _ span: CSVFieldSpan) -> String {
        if span.form == .raw {
            var out: [UInt8] = []
            CSVRecordScanner.unescape(text.base, span, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(start: text.base + span.start, count: span.end - span.start), as: UTF8.self)
    }

    private static func error(_ text: CSVText, _ name: String, _ offset: Int, _ message: String, hints: [String] = []) -> Diagnostic {
        let loc = text.location(of: offset)
        return Diagnostic(message, hints: hints, location: "\(name):\(loc.line):\(loc.column)")
    }

    private static func typesError(_ key: String, names: [String]) -> Diagnostic {
        var hints: [String] = []
        if let m = closestMatch(to: key, in: names) { hints.append("did you mean '\(m)'?") }
        hints.append("columns: " + names.joined(separator: ", "))
        return Diagnostic("types names an unknown column '\(key)'", hints: hints)
    }

    private static let emptyString = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1))

    private static func memchrAny(_ p: UnsafePointer<UInt8>, _ byte: UInt8, _ n: Int) -> Bool {
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
