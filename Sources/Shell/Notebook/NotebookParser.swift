/// Splits Markdown into prose and cells, following CommonMark's fenced code blocks: a fence
/// is three or more backticks or tildes indented at most three spaces; the block ends at a
/// line of at least as many of the same character (and nothing else but spaces), or at the
/// end of the document. Blocks with other info strings stay prose, so a `segsh` fence shown
/// inside a longer ```` ```` ```` markdown ```` block is not a cell.
enum NotebookParser {
    /// A fence line: its indentation, character, length and info string.
    struct Fence {
        var indent: String
        var character: Character
        var length: Int
        var info: String
        /// The first word of the info string (`segsh`, `output`).
        var language: String { String(info.split(separator: " ", maxSplits: 1).first ?? "") }
        var marker: String { String(repeating: character, count: length) }
    }

    static func parse(_ text: String) -> Notebook {
        let lines = splitLines(text)
        var parts: [Notebook.Part] = []
        var prose = ""
        var i = 0
        func flushProse() {
            if !prose.isEmpty { parts.append(.prose(prose)); prose = "" }
        }
        while i < lines.count {
            guard let fence = opening(lines[i]) else {
                prose += lines[i]
                i += 1
                continue
            }
            let close = closing(of: fence, in: lines, after: i)
            let end = close ?? lines.count - 1
            guard fence.language == "segsh" else {
                prose += lines[i...end].joined()
                i = end + 1
                continue
            }
            flushProse()
            let codeLines = lines[(i + 1)..<(close ?? lines.count)]
            var cell = NotebookCell(source: lines[i...end].joined(), code: codeLines.joined(), codeLine: i + 2,
                                    isClosed: close != nil, gap: "", output: nil)
            i = end + 1
            // The output block: the next non-blank line opens a fence whose info string is `output`.
            if close != nil {
                var k = i
                while k < lines.count && isBlank(lines[k]) { k += 1 }
                if k < lines.count, let outputFence = opening(lines[k]), outputFence.language == "output" {
                    let outputClose = closing(of: outputFence, in: lines, after: k)
                    let outputEnd = outputClose ?? lines.count - 1
                    let content = Array(lines[(k + 1)..<(outputClose ?? lines.count)])
                    cell.gap = lines[i..<k].joined()
                    cell.output = NotebookOutputBlock(
                        text: lines[k...outputEnd].joined(),
                        content: content.map(normalizedLine).joined(),
                        fence: outputFence.marker, indent: outputFence.indent)
                    i = outputEnd + 1
                }
            }
            parts.append(.cell(cell))
        }
        flushProse()
        return Notebook(parts: parts)
    }

    /// Lines with their terminators ("\n" or "\r\n"); the last line may have none.
    static func splitLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for ch in text {
            current.append(ch)
            if ch == "\n" || ch == "\r\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// A line without its terminator.
    static func content(_ line: String) -> Substring {
        var s = Substring(line)
        while let last = s.last, last == "\n" || last == "\r" || last == "\r\n" { s.removeLast() }
        return s
    }

    static func normalizedLine(_ line: String) -> String { content(line) + "\n" }

    static func isBlank(_ line: String) -> Bool { content(line).allSatisfy { $0 == " " || $0 == "\t" } }

    /// The fence a line opens, if it is an opening fence line.
    static func opening(_ line: String) -> Fence? {
        let text = content(line)
        let indent = text.prefix { $0 == " " }
        guard indent.count <= 3 else { return nil }
        let rest = text.dropFirst(indent.count)
        guard let first = rest.first, first == "`" || first == "~" else { return nil }
        let run = rest.prefix { $0 == first }
        guard run.count >= 3 else { return nil }
        let info = rest.dropFirst(run.count).trimmingSpaces
        if first == "`" && info.contains("`") { return nil }
        return Fence(indent: String(indent), character: first, length: run.count, info: String(info))
    }

    /// The index of the line closing `fence` (opened at `start`), nil when it runs to the end.
    static func closing(of fence: Fence, in lines: [String], after start: Int) -> Int? {
        var j = start + 1
        while j < lines.count {
            if closes(fence, lines[j]) { return j }
            j += 1
        }
        return nil
    }

    /// Whether `line` closes `fence`.
    static func closes(_ fence: Fence, _ line: String) -> Bool {
        let text = content(line)
        let indent = text.prefix { $0 == " " }
        guard indent.count <= 3 else { return false }
        let rest = text.dropFirst(indent.count)
        let run = rest.prefix { $0 == fence.character }
        return run.count >= fence.length && rest.dropFirst(run.count).allSatisfy { $0 == " " || $0 == "\t" }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
