import Columnar
import IO

/// A result table as an HTML table: the header line as caption (`[3] 1,204 rows × 7
/// columns`), column names with their types, numbers right-aligned with thousands separators
/// and one number of decimals per column (as in table mode), null as a dimmed `∅`, and at most
/// `maxRows` rows followed by a `… N more rows` line.
enum HTMLTable {
    static func render(_ table: Table, number: Int?, maxRows: Int) -> String {
        let shown = maxRows > 0 ? min(maxRows, table.rowCount) : table.rowCount
        let caption = TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: number, elapsed: nil)
        var out = "<div class=\"result\"><div class=\"caption\">\(HTMLText.escape(caption))</div>\n"
        out += "<div class=\"scroll\"><table class=\"data\">\n<thead><tr>"
        for (name, column) in zip(table.names, table.columns) {
            let cls = column.type.isNumeric ? " class=\"num\"" : ""
            out += "<th\(cls)>\(HTMLText.escape(name))<span class=\"type\">\(column.type.rawValue)</span></th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        let formats = table.columns.map { CellFormat($0, rows: 0..<shown) }
        for row in 0..<shown {
            out += "<tr>"
            for format in formats {
                let cls = format.isNumeric ? "num" : ""
                if let text = format.text(row) {
                    out += cls.isEmpty ? "<td>" : "<td class=\"\(cls)\">"
                    out += HTMLText.escape(text) + "</td>"
                } else {
                    out += "<td class=\"null \(cls)\">∅</td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        if table.rowCount == 0 { out += "<div class=\"more\">(no rows)</div>\n" }
        if shown < table.rowCount {
            out += "<div class=\"more\">\(HTMLText.escape(TableRenderer.moreRowsLine(table.rowCount - shown)))</div>\n"
        }
        return out + "</div>\n"
    }

    /// The text of one column's cells, like table mode's.
    struct CellFormat {
        let column: Column
        let decimals: Int

        init(_ column: Column, rows: Range<Int>) {
            self.column = column
            if case .double(let values) = column.storage {
                decimals = NumberFormat.decimals(for: rows.lazy.filter { !column.isNull($0) }.map { values[$0] })
            } else {
                decimals = 0
            }
        }

        var isNumeric: Bool { column.type.isNumeric }

        func text(_ row: Int) -> String? {
            if column.isNull(row) { return nil }
            switch column.storage {
            case .int(let v): return NumberFormat.grouped(v[row])
            case .double(let v): return NumberFormat.fixed(v[row], decimals: decimals, grouping: true)
            default: return column[row].description
            }
        }
    }
}
