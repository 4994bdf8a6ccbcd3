/// A Markdown notebook (SPEC section 7): prose, and cells (fenced blocks with the info
/// string `segsh`), each optionally followed by its `output` block. The notebook keeps the
/// exact text of every part, so writing it back (`NotebookWriter`) changes nothing but the
/// output blocks.
///
/// ````markdown
/// Some prose.
///
/// ```segsh
/// orders | take 3
/// ```
///
/// ```output
/// [1] 3 rows × 6 columns
/// ...
/// ```
/// ````
public struct Notebook: Equatable {
    /// One part of the document, in order. Concatenating `text` of every part gives the
    /// original document byte for byte.
    public enum Part: Equatable {
        /// Markdown text between cells (other fenced blocks included), exactly as written.
        case prose(String)
        /// A `segsh` cell with its output block, if any.
        case cell(NotebookCell)

        /// The exact original text of the part.
        public var text: String {
            switch self {
            case .prose(let text): return text
            case .cell(let cell): return cell.text
            }
        }
    }

    public var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// Parses Markdown text; never fails (text without cells is one prose part).
    public init(parsing text: String) {
        self = NotebookParser.parse(text)
    }

    /// The cells in document order.
    public var cells: [NotebookCell] {
        parts.compactMap { if case .cell(let cell) = $0 { return cell } else { return nil } }
    }

    /// The document as it was parsed.
    public var text: String { parts.map(\.text).joined() }
}

/// A `segsh` fenced block and the `output` block after it.
public struct NotebookCell: Equatable {
    /// From the opening fence line through the closing fence line (with its line end), exactly.
    public var source: String
    /// The statements: the lines between the fences.
    public var code: String
    /// The 1-based line of the notebook where `code` starts (for diagnostics).
    public var codeLine: Int
    /// Whether the cell has a closing fence (an unclosed fence runs to the end of the file).
    public var isClosed: Bool
    /// The blank lines between the cell and its output block, exactly ("" without a block).
    public var gap: String
    /// The output block after the cell, if any.
    public var output: NotebookOutputBlock?

    /// The cell's exact text: source, gap and output block.
    public var text: String { source + gap + (output?.text ?? "") }

    /// The saved output (the output block's content, "" without a block).
    public var savedOutput: String { output?.content ?? "" }
}

/// A fenced block with the info string `output`.
public struct NotebookOutputBlock: Equatable {
    /// From the opening fence line through the closing fence line, exactly.
    public var text: String
    /// The lines between the fences, each ending with "\n" (a "\r" before it dropped).
    public var content: String
    /// The opening fence's characters (```` ``` ```` or `~~~~`...), to reuse when rewriting.
    public var fence: String
    /// The opening fence line's indentation.
    public var indent: String
}
