// libFuzzer entry for the parser driven by the grammar (Fuzz/StatementGrammar.swift): the
// bytes choose valid statements with boundary values, deep nesting and long chains, which are
// tokenized and parsed. Nothing may crash; a diagnostic must point inside the text.
import Diagnostics
import Language

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGrammarParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var grammar = StatementGrammar(Array(UnsafeBufferPointer(start: data, count: size)))
    let text = grammar.script()
    let source = SourceFile(name: "<fuzz>", text: text)
    let (_, diagnostics) = Parser.parse(source)
    for d in diagnostics {
        _ = d.with(source: source).render(color: false)
        if let span = d.span, span.start < 0 || span.end > text.utf8.count {
            fatalError("diagnostic span \(span.start)..<\(span.end) outside a text of \(text.utf8.count) bytes")
        }
    }
    return 0
}
