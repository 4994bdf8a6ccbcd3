import Columnar
import Diagnostics

/// Turns a table into text in one of the output formats. All outputs end with a newline.
///
/// Table mode draws a box like DuckDB's shell:
/// ```
/// ┌──────────┬────────┐
/// │   name   │ amount │
/// │  string  │  int   │
/// ├──────────┼────────┤
/// │ 上海机械 │  1,200 │
/// │ ∅        │     35 │
/// └──────────┴────────┘
/// ```
/// Column names and types are centred; numbers are right-aligned, everything else
/// left-aligned; null is `∅`; widths count display columns (a CJK character is 2). Cells
/// wider than `maxCellWidth` are cut with `…`; control characters show as `\n`, `\t`, `\xNN`.
/// Numbers follow `CellText` (thousands separators; one number of decimals per column,
/// see `NumberFormat.decimals(for:)`, decided over the rows shown).
/// Below the box: `(no rows)` for an empty table, `… N more rows` when rows were cut to
/// `maxRows`, `(N columns hidden: a, b)` when columns were dropped from the right to fit
/// `terminalWidth` (the first column is always kept, cut narrower if it must be).
public enum TableRenderer {
    /// The widest a cell is drawn, in display columns, before it is cut with `…`.
    public static let maxCellWidth = 40

    /// The line printed above a result: `[3] 1,204 rows × 7 columns (12 ms)`; the number
    /// and the elapsed time are left out when nil.
    public static func headerLine(rows: Int, columns: Int, number: Int?, elapsed: Double?) -> String {
        var s = ""
        if let number { s += "[\(number)] " }
        s += NumberFormat.shape(rows: rows, columns: columns)
        if let elapsed { s += " (\(NumberFormat.elapsed(elapsed)))" }
        return s
    }

    /// The body of a result in `format`. `options.maxRows` applies to table and markdown mode
    /// only; `terminalWidth` and `color` to table mode only; machine formats (csv, tsv, json,
    /// jsonl) always carry every row in plain, round-trippable text.
    public static func render(_ table: Table, format: OutputFormat, options: RenderOptions = RenderOptions()) -> String {
        let sink = ByteSink()
        do {
            try write(table, format: format, options: options, to: sink, cancellable: false)
        } catch {
            return "\(error)\n"  // unreachable: an in-memory sink without cancellation never throws
        }
        return sink.text
    }

    /// Writes `render`'s text into a sink; with `cancellable`, long loops stop with
    /// `ColumnarError.cancelled` when the user interrupts.
    public static func write(_ table: Table, format: OutputFormat, options: RenderOptions,
                             to sink: ByteSink, cancellable: Bool) throws {
        switch format {
        case .table: sink.append(BoxTable(table, options: options).render())
        case .csv: try DelimitedWriter.write(table, dialect: .csv, to: sink, cancellable: cancellable)
        case .tsv: try DelimitedWriter.write(table, dialect: .tsv, to: sink, cancellable: cancellable)
        case .json: try JSONWriter.write(table, layout: .array, to: sink, cancellable: cancellable)
        case .jsonl: try JSONWriter.write(table, layout: .lines, to: sink, cancellable: cancellable)
        case .markdown:
            try MarkdownWriter.write(table, maxRows: options.maxRows, grouping: options.thousandsSeparators,
                                     to: sink, cancellable: cancellable)
        }
    }

    /// `… 1,164 more rows` / `… 1 more row`.
    public static func moreRowsLine(_ n: Int) -> String {
        "… \(NumberFormat.grouped(n)) more \(n == 1 ? "row" : "rows")"
    }
}

/// The box-drawn layout of table mode.
struct BoxTable {
    let table: Table
    let options: RenderOptions

    init(_ table: Table, options: RenderOptions) {
        self.table = table
        self.options = options
    }

    private struct Layout {
        var name: String
        var type: String
        var cells: [String?]
        var rightAligned: Bool
        var width: Int
    }

    func render() -> String {
        guard table.columnCount > 0 else { return "(no columns)\n" }
        let shown = options.maxRows > 0 ? min(options.maxRows, table.rowCount) : table.rowCount
        let cap = TableRenderer.maxCellWidth
        var columns: [Layout] = table.columns.enumerated().map { j, column in
            let text = CellText(column, rows: 0..<shown, grouping: options.thousandsSeparators)
            let cells: [String?] = (0..<shown).map { row in
                text.text(row).map { $0.visibleControlCharacters.truncated(toDisplayWidth: cap) }
            }
            let name = table.names[j].visibleControlCharacters.truncated(toDisplayWidth: cap)
            let type = column.type.rawValue
            var width = max(1, displayWidth(name), displayWidth(type))
            for c in cells { width = max(width, c.map(displayWidth) ?? 1) }
            return Layout(name: name, type: type, cells: cells, rightAligned: text.isNumeric, width: width)
        }

        // Fit the terminal: a line is 1 + Σ (width + 3) columns.
        var hidden: [String] = []
        if let limit = options.terminalWidth {
            var total = 1
            var keep = 0
            for c in columns {
                if total + c.width + 3 > limit { break }
                total += c.width + 3
                keep += 1
            }
            if keep == 0 {
                keep = 1
                let w = max(1, limit - 4)
                columns[0].width = min(columns[0].width, w)
                columns[0].name = columns[0].name.truncated(toDisplayWidth: w)
                columns[0].type = columns[0].type.truncated(toDisplayWidth: w)
                columns[0].cells = columns[0].cells.map { $0?.truncated(toDisplayWidth: w) }
            }
            hidden = Array(table.names[keep...])
            columns.removeSubrange(keep...)
        }

        let bold = options.color ? "\u{1B}[1m" : "", dim = options.color ? "\u{1B}[2m" : ""
        let reset = options.color ? "\u{1B}[0m" : ""
        func rule(_ left: String, _ mid: String, _ right: String) -> String {
            left + columns.map { String(repeating: "─", count: $0.width + 2) }.joined(separator: mid) + right + "\n"
        }
        func row(_ cells: [String]) -> String { "│ " + cells.joined(separator: " │ ") + " │\n" }

        var out = rule("┌", "┬", "┐")
        out += row(columns.map { bold + $0.name.centered(in: $0.width) + reset })
        out += row(columns.map { dim + $0.type.centered(in: $0.width) + reset })
        if shown > 0 {
            out += rule("├", "┼", "┤")
            for r in 0..<shown {
                out += row(columns.map { c in
                    if let text = c.cells[r] { return text.padded(to: c.width, rightAligned: c.rightAligned) }
                    return dim + "∅".padded(to: c.width, rightAligned: c.rightAligned) + reset
                })
            }
        }
        out += rule("└", "┴", "┘")
        if table.rowCount == 0 { out += "(no rows)\n" }
        if shown < table.rowCount { out += TableRenderer.moreRowsLine(table.rowCount - shown) + "\n" }
        if !hidden.isEmpty {
            out += "(\(hidden.count) \(hidden.count == 1 ? "column" : "columns") hidden: \(hidden.joined(separator: ", ")))\n"
        }
        return out
    }
}
