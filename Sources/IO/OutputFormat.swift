/// How a table is printed or written: the shell's `--format` / `.mode`, and export formats.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// A box-drawn table for the terminal (not a file format, but it can be written).
    case table
    case csv, tsv, json, jsonl, markdown

    /// The format called `name` (any case): a format's own name, or `md` for markdown and
    /// `box` for table. Used by `--format` and `.mode`.
    public init?(name: String) {
        let lower = name.lowercased()
        switch lower {
        case "md": self = .markdown
        case "box": self = .table
        default:
            guard let format = OutputFormat(rawValue: lower) else { return nil }
            self = format
        }
    }

    /// The format a file name asks for, by extension (case-insensitive): `.csv`, `.tsv`,
    /// `.json`, `.jsonl`, `.md` / `.markdown`. nil for anything else.
    public static func forPath(_ path: String) -> OutputFormat? {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "tsv": return .tsv
        case "json": return .json
        case "jsonl", "ndjson": return .jsonl
        case "md", "markdown": return .markdown
        default: return nil
        }
    }
}

/// Display settings for `TableRenderer.render`.
public struct RenderOptions: Sendable {
    /// Rows shown before a `… N more rows` line, in table and markdown mode; 0 = all rows.
    public var maxRows: Int
    /// The terminal width in columns; nil = unlimited (no columns hidden).
    public var terminalWidth: Int?
    /// ANSI styling: bold names, dimmed types and nulls.
    public var color: Bool
    /// Thousands separators for numbers in table and markdown mode.
    public var thousandsSeparators: Bool

    public init(maxRows: Int = 40, terminalWidth: Int? = nil, color: Bool = false,
                thousandsSeparators: Bool = true) {
        self.maxRows = maxRows
        self.terminalWidth = terminalWidth
        self.color = color
        self.thousandsSeparators = thousandsSeparators
    }
}
