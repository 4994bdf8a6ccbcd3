// libFuzzer entry for the CSV reader: the first byte picks options (header yes/no/detect,
// on_error skip, encoding, currency numbers, forced small chunks so the parallel split is
// exercised); the rest is the file. Errors are fine; crashes, and tables whose columns
// disagree on their row count, are not.
import Columnar
import Diagnostics
@testable import IO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var options = CSVOptions()
    switch flags & 3 {
    case 1: options.header = true
    case 2: options.header = false
    default: break
    }
    if flags & 4 != 0 { options.skipBadRows = true }
    if flags & 8 != 0 { options.currencyNumbers = true }
    switch (flags >> 4) & 3 {
    case 1: options.encoding = "gb18030"
    case 2: options.encoding = "utf-8"
    default: break
    }
    if flags & 64 != 0 { options.minChunkBytes = 8; options.chunkCount = 3 }
    if flags & 128 != 0 { options.dateFormat = "%d/%m/%Y" }
    let name = flags & 1 == 1 && flags & 2 == 2 ? "fuzz.tsv" : "fuzz.csv"
    do {
        let result = try CSVReader.read(bytes: bytes, name: name, options: options)
        let t = result.table
        for c in t.columns where c.count != t.rowCount {
            fatalError("column with \(c.count) rows in a table of \(t.rowCount)")
        }
        if t.names.count != t.columns.count { fatalError("\(t.names.count) names for \(t.columns.count) columns") }
        if Set(t.names).count != t.names.count { fatalError("duplicate column names \(t.names)") }
        // Render what was read, as the shell would.
        _ = TableRenderer.render(t, format: .table, options: RenderOptions(maxRows: 20, terminalWidth: 80, color: false))
        _ = TableRenderer.render(t, format: .csv, options: RenderOptions(maxRows: 0, terminalWidth: nil, color: false))
    } catch let d as Diagnostic {
        _ = d.render(color: false)
    } catch {
        _ = "\(error)"
    }
    return 0
}
