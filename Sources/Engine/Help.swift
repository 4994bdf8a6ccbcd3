import Language

/// `.help` pages: one per statement and operator (here) and one per function (from the
/// function registry, so documentation and implementation cannot drift apart).
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

    static let operators: [String: String] = [
        "where": "| where CONDITION\n  Keeps rows where the condition is true (null counts as false).\n  example: customers | where industry == \"制造业\" and region in (\"华东\", \"华南\")\n",
        "derive": "| derive NAME = EXPR, ...\n  Adds columns (a name that exists is replaced in place). Later items see earlier ones.\n  example: feats | derive avg_order = monetary / frequency\n",
        "select": "| select COL, NAME = EXPR, ...\n  Keeps (and computes) just these columns, in this order.\n  example: customers | select customer_id, name, industry\n",
        "drop": "| drop COL, ...\n  Removes columns.\n  example: customers | drop contact, parent_id\n",
        "rename": "| rename NEW = OLD, ...\n  Renames columns.\n  example: tiered | rename 客户等级 = tier\n",
        "sort": "| sort EXPR [desc], ...\n  Stable sort; nulls last.\n  example: feats | sort monetary desc, customer_id\n",
        "take": "| take N\n  The first N rows.\n  example: orders | sort amount desc | take 10\n",
        "top": "| top N by EXPR [asc]\n  The N rows with the largest EXPR (smallest with asc).\n  example: feats | top 20 by monetary\n",
        "summarize": "| summarize NAME = AGG, ... [by COL, ...]\n  One row per group (null keys form one group). Aggregates: count() count(x) count_distinct sum avg\n  min max median quantile(x, p) stddev first last.\n  example: orders | summarize n = count(), revenue = sum(amount) by product_line\n",
        "join": "| join [inner|left|anti] TABLE on COL [== COL]\n  Hash join. 'on COL' keeps one key column; a right column whose name is taken gets\n  the right table's name as suffix (region_feats). Null keys never match.\n  example: customers | join left feats on customer_id\n",
        "distinct": "| distinct [COL, ...]\n  Distinct rows (of the listed columns only, when given), first occurrence order.\n  example: customers | distinct industry, region\n",
        "rfm": "| rfm customer=COL, date=COL, amount=COL [, asof=DATE] [, window=DURATION]\n  One row per customer: recency, frequency, monetary, first_order, last_order,\n  orders_total, amount_total (SPEC 5.1: window (asof - window, asof]; orders after asof ignored).\n  example: orders | rfm customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30, window=365days\n",
        "clv": """
            | clv customer=COL, date=COL, amount=COL [, asof=DATE] [, horizon=90days] [, unit=1week]
                  [, discount=0.0] [, holdout_until=DATE]
              Predicts each customer's future purchases and value from their order history:
              BG/NBD for how often they buy and whether they are still active, Gamma-Gamma for
              how much they spend per purchase, both fitted on this table (SPEC 12). Orders on
              the same day count as one purchase; orders after asof are not used.
              One row per customer who ordered on or before asof (asof: the latest order date
              unless given), with:
                x                   repeat purchases: the days they bought after their first day
                t_x                 time from their first to their last purchase, in units
                T                   time from their first purchase to asof, in units (their age)
                avg_value           their average spend on a repeat purchase day (null when x = 0)
                p_alive             the chance they are still an active customer at asof (0-1);
                                    low for someone who used to buy often and has gone quiet
                expected_purchases  how many purchase days to expect in the next horizon
                expected_value      expected spend per purchase: their own average pulled
                                    toward the customer average, more so the fewer purchases
                                    they made (the customer average when x = 0)
                clv                 expected_purchases × expected_value: what the customer
                                    is worth over the horizon; with discount (an annual rate,
                                    0.1 = 10%) each unit period's purchases are discounted
                actual_purchases    (with holdout_until) the purchase days they really had in
                                    (asof, holdout_until], to check the model against
              unit: the time unit of t_x and T (1day, 1week, 1month = 365.25/12 days, 1year).
              horizon: default 90 days, or the holdout period's length with holdout_until.
              Notes give the fitted parameters with standard errors, log-likelihoods and
              convergence; with holdout_until, a check of predicted against actual holdout
              purchases by number of repeat purchases (0..7+), its mean absolute error, and how
              many customers first bought in the holdout period (they are not rows).
              Over a database table the customer summary runs in the database (one row per
              customer comes back) and the fits here; 'explain' shows which part runs where.
              Churn risk (流失风险): "流失风险" when p_alive < 0.3 and monetary >= avg(monetary).
              example: orders | clv customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30, horizon=1year
            """,
        "clv_fit": """
            | clv_fit customer=COL, date=COL, amount=COL [, asof=DATE] [, unit=1week]
              The model fits behind 'clv' as a table: model (bgnbd, gammagamma), parameter,
              value, std_error. BG/NBD: r and alpha (the spread and scale of customers' buying
              rates: mean rate r/alpha purchases per unit), a and b (of the chance to drop out
              after each purchase: mean a/(a+b)). Gamma-Gamma: p, q, gamma (mean spend per
              purchase p·gamma/(q−1)). Then log_likelihood, customers, converged (1/0),
              gradient_norm and iterations for each model.
              example: orders | clv_fit customer=customer_id, date=order_date, amount=amount, asof=@2025-06-30
            """,
        "classify": "| classify RULES [as COL]\n  Adds the class of each row from a rule set (first matching rule wins).\n  example: feats | classify tier\n",
        "pareto": "| pareto EXPR [classes 0.8, 0.95]\n  Sorts by EXPR descending and adds rank, cum_share, customer_share and abc; prints\n  'top X% of customers give Y% of EXPR'.\n  example: feats | pareto monetary\n",
        "chart": "| chart bar LABEL VALUE\n| chart hist EXPR [bins N]\n  Draws the result with Unicode blocks (last operator of a pipeline).\n  example: orders | summarize revenue = sum(amount) by product_line | chart bar product_line revenue\n",
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
