// libFuzzer entry for the statement surface driven by the grammar (Fuzz/StatementGrammar.swift):
// the bytes choose valid statements filled with boundary values, which run in a fresh fuzzing
// session (Fuzz/SessionHarness.swift).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGrammarSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var grammar = StatementGrammar(Array(UnsafeBufferPointer(start: data, count: size)))
    runInFuzzSession(grammar.script())
    return 0
}
