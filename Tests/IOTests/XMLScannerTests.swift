import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import IO
import ZIPFoundation

/// `XMLScanner` against Foundation's `XMLParser` (the reference): the same elements, the
/// same attribute values and the same text, on every XML part of the test workbooks.
final class XMLScannerTests: XCTestCase {
    /// Start tags with their attributes, and each element's text, in document order.
    typealias Event = String

    final class Reference: NSObject, XMLParserDelegate {
        var events: [Event] = []
        var text = ""
        func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            flush()
            let local = e.split(separator: ":").last.map(String.init) ?? e
            let pairs = attributes.filter { $0.key != "xmlns" && !$0.key.hasPrefix("xmlns:") }
                .map { (String($0.key.split(separator: ":").last ?? ""), $0.value) }.sorted { $0.0 < $1.0 }
            events.append("<\(local) " + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        }
        func parser(_ p: XMLParser, foundCharacters s: String) { text += s }
        func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { flush() }
        func flush() {
            if !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { events.append("text " + text) }
            text = ""
        }
    }

    static func scannerEvents(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        bytes.withUnsafeBufferPointer { buffer in
            var s = XMLScanner(buffer)
            var text: [UInt8] = []
            func flush() {
                let t = String(decoding: text, as: UTF8.self)
                if !t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { events.append("text " + t) }
                text = []
            }
            while true {
                let r = s.text()
                text += XMLScanner.unescapeEntitiesOnly(buffer, r)
                guard let tag = s.nextTag() else { break }
                flush()
                guard !tag.isEnd else { continue }
                let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[tag.nameStart..<tag.nameEnd]), as: UTF8.self)
                let attrs = String(decoding: UnsafeBufferPointer(rebasing: buffer[tag.attributesStart..<tag.attributesEnd]), as: UTF8.self)
                // Attribute names, then their values through attributeRange.
                let keys = attrs.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { piece -> String? in
                    guard let eq = piece.firstIndex(of: "=") else { return nil }
                    return String(piece[..<eq])
                }
                var pairs: [(String, String)] = []
                for k in keys {
                    let local = k.split(separator: ":").last.map(String.init) ?? k
                    // Namespace declarations are not attributes to XMLParser.
                    if k == "xmlns" || k.hasPrefix("xmlns:") { continue }
                    let value = s.attributeValueForTest(tag, local)
                    pairs.append((local, value ?? "?"))
                }
                events.append("<\(name) " + pairs.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
            }
            flush()
        }
        return events
    }

    func testScannerAgreesWithXMLParser() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        var parts = 0
        for book in ["openpyxl-types.xlsx", "libreoffice-formulas.xlsx", "date1904.xlsx"] {
            let archive = try Archive(url: folder.appendingPathComponent(book), accessMode: .read)
            for entry in archive where entry.path.hasSuffix(".xml") || entry.path.hasSuffix(".rels") {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                let reference = Reference()
                let parser = XMLParser(data: data)
                parser.delegate = reference
                XCTAssertTrue(parser.parse(), "\(book) \(entry.path)")
                reference.flush()
                XCTAssertEqual(Self.scannerEvents([UInt8](data)), reference.events, "\(book) \(entry.path)")
                parts += 1
            }
        }
        XCTAssertGreaterThan(parts, 20)
    }

    func testEntitiesAndExcelEscapes() {
        let xml = Array("<t a='x &amp; &quot;y&quot;'>&lt;a&gt; &#20013;&#x6587; _x000D_ _x005F_x0041_</t>".utf8)
        xml.withUnsafeBufferPointer { buffer in
            var s = XMLScanner(buffer)
            guard let tag = s.nextTag() else { return XCTFail("no tag") }
            XCTAssertEqual(s.attribute(tag, "a"), "x & \"y\"")
            XCTAssertEqual(String(decoding: XMLScanner.unescape(buffer, s.text()), as: UTF8.self), "<a> 中文 \r _x0041_")
        }
    }
}

extension XMLScanner {
    /// Attribute `local`'s value with entities replaced (as XMLParser gives it), found the
    /// way `attributeRange` finds a name given as a StaticString.
    func attributeValueForTest(_ tag: Tag, _ local: String) -> String? {
        let name = Array(local.utf8)
        var i = tag.attributesStart
        let end = tag.attributesEnd
        while i < end {
            while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            var nameStart = i
            while i < end, bytes[i] != 0x3D, bytes[i] != 0x20 { if bytes[i] == 0x3A { nameStart = i + 1 }; i += 1 }
            let nameEnd = i
            while i < end, bytes[i] != 0x22, bytes[i] != 0x27 { i += 1 }
            guard i < end else { return nil }
            let quote = bytes[i]
            let valueStart = i + 1
            i = valueStart
            while i < end, bytes[i] != quote { i += 1 }
            if Array(bytes[nameStart..<nameEnd]) == name {
                return String(decoding: Self.unescapeEntitiesOnly(bytes, valueStart..<i), as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// Entities replaced, Excel's `_xHHHH_` escapes kept (XMLParser knows nothing of them).
    static func unescapeEntitiesOnly(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> [UInt8] {
        var protected: [UInt8] = []
        var k = r.lowerBound
        while k < r.upperBound {
            if bytes[k] == 0x5F, k + 1 < r.upperBound, bytes[k + 1] == 0x78 {
                protected += Array("&#95;".utf8)
            } else {
                protected.append(bytes[k])
            }
            k += 1
        }
        return protected.withUnsafeBufferPointer { unescape($0, 0..<$0.count) }
    }
}
