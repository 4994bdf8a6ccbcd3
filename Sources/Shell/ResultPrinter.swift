import Columnar
import Diagnostics
import Engine
import IO

/// Prints what statements produce, following the output mode: in table mode a header line
/// (`[3] 1,204 rows × 7 columns (12 ms)`) and the box go to stdout; in csv, tsv, json, jsonl
/// and markdown mode stdout carries only the tables, an empty line between two of them, and
/// everything else (header lines, report text, notes, timings) goes to stderr, so output can
/// be redirected to a file and split back into results at the empty lines.
public struct ResultPrinter {
    public var settings: ShellSettings
    public let output: ShellOutput
    /// Errors reported through `error` (dot-commands), shared by copies of this printer: a
    /// script stops at a failed dot-command as at a failed statement.
    public let commandErrors = CommandErrors()
    /// How many tables went to stdout in a file format, shared by copies of this printer.
    let tablesWritten = Counter()

    /// A count shared by copies of the printer.
    final class Counter { var value = 0 }

    /// How many shell errors were printed, and where the command being run stands in a script.
    public final class CommandErrors {
        public var count = 0
        /// `FILE:LINE:COL` of the dot-command running in a script; nil at the prompt.
        public var location: String?
    }

    public init(settings: ShellSettings, output: ShellOutput) {
        self.settings = settings
        self.output = output
    }

    public func print(_ item: ResultItem) {
        switch item {
        case .table(let table, let number, let elapsed):
            let header = TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: number,
                                                  elapsed: settings.timer ? elapsed : nil)
            let body = TableRenderer.render(table, format: settings.format, options: settings.renderOptions)
            if settings.format == .table {
                output.out(header + "\n" + body)
            } else {
                // Several results in csv, tsv, json, jsonl or markdown: an empty line between
                // two results (none appears inside one), so stdout splits back into results.
                output.err(header + "\n")
                if tablesWritten.value > 0 { output.out("\n") }
                tablesWritten.value += 1
                output.out(body)
            }
        case .text(let text):
            if settings.format == .table { output.out(Self.line(text)) } else { output.err(Self.line(text)) }
        case .chart(let chart):
            let text = TextChart.render(chart, width: TextChart.defaultWidth)
            if settings.format == .table { output.out(text) } else { output.err(text) }
        case .note(let text):
            output.err(Self.line(text))
        case .done(let text, let elapsed):
            output.err(Self.line(settings.timer ? "\(text) (\(NumberFormat.elapsed(elapsed)))" : text))
        case .report(let report, let elapsed):
            if settings.format == .table {
                for item in Self.items(report, elapsed: elapsed) { print(item) }
                return
            }
            // In a file format: the report's tables (or its one JSON object) on stdout as
            // results (`ReportFormats`), its lines, headers and chart on stderr.
            var time: Double? = settings.timer ? elapsed : nil
            for part in ReportLayout.parts(report) {
                switch part {
                case .line(let text), .note(let text): output.err(Self.line(text))
                case .table(let table, let number):
                    output.err(TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: number,
                                                        elapsed: time) + "\n")
                    time = nil
                case .matrix(let matrix):
                    let table = matrix.table
                    output.err(TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: nil,
                                                        elapsed: time) + "\n")
                    time = nil
                case .chart(let chart): output.err(TextChart.render(chart, width: TextChart.defaultWidth))
                case .paretoCurve: continue  // drawn in HTML reports only
                }
            }
            for body in ReportFormats.results(report, format: settings.format, options: settings.renderOptions) {
                if tablesWritten.value > 0 { output.out("\n") }
                tablesWritten.value += 1
                output.out(body)
            }
        }
    }

    /// A report's parts as the items the terminal prints: lines as report text, tables (the
    /// first with the statement's time), charts, notes.
    static func items(_ report: Report, elapsed: Double) -> [ResultItem] {
        var timed = false
        return ReportLayout.parts(report).compactMap { part -> ResultItem? in
            switch part {
            case .paretoCurve: return nil  // drawn in HTML reports only
            case .line(let text): return .text(text)
            case .note(let text): return .note(text)
            case .chart(let chart): return .chart(chart)
            case .table(let table, let number):
                defer { timed = true }
                return .table(table, number: number, elapsed: timed ? 0 : elapsed)
            case .matrix(let matrix):
                defer { timed = true }
                return .table(matrix.table, number: nil, elapsed: timed ? 0 : elapsed)
            }
        }
    }

    public func print(_ diagnostic: Diagnostic) {
        output.err(diagnostic.render(color: settings.errorColor))
    }

    /// A diagnostic about a statement typed at the prompt: the statement is right above it,
    /// so the `<shell>:1:16:` location is left out (the quoted line and the caret stay).
    public func printTyped(_ diagnostic: Diagnostic) {
        output.err(ResultPrinter.withoutLocation(diagnostic, color: settings.errorColor))
    }

    static func withoutLocation(_ diagnostic: Diagnostic, color: Bool) -> String {
        let text = diagnostic.render(color: color)
        guard let source = diagnostic.source, let span = diagnostic.span else { return text }
        let (line, column) = source.location(of: span.start)
        let prefix = "\(source.name):\(line):\(column): "
        guard let range = text.range(of: prefix), text.distance(from: text.startIndex, to: range.lowerBound) < 16 else {
            return text
        }
        return text.replacingCharacters(in: range, with: "")
    }

    /// A one-off message on stderr (`error: ...` for shell errors).
    public func error(_ message: String, hints: [String] = []) {
        commandErrors.count += 1
        output.err(Diagnostic(message, hints: hints, location: commandErrors.location).render(color: settings.errorColor))
    }

    /// Plain text of an item as a notebook keeps it: table mode, no colour, no timing.
    public static func plainText(_ item: ResultItem, maxRows: Int, chartWidth: Int = TextChart.defaultWidth) -> String {
        switch item {
        case .table(let table, let number, _):
            return TableRenderer.headerLine(rows: table.rowCount, columns: table.columnCount, number: number, elapsed: nil)
                + "\n" + TableRenderer.render(table, format: .table, options: RenderOptions(maxRows: maxRows))
        case .text(let text): return line(text)
        case .chart(let chart): return TextChart.render(chart, width: chartWidth)
        case .note(let text), .done(let text, _): return line(text)
        case .report(let report, _):
            return items(report, elapsed: 0).map { plainText($0, maxRows: maxRows, chartWidth: chartWidth) }.joined()
        }
    }

    static func line(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }
}
