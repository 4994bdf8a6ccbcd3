import Engine
import Language

/// The `.help TOPIC` pages: functions from the session's function registry (name,
/// signature, summary, example), statements and operators from the syntax table below.
enum HelpPages {
    /// Syntax and a one-line description of each statement and pipeline operator (SPEC section 4).
    static let syntax: [String: (usage: String, summary: String)] = [
        "load": ("load NAME from \"PATH\" [with OPTIONS]  |  load \"PATH\"",
                 "reads a CSV/TSV file into table NAME (options: format, delimiter, header, encoding, dates, on_error)"),
        "let": ("let NAME = PIPELINE", "a named view, recomputed when a table or parameter it uses changes"),
        "param": ("param NAME = LITERAL", "defines or changes a parameter, used as $NAME"),
        "rules": ("rules NAME { \"LABEL\" when COND ... \"LABEL\" otherwise }", "a named, ordered rule set for classify"),
        "export": ("export PIPELINE to \"PATH\"", "writes csv/tsv/json/jsonl/md by extension, atomically"),
        "profile": ("profile TABLE [key COL]", "one row per column: type, nulls, distinct, min, max, mean, p50, top values"),
        "whatif": ("whatif P = V[, ...] on VIEW by COL [key K]", "migration matrix of COL when parameters change"),
        "sweep": ("sweep P from A to B step S on VIEW by COL", "class counts for each value of a parameter"),
        "compare": ("compare OLD NEW on KEY by COL", "migration matrix between two tables"),
        "run": ("run \"FILE.seg\"", "runs a script in this session"),
        "from": ("from \"PATH\" | ...", "a pipeline over a file without loading it"),
        "where": ("where EXPR", "keeps the rows where EXPR is true"),
        "derive": ("derive NAME = EXPR, ...", "adds columns (an existing NAME is replaced in place)"),
        "select": ("select COL, NAME = EXPR, ...", "keeps and computes columns, in this order"),
        "drop": ("drop COL, ...", "removes columns"),
        "rename": ("rename NEW = OLD, ...", "renames columns"),
        "sort": ("sort EXPR [desc], ...", "orders the rows"),
        "take": ("take N", "the first N rows"),
        "top": ("top N by EXPR [asc]", "the N rows with the largest EXPR"),
        "summarize": ("summarize NAME = AGG, ... [by COL, ...]", "one row per group with aggregates"),
        "join": ("join [inner|left|anti] TABLE on COL [== COL]", "joins another table by key"),
        "distinct": ("distinct [COL, ...]", "unique rows (or unique combinations of COLs)"),
        "rfm": ("rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]",
                "one row per customer with recency, frequency, monetary"),
        "classify": ("classify RULES [as COL]", "adds the label of the first matching rule"),
        "pareto": ("pareto EXPR [classes 0.8, 0.95]", "rank, cumulative share and ABC class"),
        "chart": ("chart bar LABEL VALUE  |  chart hist EXPR [bins N]", "draws the result (last operator)"),
        "moved": ("whatif ... | moved", "the rows a what-if moved: key, before, after, the view's columns"),
    ]

    /// The page for `topic`, nil when there is none.
    static func page(_ topic: String, session: Session) -> String? {
        if let function = session.functions.lookup(topic) { return function.helpText }
        let key = topic.lowercased()
        if let entry = syntax[key] {
            let kind = Keywords.statements.contains(key) ? "statement" : "pipeline operator"
            return "\(entry.usage)  [\(kind)]\n  \(entry.summary)\n"
        }
        return nil
    }
}
