import Columnar

/// A query under construction: a chain of common table expressions, one per step, and the
/// relation the next step reads. When a step has fixed the row order (`sort`, `top`, `rfm`,
/// `pareto`), the order travels as a hidden column `SQLCompiler.orderColumn` through the
/// steps that keep it, and the outermost `SELECT` orders by it (engines do not promise the
/// order of a CTE).
public struct SQLQuery {
    /// `name AS (body)`, in order.
    public internal(set) var ctes: [(name: String, body: String)]
    /// What the next step selects from: a CTE name or a quoted table.
    public internal(set) var relation: String
    /// The visible columns.
    public internal(set) var schema: Schema
    /// Whether the relation carries the hidden order column.
    public internal(set) var ordered: Bool
}
