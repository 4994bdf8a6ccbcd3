import Foundation

/// Escaping text for HTML that is also well-formed XML (XHTML).
enum HTMLText {
    /// `&`, `<`, `>`, `"`, `'` as entities; control characters XML cannot hold are dropped
    /// (tab and line ends are kept).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// A small Markdown renderer for the prose of notebooks: ATX headings, paragraphs (with hard
/// breaks), bullet and numbered lists, block quotes, fenced code blocks, pipe tables,
/// thematic breaks, and inline code, strong and emphasis, links and autolinks. Everything is
/// escaped: raw HTML in the Markdown shows as text, HTML comments are dropped, and links
/// with a `javascript:` (or other script) scheme are not made links. The output is XHTML
/// (`<br/>`, `<hr/>`, quoted attributes).
enum MarkdownHTML {
    static func render(_ markdown: String) -> String {
        let lines = NotebookParser.splitLines(markdown).map { String(NotebookParser.content($0)) }
        return renderBlocks(lines)
    }

    // MARK: - Blocks

    static func renderBlocks(_ lines: [String]) -> String {
        var out = ""
        var paragraph: [String] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            out += "<p>" + renderParagraph(paragraph) + "</p>\n"
            paragraph = []
        }
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmed(" \t")
            if trimmed.isEmpty { flush(); i += 1; continue }
            if trimmed.hasPrefix("<!--") {
                flush()
                while i < lines.count && !lines[i].contains("-->") { i += 1 }
                i += 1
                continue
            }
            if let fence = NotebookParser.opening(line) {
                flush()
                let close = NotebookParser.closing(of: fence, in: lines.map { $0 + "\n" }, after: i)
                let end = close ?? lines.count
                let code = lines[(i + 1)..<end].joined(separator: "\n")
                let language = fence.language.isEmpty ? "" : " data-lang=\"\(HTMLText.escape(fence.language))\""
                out += "<pre class=\"code\"\(language)><code>" + HTMLText.escape(code) + "</code></pre>\n"
                i = end + 1
                continue
            }
            if let (level, text) = heading(trimmed) {
                flush()
                out += "<h\(level)>" + inline(text) + "</h\(level)>\n"
                i += 1
                continue
            }
            if isThematicBreak(trimmed) {
                flush()
                out += "<hr/>\n"
                i += 1
                continue
            }
            if trimmed.hasPrefix(">") {
                flush()
                var quoted: [String] = []
                while i < lines.count {
                    let t = lines[i].trimmed(" \t")
                    guard t.hasPrefix(">") else { break }
                    var rest = t.dropFirst()
                    if rest.first == " " { rest = rest.dropFirst() }
                    quoted.append(String(rest))
                    i += 1
                }
                out += "<blockquote>\n" + renderBlocks(quoted) + "</blockquote>\n"
                continue
            }
            if i + 1 < lines.count, line.contains("|"), let alignments = tableAlignments(lines[i + 1]) {
                flush()
                var rows: [[String]] = []
                var j = i + 2
                while j < lines.count, lines[j].contains("|"), !lines[j].trimmed(" \t").isEmpty {
                    rows.append(tableCells(lines[j]))
                    j += 1
                }
                out += renderTable(header: tableCells(line), alignments: alignments, rows: rows)
                i = j
                continue
            }
            if listMarker(line) != nil {
                flush()
                let (html, next) = renderList(lines, from: i)
                out += html
                i = next
                continue
            }
            paragraph.append(line)
            i += 1
        }
        flush()
        return out
    }

    static func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var text = String(rest).trimmed(" \t")
        // A closing run of #s is not part of the heading.
        while text.hasSuffix("#") { text.removeLast() }
        return (hashes, text.trimmed(" \t"))
    }

    static func isThematicBreak(_ line: String) -> Bool {
        let chars = line.filter { $0 != " " && $0 != "\t" }
        guard chars.count >= 3, let first = chars.first, first == "-" || first == "*" || first == "_" else { return false }
        return chars.allSatisfy { $0 == first }
    }

    /// The marker of a list item line: whether it is ordered, its indentation and where the
    /// item text starts.
    static func listMarker(_ line: String) -> (ordered: Bool, indent: Int, text: String)? {
        let indent = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(indent)
        if let first = rest.first, "-*+".contains(first), rest.dropFirst().first == " " {
            return (false, indent, String(rest.dropFirst(2)))
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 9 {
            let after = rest.dropFirst(digits.count)
            if let mark = after.first, mark == "." || mark == ")", after.dropFirst().first == " " {
                return (true, indent, String(after.dropFirst(2)))
            }
        }
        return nil
    }

    /// A list starting at `start`; items at a deeper indentation form nested lists, other
    /// non-blank lines continue the current item. Returns the HTML and the next line index.
    static func renderList(_ lines: [String], from start: Int) -> (String, Int) {
        guard let first = listMarker(lines[start]) else { return ("", start + 1) }
        var items: [[String]] = []
        var i = start
        while i < lines.count {
            let line = lines[i]
            if line.trimmed(" \t").isEmpty {
                // A blank line ends the list unless the next line is another item of it.
                if i + 1 < lines.count, let next = listMarker(lines[i + 1]), next.indent == first.indent,
                   next.ordered == first.ordered {
                    i += 1
                    continue
                }
                break
            }
            if let marker = listMarker(line), marker.indent <= first.indent {
                guard marker.ordered == first.ordered else { break }
                items.append([marker.text])
            } else if !items.isEmpty {
                let indent = line.prefix { $0 == " " }.count
                items[items.count - 1].append(indent > first.indent ? String(line.dropFirst(min(indent, first.indent + 2))) : line)
            } else {
                break
            }
            i += 1
        }
        let tag = first.ordered ? "ol" : "ul"
        var out = "<\(tag)>\n"
        for item in items {
            let nested = item.dropFirst().firstIndex { listMarker($0) != nil }
            if let nested {
                out += "<li>" + renderParagraph(Array(item[..<nested])) + "\n" + renderBlocks(Array(item[nested...])) + "</li>\n"
            } else {
                out += "<li>" + renderParagraph(item) + "</li>\n"
            }
        }
        return (out + "</\(tag)>\n", i)
    }

    /// Lines of a paragraph: a line ending with two spaces or a backslash breaks.
    static func renderParagraph(_ lines: [String]) -> String {
        var out = ""
        for (k, raw) in lines.enumerated() {
            var line = raw.trimmed(" \t", leadingOnly: true)
            var hardBreak = false
            if line.hasSuffix("  ") { hardBreak = true }
            if line.hasSuffix("\\") { hardBreak = true; line.removeLast() }
            out += inline(line.trimmed(" \t"))
            if k < lines.count - 1 { out += hardBreak ? "<br/>\n" : "\n" }
        }
        return out
    }

    // MARK: - Tables

    static func tableCells(_ line: String) -> [String] {
        var text = line.trimmed(" \t")
        if text.hasPrefix("|") { text.removeFirst() }
        if text.hasSuffix("|") && !text.hasSuffix("\\|") { text.removeLast() }
        var cells: [String] = [], current = ""
        var escaped = false, inCode = false
        for ch in text {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; current.append(ch); continue }
            if ch == "`" { inCode.toggle() }
            if ch == "|" && !inCode {
                cells.append(current.trimmed(" \t"))
                current = ""
            } else {
                current.append(ch)
            }
        }
        cells.append(current.trimmed(" \t"))
        return cells.map { $0.replacingAll("\\|", with: "|") }
    }

    /// The alignments of a table's delimiter row (`| --- | :---: | ---: |`), nil when the line is not one.
    static func tableAlignments(_ line: String) -> [String?]? {
        guard line.contains("-") else { return nil }
        let cells = tableCells(line)
        var alignments: [String?] = []
        for cell in cells {
            guard !cell.isEmpty, cell.allSatisfy({ $0 == "-" || $0 == ":" }), cell.contains("-") else { return nil }
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            alignments.append(left && right ? "center" : right ? "right" : left ? "left" : nil)
        }
        return alignments
    }

    static func renderTable(header: [String], alignments: [String?], rows: [[String]]) -> String {
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            let align = column < alignments.count ? alignments[column].map { " style=\"text-align:\($0)\"" } ?? "" : ""
            return "<\(tag)\(align)>" + inline(text) + "</\(tag)>"
        }
        var out = "<table class=\"md\">\n<thead><tr>"
        out += header.enumerated().map { cell("th", $0.element, $0.offset) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>" + (0..<header.count).map { cell("td", $0 < row.count ? row[$0] : "", $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    // MARK: - Inline

    /// Inline Markdown of one block's text.
    static func inline(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                out += HTMLText.escape(String(chars[i + 1]))
                i += 2
                continue
            }
            if c == "`" {
                let run = count(chars, from: i, of: "`")
                if let close = findRun(chars, of: "`", length: run, from: i + run) {
                    let code = String(chars[(i + run)..<close]).trimmed(" ")
                    out += "<code>" + HTMLText.escape(code) + "</code>"
                    i = close + run
                    continue
                }
                out += String(repeating: "`", count: run)
                i += run
                continue
            }
            if c == "*" || c == "_" {
                let run = min(count(chars, from: i, of: c), 2)
                let leftOK = c == "*" || i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber)
                if leftOK, i + run < chars.count, !chars[i + run].isWhitespace,
                   let close = findDelimiter(chars, c, length: run, from: i + run) {
                    let inner = inline(String(chars[(i + run)..<close]))
                    out += run == 2 ? "<strong>\(inner)</strong>" : "<em>\(inner)</em>"
                    i = close + run
                    continue
                }
            }
            if c == "[", let (label, url, end) = link(chars, at: i), isSafeURL(url) {
                out += "<a href=\"\(HTMLText.escape(url))\">" + inline(label) + "</a>"
                i = end
                continue
            }
            if c == "<", let close = chars[i...].firstIndex(of: ">") {
                let inner = String(chars[(i + 1)..<close])
                if (inner.hasPrefix("http://") || inner.hasPrefix("https://")) && !inner.contains(" ") {
                    out += "<a href=\"\(HTMLText.escape(inner))\">" + HTMLText.escape(inner) + "</a>"
                    i = close + 1
                    continue
                }
            }
            out += HTMLText.escape(String(c))
            i += 1
        }
        return out
    }

    static func count(_ chars: [Character], from i: Int, of c: Character) -> Int {
        var n = 0
        while i + n < chars.count && chars[i + n] == c { n += 1 }
        return n
    }

    /// The start of the next run of exactly `length` `c`s at or after `from`.
    static func findRun(_ chars: [Character], of c: Character, length: Int, from: Int) -> Int? {
        var j = from
        while j < chars.count {
            if chars[j] == c {
                let n = count(chars, from: j, of: c)
                if n == length { return j }
                j += n
            } else {
                j += 1
            }
        }
        return nil
    }

    /// A closing emphasis delimiter: `length` `c`s not preceded by whitespace (and, for `_`,
    /// not followed by a letter).
    static func findDelimiter(_ chars: [Character], _ c: Character, length: Int, from: Int) -> Int? {
        var j = from
        while j + length <= chars.count {
            if chars[j] == "`" {
                let run = count(chars, from: j, of: "`")
                if let close = findRun(chars, of: "`", length: run, from: j + run) { j = close + run; continue }
            }
            if chars[j] == c, count(chars, from: j, of: c) >= length, !chars[j - 1].isWhitespace {
                let after = j + length < chars.count ? chars[j + length] : " "
                if c == "_" && (after.isLetter || after.isNumber) { j += 1; continue }
                if length == 1 && after == c { j += 2; continue }
                return j
            }
            j += 1
        }
        return nil
    }

    /// `[label](url)` or `[label](url "title")` at `i`.
    static func link(_ chars: [Character], at i: Int) -> (String, String, Int)? {
        var depth = 0, j = i
        while j < chars.count {
            if chars[j] == "[" { depth += 1 }
            if chars[j] == "]" { depth -= 1; if depth == 0 { break } }
            j += 1
        }
        guard j + 1 < chars.count, chars[j + 1] == "(", let close = chars[(j + 2)...].firstIndex(of: ")") else { return nil }
        let label = String(chars[(i + 1)..<j])
        var target = String(chars[(j + 2)..<close]).trimmed(" ")
        if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }
        if target.hasPrefix("<") && target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
        return (label, target, close + 1)
    }

    static func isSafeURL(_ url: String) -> Bool {
        let lower = url.lowercased().filter { !$0.isWhitespace }
        return !(lower.hasPrefix("javascript:") || lower.hasPrefix("vbscript:") || lower.hasPrefix("data:"))
    }
}

extension String {
    func trimmed(_ set: String, leadingOnly: Bool = false) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        if !leadingOnly { while let l = s.last, set.contains(l) { s.removeLast() } }
        return String(s)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }
}
