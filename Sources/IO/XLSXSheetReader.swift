import Diagnostics

/// A cell range such as `A3` (from A3 to the end of the sheet) or `A3:H500`; rows and
/// columns 0-based, bounds inclusive.
struct XLSXRange: Equatable {
    var firstRow: Int
    var firstColumn: Int
    var lastRow: Int
    var lastColumn: Int

    static let whole = XLSXRange(firstRow: 0, firstColumn: 0, lastRow: Int.max, lastColumn: Int.max)

    init(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
        self.firstRow = firstRow
        self.firstColumn = firstColumn
        self.lastRow = lastRow
        self.lastColumn = lastColumn
    }

    /// Parses `A3` or `A3:H500` (letters case-insensitive, `$` allowed); nil when malformed.
    init?(_ text: String) {
        let parts = text.replacingDollars().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let start = Self.cell(Array(parts[0].utf8)) else { return nil }
        firstRow = start.row
        firstColumn = start.column
        if parts.count == 2 {
            guard let end = Self.cell(Array(parts[1].utf8)), end.row >= start.row, end.column >= start.column else { return nil }
            lastRow = end.row
            lastColumn = end.column
        } else {
            lastRow = Int.max
            lastColumn = Int.max
        }
    }

    /// `B12` → (row 11, column 1).
    static func cell(_ bytes: [UInt8]) -> (row: Int, column: Int)? {
        var column = 0, row = 0, i = 0
        while i < bytes.count, let letter = upper(bytes[i]) {
            column = column * 26 + Int(letter - 0x40)
            guard column <= 16_384 else { return nil }
            i += 1
        }
        guard i > 0, i < bytes.count else { return nil }
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            row = row * 10 + Int(b - 0x30)
            guard row <= 1_048_576 else { return nil }
            i += 1
        }
        guard row >= 1 else { return nil }
        return (row - 1, column - 1)
    }

    private static func upper(_ b: UInt8) -> UInt8? {
        if b >= 0x41 && b <= 0x5A { return b }
        if b >= 0x61 && b <= 0x7A { return b - 0x20 }
        return nil
    }

    func contains(row: Int, column: Int) -> Bool {
        row >= firstRow && row <= lastRow && column >= firstColumn && column <= lastColumn
    }

    /// `A`, `B`, …, `Z`, `AA` for a 0-based column.
    static func columnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }
}

private extension String {
    func replacingDollars() -> String { String(unicodeScalars.filter { $0 != "$" }) }
}

/// The cells of one worksheet, read from its XML in one pass and kept as CSV fields, then
/// laid out as CSV text for the CSV reader (which infers the column types, so a workbook
/// and a CSV file of the same data load the same).
struct XLSXSheetReader {
    let workbook: XLSXWorkbook
    let range: XLSXRange
    let sheetName: String

    /// Row numbers (0-based) of the rows with cells, in order, and where their cells start.
    private(set) var rowNumbers: [Int32] = []
    private(set) var rowCellStarts: [Int] = []
    /// Each cell's column and where its field starts in `fields` (one more entry: the end).
    private(set) var cellColumns: [Int32] = []
    private(set) var cellFieldStarts: [Int] = [0]
    private(set) var fields: [UInt8] = []
    /// Merged ranges (`<mergeCell ref="A1:B2"/>`).
    private(set) var merges: [XLSXRange] = []
    /// Error cells (`#N/A`, `#DIV/0!` ...) read as null: how many, and the first few.
    private(set) var errorCount = 0
    private(set) var errorExamples: [String] = []

    init(workbook: XLSXWorkbook, range: XLSXRange, sheetName: String) {
        self.workbook = workbook
        self.range = range
        self.sheetName = sheetName
    }

    /// The cell's place for messages: `sheet 'Data', cell B5`.
    func place(row: Int, column: Int) -> String {
        "sheet '\(sheetName)', cell \(XLSXRange.columnName(column))\(row + 1)"
    }

    /// Reads the sheet's XML.
    mutating func read(_ xml: UnsafeBufferPointer<UInt8>) throws {
        var scanner = XMLScanner(xml)
        var row = -1
        var column = -1
        // The cell being read.
        var cellType: UInt8 = 0 // 0 number, s shared, b bool, e error, t text (str/inlineStr), d ISO date
        var cellStyle = 0
        var value: Range<Int>? = nil
        var inlineText: [UInt8] = []
        var inInline = false
        var rowOpen = false
        while let tag = scanner.nextTag() {
            let length = tag.nameEnd - tag.nameStart
            let first = xml[tag.nameStart]
            if length == 1 && first == 0x63 { // c
                if tag.isEnd {
                    try emit(row: row, column: column, type: cellType, style: cellStyle, value: value, inline: inlineText, xml: xml, rowOpen: &rowOpen)
                    continue
                }
                cellType = 0; cellStyle = 0; value = nil; inlineText.removeAll(keepingCapacity: true)
                column = readCellAttributes(scanner, tag, row: &row, column: column, type: &cellType, style: &cellStyle)
                if tag.isEmpty { continue }
            } else if length == 1 && first == 0x76 { // v
                if !tag.isEnd && !tag.isEmpty { value = scanner.text() }
            } else if length == 3 && first == 0x72 && scanner.isNamed(tag, "row") {
                guard !tag.isEnd else { continue }
                if let r = scanner.attributeRange(tag, "r"), let n = Self.integer(xml, r), n >= 1 { row = n - 1 } else { row += 1 }
                column = -1
                rowOpen = false
            } else if length == 1 && first == 0x74 { // t, inside <is>
                if inInline && !tag.isEnd && !tag.isEmpty { XMLScanner.appendUnescaped(xml, scanner.text(), to: &inlineText) }
            } else if length == 2 && scanner.isNamed(tag, "is") {
                inInline = !tag.isEnd && !tag.isEmpty
            } else if length == 3 && scanner.isNamed(tag, "rPh") {
                // Phonetic guides inside inline strings are not part of the text.
                if !tag.isEnd && !tag.isEmpty { inInline = false }
            } else if tag.isEnd, scanner.isNamed(tag, "sheetData") {
                break
            }
        }
        // Merged cells come after the sheet data.
        while let tag = scanner.nextTag() {
            if !tag.isEnd, scanner.isNamed(tag, "mergeCell"), let ref = scanner.attribute(tag, "ref"),
               let merged = XLSXRange(ref), merged.lastRow != Int.max {
                merges.append(merged)
            }
        }
    }

    /// Reads `r`, `t` and `s` of a `<c>` tag in one pass; returns the cell's column.
    private func readCellAttributes(_ scanner: XMLScanner, _ tag: XMLScanner.Tag, row: inout Int, column: Int,
                                    type: inout UInt8, style: inout Int) -> Int {
        let bytes = scanner.bytes
        var i = tag.attributesStart
        let end = tag.attributesEnd
        var newColumn = column + 1
        while i < end {
            while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
            guard i < end else { break }
            let nameStart = i
            while i < end, bytes[i] != 0x3D { i += 1 }
            let nameLength = i - nameStart
            while i < end, bytes[i] != 0x22, bytes[i] != 0x27 { i += 1 }
            guard i < end else { break }
            let quote = bytes[i]
            let valueStart = i + 1
            i = valueStart
            while i < end, bytes[i] != quote { i += 1 }
            let valueEnd = i
            i += 1
            guard nameLength == 1 else { continue }
            switch bytes[nameStart] {
            case 0x72: // r="B12"
                var c = 0
                var k = valueStart
                // At most three letters (XFD is Excel's last column): no overflow on junk.
                while k < valueEnd, k - valueStart < 3, bytes[k] >= 0x41 {
                    c = c * 26 + Int((bytes[k] & 0xDF) &- 0x40)
                    k += 1
                }
                if c > 0 { newColumn = c - 1 }
                if let r = Self.integer(bytes, k..<valueEnd), r >= 1 { row = r - 1 }
            case 0x74: // t
                let n = valueEnd - valueStart
                let b = n > 0 ? bytes[valueStart] : 0
                if n == 1 && b == 0x73 { type = 0x73 } // s
                else if n == 1 && b == 0x62 { type = 0x62 } // b
                else if n == 1 && b == 0x65 { type = 0x65 } // e
                else if n == 1 && b == 0x64 { type = 0x64 } // d
                else if n == 1 && b == 0x6E { type = 0 } // n
                else { type = 0x74 } // str, inlineStr
            case 0x73: // s
                style = Self.integer(bytes, valueStart..<valueEnd) ?? 0
            default:
                break
            }
        }
        return newColumn
    }

    static func integer(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 18 else { return nil }
        var v = 0
        for i in r {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    private mutating func emit(row: Int, column: Int, type: UInt8, style: Int, value: Range<Int>?, inline: [UInt8],
                               xml: UnsafeBufferPointer<UInt8>, rowOpen: inout Bool) throws {
        guard row >= 0, column >= 0, range.contains(row: row, column: column) else { return }
        guard row < 1_048_576, column < 16_384 else {
            throw Diagnostic("sheet '\(sheetName)' has a cell beyond Excel's last row (1048576) or column (XFD): row \(row + 1), column \(column + 1)",
                             hints: ["the workbook is damaged; open it in Excel or LibreOffice and save it again"])
        }
        let before = fields.count
        switch type {
        case 0x73: // shared string
            guard let value else { return }
            guard let index = Self.integer(xml, value), index < workbook.sharedCount else {
                throw Diagnostic("\(place(row: row, column: column)) refers to shared string \(String(decoding: UnsafeBufferPointer(rebasing: xml[value]), as: UTF8.self)), but the workbook has \(workbook.sharedCount)",
                                 hints: ["the workbook is damaged; open it in Excel or LibreOffice and save it again"])
            }
            fields.append(contentsOf: workbook.sharedFields[workbook.sharedOffsets[index]..<workbook.sharedOffsets[index + 1]])
        case 0x62: // bool
            guard let value, !value.isEmpty else { return }
            fields.append(contentsOf: xml[value.lowerBound] == 0x30 ? Self.falseText : Self.trueText)
        case 0x65: // error
            errorCount += 1
            if errorExamples.count < 3 {
                let text = value.map { String(decoding: XMLScanner.unescape(xml, $0), as: UTF8.self) } ?? "error"
                errorExamples.append("\(text) at \(XLSXRange.columnName(column))\(row + 1)")
            }
            return
        case 0x74: // text: formula string or inline string
            if let value {
                CSVField.append(XMLScanner.unescape(xml, value), to: &fields)
            } else {
                CSVField.append(inline, to: &fields)
            }
        case 0x64: // ISO 8601 date
            guard let value else { return }
            let text = String(decoding: UnsafeBufferPointer(rebasing: xml[value]), as: UTF8.self)
            fields.append(contentsOf: Array(Self.isoDateText(text).utf8))
        default: // number
            guard let value, !value.isEmpty else { return }
            let kind = style < workbook.styleKinds.count ? workbook.styleKinds[style] : .number
            if kind == .number {
                for i in value {
                    let b = xml[i]
                    // Plain numbers only; anything else is kept as quoted text.
                    guard (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D || b == 0x2B || b == 0x45 || b == 0x65 else {
                        fields.removeSubrange(before...)
                        CSVField.append(XMLScanner.unescape(xml, value), to: &fields)
                        break
                    }
                    fields.append(b)
                }
            } else {
                let text = String(decoding: UnsafeBufferPointer(rebasing: xml[value]), as: UTF8.self)
                guard let serial = Double(text) else { CSVField.append(Array(text.utf8), to: &fields); break }
                let converted = kind == .date ? XLSXDate.text(serial: serial, date1904: workbook.date1904) : XLSXDate.timeText(serial: serial)
                fields.append(contentsOf: Array((converted ?? text).utf8))
            }
        }
        guard fields.count > before else { return }
        if !rowOpen || rowNumbers.last.map({ Int($0) != row }) ?? true {
            rowNumbers.append(Int32(row))
            rowCellStarts.append(cellColumns.count)
            rowOpen = true
        }
        cellColumns.append(Int32(column))
        cellFieldStarts.append(fields.count)
    }

    private static let trueText = Array("true".utf8)
    private static let falseText = Array("false".utf8)

    /// `2024-06-30T00:00:00` → `2024-06-30`; with a time of day → `2024-06-30 13:45:00`.
    static func isoDateText(_ text: String) -> String {
        var t = text
        if t.hasSuffix("Z") { t.removeLast() }
        let parts = t.split(separator: "T", maxSplits: 1)
        guard parts.count == 2 else { return t }
        let time = parts[1].split(separator: ".").first.map(String.init) ?? ""
        if time == "00:00:00" || time == "00:00" { return String(parts[0]) }
        return "\(parts[0]) \(time)"
    }

    /// What laying the cells out as CSV found.
    struct Layout {
        var csv: [UInt8]
        var emptyRowsSkipped: Int
        var firstColumn: Int
        /// The sheet row of each CSV line.
        var rows: [Int]
    }

    /// The cells as CSV text: from the first non-empty column (or the range's first column)
    /// to the last non-empty one; rows without a value are left out (and counted between
    /// the first and last row with values). A merged range's other cells take its
    /// top-left cell's value.
    func layout() -> Layout {
        // Merged ranges whose top-left cell has a value: row → [(merge, field range)].
        var mergeFills: [Int: [(XLSXRange, Range<Int>)]] = [:]
        if !merges.isEmpty {
            for merge in merges {
                guard let field = field(row: merge.firstRow, column: merge.firstColumn) else { continue }
                for r in merge.firstRow...merge.lastRow where r >= range.firstRow && r <= range.lastRow {
                    mergeFills[r, default: []].append((merge, field))
                }
            }
        }
        var minColumn = Int.max, maxColumn = -1
        for c in cellColumns { minColumn = min(minColumn, Int(c)); maxColumn = max(maxColumn, Int(c)) }
        for fills in mergeFills.values {
            for (m, _) in fills { maxColumn = max(maxColumn, min(m.lastColumn, range.lastColumn)) }
        }
        if range.firstColumn > 0 || range.firstRow > 0 { minColumn = min(minColumn, range.firstColumn) }
        minColumn = max(minColumn, range.firstColumn)
        guard maxColumn >= 0 else { return Layout(csv: [], emptyRowsSkipped: 0, firstColumn: 0, rows: []) }
        let width = maxColumn - minColumn + 1
        var allRows = rowNumbers.map(Int.init)
        if !mergeFills.isEmpty { allRows = Array(Set(allRows).union(mergeFills.keys)).sorted() }
        var csv: [UInt8] = []
        csv.reserveCapacity(fields.count + cellColumns.count + allRows.count * 2)
        var slots = [Range<Int>?](repeating: nil, count: width)
        var rowIndex = 0
        var lines: [Int] = []
        lines.reserveCapacity(allRows.count)
        for r in allRows where r >= range.firstRow && r <= range.lastRow {
            for k in 0..<width { slots[k] = nil }
            while rowIndex < rowNumbers.count, Int(rowNumbers[rowIndex]) < r { rowIndex += 1 }
            if rowIndex < rowNumbers.count, Int(rowNumbers[rowIndex]) == r {
                let start = rowCellStarts[rowIndex]
                let end = rowIndex + 1 < rowCellStarts.count ? rowCellStarts[rowIndex + 1] : cellColumns.count
                for k in start..<end { slots[Int(cellColumns[k]) - minColumn] = cellFieldStarts[k]..<cellFieldStarts[k + 1] }
            }
            if let fills = mergeFills[r] {
                for (m, field) in fills {
                    let from = max(m.firstColumn, minColumn), to = min(m.lastColumn, maxColumn)
                    guard from <= to else { continue }
                    for c in from...to where slots[c - minColumn] == nil { slots[c - minColumn] = field }
                }
            }
            for k in 0..<width {
                if k > 0 { csv.append(0x2C) }
                if let s = slots[k] { csv.append(contentsOf: fields[s]) }
            }
            csv.append(0x0A)
            lines.append(r)
        }
        let span = (lines.last ?? 0) - (lines.first ?? 0) + 1
        return Layout(csv: csv, emptyRowsSkipped: max(0, span - lines.count), firstColumn: minColumn, rows: lines)
    }

    /// The field range of the cell at (row, column), nil when it has no value.
    private func field(row: Int, column: Int) -> Range<Int>? {
        var lo = 0, hi = rowNumbers.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(rowNumbers[mid]) < row { lo = mid + 1 } else { hi = mid }
        }
        guard lo < rowNumbers.count, Int(rowNumbers[lo]) == row else { return nil }
        let end = lo + 1 < rowCellStarts.count ? rowCellStarts[lo + 1] : cellColumns.count
        for k in rowCellStarts[lo]..<end where Int(cellColumns[k]) == column { return cellFieldStarts[k]..<cellFieldStarts[k + 1] }
        return nil
    }
}
