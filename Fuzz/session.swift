// libFuzzer entry for the whole statement path: any text is parsed and run in a fresh
// session (segmentation operators installed, safe mode on, an empty base folder) holding
// three small tables like the demo data's. Errors are fine; crashes are not, and neither is
// a diagnostic whose span leaves its text.
import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Segmentation

private let tables: [(String, Table)] = {
    func table(_ text: String) -> Table {
        (try? CSVReader.read(bytes: Array(text.utf8), name: "seed.csv").table) ?? Table()
    }
    return [
        ("customers", table("""
            customer_id,name,industry,region,signup,vip
            C1,华兴机械,制造业,华东,2021-03-15,true
            C2,云帆文化,教育培训,华中,2022-07-01,false
            C3,Acme,零售业,,2023-01-09,
            C4,蓝海物流,物流,华北,,true
            """)),
        ("orders", table("""
            order_id,customer_id,order_date,amount,discount
            1,C1,2024-01-05,1200.5,false
            2,C1,2024-03-10,300,true
            3,C2,2024-02-29,,false
            4,C3,2023-12-31,99.9,true
            5,C9,2024-06-30,5000,false
            6,C2,2024-06-01,-20,
            """)),
        ("interactions", table("""
            customer_id,date,topic,channel
            C1,2024-01-02,技术方案,电话
            C2,2024-05-05,紧急交付,微信
            C4,2024-06-06,,
            """)),
    ]
}()

private let base: String = {
    let path = NSTemporaryDirectory() + "segsh-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    MemoryBudget.setLimit(1 << 30)
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let session = Session()
    Segmentation.install(into: session)
    WhatIfCommands.install(into: session)
    session.isSafe = true
    session.baseDirectory = base
    session.chartWidth = 60
    for (name, table) in tables { session.setTable(name, table) }
    let source = SourceFile(name: "<fuzz>", text: text)
    let diagnostics = session.run(source) { item in
        if case .table(let t, _, _) = item {
            _ = TableRenderer.render(t, format: .table, options: RenderOptions(maxRows: 10, terminalWidth: 80, color: false))
        }
    }
    for d in diagnostics {
        let located = d.with(source: source)
        _ = located.render(color: false)
        if let span = located.span, let file = located.source, span.start < 0 || span.end > file.bytes.count {
            fatalError("diagnostic span \(span.start)..<\(span.end) outside a text of \(file.bytes.count) bytes: \(located.message)")
        }
    }
    return 0
}
