import Columnar
import Diagnostics
import Foundation
import ZIPFoundation

/// Writes a table as an .xlsx workbook with one sheet (`export ... to "tiers.xlsx"`).
///
/// The header row is bold and frozen; column widths fit the header and values (a CJK
/// character counts two; numbers are measured on the first 2,000 rows); ints and doubles
/// are numbers, dates are dates (`yyyy-mm-dd`), bools are booleans, strings go to the
/// shared-string table, nulls are empty cells. Integers beyond ±10^15 (more digits than
/// Excel keeps) and dates before 1900-03-01 (outside Excel's calendar) are written as
/// text, as are NaN and infinities. The workbook is built in memory and written with
/// `AtomicFile`, so a failed or interrupted export leaves any existing file as it was.
public enum XLSXWriter {
    /// Writes `table` to `path` atomically; the sheet is named after the file.
    public static func write(_ table: Table, to path: String) throws {
        let bytes = try workbook(table, sheetName: sheetName(forPath: path))
        try AtomicFile.write(bytes, to: path)
    }

    /// The sheet name for a file: its stem without the characters Excel forbids in sheet
    /// names (`[]:*?/\`), at most 31 characters; `Sheet1` when nothing is left.
    static func sheetName(forPath path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.lowercased().hasSuffix(".xlsx") ? String(file.dropLast(5)) : file
        let cleaned = String(stem.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        return cleaned.trimmingCharacters(in: CharacterSet(charactersIn: "' ")).isEmpty ? "Sheet1" : cleaned
    }

    /// The workbook's bytes (a ZIP archive).
    static func workbook(_ table: Table, sheetName: String) throws -> [UInt8] {
        var shared = SharedStrings()
        let sheet = try sheetXML(table, shared: &shared)
        let archive: Archive
        do { archive = try Archive(data: Data(), accessMode: .create) } catch {
            throw Diagnostic("cannot create the workbook in memory: \(error)")
        }
        let parts: [(String, [UInt8])] = [
            ("[Content_Types].xml", Array(contentTypes.utf8)),
            ("_rels/.rels", Array(rootRels.utf8)),
            ("xl/workbook.xml", Array(workbookXML(sheetName).utf8)),
            ("xl/_rels/workbook.xml.rels", Array(workbookRels.utf8)),
            ("xl/styles.xml", Array(styles.utf8)),
            ("xl/sharedStrings.xml", shared.xml()),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        for (path, bytes) in parts {
            let data = Data(bytes)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: .deflate, bufferSize: 1 << 20) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw Diagnostic("cannot build the workbook in memory") }
        return [UInt8](data)
    }

    /// Strings in order of first use, each once.
    struct SharedStrings {
        var index: [String: Int] = [:]
        var strings: [String] = []
        var uses = 0

        mutating func add(_ s: String) -> Int {
            uses += 1
            if let i = index[s] { return i }
            index[s] = strings.count
            strings.append(s)
            return strings.count - 1
        }

        func xml() -> [UInt8] {
            var out = Array("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"\(XLSXWriter.mainNamespace)\" count=\"\(uses)\" uniqueCount=\"\(strings.count)\">".utf8)
            for s in strings {
                out.append(contentsOf: XLSXWriter.preservesSpace(s) ? Array("<si><t xml:space=\"preserve\">".utf8) : Array("<si><t>".utf8))
                XLSXWriter.appendEscaped(s, to: &out)
                out.append(contentsOf: Array("</t></si>".utf8))
            }
            out.append(contentsOf: Array("</sst>".utf8))
            return out
        }
    }

    /// Cell styles (indexes into `cellXfs` of `styles`).
    private static let headerStyle = 1, dateStyle = 2

    static func sheetXML(_ table: Table, shared: inout SharedStrings) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + table.rowCount * max(1, table.columnCount) * 24)
        func put(_ s: String) { out.append(contentsOf: s.utf8) }
        put("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n")
        put("<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">")
        let lastCell = table.columnCount > 0 ? "\(XLSXRange.columnName(table.columnCount - 1))\(table.rowCount + 1)" : "A1"
        put("<dimension ref=\"A1:\(lastCell)\"/>")
        put("<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">")
        put("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>")
        put("<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>")
        put("<sheetFormatPr defaultRowHeight=\"15\"/>")
        if table.columnCount > 0 {
            put("<cols>")
            for (j, width) in columnWidths(table).enumerated() {
                put("<col min=\"\(j + 1)\" max=\"\(j + 1)\" width=\"\(width)\" customWidth=\"1\"/>")
            }
            put("</cols>")
        }
        put("<sheetData>")
        let letters = (0..<table.columnCount).map { Array(XLSXRange.columnName($0).utf8) }
        put("<row r=\"1\">")
        for (j, name) in table.names.enumerated() {
            put("<c r=\"\(XLSXRange.columnName(j))1\" s=\"\(headerStyle)\" t=\"s\"><v>\(shared.add(name))</v></c>")
        }
        put("</row>")
        // Per string column: dictionary code → shared string index, filled on first use.
        var codeMaps: [[Int32]] = table.columns.map { column in
            if case .string(_, let dictionary) = column.storage { return [Int32](repeating: -1, count: dictionary.count) }
            return []
        }
        for i in 0..<table.rowCount {
            if i & 0xFFF == 0 { try Cancellation.check() }
            let rowNumber = String(i + 2)
            put("<row r=\"\(rowNumber)\">")
            for (j, column) in table.columns.enumerated() where !column.isNull(i) {
                out.append(contentsOf: Array("<c r=\"".utf8))
                out.append(contentsOf: letters[j])
                put(rowNumber)
                switch column.storage {
                case .int(let values):
                    let v = values[i]
                    if v.magnitude < 1_000_000_000_000_000 {
                        put("\"><v>\(v)</v></c>")
                    } else {
                        put("\" t=\"s\"><v>\(shared.add(String(v)))</v></c>")
                    }
                case .double(let values):
                    let v = values[i]
                    if v.isFinite {
                        put("\"><v>\(v)</v></c>")
                    } else {
                        put("\" t=\"s\"><v>\(shared.add(formatDouble(v)))</v></c>")
                    }
                case .date(let values):
                    if let serial = XLSXDate.serial(daysSinceEpoch: values[i]) {
                        put("\" s=\"\(dateStyle)\"><v>\(serial)</v></c>")
                    } else {
                        put("\" t=\"s\"><v>\(shared.add(CivilDate(daysSinceEpoch: values[i]).description))</v></c>")
                    }
                case .bool(let values):
                    put("\" t=\"b\"><v>\(values[i] ? 1 : 0)</v></c>")
                case .string(let codes, let dictionary):
                    let code = Int(codes[i])
                    var index = codeMaps[j][code]
                    if index < 0 {
                        index = Int32(shared.add(dictionary.string(Int32(code))))
                        codeMaps[j][code] = index
                    } else {
                        shared.uses += 1
                    }
                    put("\" t=\"s\"><v>\(index)</v></c>")
                }
            }
            put("</row>")
        }
        put("</sheetData></worksheet>")
        return out
    }

    /// Column widths in Excel's character units: the widest of the header and the values
    /// (display width: CJK counts two), plus room for the filter arrow, from 6 to 60.
    static func columnWidths(_ table: Table) -> [Int] {
        table.columns.enumerated().map { j, column in
            var widest = displayWidth(table.names[j]) + 2
            let sample = min(table.rowCount, 2000)
            switch column.storage {
            case .string(_, let dictionary):
                for code in 0..<dictionary.count { widest = max(widest, displayWidth(dictionary.string(Int32(code)))) }
            case .date:
                widest = max(widest, 10)
            case .bool:
                widest = max(widest, 5)
            case .int, .double:
                for i in 0..<sample where !column.isNull(i) { widest = max(widest, column[i].description.count) }
            }
            return min(60, max(6, widest + 2))
        }
    }

    static func preservesSpace(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, let l = s.unicodeScalars.last else { return false }
        return f == " " || l == " " || f == "\t" || l == "\t" || s.contains("\n")
    }

    /// XML text: `& < >` escaped, characters XML 1.0 cannot hold as `_xHHHH_` (and a literal
    /// `_x` that would read as such an escape protected as `_x005F_`).
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        let scalars = Array(s.unicodeScalars)
        for (k, c) in scalars.enumerated() {
            switch c {
            case "&": out.append(contentsOf: Array("&amp;".utf8))
            case "<": out.append(contentsOf: Array("&lt;".utf8))
            case ">": out.append(contentsOf: Array("&gt;".utf8))
            case "_" where k + 1 < scalars.count && scalars[k + 1] == "x":
                out.append(contentsOf: Array("_x005F_".utf8))
            default:
                if c.value < 0x20 && c != "\t" && c != "\n" && c != "\r" || c.value == 0xFFFE || c.value == 0xFFFF {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    out.append(contentsOf: Array("_x\(String(repeating: "0", count: 4 - hex.count))\(hex)_".utf8))
                } else {
                    out.append(contentsOf: Array(String(c).utf8))
                }
            }
        }
    }

    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        <Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\
        </Types>
        """

    static let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

    static func workbookXML(_ sheetName: String) -> String {
        var name: [UInt8] = []
        appendEscaped(sheetName, to: &name)
        let escaped = String(decoding: name, as: UTF8.self).replacingOccurrences(of: "\"", with: "&quot;")
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="\(mainNamespace)" xmlns:r="\(relationshipNamespace)">\
            <bookViews><workbookView/></bookViews>\
            <sheets><sheet name="\(escaped)" sheetId="1" r:id="rId1"/></sheets>\
            </workbook>
            """
    }

    static let workbookRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
        <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\
        </Relationships>
        """

    /// Fonts: 0 normal, 1 bold. Cell formats: 0 general, 1 bold header, 2 date (`yyyy-mm-dd`).
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
        <font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """
}
