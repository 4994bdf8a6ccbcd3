// Times reading a sheet XML with segsh's XMLScanner and with Foundation's XMLParser, and checks
// that both find the same cells and values. Used by scripts/bench-xlsx:
//   cp scripts/xml-scanner-vs-xmlparser.swift /tmp/main.swift
//   swiftc -O Sources/IO/XMLScanner.swift /tmp/main.swift -o /tmp/xmlbench
//   /tmp/xmlbench sheet1.xml [scanner|parser|both]
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

// Reads a sheet XML both ways and reports the cells found (count, values' checksum) and the time.
let path = CommandLine.arguments[1]
let mode = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "both"
let data = try! Data(contentsOf: URL(fileURLWithPath: path))
let bytes = [UInt8](data)

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

// 1. The hand-written scanner.
func scan(_ bytes: [UInt8]) -> (Int, Int) {
  var cells = 0, checksum = 0
  bytes.withUnsafeBufferPointer { buf in
    var s = XMLScanner(buf)
    while let tag = s.nextTag() {
        if s.isNamed(tag, "c"), !tag.isEnd {
            _ = s.attributeRange(tag, "r"); _ = s.attributeRange(tag, "t"); _ = s.attributeRange(tag, "s")
            cells += 1
        } else if s.isNamed(tag, "v"), !tag.isEnd, !tag.isEmpty {
            let r = s.text()
            for i in r { checksum = checksum &+ Int(buf[i]) }
        }
    }
  }
  return (cells, checksum)
}
var t0 = now()
let (cells, checksum) = mode == "parser" ? (0, 0) : scan(bytes)
let scannerTime = now() - t0
print("scanner:   \(cells) cells, checksum \(checksum), \(String(format: "%.2f", scannerTime)) s")

// 2. Foundation's XMLParser (SAX on libxml2).
final class Delegate: NSObject, XMLParserDelegate {
    var cells = 0, checksum = 0, inV = false
    var text = ""
    func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if e == "c" { cells += 1; _ = attributes["r"]; _ = attributes["t"]; _ = attributes["s"] }
        else if e == "v" { inV = true; text = "" }
    }
    func parser(_ p: XMLParser, foundCharacters s: String) { if inV { text += s } }
    func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
        if e == "v" { inV = false; for b in text.utf8 { checksum = checksum &+ Int(b) } }
    }
}
t0 = now()
if mode == "scanner" { exit(0) }
let d = Delegate()
let parser = XMLParser(data: data)
parser.delegate = d
_ = parser.parse()
let parserTime = now() - t0
print("XMLParser: \(d.cells) cells, checksum \(d.checksum), \(String(format: "%.2f", parserTime)) s")
