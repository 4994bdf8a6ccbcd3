import Engine
import Language

/// The `.help TOPIC` pages: functions from the session's function registry (name,
/// signature, summary, example), statements and operators from the engine's pages
/// (`Session.help`) with the examples below, and the shell's own topics.
enum HelpPages {
    /// Topics besides statements, operators, functions and commands.
    static let topicNames = ["functions", "statements", "operators", "commands", "expressions", "keys", "formats"]

    /// Examples on the demo data, shown under a statement's or operator's page.
    static let examples: [String: [String]] = [
        "load": ["load customers from \"datasets/demo/customers.csv\"",
                 "load \"crm_export.csv\" with encoding=\"gb18030\", on_error=\"skip\""],
        "let": ["let big = customers | join orders on customer_id | where amount > 10000"],
        "param": ["param s_recency = 30", "customers | where signup_date >= @2024-01-01"],
        "rules": ["rules tier { \"S\" when recency <= $s_recency and monetary >= 50000  \"C\" otherwise }"],
        "export": ["export customers | where region == \"华东\" to \"east.csv\""],
        "profile": ["profile orders key order_id"],
        "whatif": ["whatif s_recency = 45 on tiered by tier", "whatif s_recency = 45 on tiered by tier | moved"],
        "sweep": ["sweep s_recency from 15 to 90 step 15 on tiered by tier"],
        "compare": ["compare last_quarter this_quarter on customer_id by tier"],
        "run": ["run \"datasets/demo/demo.seg\""],
        "from": ["from \"datasets/demo/orders.csv\" | take 5"],
        "where": ["customers | where industry == \"制造业\" and region in (\"华东\", \"华南\")"],
        "derive": ["orders | derive year = year(order_date), big = amount > 10000"],
        "select": ["customers | select customer_id, name, 行业 = industry"],
        "drop": ["customers | drop contact, parent_id"],
        "rename": ["customers | rename company = name"],
        "sort": ["orders | sort amount desc, order_date"],
        "take": ["orders | take 10"],
        "top": ["orders | top 5 by amount"],
        "summarize": ["orders | summarize n = count(), revenue = sum(amount) by product_line"],
        "join": ["orders | join customers on customer_id", "customers | join anti orders on customer_id"],
        "distinct": ["customers | distinct industry, region"],
        "rfm": ["orders | rfm customer=customer_id, date=order_date, amount=amount, window=12months"],
        "clv": ["orders | clv customer=customer_id, date=order_date, amount=amount, asof=@2025-03-31, holdout_until=@2025-06-30 | top 5 by clv"],
        "clv_fit": ["orders | clv_fit customer=customer_id, date=order_date, amount=amount, unit=1month"],
        "classify": ["feats | classify tier as tier_label"],
        "pareto": ["feats | pareto monetary classes 0.7, 0.9"],
        "chart": ["orders | summarize revenue = sum(amount) by product_line | chart bar product_line revenue",
                  "orders | chart hist amount bins 20"],
        "moved": ["whatif s_recency = 45 on tiered by tier | moved | take 10"],
    ]

    static let expressionsPage = """
        Expressions (in where, derive, select, sort, top, summarize, rules):
          literals     42  3.5  "text" 'text'  @2024-06-30  30days 12weeks 6months 1year  true false null
          names        industry  客户编号  `order date` (backticks for other characters)  $param
          arithmetic   + - * / %        (null propagates; division by zero gives null)
          comparison   == != < <= > >=  (x == null and x != null test for null)
          logic        and or not
          sets         x in ("a", "b")   x between 1 and 10   name like "上海%"
          conditions   case { amount > 10000 => "big", else => "small" }   if(c, a, b)   coalesce(a, b)
          groups       avg(amount) over industry     rank(-revenue) over (industry, region)
        Functions: .help functions; one function: .help NAME (e.g. .help quantile_score).
        """

    static let formatsPage = """
        Output formats (--format FORMAT or .mode FORMAT): table (default), csv, tsv, json, jsonl, markdown (md).
          table          a header line ([3] 1,204 rows × 7 columns) and a box per result, on stdout
          csv ... md     only results on stdout, one empty line between two; header lines, notes,
                         report text and charts go to stderr (segsh ... --format csv > out.csv)
          whatif         csv/tsv/md: the matrix, the per-class table and a summary row
                         (rows, moved, moved_pct, M_moved, M_moved_pct, M_total);
                         json: {"whatif": {"view", "by", "changes", "matrix", "classes", "summary"}}
          compare        the matrix, the per-class table, a summary row (in_both, new, gone, changed,
                         changed_pct); json: {"compare": {..., "class_order", "matrix", "classes", "summary"}}
          sweep          its table; json: {"sweep": {"parameter", "by", "rows"}}
          profile        its table, then with a key the duplicate values; json: {"profile": {"columns", "key", "duplicates"}}
          jsonl          rows one object a line; a report is its json object on one line
        export PIPELINE to "FILE.csv|.tsv|.json|.jsonl|.md|.xlsx" writes one table by the file's extension.
          example: segsh --format json scripts/examples/09-whatif-thresholds.seg > whatif.json
        """

    static let keysPage = """
        Line editing (libedit; emacs keys by default, vi with .editor vi or `bind -v` in ~/.editrc):
          Tab            complete keywords, operators, functions, tables, columns, $params, "paths"
          Up / Down      previous / next statement in the history (~/.segsh_history, or $SEGSH_HISTORY)
          Ctrl-R         search the history backwards (again: older match; Enter runs it; Ctrl-G gives up)
          Ctrl-A Ctrl-E  start / end of the line       Ctrl-U  erase the line
          Ctrl-C         discard the line being typed, or stop the statement that is running
          Ctrl-D         leave the shell (on an empty line)
          |  or  (  {    at the end of a line: the statement continues on the next line (   ...> )
        """

    /// The page for `topic`, nil when there is none.
    static func page(_ topic: String, session: Session) -> String? {
        if let function = session.functions.lookup(topic) { return function.helpText }
        let key = topic.lowercased()
        if key == "expressions" || key == "expression" || Completer.expressionKeywords.contains(key) {
            return expressionsPage + "\n"
        }
        if key == "keys" || key == "editing" { return keysPage + "\n" }
        if key == "formats" || key == "format" { return formatsPage + "\n" }
        // Statements and operators: the engine's page (one text, shared with Session.help),
        // then the examples on the demo data that the page does not show yet.
        if Keywords.statements.contains(key) || Keywords.operators.contains(key), let text = session.help(key) {
            let page = text.hasSuffix("\n") ? text : text + "\n"
            let extra = (examples[key] ?? []).filter { !page.contains($0) }.map { "  example: \($0)\n" }.joined()
            return page + extra
        }
        return nil
    }
}
