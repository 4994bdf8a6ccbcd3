/// The logical types of segsh columns.
public enum DataType: String, Sendable, CaseIterable {
    case int, double, date, bool, string

    public var isNumeric: Bool { self == .int || self == .double }
}
