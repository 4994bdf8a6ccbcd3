import Columnar

/// The PostgreSQL column types segsh reads, by type OID, and the segsh type each arrives as.
///
/// | PostgreSQL | segsh |
/// | --- | --- |
/// | `smallint`, `integer`, `bigint` | int |
/// | `real`, `double precision` | double |
/// | `numeric` | double when each value round-trips exactly (its shortest double text is the same number), else an error naming the column |
/// | `text`, `varchar`, `char(n)` (with its padding), `name` | string |
/// | `uuid`, `json`, `jsonb` | string (their text form) |
/// | `date` | date (`infinity` is an error) |
/// | `boolean` | bool |
/// | `timestamp`, `timestamptz` | date when every value is at midnight (UTC), else string `2024-06-30 12:34:56[.ffffff]` (`+00` for timestamptz; the session runs in UTC) |
///
/// Any other type is an error naming the column and its type; cast it in the query.
public enum PostgresType: UInt32, Sendable, CaseIterable {
    case bool = 16
    case json = 114
    case uuid = 2950
    case jsonb = 3802
    case name = 19
    case int8 = 20
    case int2 = 21
    case int4 = 23
    case text = 25
    case float4 = 700
    case float8 = 701
    case bpchar = 1042
    case varchar = 1043
    case date = 1082
    case timestamp = 1114
    case timestamptz = 1184
    case numeric = 1700

    /// The segsh type values of this type arrive as. For timestamps it is `.date` (what a
    /// column holding only midnights gives); one with times of day arrives as `.string`.
    public var segshType: DataType {
        switch self {
        case .bool: return .bool
        case .int2, .int4, .int8: return .int
        case .float4, .float8, .numeric: return .double
        case .text, .varchar, .bpchar, .name, .uuid, .json, .jsonb: return .string
        case .date, .timestamp, .timestamptz: return .date
        }
    }

    /// The SQL name (`bigint`, `double precision`).
    public var sqlName: String {
        switch self {
        case .bool: return "boolean"
        case .json: return "json"
        case .uuid: return "uuid"
        case .jsonb: return "jsonb"
        case .name: return "name"
        case .int8: return "bigint"
        case .int2: return "smallint"
        case .int4: return "integer"
        case .text: return "text"
        case .float4: return "real"
        case .float8: return "double precision"
        case .bpchar: return "character"
        case .varchar: return "character varying"
        case .date: return "date"
        case .timestamp: return "timestamp without time zone"
        case .timestamptz: return "timestamp with time zone"
        case .numeric: return "numeric"
        }
    }

    /// The column type a segsh type is written as (`write`).
    public static func columnType(for type: DataType) -> PostgresType {
        switch type {
        case .int: return .int8
        case .double: return .float8
        case .string: return .text
        case .date: return .date
        case .bool: return .bool
        }
    }

    /// The days between 1970-01-01 (segsh) and 2000-01-01 (PostgreSQL's epoch).
    static let epochOffsetDays: Int64 = 10_957

    /// Valid PostgreSQL dates in days since 1970-01-01: Julian day 0 (4714-11-24 BC) up to
    /// 5874897-12-31.
    static let dateRange: ClosedRange<Int64> = -2_440_588...2_145_042_905
}
