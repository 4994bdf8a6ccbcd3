import Language

/// `.help` pages: one per statement (here), one per operator (its `OperatorDefinition`'s
/// `help`, with the segmentation operators' longer pages), `moved`, and one per function
/// (from the function registry), so documentation and implementation cannot drift apart.
enum HelpPages {
    static let statements: [String: String] = [
        "load": """
            load NAME from "PATH" [with OPTION=VALUE, ...]
            load "PATH"                      (the table is named after the file stem)
              Reads a CSV/TSV file or an Excel workbook (.xlsx, .xlsm) into a table. Types
              are inferred from the whole file.
              options: delimiter=";"  header=true|false  encoding="gb18030"|"gbk"|"utf-8"
                       dates="%d/%m/%Y" (also "%Y%m%d": 19970101 becomes a date)
                       types="col:string,amount:double"
                       numbers="currency" (reads ¥1,200.50 and 1,234 as numbers)
                       on_error="skip" (skips and counts malformed rows)
                       skip=2 (title lines above the header)
                       quote="" (every " is text; by default a field's quotes are text
                         only when text follows its closing quote)
              workbooks: sheet="客户" or sheet=2 (default: the first visible sheet)
                       range="A3" or "A3:H500" (the cells to read; skips title rows)
                       Dates and times come from the cells' number formats; a date with
                       a time of day is text "yyyy-mm-dd hh:mm:ss"; formulas give their
                       last computed value; error cells (#N/A) are null, with a warning;
                       a merged range reads its top-left value in every cell.
              example: load orders from "datasets/demo/orders.csv"
            """,
        "let": """
            let NAME = PIPELINE
              A named view. It is recomputed when a table, rule set or $parameter it depends on
              changes, and served from a cache otherwise.
              example: let feats = orders | rfm customer=customer_id, date=order_date, amount=amount
            """,
        "param": """
            param NAME = VALUE
              Defines or changes a parameter, used as $NAME. Views that use it follow.
              `segsh --param NAME=VALUE` fixes it from the command line.
              example: param s_recency = 30
            """,
        "rules": """
            rules NAME { "LABEL" when CONDITION ... "LABEL" otherwise }
              A named, ordered rule set; the first matching rule wins; 'otherwise' is last.
              Conditions may use $parameters and group-wise aggregates such as
              1.5 * avg(monetary) over industry. Apply with '| classify NAME [as COL]'.
              example: rules tier { "S" when recency <= $s_recency and monetary > 0  "C" otherwise }
            """,
        "export": """
            export PIPELINE to "PATH"
              Writes csv, tsv, json, jsonl, md or xlsx (by extension) through a temporary file
              and a rename. Refuses to overwrite a file a table was loaded from. An .xlsx has
              one sheet with a bold, frozen header, fitted widths, typed numbers and dates.
              example: export tiered | select customer_id, tier to "tiers.csv"
            """,
        "attach": """
            attach "URL" as NAME
              Attaches a PostgreSQL database (postgresql://user@host:port/db or "host=... dbname=...")
              or a Spark cluster through Spark Connect (sc://host:15002, optionally
              /;token=...;user_id=...). Its tables are NAME.TABLE and NAME.SCHEMA.TABLE; pipelines over them are compiled to SQL and run there, and only
              the result comes back. '.databases' lists attachments; the password never appears.
              example: attach "postgresql://analyst@localhost:5432/crm" as crm
            """,
        "detach": """
            detach NAME
              Closes an attached database.
              example: detach crm
            """,
        "explain": """
            explain PIPELINE
              The plan: each step with its columns and where it runs (in the database or here),
              how many rows would come back, and the SQL sent to the database.
              example: explain crm.orders | where region == "华东" | summarize n = count()
            """,
        "profile": """
            profile TABLE [key COL]
              One row per column: type, rows, nulls, distinct, min, max, mean, p50, top values.
              With 'key', also lists key values that occur more than once.
              example: profile customers key customer_id
            """,
        "whatif": """
            whatif P = V[, ...] on VIEW by COL [key K] [measure M]
              Evaluates VIEW with the parameters as they are and as given (they stay unchanged)
              and prints the migration matrix, per-class counts and measure before/after, and
              how many rows moved. '| moved' gives the moved rows as a table.
              example: whatif s_recency = 45 on tiered by tier | moved
            """,
        "sweep": """
            sweep P from A to B step S on VIEW by COL [measure M]
              One row per value of P with each class's count and measure share, and a chart.
              example: sweep s_recency from 15 to 90 step 15 on tiered by tier
            """,
        "compare": """
            compare OLD NEW on KEY by COL
              Migration matrix between two tables (e.g. last quarter's tiers and this quarter's),
              with (new)/(gone) for keys on one side only, and kept/upgraded/downgraded/lost rates.
              example: compare tiers_q1 tiers_q2 on customer_id by tier
            """,
        "run": """
            run "FILE.seg"
              Runs a script in this session (its tables and views stay). Dot-commands in it
              run where they stand, as in any script.
              example: run "datasets/demo/demo.seg"
            """,
        "from": """
            from "PATH" [with OPTIONS] | ...
              Starts a pipeline from a file without keeping it as a table.
              example: from "datasets/demo/orders.csv" | summarize n = count() by product_line
            """,
    ]

    /// Pages of operators defined outside the Engine that are longer than a definition's
    /// syntax, summary and example (the Engine's own operators' pages are their definitions).
    /// Pages of topics listed with the operators that are not operators themselves (an
    /// operator's page is its `OperatorDefinition.help`).
    static let operators: [String: String] = [
        "moved": "whatif ... | moved\n  The rows whose class changed in a what-if: key, before, after, then the view's columns.\n  example: whatif s_recency = 45 on tiered by tier | moved\n",
    ]

    static let overview = """
        segsh — pipelines over customer tables.

          load orders from "orders.csv"
          orders | where amount > 0 | summarize revenue = sum(amount) by product_line
          let feats = orders | rfm customer=customer_id, date=order_date, amount=amount
          rules tier { "S" when recency <= $s_recency "C" otherwise }

        statements:  \(Keywords.statements.joined(separator: " "))
        operators:   \(Keywords.operators.joined(separator: " "))
        .help TOPIC  shows one statement, operator or function; '.help functions' lists functions.
        """
}

extension Session {
    /// Help text for a topic (statement, operator or function name); nil when unknown. No
    /// topic gives the overview.
    public func help(_ topic: String?) -> String? {
        guard let raw = topic?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return HelpPages.overview + "\n" }
        let t = raw.lowercased()
        if t == "functions" {
            let byKind = Dictionary(grouping: functions.functions.values, by: { $0.kind })
            var out = ""
            for kind in [FunctionKind.scalar, .aggregate, .window] {
                let fs = (byKind[kind] ?? []).sorted { $0.name < $1.name }
                out += "\(kind.rawValue) functions:\n"
                for f in fs { out += "  \(f.signature.padding(toLength: 34, withPad: " ", startingAt: 0)) \(f.summary)\n" }
            }
            return out
        }
        if let s = HelpPages.statements[t] { return s + "\n" }
        if let o = HelpPages.operators[t] { return o }
        if let d = operators.definition(t) { return d.help }
        if let f = functions.lookup(t) { return f.helpText }
        return nil
    }

    /// Every help topic, for `.help` completion and did-you-mean.
    public var helpTopics: [String] {
        Array(Set(HelpPages.statements.keys).union(HelpPages.operators.keys).union(operators.keywords).union(functions.names + ["functions"])).sorted()
    }
}

import Foundation
