import Columnar
import Diagnostics
import Engine
import Foundation
import Language

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
        // A duration (`30days`, `2weeks`) is typed as in a script: its length in days.
        let (tokens, errors) = Lexer.tokenize(SourceFile(name: "--param", text: text))
        let written = tokens.filter { if case .eof = $0.kind { return false }; if case .newline = $0.kind { return false }; return true }
        if errors.isEmpty, written.count == 1, case .duration(let n, let unit) = written[0].kind {
            return .int(Int64(Duration.days(n, unit)))
        }
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

extension ParameterAssignment {
    /// The parameters a script's text defines (`param NAME = ...`) or reads (`$NAME`).
    public static func parameterNames(in text: String) -> Set<String> {
        let (tokens, _) = Lexer.tokenize(SourceFile(name: "script", text: text))
        var names = Set<String>()
        for (i, token) in tokens.enumerated() {
            switch token.kind {
            case .parameter(let name):
                names.insert(name)
            case .identifier("param") where !token.quoted && i + 1 < tokens.count:
                if case .identifier(let name) = tokens[i + 1].kind { names.insert(name) }
            default:
                break
            }
        }
        return names
    }

    /// The error for `--param` names that none of `texts` (the scripts, commands and
    /// notebook cells of the run) defines or reads: a mistyped `--param s_recenc=45` would
    /// otherwise change nothing, silently. Nil when every name is known.
    public static func unknownNames(_ assignments: [ParameterAssignment], texts: [String]) -> Diagnostic? {
        let known = texts.reduce(into: Set<String>()) { $0.formUnion(parameterNames(in: $1)) }
        guard let unknown = assignments.first(where: { !known.contains($0.name) }) else { return nil }
        let sorted = known.sorted()
        var hints: [String] = []
        if let guess = didYouMean(unknown.name, in: sorted) { hints.append(guess) }
        hints.append(sorted.isEmpty ? "the scripts define no parameters"
                                    : "the scripts define: " + sorted.map { "$" + $0 }.joined(separator: ", "))
        return Diagnostic("--param \(unknown.name): no script of this run defines or uses a parameter '\(unknown.name)'",
                          hints: hints)
    }
}
