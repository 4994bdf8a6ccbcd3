/// A named piece of source text (a script, a notebook cell, a line typed at the prompt).
/// Spans are UTF-8 byte offsets into `text`; line and column numbers for humans are
/// computed here, counting characters (not bytes) so Chinese text points at the right place.
public final class SourceFile: @unchecked Sendable {
    public let name: String
    public let text: String
    public let bytes: [UInt8]
    /// Line number of the first line of `text` within the original file (1-based).
    public let firstLine: Int
    private let lineStarts: [Int]

    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text
        self.firstLine = firstLine
        self.bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// 0-based line index containing the byte offset.
    public func lineIndex(of offset: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The text of a 0-based line, without its line terminator.
    public func lineText(_ index: Int) -> String {
        guard index >= 0 && index < lineStarts.count else { return "" }
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : bytes.count
        if end > start && end <= bytes.count && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// Human position of a byte offset: 1-based line (in the original file) and 1-based
    /// character column.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let li = lineIndex(of: clamped)
        let start = lineStarts[li]
        let prefix = String(decoding: bytes[start..<clamped], as: UTF8.self)
        return (li + firstLine, prefix.count + 1)
    }

    public func slice(_ span: Span) -> String {
        let lo = max(0, min(span.start, bytes.count)), hi = max(lo, min(span.end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A half-open range of UTF-8 byte offsets into a `SourceFile`.
public struct Span: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = max(start, end) }
    public static let none = Span(0, 0)
    public func to(_ other: Span) -> Span { Span(min(start, other.start), max(end, other.end)) }
    public var description: String { "\(start)..<\(end)" }
}
