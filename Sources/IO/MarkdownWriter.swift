import Columnar
import Diagnostics

/// A GitHub-flavoured Markdown table: a header row, a delimiter row (`---` for text,
/// `---:` for numbers, which are right-aligned), then one row per table row. Values use the
/// human formatting of table mode (thousands separators, one number of decimals per column);
/// nulls are empty cells; `|` is escaped as `\|` and line breaks become `<br>`. Columns are
/// padded to equal display width (CJK characters count 2) so the source reads as a table too.
/// When rows are cut, a blank line and `… N more rows` follow the table (the blank line keeps
/// the note out of the table).
enum MarkdownWriter {
    static func write(_ table: Table, maxRows: Int, grouping: Bool, to sink: ByteSink, cancellable: Bool) throws {
        guard table.columnCount > 0 else { sink.append("(no columns)\n"); return }
        let shown = maxRows > 0 ? min(maxRows, table.rowCount) : table.rowCount
        let texts = table.columns.map { CellText($0, rows: 0..<shown, grouping: grouping) }
        let names = table.names.map(escape)
        var widths = names.map { max(3, displayWidth($0)) }
        for (j, cells) in texts.enumerated() {
            for row in 0..<shown {
                widths[j] = max(widths[j], displayWidth(cells.text(row).map(escape) ?? ""))
                if cancellable, row & 4095 == 4095 { try Cancellation.check() }
            }
        }
        func line(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |\n" }
        sink.append(line(names.enumerated().map { $0.element.padded(to: widths[$0.offset]) }))
        sink.append(line(texts.enumerated().map { j, cells in
            cells.isNumeric ? String(repeating: "-", count: widths[j] - 1) + ":" : String(repeating: "-", count: widths[j])
        }))
        for row in 0..<shown {
            sink.append(line(texts.enumerated().map { j, cells in
                (cells.text(row).map(escape) ?? "").padded(to: widths[j], rightAligned: cells.isNumeric)
            }))
            if row & 4095 == 4095 {
                if cancellable { try Cancellation.check() }
                try sink.flushIfNeeded()
            }
        }
        if shown < table.rowCount { sink.append("\n" + TableRenderer.moreRowsLine(table.rowCount - shown) + "\n") }
    }

    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "|" || $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return text.replacingAll("\r\n", with: "<br>")
            .replacingAll("\n", with: "<br>")
            .replacingAll("\r", with: "<br>")
            .replacingAll("|", with: "\\|")
            .visibleControlCharacters
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
