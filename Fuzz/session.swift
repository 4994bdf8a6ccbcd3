// libFuzzer entry for the whole statement path: any text is parsed and run in a fresh
// fuzzing session (Fuzz/SessionHarness.swift).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    runInFuzzSession(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
