import Columnar
import Diagnostics

/// The display text of one column's cells for people (table and markdown mode, charts):
/// ints with thousands separators, doubles with one number of decimals for the whole column
/// (`NumberFormat.decimals(for:)` over the rows shown), ISO dates, `true`/`false`.
/// Thousands separators are used in a column only when one of its shown values reaches
/// 10,000, so years (`2024`) and small amounts (`1200.50`) stay as written.
struct CellText {
    let column: Column
    let decimals: Int
    let grouping: Bool

    /// `rows`: the rows that will be shown, which fix the column's number of decimals.
    init(_ column: Column, rows: Range<Int>, grouping: Bool) {
        self.column = column
        let validity = column.validity
        let shown = rows.lazy.filter { validity?[$0] ?? true }
        switch column.storage {
        case .double(let v):
            decimals = NumberFormat.decimals(for: shown.map { v[$0] })
            self.grouping = grouping && shown.contains { abs(v[$0]) >= CellText.groupingThreshold }
        case .int(let v):
            decimals = 0
            self.grouping = grouping && shown.contains { v[$0] >= 10_000 || v[$0] <= -10_000 }
        default:
            decimals = 0
            self.grouping = false
        }
    }

    /// Text of a row, nil for null.
    func text(_ row: Int) -> String? {
        if column.isNull(row) { return nil }
        switch column.storage {
        case .int(let v): return grouping ? NumberFormat.grouped(v[row]) : String(v[row])
        case .double(let v): return NumberFormat.fixed(v[row], decimals: decimals, grouping: grouping)
        case .date(let v): return CivilDate(daysSinceEpoch: v[row]).description
        case .bool(let v): return v[row] ? "true" : "false"
        case .string(let codes, let dictionary): return dictionary.string(codes[row])
        }
    }

    var isNumeric: Bool { column.type.isNumeric }

    /// The smallest magnitude that turns thousands separators on for a column.
    static let groupingThreshold = 10_000.0
}

extension String {
    /// Control characters made visible (`\n`, `\t`, `\r`, `\u{1B}` → `\x1B`), so a cell
    /// stays on one line and its display width is what the terminal shows.
    var visibleControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return self }
        var out = String.UnicodeScalarView()
        for s in unicodeScalars {
            switch s {
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if s.value < 0x20 || s.value == 0x7F {
                    let hex = String(s.value, radix: 16, uppercase: true)
                    out.append(contentsOf: ("\\x" + (hex.count < 2 ? "0" : "") + hex).unicodeScalars)
                } else {
                    out.append(s)
                }
            }
        }
        return String(out)
    }

    /// Cut to at most `width` display columns, ending in `…` when cut.
    func truncated(toDisplayWidth width: Int) -> String {
        if Diagnostics.displayWidth(self) <= width { return self }
        guard width > 0 else { return "" }
        var out = String.UnicodeScalarView()
        var w = 0
        for s in unicodeScalars {
            let sw = Diagnostics.scalarWidth(s)
            if w + sw > width - 1 { break }
            out.append(s)
            w += sw
        }
        out.append("…")
        return String(out)
    }

    /// Padded with spaces to `width` display columns, on the right (`left` alignment) or left.
    func padded(to width: Int, rightAligned: Bool = false) -> String {
        let pad = width - Diagnostics.displayWidth(self)
        if pad <= 0 { return self }
        let spaces = String(repeating: " ", count: pad)
        return rightAligned ? spaces + self : self + spaces
    }

    /// Centred in `width` display columns; an odd extra space goes on the right.
    func centered(in width: Int) -> String {
        let pad = width - Diagnostics.displayWidth(self)
        if pad <= 0 { return self }
        return String(repeating: " ", count: pad / 2) + self + String(repeating: " ", count: pad - pad / 2)
    }
}
