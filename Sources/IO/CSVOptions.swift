import Columnar
import Diagnostics

/// How to read a CSV/TSV file: the `with k=v, ...` options of a `load` statement.
/// Every option left `nil` is detected from the data (see `CSVReader`).
public struct CSVOptions: Sendable {
    /// The field separator; `nil` detects one of `,` `;` tab `|` (tab for `.tsv` files).
    public var delimiter: UInt8?
    /// Whether the first row holds column names; `nil` detects it (see `CSVReader`).
    public var header: Bool?
    /// `"utf-8"`, `"gb18030"` or `"gbk"`; `nil` reads UTF-8 and falls back to GB18030 when the
    /// bytes are not valid UTF-8.
    public var encoding: String?
    /// A strftime-like date format (`%Y %m %d %y`, e.g. `"%d/%m/%Y"`) tried before the
    /// built-in ISO and Chinese forms.
    public var dateFormat: String?
    /// Column types that override inference, keyed by column name.
    public var types: [String: DataType]
    /// `on_error="skip"`: malformed rows are skipped and counted instead of failing the load.
    public var skipBadRows: Bool
    /// `numbers="currency"`: `¥1,200.50`, `$3,000` and `1,234` read as numbers.
    public var currencyNumbers: Bool
    /// Whether `"` quotes fields (RFC 4180); `quote=""` reads every quote as text.
    public var quoting: Bool
    /// Lines to skip before the header (title lines above a table), `skip=N`.
    public var skipLines: Int
    /// Excel workbooks: the sheet to read, by name or 1-based number (the first visible
    /// worksheet when nil).
    public var sheet: String?
    /// Excel workbooks: the cells to read, `A3` (from A3 on) or `A3:H500`.
    public var range: String?
    /// Files smaller than this are parsed in one chunk (tests lower it to force chunking).
    var minChunkBytes: Int = 1 << 20
    /// How many chunks to parse in parallel; `nil` uses one per core.
    var chunkCount: Int?

    public init() {
        delimiter = nil
        header = nil
        encoding = nil
        dateFormat = nil
        types = [:]
        skipBadRows = false
        currencyNumbers = false
        sheet = nil
        range = nil
        quoting = true
        skipLines = 0
    }

    /// The option names `init(pairs:)` accepts.
    public static let knownKeys = ["format", "delimiter", "header", "encoding", "dates", "types", "on_error", "numbers", "quote", "skip", "sheet", "range"]

    /// Builds options from the `with k=v, ...` pairs of a load statement; throws a
    /// `Diagnostic` naming a bad key or value.
    public init(pairs: [(key: String, value: Scalar)]) throws {
        self.init()
        var format: String?
        for (key, value) in pairs {
            switch key {
            case "format":
                let f = try Self.text(value, key).lowercased()
                guard f == "csv" || f == "tsv" else {
                    throw Diagnostic("load option format must be \"csv\" or \"tsv\", not \(Self.show(value))")
                }
                format = f
            case "delimiter":
                let d = try Self.text(value, key)
                switch d {
                case "\t", "\\t", "tab": delimiter = UInt8(ascii: "\t")
                default:
                    let bytes = Array(d.utf8)
                    guard bytes.count == 1, bytes[0] != UInt8(ascii: "\""), bytes[0] != 10, bytes[0] != 13 else {
                        throw Diagnostic("load option delimiter must be one ASCII character, not \(Self.show(value))",
                                         hints: ["for example delimiter=\";\" or delimiter=\"\\t\""])
                    }
                    delimiter = bytes[0]
                }
            case "header":
                switch value {
                case .bool(let b): header = b
                case .string(let s) where s.lowercased() == "true": header = true
                case .string(let s) where s.lowercased() == "false": header = false
                default: throw Diagnostic("load option header must be true or false, not \(Self.show(value))")
                }
            case "encoding":
                let e = try Self.text(value, key).lowercased()
                switch e {
                case "utf-8", "utf8": encoding = "utf-8"
                case "gb18030": encoding = "gb18030"
                case "gbk", "gb2312": encoding = "gbk"
                default:
                    throw Diagnostic("unsupported encoding \(Self.show(value))", hints: ["supported: \"utf-8\", \"gb18030\", \"gbk\""])
                }
            case "dates":
                let f = try Self.text(value, key)
                guard CSVDateFormat(f) != nil else {
                    throw Diagnostic("bad date format \(Self.show(value))",
                                     hints: ["use %Y (year), %m (month), %d (day), %y (two-digit year), e.g. \"%d/%m/%Y\""])
                }
                dateFormat = f
            case "types":
                types = try Self.parseTypes(try Self.text(value, key))
            case "on_error":
                switch try Self.text(value, key).lowercased() {
                case "fail": skipBadRows = false
                case "skip": skipBadRows = true
                default: throw Diagnostic("load option on_error must be \"fail\" or \"skip\", not \(Self.show(value))")
                }
            case "numbers":
                switch try Self.text(value, key).lowercased() {
                case "currency": currencyNumbers = true
                case "plain": currencyNumbers = false
                default: throw Diagnostic("load option numbers must be \"currency\" or \"plain\", not \(Self.show(value))")
                }
            case "quote":
                switch try Self.text(value, key) {
                case "": quoting = false
                case "\"": quoting = true
                default: throw Diagnostic("load option quote must be \"\\\"\" (the default) or \"\" (no quoting), not \(Self.show(value))",
                                          hints: ["quote=\"\" reads every quote character as text"])
                }
            case "skip":
                guard case .int(let n) = value, n >= 0, n <= 1_000_000 else {
                    throw Diagnostic("load option skip takes a number of lines, such as skip=2, not \(Self.show(value))")
                }
                skipLines = Int(n)
            case "sheet":
                switch value {
                case .string(let s): sheet = s
                case .int(let n): sheet = String(n)
                default: throw Diagnostic("load option sheet takes a sheet name or number, not \(Self.show(value))")
                }
            case "range":
                let r = try Self.text(value, key)
                guard XLSXRange(r) != nil else {
                    throw Diagnostic("bad range \(Self.show(value))", hints: ["write range=\"A3\" (from A3 on) or range=\"A3:H500\""])
                }
                range = r
            default:
                var hints: [String] = []
                if let m = closestMatch(to: key, in: Self.knownKeys) { hints.append("did you mean '\(m)'?") }
                hints.append("load options: " + Self.knownKeys.joined(separator: ", "))
                throw Diagnostic("unknown load option '\(key)'", hints: hints)
            }
        }
        if format == "tsv" && delimiter == nil { delimiter = UInt8(ascii: "\t") }
    }

    /// Parses `"客户编号:string,amount:double"`.
    static func parseTypes(_ text: String) throws -> [String: DataType] {
        var result: [String: DataType] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: ":", maxSplits: 1)
            let name = parts.first.map { String($0).csvTrimmingSpaces } ?? ""
            guard parts.count == 2, !name.isEmpty else {
                throw Diagnostic("bad types entry '\(item)'", hints: ["write types=\"column:type, ...\", e.g. types=\"客户编号:string,amount:double\""])
            }
            let typeName = String(parts[1]).csvTrimmingSpaces.lowercased()
            guard let type = typeAliases[typeName] else {
                throw Diagnostic("unknown type '\(typeName)' for column '\(name)' in types",
                                 hints: ["types: int, double, date, bool, string"])
            }
            result[name] = type
        }
        return result
    }

    static let typeAliases: [String: DataType] = [
        "int": .int, "integer": .int, "int64": .int, "bigint": .int,
        "double": .double, "float": .double, "number": .double, "decimal": .double,
        "date": .date, "bool": .bool, "boolean": .bool,
        "string": .string, "text": .string, "str": .string, "varchar": .string,
    ]

    private static func text(_ value: Scalar, _ key: String) throws -> String {
        if case .string(let s) = value { return s }
        throw Diagnostic("load option \(key) takes a string, not \(show(value))")
    }

    private static func show(_ value: Scalar) -> String {
        if case .string(let s) = value { return "\"\(s)\"" }
        return value.description
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var csvTrimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
