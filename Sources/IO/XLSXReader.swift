import Columnar
import Diagnostics

/// Reads a worksheet of an .xlsx/.xlsm workbook into a `Table`.
///
/// The sheet (`sheet=`, by name or 1-based number; the first visible worksheet by default)
/// is read cell by cell: shared and inline strings, numbers, booleans, formula cells by
/// their cached value, error cells (`#N/A`, `#DIV/0!` …) as null with a warning. Numbers
/// whose format is a date or time (built-in formats 14–22, 45–47 and the East Asian ones;
/// custom formats such as `yyyy"年"m"月"d"日"` or `yyyy/m/d h:mm`) become dates in the 1900
/// or 1904 date system of the workbook. segsh has no time type: a date with a time of day
/// other than midnight is read as the text `yyyy-mm-dd hh:mm:ss`, a time alone as
/// `hh:mm:ss`. A merged range reads as its top-left value in every cell of the range.
/// Trailing empty rows and columns are ignored, and empty rows between data rows are left
/// out (with a note). `range="A3"` or `"A3:H500"` reads only that part of the sheet.
///
/// The cells are then laid out as CSV text and read by `CSVReader`, so header detection,
/// type inference, null words (`NA`, `NULL` …), identifiers with leading zeros and the
/// `types`, `dates`, `numbers` and `header` options work exactly as for a CSV file.
public enum XLSXReader {
    /// Whether `path` names a workbook by its extension (`.xlsx`, `.xlsm`).
    public static func isWorkbookPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm")
    }

    /// Reads the sheet the options name. `name` is how messages name the file.
    public static func read(path: String, name: String, options: CSVOptions) throws -> CSVLoadResult {
        let package = try XLSXPackage(path: path, name: name)
        let workbook = try XLSXWorkbook(package)
        let sheet = try workbook.sheet(named: options.sheet, workbookName: name)
        var range = XLSXRange.whole
        if let text = options.range {
            guard let r = XLSXRange(text) else {
                throw Diagnostic("bad range \"\(text)\"", hints: ["write range=\"A3\" (from A3 on) or range=\"A3:H500\""])
            }
            range = r
        }
        guard let xml = try package.part(sheet.path) else {
            throw Diagnostic("'\(name)': the part of sheet '\(sheet.name)' (\(sheet.path)) is missing",
                             hints: ["the workbook is damaged; open it in Excel or LibreOffice and save it again"])
        }
        try MemoryBudget.check(xml.count, for: "loading sheet '\(sheet.name)' of '\(name)'")
        var reader = XLSXSheetReader(workbook: workbook, range: range, sheetName: sheet.name)
        try xml.withUnsafeBufferPointer { try reader.read($0) }
        let layout = reader.layout()
        guard !layout.csv.isEmpty else {
            throw Diagnostic("sheet '\(sheet.name)' of '\(name)' has no values\(options.range == nil ? "" : " in range \(options.range ?? "")")",
                             hints: ["its sheets: " + workbook.sheets.map { "\"\($0.name)\"" }.joined(separator: ", ")])
        }
        var csvOptions = options
        csvOptions.delimiter = UInt8(ascii: ",")
        csvOptions.encoding = "utf-8"
        csvOptions.sheet = nil
        csvOptions.range = nil
        var result: CSVLoadResult
        do {
            result = try CSVReader.read(bytes: layout.csv, name: name, options: csvOptions)
        } catch var d as Diagnostic {
            d.message = d.message.replacingLines(layout.rows, sheet: sheet.name)
            if let location = d.location, location.hasPrefix(name + ":"),
               let line = location.dropFirst(name.count + 1).split(separator: ":").first.flatMap({ Int($0) }),
               line >= 1, line <= layout.rows.count {
                d.location = "\(name), sheet '\(sheet.name)' row \(layout.rows[line - 1] + 1)"
            }
            throw d
        }
        result.bytesRead = xml.count
        var notes: [String] = []
        if reader.errorCount > 0 {
            notes.append("\(reader.errorCount) error cell\(reader.errorCount == 1 ? "" : "s") in sheet '\(sheet.name)' read as null (\(reader.errorExamples.joined(separator: ", "))\(reader.errorCount > reader.errorExamples.count ? ", …" : ""))")
        }
        if layout.emptyRowsSkipped > 0 {
            notes.append("skipped \(layout.emptyRowsSkipped) empty row\(layout.emptyRowsSkipped == 1 ? "" : "s") in sheet '\(sheet.name)'")
        }
        if options.range == nil, let title = titleRow(layout.csv) {
            notes.append("row \(layout.rows.first.map { $0 + 1 } ?? 1) of sheet '\(sheet.name)' has one value (\(title)) and the rows below have more: if it is a title, skip it with range=\"\(XLSXRange.columnName(layout.firstColumn))\((layout.rows.dropFirst().first ?? 1) + 1)\"")
        }
        result.warnings = notes + result.warnings.map { $0.replacingLines(layout.rows, sheet: sheet.name) }
        return result
    }

    /// The first line's one value when it has exactly one and the next line has three or
    /// more (a title above the header).
    private static func titleRow(_ csv: [UInt8]) -> String? {
        guard let firstEnd = csv.firstIndex(of: 0x0A) else { return nil }
        let first = csv[..<firstEnd]
        let values = first.split(separator: 0x2C, omittingEmptySubsequences: true)
        guard values.count == 1, !first.contains(0x22) else { return nil }
        let rest = csv[(firstEnd + 1)...]
        guard let secondEnd = rest.firstIndex(of: 0x0A) else { return nil }
        let second = rest[..<secondEnd].split(separator: 0x2C, omittingEmptySubsequences: true)
        guard second.count >= 3 else { return nil }
        return "\"" + String(decoding: values[0], as: UTF8.self) + "\""
    }
}

private extension String {
    /// `line N` of the CSV text laid out from a sheet, as the sheet's `row M`.
    func replacingLines(_ rows: [Int], sheet: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: "line ") {
            out += rest[..<r.lowerBound]
            rest = rest[r.upperBound...]
            let digits = rest.prefix(while: { $0.isNumber })
            if let n = Int(digits), n >= 1, n <= rows.count {
                out += "sheet '\(sheet)' row \(rows[n - 1] + 1)"
                rest = rest.dropFirst(digits.count)
            } else {
                out += "line "
            }
        }
        return out + rest
    }
}
