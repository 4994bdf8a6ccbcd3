// libFuzzer entry for the lexer and parser: any bytes, read as UTF-8 (invalid sequences
// repaired, as the shell does), are tokenized, parsed, and every diagnostic is rendered with
// its caret. Nothing may crash; a diagnostic must point inside the text.
import Diagnostics
import Language

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let source = SourceFile(name: "<fuzz>", text: text)
    let (_, lexDiagnostics) = Lexer.tokenize(source)
    let (_, diagnostics) = Parser.parse(source)
    for d in lexDiagnostics + diagnostics {
        _ = d.with(source: source).render(color: false)
        if let span = d.span, span.start < 0 || span.end > text.utf8.count {
            fatalError("diagnostic span \(span.start)..<\(span.end) outside a text of \(text.utf8.count) bytes")
        }
    }
    _ = Parser.parseExpression(source)
    return 0
}
