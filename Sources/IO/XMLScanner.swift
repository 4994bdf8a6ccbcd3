/// A small pull scanner over the XML parts of a workbook (sheets, shared strings, styles,
/// the workbook and its relationships): it walks tags in order and hands out their local
/// names (namespace prefixes dropped), attributes and the text between them.
///
/// It reads the XML that spreadsheet programs write — elements, attributes in single or
/// double quotes, the five named entities and numeric character references, comments,
/// processing instructions and CDATA sections are skipped or read as text — and does not
/// validate. Measured against Foundation's `XMLParser` (SAX on libxml2), both reading every
/// cell's `r`, `t`, `s` and value from the sheet XML of 200,000 rows × 8 columns (57 MB,
/// 1.6M cells, `swiftc -O`, `scripts/xml-scanner-vs-xmlparser.swift`, which
/// `scripts/bench-xlsx` runs): this scanner 0.43 s of CPU, `XMLParser` 3.41 s; on the
/// 1M-row × 8-column sheet of `scripts/bench-xlsx` (289 MB, 8M cells) 1.59 s against
/// 10.45 s. Both read the same cells and values. So segsh keeps this scanner;
/// `XMLScannerTests` checks it against `XMLParser` on the test workbooks.
struct XMLScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The position of the next byte to read.
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// A start, end or empty-element tag: `name` is the local name's byte range.
    struct Tag {
        var nameStart: Int
        var nameEnd: Int
        /// The bytes between the name and `>` (or `/>`).
        var attributesStart: Int
        var attributesEnd: Int
        var isEnd: Bool
        var isEmpty: Bool
        /// The position just after `>`.
        var end: Int
    }

    /// The next tag, skipping text, comments, processing instructions and declarations;
    /// nil at the end of the bytes.
    mutating func nextTag() -> Tag? {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return nil }
        while position < n {
            // Find the next '<'.
            guard let hit = memchr(base + position, 0x3C, n - position) else { position = n; return nil }
            var i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            guard i < n else { position = n; return nil }
            let first = base[i]
            if first == 0x21 || first == 0x3F { // <! or <?
                position = skipMarkup(from: i)
                continue
            }
            let isEnd = first == 0x2F
            if isEnd { i += 1 }
            var nameStart = i
            while i < n, !Self.isNameEnd(base[i]) {
                if base[i] == 0x3A { nameStart = i + 1 }
                i += 1
            }
            let nameEnd = i
            let attributesStart = i
            // Find '>' outside quotes.
            var quote: UInt8 = 0
            while i < n {
                let b = base[i]
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == 0x22 || b == 0x27 {
                    quote = b
                } else if b == 0x3E {
                    break
                }
                i += 1
            }
            guard i < n else { position = n; return nil }
            let isEmpty = i > attributesStart && base[i - 1] == 0x2F
            position = i + 1
            return Tag(nameStart: nameStart, nameEnd: nameEnd, attributesStart: attributesStart,
                       attributesEnd: isEmpty ? i - 1 : i, isEnd: isEnd, isEmpty: isEmpty, end: i + 1)
        }
        return nil
    }

    private static func isNameEnd(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x3E || b == 0x2F || b == 0x09 || b == 0x0A || b == 0x0D
    }

    /// The position after a comment, CDATA section, declaration or processing instruction
    /// whose `<` is just before `i`.
    private func skipMarkup(from i: Int) -> Int {
        let n = bytes.count
        if startsWith("!--", at: i) {
            var j = i + 3
            while j + 2 < n { if bytes[j] == 0x2D && bytes[j + 1] == 0x2D && bytes[j + 2] == 0x3E { return j + 3 }; j += 1 }
            return n
        }
        if startsWith("![CDATA[", at: i) {
            var j = i + 8
            while j + 2 < n { if bytes[j] == 0x5D && bytes[j + 1] == 0x5D && bytes[j + 2] == 0x3E { return j + 3 }; j += 1 }
            return n
        }
        var j = i
        while j < n, bytes[j] != 0x3E { j += 1 }
        return min(j + 1, n)
    }

    func startsWith(_ s: StaticString, at i: Int) -> Bool {
        let count = s.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        let p = s.utf8Start
        for k in 0..<count where bytes[i + k] != p[k] { return false }
        return true
    }

    /// Whether the tag's local name is `name`.
    func isNamed(_ tag: Tag, _ name: StaticString) -> Bool {
        tag.nameEnd - tag.nameStart == name.utf8CodeUnitCount && startsWith(name, at: tag.nameStart)
    }

    /// The byte range of attribute `name`'s value (local name matched, so `r:id` is found as
    /// "id" only when asked for "id"), without its quotes and still escaped.
    func attributeRange(_ tag: Tag, _ name: StaticString) -> Range<Int>? {
        let count = name.utf8CodeUnitCount
        var i = tag.attributesStart
        let end = tag.attributesEnd
        while i < end {
            while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
            var nameStart = i
            while i < end, bytes[i] != 0x3D, bytes[i] != 0x20 {
                if bytes[i] == 0x3A { nameStart = i + 1 }
                i += 1
            }
            let nameEnd = i
            while i < end, bytes[i] != 0x22, bytes[i] != 0x27 { i += 1 }
            guard i < end else { return nil }
            let quote = bytes[i]
            let valueStart = i + 1
            i = valueStart
            while i < end, bytes[i] != quote { i += 1 }
            if nameEnd - nameStart == count && startsWith(name, at: nameStart) { return valueStart..<i }
            i += 1
        }
        return nil
    }

    /// Attribute `name`'s value, unescaped.
    func attribute(_ tag: Tag, _ name: StaticString) -> String? {
        attributeRange(tag, name).map { String(decoding: XMLScanner.unescape(bytes, $0), as: UTF8.self) }
    }

    /// The raw text from the current position to the next `<` (the position moves there).
    /// A CDATA section right there is returned as its content.
    mutating func text() -> Range<Int> {
        let n = bytes.count
        let start = position
        if startsWith("<![CDATA[", at: start) {
            var j = start + 9
            while j + 2 < n, !(bytes[j] == 0x5D && bytes[j + 1] == 0x5D && bytes[j + 2] == 0x3E) { j += 1 }
            position = min(j + 3, n)
            return (start + 9)..<min(j, n)
        }
        guard let base = bytes.baseAddress, start < n,
              let hit = memchr(base + start, 0x3C, n - start) else { position = n; return start..<n }
        position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        return start..<position
    }

    /// The bytes of `range` with entities and character references replaced, and Excel's
    /// `_xHHHH_` escapes (how OOXML writes control characters) decoded.
    static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        appendUnescaped(bytes, range, to: &out)
        return out
    }

    /// Appends the unescaped bytes of `range` to `out` (see `unescape`).
    static func appendUnescaped(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to out: inout [UInt8]) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let b = bytes[i]
            if b == 0x26, let semicolon = (i + 1..<min(end, i + 12)).first(where: { bytes[$0] == 0x3B }) {
                if let scalar = entity(bytes, (i + 1)..<semicolon) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i = semicolon + 1
                    continue
                }
            } else if b == 0x5F, i + 6 < end, bytes[i + 1] == 0x78, bytes[i + 6] == 0x5F,
                      let v = hexValue(bytes, (i + 2)..<(i + 6)), let scalar = Unicode.Scalar(v) {
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
                i += 7
                continue
            }
            out.append(b)
            i += 1
        }
    }

    private static func entity(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Unicode.Scalar? {
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
        switch name {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init)
        }
    }

    private static func hexValue(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt32? {
        var v: UInt32 = 0
        for i in r {
            let b = bytes[i]
            switch b {
            case 0x30...0x39: v = v << 4 | UInt32(b - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(b - 0x41 + 10)
            case 0x61...0x66: v = v << 4 | UInt32(b - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
