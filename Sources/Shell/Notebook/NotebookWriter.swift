/// Writes notebooks: an existing notebook with new outputs (`--update`), or a new notebook
/// from statements and their outputs (`.save`).
///
/// Only output blocks change: prose and cells are written back byte for byte. A cell whose
/// output is unchanged keeps its block exactly as it was (fence, line ends); a changed output
/// reuses the block's fence unless the new text contains a line that would close it; a cell
/// without output (a `param`, a `rules` block) has no output block, and an existing block is
/// removed when the output became empty.
public enum NotebookWriter {
    /// `notebook`'s text with the output of cell `i` (in document order) set to `outputs[i]`.
    /// Cells beyond `outputs.count` keep their blocks.
    public static func text(of notebook: Notebook, outputs: [String]) -> String {
        var out = ""
        var index = 0
        for part in notebook.parts {
            switch part {
            case .prose(let text):
                out += text
            case .cell(let cell):
                defer { index += 1 }
                guard index < outputs.count else { out += cell.text; continue }
                out += text(of: cell, output: outputs[index])
            }
        }
        return out
    }

    /// One cell with its new output.
    static func text(of cell: NotebookCell, output: String) -> String {
        let content = normalized(output)
        if let block = cell.output, block.content == content { return cell.text }
        var source = cell.source
        if !cell.isClosed {
            if !source.hasSuffix("\n") { source += "\n" }
            source += "```\n"
        }
        guard !content.isEmpty else { return source }
        if !source.hasSuffix("\n") { source += "\n" }
        let gap = cell.output == nil ? "\n" : cell.gap
        return source + gap + outputBlock(content, reusing: cell.output)
    }

    /// An `output` fenced block holding `content` (which ends with "\n").
    static func outputBlock(_ content: String, reusing block: NotebookOutputBlock? = nil) -> String {
        var fence = fence(for: content)
        var indent = ""
        if let block, let first = block.fence.first {
            let candidate = NotebookParser.Fence(indent: "", character: first, length: block.fence.count, info: "")
            if !NotebookParser.splitLines(content).contains(where: { NotebookParser.closes(candidate, $0) }) {
                fence = block.fence
                indent = block.indent
            }
        }
        return indent + fence + "output\n" + content + indent + fence + "\n"
    }

    /// A backtick fence longer than any backtick run that starts a line of `content`.
    static func fence(for content: String) -> String {
        var longest = 0
        for line in NotebookParser.splitLines(content) {
            let text = NotebookParser.content(line).drop { $0 == " " }
            longest = max(longest, text.prefix { $0 == "`" }.count)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }

    /// Text as an output block holds it: "" or lines each ending with "\n".
    static func normalized(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        return NotebookParser.splitLines(text).map(NotebookParser.normalizedLine).joined()
    }

    /// A new notebook: `heading` (Markdown, may be empty), then one `segsh` cell per
    /// statement followed by its output block. `output` is asked for each statement's output
    /// with the notebook line where the statement's text starts, so that diagnostics can
    /// point into the notebook.
    public static func notebook(heading: String, statements: [String],
                                output: (_ index: Int, _ codeLine: Int) -> String) -> String {
        var text = heading
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        var lineCount = NotebookParser.splitLines(text).count
        for (i, statement) in statements.enumerated() {
            let code = normalized(statement.isEmpty ? "\n" : statement)
            let fence = fence(for: code)
            if !text.isEmpty { text += "\n"; lineCount += 1 }
            let codeLine = lineCount + 2
            text += fence + "segsh\n" + code + fence + "\n"
            let content = normalized(output(i, codeLine))
            if !content.isEmpty { text += "\n" + outputBlock(content) }
            lineCount = NotebookParser.splitLines(text).count
        }
        return text
    }
}
