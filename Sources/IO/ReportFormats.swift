import Columnar

/// A report (`Report`) in the file formats (`--format` / `.mode` csv, tsv, markdown, json,
/// jsonl). Each text returned is one result on stdout, written like any result (an empty line
/// between two results); the report's lines go to stderr with the header lines.
///
/// - csv, tsv, markdown: the report's tables, each a result —
///   what-if: matrix, per class, summary (one row: `rows`, `moved`, `moved_pct`, and with a
///   measure M `M_moved`, `M_moved_pct`, `M_total`);
///   compare: matrix, per old class, summary (`in_both`, `new`, `gone`, `changed`, `changed_pct`);
///   sweep: its table; profile: its table, then with a key the duplicate values (a header
///   only when there are none); a `pareto` step or a `clv` holdout check: nothing more (the
///   pipeline's table is the result; the summary and chart go to stderr).
/// - json: one object naming the kind, e.g. `{"whatif": {"view": …, "by": …, "changes":
///   [{"parameter": …, "before": …, "after": …}], "matrix": [rows], "classes": [rows],
///   "summary": {…}}}`; `{"compare": {"old", "new", "by", "class_order", "matrix", "classes",
///   "summary"}}`; `{"sweep": {"parameter", "by", "rows"}}`; `{"profile": {"columns", "key",
///   "duplicates"}}`. Tables are arrays of row objects as in `json` mode.
/// - jsonl: the same object on one line.
///
/// Percentages carry two decimals and sums are compensated, so no float noise shows.
public enum ReportFormats {
    public static func results(_ report: Report, format: OutputFormat, options: RenderOptions) -> [String] {
        // A pareto or clv step's report: the pipeline's table is the result; the report goes to stderr.
        switch report {
        case .pareto, .holdout: return []
        default: break
        }
        switch format {
        case .json, .jsonl:
            let object = json(report, compact: format == .jsonl)
            return [object + "\n"]
        case .table, .csv, .tsv, .markdown:
            return tables(report).map { TableRenderer.render($0, format: format, options: options) }
        }
    }

    /// The report's tables in the order csv writes them.
    public static func tables(_ report: Report) -> [Table] {
        switch report {
        case .whatIf(let w): return [w.matrix.table, w.classes, w.summary]
        case .compare(let c): return [c.matrix.table, c.rates, c.summary]
        case .sweep(let s): return [s.table]
        case .profile(let p): return [p.summary] + (p.duplicates.map { [$0] } ?? [])
        case .pareto, .holdout: return []
        }
    }

    /// The report as one JSON object.
    public static func json(_ report: Report, compact: Bool) -> String {
        func rows(_ t: Table) -> String {
            if compact {
                let lines = TableRenderer.render(t, format: .jsonl).split(separator: "\n", omittingEmptySubsequences: true)
                return "[" + lines.joined(separator: ",") + "]"
            }
            var text = TableRenderer.render(t, format: .json)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        func row(_ t: Table) -> String {
            var text = TableRenderer.render(t, format: .jsonl)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
        let nl = compact ? "" : "\n"
        func object(_ kind: String, _ fields: [(String, String)]) -> String {
            "{" + string(kind) + ":{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: "," + nl) + "}}"
        }
        switch report {
        case .whatIf(let w):
            let changes = "[" + w.changes.map {
                "{\"parameter\":\(string($0.parameter)),\"before\":\(scalar($0.before)),\"after\":\(scalar($0.after))}"
            }.joined(separator: ",") + "]"
            return object("whatif", [("view", string(w.view)), ("by", string(w.by)), ("changes", changes),
                                     ("matrix", rows(w.matrix.table)), ("classes", rows(w.classes)),
                                     ("summary", row(w.summary))])
        case .compare(let c):
            let order = "[" + c.matrix.classes.map(string).joined(separator: ",") + "]"
            return object("compare", [("old", string(c.old)), ("new", string(c.new)), ("by", string(c.by)),
                                      ("class_order", order), ("matrix", rows(c.matrix.table)),
                                      ("classes", rows(c.rates)), ("summary", row(c.summary))])
        case .sweep(let s):
            return object("sweep", [("parameter", string(s.parameter)), ("by", string(s.by)), ("rows", rows(s.table))])
        case .profile(let p):
            var fields = [("columns", rows(p.summary))]
            if let key = p.key { fields.append(("key", string(key))) }
            if let d = p.duplicates { fields.append(("duplicates", rows(d))) }
            return object("profile", fields)
        case .pareto(let p):
            return object("pareto", [("measure", string(p.measure))])
        case .holdout:
            return object("holdout", [])
        }
    }

    /// A JSON string.
    static func string(_ s: String) -> String {
        let sink = ByteSink()
        var s = s
        s.withUTF8 { JSONWriter.appendString(UnsafeRawBufferPointer($0), to: sink) }
        return sink.text
    }

    /// A scalar as JSON, as a table cell is written in `json` mode.
    static func scalar(_ value: Scalar) -> String {
        let sink = ByteSink()
        JSONWriter.cellWriter(Column.from([value], type: value.type ?? .int), sink: sink)(0)
        return sink.text
    }
}
