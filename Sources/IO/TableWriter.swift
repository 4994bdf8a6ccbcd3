import Columnar
import Diagnostics

/// Writes tables to files (`export ... to "PATH"`) and streams them to open file
/// descriptors (stdout in csv/json mode).
public enum TableWriter {
    /// Writes every row of `table` to `path` in `format` (by the path's extension when nil),
    /// atomically: a failed or interrupted write leaves any existing file untouched.
    /// Markdown and table files carry every row. Throws a `Diagnostic` for an unknown
    /// extension or an I/O error, `ColumnarError.cancelled` when interrupted.
    public static func write(_ table: Table, to path: String, format: OutputFormat? = nil) throws {
        if format == nil && path.lowercased().hasSuffix(".xlsx") {
            try XLSXWriter.write(table, to: path)
            return
        }
        guard let format = format ?? OutputFormat.forPath(path) else {
            throw Diagnostic("cannot tell the format of '\(path)' (\(extensionsHint))")
        }
        let options = RenderOptions(maxRows: 0)
        try AtomicFile.write(to: path) { sink in
            try TableRenderer.write(table, format: format, options: options, to: sink, cancellable: true)
        }
    }

    /// Whether `write(_:to:)` can tell a format from the path's extension (`.xlsx` included).
    public static func canWrite(_ path: String) -> Bool {
        OutputFormat.forPath(path) != nil || path.lowercased().hasSuffix(".xlsx")
    }

    /// The extensions export understands, for messages.
    public static let extensionsHint = "use .csv, .tsv, .json, .jsonl, .md or .xlsx"

    /// Streams `TableRenderer.render`'s text to an open file descriptor (e.g. 1 for stdout)
    /// in chunks, without building the whole text in memory.
    public static func write(_ table: Table, format: OutputFormat, options: RenderOptions,
                             toFileDescriptor fd: Int32, name: String = "stdout") throws {
        let sink = ByteSink(fileDescriptor: fd, path: name)
        try TableRenderer.write(table, format: format, options: options, to: sink, cancellable: true)
        try sink.flush()
    }
}
