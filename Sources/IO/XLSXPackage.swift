import Diagnostics
import Foundation
import ZIPFoundation

/// The container of an .xlsx/.xlsm workbook: a ZIP archive of XML parts. Opening it tells
/// apart the files that only look like workbooks: the old binary .xls and encrypted
/// workbooks (both OLE compound files), and files that are not ZIP archives at all.
struct XLSXPackage {
    let archive: Archive
    let name: String

    /// The first bytes of an OLE compound file (.xls, .doc, and encrypted .xlsx).
    static let compoundFileMagic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    /// The first bytes of a ZIP archive's first local file header.
    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    /// What the first bytes of a file say it is.
    enum Kind { case zip, compoundFile, other }

    static func kind(ofFileAt path: String) -> Kind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .other }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if head.starts(with: zipMagic) { return .zip }
        if head == compoundFileMagic { return .compoundFile }
        return .other
    }

    /// Opens the workbook at `path`; `name` is how messages name it.
    init(path: String, name: String) throws {
        self.name = name
        switch Self.kind(ofFileAt: path) {
        case .zip:
            break
        case .compoundFile:
            if Self.isEncrypted(path) {
                throw Diagnostic("'\(name)' is an encrypted (password-protected) workbook, which segsh cannot read",
                                 hints: ["open it in Excel or LibreOffice and save a copy without a password"])
            }
            throw Diagnostic("'\(name)' is an old binary Excel workbook (.xls), which segsh cannot read",
                             hints: ["open it in Excel or LibreOffice and save it as .xlsx (or export the sheet as CSV)"])
        case .other:
            throw Diagnostic("'\(name)' is not an Excel workbook (an .xlsx file is a ZIP archive; this one is not)",
                             hints: ["if it is a CSV file, give it a .csv name"])
        }
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw Diagnostic("'\(name)' is not a readable workbook: its ZIP container is damaged (\(error))",
                             hints: ["open it in Excel or LibreOffice and save it again"])
        }
        guard archive["xl/workbook.xml"] != nil || mainPartPath() != nil else {
            throw Diagnostic("'\(name)' is a ZIP archive but not an Excel workbook (it has no xl/workbook.xml)",
                             hints: ["segsh reads .xlsx and .xlsm workbooks and CSV/TSV files"])
        }
    }

    /// An encrypted OOXML workbook is a compound file holding an `EncryptionInfo` stream;
    /// its directory names are UTF-16LE.
    private static func isEncrypted(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let needle = Array("EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        return data.withUnsafeBytes { raw -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count >= needle.count else { return false }
            for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] {
                if needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) { return true }
            }
            return false
        }
    }

    /// The workbook part named by `_rels/.rels` (normally `xl/workbook.xml`).
    func mainPartPath() -> String? {
        guard let rels = try? part("_rels/.rels") else { return nil }
        for (type, target) in Self.relationships(rels).values where type.hasSuffix("/officeDocument") {
            return Self.resolve(target, from: "")
        }
        return nil
    }

    /// The bytes of the part at `path`, nil when there is none.
    func part(_ path: String) throws -> [UInt8]? {
        guard let entry = archive[path] else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(clamping: entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: false) { data in
                bytes.append(contentsOf: data)
            }
        } catch {
            throw Diagnostic("'\(name)': cannot read its part \(path): \(error)",
                             hints: ["the workbook may be damaged; open it in Excel or LibreOffice and save it again"])
        }
        return bytes
    }

    /// The relationships of a `.rels` part: id → (type, target).
    static func relationships(_ xml: [UInt8]) -> [String: (type: String, target: String)] {
        var result: [String: (type: String, target: String)] = [:]
        xml.withUnsafeBufferPointer { buffer in
            var scanner = XMLScanner(buffer)
            while let tag = scanner.nextTag() {
                guard !tag.isEnd, scanner.isNamed(tag, "Relationship"),
                      let id = scanner.attribute(tag, "Id"), let target = scanner.attribute(tag, "Target") else { continue }
                result[id] = (scanner.attribute(tag, "Type") ?? "", target)
            }
        }
        return result
    }

    /// A relationship target resolved against the folder of the part that names it
    /// (`worksheets/sheet1.xml` from `xl/` is `xl/worksheets/sheet1.xml`; `/xl/...` is absolute).
    static func resolve(_ target: String, from folder: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = folder.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }
}
