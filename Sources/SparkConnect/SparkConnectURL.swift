import Engine
import Foundation

/// A Spark Connect address as clients write it:
/// `sc://HOST[:PORT][/;token=...;user_id=...;use_ssl=true|false;KEY=VALUE...]`.
/// The port defaults to 15002; a token implies TLS unless `use_ssl=false`; other parameters
/// are sent to the server as gRPC metadata (as Spark's own clients do, e.g. a Databricks
/// cluster id).
public struct SparkConnectURL: Equatable, Sendable {
    public var host: String
    public var port: Int
    public var token: String?
    public var userID: String?
    public var useTLS: Bool
    /// Further `KEY=VALUE` parameters, sent as request metadata.
    public var metadata: [String: String]

    /// The address without its parameters (never the token), for messages.
    public var address: String { "sc://\(host):\(port)" }

    public init(_ text: String) throws {
        let given = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ reason: String) -> RemoteError {
            RemoteError("invalid Spark Connect URL '\(SparkConnectURL.masked(given))': \(reason); write sc://HOST:PORT, optionally followed by /;token=...;user_id=...;use_ssl=true")
        }
        guard given.hasPrefix("sc://") else { throw invalid("it must start with sc://") }
        let rest = given.dropFirst(5)
        let authority: Substring
        var parameters: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            parameters = rest[rest.index(after: slash)...]
        } else if let semicolon = rest.firstIndex(of: ";") {
            authority = rest[..<semicolon]
            parameters = rest[semicolon...]
        } else {
            authority = rest
        }
        var hostPart = authority, portPart: Substring?
        if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw invalid("the host is missing") }
        guard hostPart.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }) else {
            throw invalid("'\(hostPart)' is not a host name")
        }
        host = String(hostPart)
        if let portPart {
            guard let p = Int(portPart), (1...65535).contains(p) else { throw invalid("the port '\(portPart)' is not a number from 1 to 65535") }
            port = p
        } else {
            port = 15002
        }
        token = nil; userID = nil; metadata = [:]
        var tls: Bool?
        for item in parameters.split(separator: ";") where !item.isEmpty {
            guard let eq = item.firstIndex(of: "=") else { throw invalid("the parameter '\(item)' has no '='") }
            let key = String(item[..<eq]), value = String(item[item.index(after: eq)...])
            switch key {
            case "token": token = value
            case "user_id": userID = value
            case "use_ssl":
                switch value.lowercased() {
                case "true", "1": tls = true
                case "false", "0": tls = false
                default: throw invalid("use_ssl must be true or false, not '\(value)'")
                }
            default:
                guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                    throw invalid("'\(key)' is not a parameter name")
                }
                metadata[key.lowercased()] = value
            }
        }
        useTLS = tls ?? (token != nil)
    }

    /// `text` with the value of any `token=` replaced by `***`.
    static func masked(_ text: String) -> String {
        var parts = text.components(separatedBy: ";")
        for i in parts.indices where parts[i].hasPrefix("token=") { parts[i] = "token=***" }
        return parts.joined(separator: ";")
    }
}
