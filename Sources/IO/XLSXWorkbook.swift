import Diagnostics

/// The parts of a workbook that every sheet needs: its sheets (names and parts), the date
/// system, the number-format kind of each cell style, and the shared strings.
struct XLSXWorkbook {
    struct Sheet {
        var name: String
        var path: String
        var hidden: Bool
        var isWorksheet: Bool
    }

    var sheets: [Sheet] = []
    /// `<workbookPr date1904="1"/>`: serials count from 1904-01-01.
    var date1904 = false
    /// The kind of each cell format (`s="N"` on a cell indexes this).
    var styleKinds: [XLSXValueKind] = []
    /// The shared strings as CSV fields (quoted where needed), end to end.
    var sharedFields: [UInt8] = []
    /// Where shared string i's field starts in `sharedFields`; one more entry than strings.
    var sharedOffsets: [Int] = [0]

    var sharedCount: Int { sharedOffsets.count - 1 }

    init(_ package: XLSXPackage) throws {
        let workbookPath = package.archive["xl/workbook.xml"] != nil ? "xl/workbook.xml" : (package.mainPartPath() ?? "xl/workbook.xml")
        let folder = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        guard let workbookXML = try package.part(workbookPath) else {
            throw Diagnostic("'\(package.name)' has no workbook part (\(workbookPath))", hints: ["open it in Excel or LibreOffice and save it again"])
        }
        let relsPath = (folder.isEmpty ? "" : folder + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        let rels = try package.part(relsPath).map(XLSXPackage.relationships) ?? [:]
        var stylesPath = (folder.isEmpty ? "" : folder + "/") + "styles.xml"
        var sharedPath = (folder.isEmpty ? "" : folder + "/") + "sharedStrings.xml"
        for (type, target) in rels.values {
            if type.hasSuffix("/styles") { stylesPath = XLSXPackage.resolve(target, from: folder) }
            if type.hasSuffix("/sharedStrings") { sharedPath = XLSXPackage.resolve(target, from: folder) }
        }
        workbookXML.withUnsafeBufferPointer { buffer in
            var scanner = XMLScanner(buffer)
            while let tag = scanner.nextTag() {
                guard !tag.isEnd else { continue }
                if scanner.isNamed(tag, "sheet"), let name = scanner.attribute(tag, "name") {
                    let id = scanner.attribute(tag, "id") ?? ""
                    let rel = rels[id]
                    let path = rel.map { XLSXPackage.resolve($0.target, from: folder) } ?? "\(folder)/worksheets/sheet\(sheets.count + 1).xml"
                    let state = scanner.attribute(tag, "state") ?? "visible"
                    sheets.append(Sheet(name: name, path: path, hidden: state != "visible",
                                        isWorksheet: rel.map { $0.type.hasSuffix("/worksheet") } ?? true))
                } else if scanner.isNamed(tag, "workbookPr"), let v = scanner.attribute(tag, "date1904") {
                    date1904 = v == "1" || v.lowercased() == "true"
                }
            }
        }
        if let styles = try package.part(stylesPath) { styleKinds = Self.styleKinds(styles) }
        if let shared = try package.part(sharedPath) { readSharedStrings(shared) }
    }

    /// The kind (number, date, time) of each `<xf>` in `<cellXfs>`, by its number format.
    static func styleKinds(_ xml: [UInt8]) -> [XLSXValueKind] {
        var customKinds: [Int: XLSXValueKind] = [:]
        var kinds: [XLSXValueKind] = []
        xml.withUnsafeBufferPointer { buffer in
            var scanner = XMLScanner(buffer)
            var inCellXfs = false
            while let tag = scanner.nextTag() {
                if scanner.isNamed(tag, "numFmt"), !tag.isEnd,
                   let id = scanner.attribute(tag, "numFmtId").flatMap({ Int($0) }),
                   let code = scanner.attribute(tag, "formatCode") {
                    customKinds[id] = XLSXValueKind.custom(code)
                } else if scanner.isNamed(tag, "cellXfs") {
                    inCellXfs = !tag.isEnd && !tag.isEmpty
                } else if inCellXfs, !tag.isEnd, scanner.isNamed(tag, "xf") {
                    let id = scanner.attribute(tag, "numFmtId").flatMap { Int($0) } ?? 0
                    kinds.append(customKinds[id] ?? XLSXValueKind.builtIn(id))
                }
            }
        }
        return kinds
    }

    /// Reads `<sst>`: each `<si>` is the text of its `<t>` elements (rich-text runs joined),
    /// without phonetic guides (`<rPh>`, the furigana of Japanese workbooks).
    mutating func readSharedStrings(_ xml: [UInt8]) {
        var fields: [UInt8] = []
        var offsets: [Int] = [0]
        var text: [UInt8] = []
        xml.withUnsafeBufferPointer { buffer in
            var scanner = XMLScanner(buffer)
            var inPhonetic = false
            while let tag = scanner.nextTag() {
                if scanner.isNamed(tag, "si") {
                    if tag.isEnd || tag.isEmpty {
                        CSVField.append(text, to: &fields)
                        offsets.append(fields.count)
                        text.removeAll(keepingCapacity: true)
                    }
                } else if scanner.isNamed(tag, "rPh") {
                    inPhonetic = !tag.isEnd && !tag.isEmpty
                } else if scanner.isNamed(tag, "t"), !tag.isEnd, !tag.isEmpty, !inPhonetic {
                    XMLScanner.appendUnescaped(buffer, scanner.text(), to: &text)
                }
            }
        }
        sharedFields = fields
        sharedOffsets = offsets
    }

    /// The sheet `name` asks for (by name, case-insensitively when no exact match, or a
    /// 1-based number), or the first visible worksheet; throws listing the sheets.
    func sheet(named name: String?, workbookName: String) throws -> Sheet {
        let worksheets = sheets.filter(\.isWorksheet)
        guard let name else {
            guard let first = worksheets.first(where: { !$0.hidden }) ?? worksheets.first else {
                throw Diagnostic("'\(workbookName)' has no worksheets")
            }
            return first
        }
        if let exact = sheets.first(where: { $0.name == name }) ?? sheets.first(where: { $0.name.lowercased() == name.lowercased() }) {
            guard exact.isWorksheet else { throw Diagnostic("sheet '\(exact.name)' of '\(workbookName)' is a chart, not a worksheet") }
            return exact
        }
        if let number = Int(name), number >= 1, number <= worksheets.count { return worksheets[number - 1] }
        var hints: [String] = []
        if let m = closestMatch(to: name, in: sheets.map(\.name)) { hints.append("did you mean '\(m)'?") }
        hints.append("its sheets: " + sheets.map { "\"\($0.name)\"" }.joined(separator: ", "))
        throw Diagnostic("no sheet \"\(name)\" in '\(workbookName)'", hints: hints)
    }
}

/// CSV fields as the CSV reader reads them back: quoted when the text holds a comma, quote,
/// line break or leading or trailing space (quotes doubled).
enum CSVField {
    static func append(_ text: [UInt8], to out: inout [UInt8]) {
        text.withUnsafeBufferPointer { append($0, to: &out) }
    }

    static func append(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var needsQuotes = false
        for b in text where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        if let f = text.first, let l = text.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 { needsQuotes = true }
        guard needsQuotes else { out.append(contentsOf: text); return }
        out.append(0x22)
        for b in text {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}
