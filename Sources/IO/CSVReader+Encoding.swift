import Columnar
import Diagnostics
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The reader's encoding phase: UTF-16 and GB18030/GBK text converted to UTF-8 before parsing,
// and the guess of GB18030 for text that is not valid UTF-8.
extension CSVReader {

    /// The text converted to UTF-8 before parsing: for a UTF-16 byte order mark, or when
    /// GB18030/GBK is asked for. Nil for text to be parsed as UTF-8.
    static func convertedUpFront(_ raw: CSVText, name: String, encoding: String?) throws -> CSVText? {
        let utf16 = raw.count >= 2 && ((raw.base[0] == 0xFF && raw.base[1] == 0xFE) || (raw.base[0] == 0xFE && raw.base[1] == 0xFF))
        guard utf16 || encoding == "gb18030" || encoding == "gbk" else { return nil }
        var unused: [String] = []
        return try decode(raw, name: name, encoding: encoding, warnings: &unused)
    }

    static func decode(_ raw: CSVText, name: String, encoding: String?, warnings: inout [String]) throws -> CSVText {
        if raw.count >= 2, (raw.base[0] == 0xFF && raw.base[1] == 0xFE) || (raw.base[0] == 0xFE && raw.base[1] == 0xFF) {
            guard let utf8 = raw.converted(from: "UTF-16") else {
                throw Diagnostic("the file starts with a UTF-16 byte order mark but is not valid UTF-16", location: name)
            }
            return utf8.droppingBOM()
        }
        switch encoding {
        case "gb18030", "gbk":
            // A UTF-8 byte order mark before GBK text (some tools add one blindly) is not part of the data.
            guard let utf8 = raw.droppingBOM().converted(from: "GB18030") else {
                throw Diagnostic("the file is not valid \(encoding == "gbk" ? "GBK" : "GB18030") text",
                                 hints: ["try encoding=\"utf-8\""], location: name)
            }
            return utf8
        default:
            let text = raw.droppingBOM()
            guard let bad = text.firstInvalidUTF8() else { return text }
            if encoding == nil, let utf8 = text.converted(from: "GB18030") {
                let bom = text.count != raw.count ? " although it starts with a UTF-8 byte order mark" : ""
                if let share = gb2312Share(text), share < 0.9 {
                    warnings.append("\(name) is not valid UTF-8\(bom); it was read as GB18030, but the text may be wrong: only \(Int(share * 100))% of its two-byte characters are common Chinese ones, so it is likely in another encoding (Shift-JIS, Latin-1 …); convert it to UTF-8 first, e.g. iconv -f SHIFT-JIS -t UTF-8 (or -f LATIN1)")
                } else {
                    warnings.append("\(name) is not valid UTF-8\(bom); it was read as GB18030 (say encoding=\"gb18030\" to skip this guess)")
                }
                return utf8
            }
            throw error(text, name, bad, "invalid UTF-8 byte 0x\(String(text.base[bad], radix: 16, uppercase: true))",
                        hints: encoding == nil ? ["the file is not GB18030 either"] : ["try encoding=\"gb18030\""])
        }
    }

    /// Of the two-byte GB18030 characters in the first 4 MB, the share in GB2312's range of
    /// common Chinese characters and symbols (lead and trail bytes 0xA1–0xFE, leads up to
    /// 0xF7): above 95% in Chinese text, far lower in Shift-JIS or Latin-1 text read as
    /// GB18030. Nil when there is none.
    static func gb2312Share(_ text: CSVText) -> Double? {
        let p = text.base
        let n = min(text.count, 4 << 20)
        var total = 0, common = 0
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            guard i + 1 < n else { break }
            let t = p[i + 1]
            if t >= 0x30 && t <= 0x39 { total += 1; i += 4; continue }  // four-byte sequence
            total += 1
            if b >= 0xA1 && b <= 0xF7 && t >= 0xA1 && t <= 0xFE { common += 1 }
            i += 2
        }
        return total == 0 ? nil : Double(common) / Double(total)
    }
}
