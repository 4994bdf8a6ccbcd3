import Columnar
import Diagnostics
import Engine
import IO
import Foundation
import Language

/// The HTML report of a notebook run (`segsh nb.md --html OUT.html`) or of the shell session
/// (`.save FILE.html`): one self-contained page (inline CSS, no scripts, nothing fetched)
/// with the prose rendered from Markdown, each cell's code, its result tables as HTML tables,
/// its notes and report text, its errors, and its charts as inline SVG (`SVGChart`). The page
/// is XHTML-compatible, so it also parses as XML.
public enum HTMLReport {
    /// The text of the notebook's first `#` heading, if any.
    public static func title(of notebook: Notebook) -> String? {
        for part in notebook.parts {
            guard case .prose(let text) = part else { continue }
            for line in NotebookParser.splitLines(text) {
                let content = String(NotebookParser.content(line))
                if content.hasPrefix("# ") { return content.dropFirst(2).trimmingCharacters(in: .whitespaces) }
            }
        }
        return nil
    }

    /// The report of a notebook run.
    public static func render(notebook run: NotebookRun, title: String, options: NotebookOptions) -> String {
        var body = ""
        var cells = run.cells.makeIterator()
        for part in run.notebook.parts {
            switch part {
            case .prose(let text):
                body += "<div class=\"prose\">\n" + MarkdownHTML.render(text) + "</div>\n"
            case .cell(let cell):
                guard let cellRun = cells.next() else { continue }
                var output = ""
                for statement in cellRun.statements {
                    output += items(statement.items, maxRows: options.maxRows)
                }
                output += cellRun.diagnostics.map(diagnostic).joined()
                body += section(code: cell.code, output: output, failed: cellRun.failed)
            }
        }
        return page(title: title, body: body)
    }

    /// The report of the shell session: one section per statement of the transcript, with
    /// the results recorded when each statement ran.
    public static func render(transcript: [TranscriptEntry], title: String, maxRows: Int) -> String {
        var body = "<h1>\(HTMLText.escape(title))</h1>\n"
        for entry in transcript {
            var output = items(entry.items, maxRows: maxRows)
            if entry.isError {
                output += entry.diagnostics.isEmpty
                    ? "<pre class=\"error\">" + HTMLText.escape(entry.output) + "</pre>\n"
                    : entry.diagnostics.map(diagnostic).joined()
            }
            body += section(code: entry.statement, output: output, failed: entry.isError)
        }
        return page(title: title, body: body)
    }

    // MARK: - Pieces

    static func section(code: String, output: String, failed: Bool) -> String {
        var trimmed = code
        while trimmed.hasSuffix("\n") { trimmed.removeLast() }
        var out = "<section class=\"cell\(failed ? " failed" : "")\">\n"
        out += "<pre class=\"code\"><code>" + HTMLText.escape(trimmed) + "</code></pre>\n"
        if !output.isEmpty { out += "<div class=\"output\">\n" + output + "</div>\n" }
        return out + "</section>\n"
    }

    /// A statement's result items, its charts and reports' figures drawn as SVG.
    static func items(_ items: [ResultItem], maxRows: Int) -> String {
        var out = ""
        for item in items {
            switch item {
            case .table(let table, let number, _):
                out += HTMLTable.render(table, number: number, maxRows: maxRows)
            case .text(let text):
                out += "<pre class=\"text\">" + HTMLText.escape(trimmedLine(text)) + "</pre>\n"
            case .chart(let chart):
                out += "<figure class=\"chart\">" + SVGChart.render(chart) + "</figure>\n"
            case .note(let text), .done(let text, _):
                out += "<p class=\"note\">" + HTMLText.escape(trimmedLine(text)) + "</p>\n"
            case .report(let report, _):
                out += self.report(report, maxRows: maxRows)
            }
        }
        return out
    }

    /// A what-if, compare, sweep or profile: its parts in order, a migration matrix followed
    /// by its heatmap.
    static func report(_ report: Report, maxRows: Int) -> String {
        var out = ""
        for part in ReportLayout.parts(report) {
            switch part {
            case .line(let text):
                out += "<pre class=\"text\">" + HTMLText.escape(trimmedLine(text)) + "</pre>\n"
            case .note(let text):
                out += "<p class=\"note\">" + HTMLText.escape(trimmedLine(text)) + "</p>\n"
            case .table(let table, let number):
                out += HTMLTable.render(table, number: number, maxRows: maxRows)
            case .matrix(let matrix):
                out += HTMLTable.render(matrix.table, number: nil, maxRows: maxRows)
                let figure = ReportFigure.heatmap(matrix)
                if !figure.isEmpty { out += "<figure class=\"chart\">" + SVGChart.render(figure) + "</figure>\n" }
            case .chart(let chart):
                out += "<figure class=\"chart\">" + SVGChart.render(chart) + "</figure>\n"
            case .paretoCurve(let pareto):
                let figure = ReportFigure.pareto(points: pareto.curve, boundaries: pareto.boundaries, measure: pareto.measure)
                if !figure.isEmpty { out += "<figure class=\"chart\">" + SVGChart.render(figure) + "</figure>\n" }
            }
        }
        return out
    }

    static func diagnostic(_ d: Diagnostic) -> String {
        "<pre class=\"error\">" + HTMLText.escape(trimmedLine(d.render(color: false))) + "</pre>\n"
    }

    static func trimmedLine(_ text: String) -> String {
        var s = text
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="generator" content="segsh"/>
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    static let css = """
        :root { --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --code-bg: #f6f8fa; --accent: #4e79a7; }
        body { margin: 0; color: var(--ink); background: #fff;
               font: 15px/1.6 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
        main { max-width: 1080px; margin: 0 auto; padding: 24px 32px 64px; }
        h1, h2, h3 { line-height: 1.25; margin: 1.4em 0 0.5em; }
        h1 { font-size: 1.9em; border-bottom: 1px solid var(--line); padding-bottom: 0.3em; }
        h2 { font-size: 1.45em; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
        code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; font-size: 13px; }
        p code, li code, td code { background: var(--code-bg); padding: 0.1em 0.35em; border-radius: 4px; }
        pre { margin: 0.5em 0; padding: 10px 14px; overflow-x: auto; border-radius: 6px; }
        pre.code { background: var(--code-bg); border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
        section.cell { margin: 1em 0 1.6em; }
        section.cell > pre.code { border-left: 4px solid var(--accent); }
        section.cell.failed > pre.code { border-left-color: #cf222e; }
        .output { margin-left: 4px; padding-left: 14px; border-left: 2px solid #eaeef2; }
        pre.text { background: #fbfbfc; border: 1px solid #eaeef2; }
        pre.error { background: #fff5f5; border: 1px solid #f5c2c7; color: #a40e26; }
        p.note { color: var(--muted); font-size: 13px; margin: 0.3em 0; font-family: ui-monospace, Menlo, Consolas, monospace; }
        blockquote { margin: 0.8em 0; padding: 0 1em; color: var(--muted); border-left: 4px solid var(--line); }
        .result { margin: 0.6em 0 1em; }
        .caption { color: var(--muted); font-size: 13px; margin-bottom: 4px; font-family: ui-monospace, Menlo, Consolas, monospace; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13px; }
        table.data th, table.data td, table.md th, table.md td { border: 1px solid var(--line); padding: 4px 10px; }
        table.data th { background: var(--code-bg); text-align: left; vertical-align: bottom; white-space: nowrap; }
        table.data td { white-space: nowrap; }
        table.data tbody tr:nth-child(even) { background: #fafbfc; }
        table.md th { background: var(--code-bg); }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        th.num { text-align: right; }
        .null { color: #aaa; }
        .type { display: block; font-weight: normal; color: var(--muted); font-size: 11px; }
        .more { color: var(--muted); font-size: 13px; margin-top: 4px; }
        figure.chart { margin: 0.8em 0 1.2em; }
        svg.chart { max-width: 100%; height: auto; }
        svg text { font: 12px system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; fill: #1f2328; }
        svg text.value { fill: #444; }
        svg text.value.light { fill: #fff; }
        svg text.axis-title { fill: #656d76; font-size: 12px; }
        hr { border: 0; border-top: 1px solid var(--line); margin: 2em 0; }
        """
}
