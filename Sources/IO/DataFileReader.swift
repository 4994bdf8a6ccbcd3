import Foundation
import Diagnostics

/// Reads the file of a `load` statement: an Excel workbook (.xlsx, .xlsm, or any file that
/// is one by its content) with `XLSXReader`, anything else as CSV/TSV with `CSVReader`.
/// An old binary .xls or an encrypted workbook is an error that says so.
public enum DataFileReader {
    /// Reads `path`; `name` (the path as the user wrote it) names the file in messages
    /// (`orders.csv:17:4: ...`). `progress` is called with the fraction done (CSV files).
    public static func read(path: String, name: String, options: CSVOptions,
                            progress: ((Double) -> Void)? = nil) throws -> CSVLoadResult {
        if XLSXReader.isWorkbookPath(path) || path.lowercased().hasSuffix(".xls") {
            return try XLSXReader.read(path: path, name: name, options: options)
        }
        // Only a regular file is sniffed for a workbook's magic bytes: opening a FIFO to read
        // them would wait for a writer (CSVText opens FIFOs without waiting).
        var status = stat()
        let isRegular = stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        switch isRegular ? XLSXPackage.kind(ofFileAt: path) : .other {
        case .compoundFile:
            // XLSXPackage says whether it is an .xls or an encrypted workbook.
            return try XLSXReader.read(path: path, name: name, options: options)
        case .zip:
            return try XLSXReader.read(path: path, name: name, options: options)
        case .other:
            if options.sheet != nil || options.range != nil {
                throw Diagnostic("load options sheet and range are for Excel workbooks, and '\(name)' is not one",
                                 hints: ["for title lines above a CSV header, use skip=N"])
            }
            return try CSVReader.read(text: try CSVText.map(path: path), name: name, options: options, progress: progress)
        }
    }
}
