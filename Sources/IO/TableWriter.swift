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
        guard let format = format ?? OutputFormat.forPath(path) else {
            throw Diagnostic("cannot tell the format of '\(path)' (use .csv, .tsv, .json, .jsonl or .md)")
        }
        let options = RenderOptions(maxRows: 0)
        try AtomicFile.write(to: path) { sink in
            try TableRenderer.write(table, format: format, options: options, to: sink, cancellable: true)
        }
    }

    /// Streams `TableRenderer.render`'s text to an open file descriptor (e.g. 1 for stdout)
    /// in chunks, without building the whole text in memory.
    public static func write(_ table: Table, format: OutputFormat, options: RenderOptions,
                             toFileDescriptor fd: Int32, name: String = "stdout") throws {
        let sink = ByteSink(fileDescriptor: fd, path: name)
        try TableRenderer.write(table, format: format, options: options, to: sink, cancellable: true)
        try sink.flush()
    }
}
