// The session both session fuzzers run their scripts in (Fuzz/session.swift reads the bytes
// as text, Fuzz/grammar-session.swift as choices of Fuzz/StatementGrammar.swift): a fresh
// safe-mode session with the segmentation operators, an empty base folder, small tables like
// the demo data's and `edges`, a table of boundary values. Errors are fine; a trap, a stack
// overflow or a diagnostic whose span leaves its text is not.
import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Segmentation

private let fuzzTables: [(String, Table)] = {
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
        ("edges", table("""
            customer_id,i,d,dt,s,b,order_date,amount
            C1,9223372036854775807,1.7e308,0001-01-01,,true,9999-12-31,1.7976931348623157e308
            C2,-9223372036854775808,-1.7e308,9999-12-31,制造业,false,0001-01-01,-1.7e308
            C3,0,5e-324,1970-01-01,a,,2024-02-29,0
            C4,-1,-0.0,,𝄞,true,,5e-324
            C1,2147483648,,2000-02-29,x,false,2025-06-30,
            """)),
    ]
}()

private let fuzzBase: String = {
    let path = NSTemporaryDirectory() + "segsh-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// Runs `text` in a fresh fuzzing session, rendering its tables and diagnostics.
func runInFuzzSession(_ text: String) {
    MemoryBudget.setLimit(1 << 30)
    let session = Session()
    Segmentation.install(into: session)
    WhatIfCommands.install(into: session)
    session.isSafe = true
    session.baseDirectory = fuzzBase
    session.chartWidth = 60
    for (name, table) in fuzzTables { session.setTable(name, table) }
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
}
