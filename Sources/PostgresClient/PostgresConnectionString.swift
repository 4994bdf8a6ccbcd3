import CLibPQ
import Engine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq connection string — a URI (`postgresql://user:pass@host:5432/db`) or key/value
/// pairs (`host=... dbname=...`) — read with libpq's own parser, so that segsh can name the
/// server and hide the password without ever printing it.
public struct PostgresConnectionString: Sendable {
    /// The text as the user wrote it (holds the password when the user wrote one).
    public let text: String
    /// The password written in the text, if any.
    public let password: String?
    /// `connect_timeout` in seconds when the text sets one.
    public let connectTimeout: Int?

    /// A password given apart from the text (prompted for); it overrides one in the text.
    public let promptedPassword: String?

    /// Parses `text`; throws a `RemoteError` (without quoting the text) when libpq cannot read it.
    public init(_ text: String, password promptedPassword: String? = nil) throws {
        self.promptedPassword = promptedPassword
        self.text = text
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &errorMessage) else {
            var reason = "libpq could not read it"
            if let errorMessage {
                reason = PostgresConnectionString.withoutQuotedParts(String(cString: errorMessage))
                PQfreemem(errorMessage)
            }
            throw RemoteError("invalid PostgreSQL connection string: \(reason); write postgresql://USER@HOST:PORT/DATABASE or host=HOST dbname=DATABASE")
        }
        defer { PQconninfoFree(options) }
        var password: String?
        var timeout: Int?
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                switch String(cString: keyword) {
                case "password": password = String(cString: value)
                case "connect_timeout": timeout = Int(String(cString: value))
                default: break
                }
            }
            option += 1
        }
        self.password = promptedPassword ?? password
        self.connectTimeout = timeout
    }

    /// The text with the password replaced by `***` (for `.databases`, `explain`, history).
    public var redacted: String {
        var secrets = self.secrets
        // The text's own password, when a prompted one replaced it.
        if let written = try? PostgresConnectionString(text).password, !written.isEmpty {
            secrets += [written, PostgresConnectionString.percentEncoded(written)]
        }
        return PostgresConnectionString.redact(text, secrets: secrets)
    }

    /// Every spelling of the password that could appear in a message: as written, and
    /// percent-encoded as in a URI.
    var secrets: [String] {
        let fromEnvironment = getenv("PGPASSWORD").map { String(cString: $0) }
        guard let password = password ?? fromEnvironment, !password.isEmpty else { return [] }
        var spellings = [password]
        let encoded = PostgresConnectionString.percentEncoded(password)
        if encoded != password { spellings.append(encoded) }
        return spellings
    }

    /// `text` with each secret replaced by `***`.
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacingAll(secret, with: "***")
        }
        return result
    }

    /// libpq quotes pieces of the connection string in its parse errors; they may hold the
    /// password, so they are dropped.
    static func withoutQuotedParts(_ message: String) -> String {
        var out = ""
        var inQuote = false
        for ch in message {
            if ch == "\"" {
                if !inQuote { out += "\"…\"" }
                inQuote.toggle()
            } else if !inQuote {
                out.append(ch)
            }
        }
        return out.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.joined(separator: "; ")
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        let haystack = Array(utf8), needle = Array(target.utf8)
        guard haystack.count >= needle.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var i = 0
        while i < haystack.count {
            if i + needle.count <= haystack.count, haystack[i] == needle[0],
               haystack[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: replacement.utf8)
                i += needle.count
            } else {
                out.append(haystack[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Substring {
    var trimmingSpaces: String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
