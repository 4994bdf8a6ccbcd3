#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let csvQuote = UInt8(ascii: "\"")
let csvLF = UInt8(ascii: "\n")
let csvCR = UInt8(ascii: "\r")

/// Where one field's bytes are. `.plain` and `.quoted` spans are the value itself (for a
/// quoted field, the bytes inside the quotes); a `.raw` span is the whole field including
/// its quotes, to be decoded with `CSVRecordScanner.unescape` (it holds `""` escapes or text
/// after a closing quote).
struct CSVFieldSpan {
    enum Form: UInt8 { case plain, quoted, raw }
    var start: Int
    var end: Int
    var form: Form
}

/// What scanning one record found.
struct CSVRecordScan {
    var fieldCount: Int
    /// Offset just past the record's line terminator.
    var next: Int
    /// Offset of the record's line terminator (or the end of the text).
    var lineEnd: Int
    /// Offset of the first field that did not fit `capacity` (for "too many fields" errors).
    var extraFieldStart: Int
    /// Offset of an opening quote that is never closed, or -1.
    var unterminatedQuote: Int
    /// Offset of the first field whose quotes were read as text (text after its closing
    /// quote), or -1.
    var literalQuote: Int = -1
}

/// RFC 4180 record scanning over raw bytes: fields separated by the delimiter, records ended
/// by LF, CRLF or a lone CR; a field starting with `"` runs to the matching `"` and may hold
/// delimiters, newlines and `""` escapes, and spaces between the closing quote and the
/// delimiter are dropped (`"onions"  ,`). A quote inside an unquoted field is kept literally,
/// and so are the quotes of a field whose closing quote is followed by more text
/// (`"ANTON" SONNENSCHUTZ`, `"foo (\"bar\")"`): such a field did not start a quoted value, so
/// it is read as written up to the next delimiter or line end (as DuckDB reads it), which
/// keeps a stray quote from swallowing the records after it. With `quoting` off
/// (`quote=""`), every quote is text.
enum CSVRecordScanner {
    /// Scans the record starting at `start`, storing at most `capacity` field spans: the
    /// plain fields at its start sixteen bytes at a time, the rest field by field.
    @inline(__always)
    static func scan(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, delimiter: UInt8,
                     spans: UnsafeMutablePointer<CSVFieldSpan>, capacity: Int, quoting: Bool = true) -> CSVRecordScan {
        var i = start
        var fields = 0
        if let record = scanPlainFields(p, i: &i, fields: &fields, end: end, delimiter: delimiter, spans: spans,
                                        capacity: capacity, quoting: quoting) {
            return record
        }
        return scanFields(p, from: i, fields: fields, end: end, delimiter: delimiter, spans: spans,
                          capacity: capacity, quoting: quoting)
    }

    /// Scans a record field by field from `start`, the start of its field number `fields`
    /// (the fields before it already in `spans`). Every rule of the format is here;
    /// `scanPlainFields` only takes the common case faster.
    @inline(__always)
    static func scanFields(_ p: UnsafePointer<UInt8>, from start: Int, fields firstField: Int, end: Int, delimiter: UInt8,
                           spans: UnsafeMutablePointer<CSVFieldSpan>, capacity: Int, quoting: Bool) -> CSVRecordScan {
        var i = start
        var fields = firstField
        var extra = -1
        var literalQuote = -1
        while true {
            let fieldStart = i
            var span: CSVFieldSpan
            // Where a quoted value opens: at the field's start, or after spaces (spaces before
            // an opening quote are not part of the value); -1 for a plain field. One compare
            // for the common field: a quote (0x22) and a space (0x20) are both <= 0x22.
            var quoteStart = -1
            if i < end && p[i] <= csvQuote && quoting {
                let b = p[i]
                if b == csvQuote {
                    quoteStart = i
                } else if b == 0x20 && delimiter != 0x20 {
                    var q = i
                    while q < end, p[q] == 0x20 { q += 1 }
                    if q < end && p[q] == csvQuote { quoteStart = q }
                }
            }
            if quoteStart >= 0 {
                i = quoteStart + 1
                var escaped = false
                while true {
                    guard i < end, let hit = memchr(p + i, Int32(csvQuote), end - i) else {
                        return CSVRecordScan(fieldCount: fields + 1, next: end, lineEnd: end,
                                             extraFieldStart: extra, unterminatedQuote: quoteStart)
                    }
                    i = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
                    if i + 1 < end && p[i + 1] == csvQuote { escaped = true; i += 2; continue }
                    break
                }
                let closing = i
                i += 1
                // Spaces and tabs up to the delimiter are not part of the value.
                while i < end, p[i] == 0x20 || p[i] == 0x09, p[i] != delimiter { i += 1 }
                if i < end, p[i] != delimiter, p[i] != csvLF, p[i] != csvCR {
                    // Text after the closing quote: the field is read as written.
                    i = fieldEnd(p, from: fieldStart, end: end, delimiter: delimiter)
                    span = CSVFieldSpan(start: fieldStart, end: i, form: .plain)
                    if literalQuote < 0 { literalQuote = fieldStart }
                } else {
                    span = escaped ? CSVFieldSpan(start: quoteStart, end: closing + 1, form: .raw)
                                   : CSVFieldSpan(start: quoteStart + 1, end: closing, form: .quoted)
                }
            } else {
                i = fieldEnd(p, from: i, end: end, delimiter: delimiter)
                span = CSVFieldSpan(start: fieldStart, end: i, form: .plain)
            }
            if fields < capacity { spans[fields] = span } else if extra < 0 { extra = fieldStart }
            fields += 1
            if i < end && p[i] == delimiter { i += 1; continue }
            let lineEnd = i
            if i < end {
                if p[i] == csvCR, i + 1 < end, p[i + 1] == csvLF { i += 2 } else { i += 1 }
            }
            return CSVRecordScan(fieldCount: fields, next: i, lineEnd: lineEnd, extraFieldStart: extra, unterminatedQuote: -1,
                                 literalQuote: literalQuote)
        }
    }

    /// The fast path of `scan`, for the common record: plain fields, sixteen bytes at a time.
    /// One vector compare finds every delimiter and line end of a block (usually several
    /// fields), and each hit ends a field. Returns the record when it ends here; returns nil
    /// with `i` at the start of field number `fields` when that field needs the field-by-field
    /// path: it may open a quote (its first byte is a quote or a space, or a tab or other
    /// control byte, all <= 0x22), the record has more fields than `capacity`, or fewer than
    /// sixteen bytes are left.
    @inline(__always)
    static func scanPlainFields(_ p: UnsafePointer<UInt8>, i: inout Int, fields: inout Int, end: Int, delimiter: UInt8,
                                spans: UnsafeMutablePointer<CSVFieldSpan>, capacity: Int, quoting: Bool) -> CSVRecordScan? {
        guard capacity > 0, i < end, !(quoting && p[i] <= csvQuote) else { return nil }
        let raw = UnsafeRawPointer(p)
        let dv = SIMD16<UInt8>(repeating: delimiter), lv = SIMD16<UInt8>(repeating: csvLF), cv = SIMD16<UInt8>(repeating: csvCR)
        var block = i
        while block &+ 16 <= end {
            let v = raw.loadUnaligned(fromByteOffset: block, as: SIMD16<UInt8>.self)
            // 0xFF in each lane that holds a delimiter, LF or CR; the high bits mark them.
            let lanes = unsafeBitCast((v .== dv) .| (v .== lv) .| (v .== cv), to: SIMD2<UInt64>.self)
            for half in 0..<2 {
                var hits = lanes[half] & 0x8080_8080_8080_8080
                let base = block &+ half &* 8
                while hits != 0 {
                    let e = base &+ hits.trailingZeroBitCount &>> 3
                    hits &= hits &- 1
                    spans[fields] = CSVFieldSpan(start: i, end: e, form: .plain)
                    fields &+= 1
                    if p[e] != delimiter {
                        var next = e &+ 1
                        if p[e] == csvCR, next < end, p[next] == csvLF { next &+= 1 }
                        return CSVRecordScan(fieldCount: fields, next: next, lineEnd: e, extraFieldStart: -1, unterminatedQuote: -1)
                    }
                    i = e &+ 1
                    if fields == capacity || i >= end || (quoting && p[i] <= csvQuote) { return nil }
                }
            }
            block &+= 16
        }
        return nil
    }

    /// The first delimiter, LF or CR at or after `start` (or `end`): eight bytes at a time
    /// while eight remain (a byte equal to one of the three becomes a zero byte of `w ^ x`;
    /// `zeroBytes` flags it, and the lowest flag is exact), then byte by byte.
    @inline(__always)
    static func fieldEnd(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, delimiter: UInt8) -> Int {
        var i = start
        let raw = UnsafeRawPointer(p)
        // Sixteen bytes at a time with vector compares (pcmpeqb on x86); the lane mask is
        // read as two words whose lowest 0xFF byte is the first hit.
        let dv = SIMD16<UInt8>(repeating: delimiter), lv = SIMD16<UInt8>(repeating: csvLF), cv = SIMD16<UInt8>(repeating: csvCR)
        while i &+ 16 <= end {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let hits = unsafeBitCast((v .== dv) .| (v .== lv) .| (v .== cv), to: SIMD2<UInt64>.self)
            if hits[0] != 0 { return i &+ hits[0].trailingZeroBitCount &>> 3 }
            if hits[1] != 0 { return i &+ 8 &+ hits[1].trailingZeroBitCount &>> 3 }
            i &+= 16
        }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let d = UInt64(delimiter) &* ones, lf = UInt64(csvLF) &* ones, cr = UInt64(csvCR) &* ones
        while i &+ 8 <= end {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let hits = zeroBytes(w ^ d) | zeroBytes(w ^ lf) | zeroBytes(w ^ cr)
            if hits != 0 { return i &+ hits.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < end {
            let b = p[i]
            if b == delimiter || b == csvLF || b == csvCR { break }
            i += 1
        }
        return i
    }

    /// The high bit of every zero byte of `x` is set (and possibly of bytes above the lowest
    /// zero byte, through the borrow: only the lowest flag is exact). Little-endian.
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Decodes a `.raw` span: `""` inside quotes is one quote, quotes themselves are dropped.
    static func unescape(_ p: UnsafePointer<UInt8>, _ span: CSVFieldSpan, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var i = span.start
        var inQuotes = false
        while i < span.end {
            let b = p[i]
            if b == csvQuote {
                if inQuotes, i + 1 < span.end, p[i + 1] == csvQuote { out.append(csvQuote); i += 2; continue }
                inQuotes.toggle()
            } else {
                out.append(b)
            }
            i += 1
        }
    }

    /// The offset after any blank lines at `start`.
    @inline(__always)
    static func skipBlankLines(_ p: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i < end, p[i] == csvLF || p[i] == csvCR { i += 1 }
        return i
    }

    /// Where the next record starts at or after `start`: blank lines are skipped, except in
    /// a one-column file, where a blank line is a record holding an empty (null) value —
    /// unless only blank lines follow to the end of the text.
    @inline(__always)
    static func recordStart(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, columns: Int) -> Int {
        let next = skipBlankLines(p, from: start, end: end)
        return columns == 1 && next < end ? start : next
    }

    /// How many lines `from..<to` holds (LF, CRLF and a lone CR each end one).
    static func lineCount(_ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int {
        var n = 0
        var i = from
        while i < to {
            if p[i] == csvLF || (p[i] == csvCR && !(i + 1 < to && p[i + 1] == csvLF)) { n += 1 }
            i += 1
        }
        return n
    }

    /// Picks the delimiter among `,` `;` tab `|`: counts each outside quotes per record over
    /// the first 20 records and takes the one with the same non-zero count on every record
    /// (the highest such count; ties go to the earlier candidate). When none is consistent,
    /// the candidate whose most frequent non-zero count covers most records wins; `,` when
    /// nothing is found.
    static func detectDelimiter(_ p: UnsafePointer<UInt8>, count: Int, quoting: Bool = true) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
        let limit = min(count, 1 << 16)
        var perLine: [[Int]] = []
        var current = [0, 0, 0, 0]
        var inQuotes = false
        var i = 0
        var lineHasContent = false
        while i < limit && perLine.count < 20 {
            let b = p[i]
            if quoting && b == csvQuote { inQuotes.toggle(); lineHasContent = true } else if !inQuotes && (b == csvLF || b == csvCR) {
                if lineHasContent { perLine.append(current) }
                current = [0, 0, 0, 0]
                lineHasContent = false
            } else {
                lineHasContent = true
                if !inQuotes, let k = candidates.firstIndex(of: b) { current[k] += 1 }
            }
            i += 1
        }
        if lineHasContent && (i == count || perLine.isEmpty) { perLine.append(current) }
        guard !perLine.isEmpty else { return candidates[0] }
        var best: (index: Int, count: Int)?
        for k in 0..<candidates.count {
            let first = perLine[0][k]
            if first > 0 && perLine.allSatisfy({ $0[k] == first }) {
                if let b = best, first <= b.count { continue }
                best = (k, first)
            }
        }
        if let best { return candidates[best.index] }
        var fallback: (index: Int, lines: Int)?
        for k in 0..<candidates.count {
            var freq: [Int: Int] = [:]
            for line in perLine where line[k] > 0 { freq[line[k], default: 0] += 1 }
            guard let top = freq.values.max() else { continue }
            if let f = fallback, top <= f.lines { continue }
            fallback = (k, top)
        }
        return candidates[fallback?.index ?? 0]
    }
}
