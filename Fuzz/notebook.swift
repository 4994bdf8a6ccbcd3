// libFuzzer entry for the notebook reader: any text is split into prose and cells; the
// parts must give back the document byte for byte, and the Markdown-to-HTML renderer of
// reports must accept it.
@testable import Shell

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNotebook(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let notebook = Notebook(parsing: text)
    if notebook.text != text { fatalError("the parts do not give back the document") }
    for cell in notebook.cells { _ = cell.savedOutput; _ = cell.code }
    return 0
}
