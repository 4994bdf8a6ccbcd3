import Columnar
import Foundation

/// `--param NAME=VALUE` on the command line.
public struct ParameterAssignment: Equatable {
    public var name: String
    public var value: Scalar

    /// Parses `NAME=VALUE`; nil when there is no `=` or the name is empty. A `$` before the
    /// name is allowed.
    public init?(_ text: String) {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        var name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("$") { name.removeFirst() }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        self.name = name
        self.value = ParameterAssignment.value(String(text[text.index(after: eq)...]))
    }

    /// The value of a parameter given as text: an int, a double, a date (`2024-06-30` or
    /// `@2024-06-30`), `true`/`false`, else the text itself (surrounding quotes removed).
    public static func value(_ raw: String) -> Scalar {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let int = Int64(text) { return .int(int) }
        if let double = Double(text), double.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "." || $0 == "+" }) == true {
            return .double(double)
        }
        let dateText = text.hasPrefix("@") ? String(text.dropFirst()) : text
        if let date = parseDate(dateText) { return .date(date.daysSinceEpoch) }
        switch text.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" {
            return .string(String(text.dropFirst().dropLast()))
        }
        return .string(raw)
    }

    private static func parseDate(_ text: String) -> CivilDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return CivilDate.valid(year: y, month: m, day: d)
    }
}
