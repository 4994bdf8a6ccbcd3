import Columnar
import Engine
import Language
import XCTest
@testable import Shell

/// Fixed names standing in for a session and a file system.
struct FakeSource: CompletionSource {
    var tableNames = ["customers", "orders", "客户表"]
    var columns = [
        "customers": ["customer_id", "name", "industry", "行业"],
        "orders": ["order_id", "customer_id", "amount", "order_date"],
        "客户表": ["客户编号", "客户名称"],
    ]
    var functionNames = ["avg", "count", "sum", "substr", "quantile_score"]
    var parameterNames = ["s_recency", "a_mult"]
    var ruleSetNames = ["tier", "tags"]
    var remoteTableNames = ["dw.orders", "dw.order_items", "dw.sales.orders"]
    var dotCommandNames = Repl.standardCommands.map(\.name)
    var files: [String: [DirectoryEntry]] = [
        "": [DirectoryEntry(name: "datasets", isDirectory: true), DirectoryEntry(name: "demo.seg", isDirectory: false),
             DirectoryEntry(name: ".hidden", isDirectory: false)],
        "datasets/": [DirectoryEntry(name: "customers.csv", isDirectory: false),
                      DirectoryEntry(name: "customers_2023.csv", isDirectory: false),
                      DirectoryEntry(name: "orders.csv", isDirectory: false)],
    ]

    func columnNames(of table: String) -> [String]? { columns[table] }
    func directoryEntries(in directory: String) -> [DirectoryEntry] { files[directory] ?? [] }
}

final class CompleterTests: XCTestCase {
    let completer = Completer(source: FakeSource())

    private func check(_ text: String, candidates: [String], insertion: String,
                       file: StaticString = #filePath, line: UInt = #line) {
        let result = completer.complete(text)
        XCTAssertEqual(result.candidates, candidates, "candidates for \(text)", file: file, line: line)
        XCTAssertEqual(result.insertion, insertion, "insertion for \(text)", file: file, line: line)
    }

    func testStatementStartOffersKeywordsAndTables() {
        check("cu", candidates: ["customers"], insertion: "stomers ")
        check("lo", candidates: ["load"], insertion: "ad ")
        check("  pr", candidates: ["profile"], insertion: "ofile ")
        check("x = 1; or", candidates: ["orders"], insertion: "ders ")
    }

    func testTablesOfAttachedDatabases() {
        check("dw.ord", candidates: ["dw.order_items", "dw.orders"], insertion: "er")
        check("dw.sales.o", candidates: ["dw.sales.orders"], insertion: "rders ")
        check("customers | join dw.order_i", candidates: ["dw.order_items"], insertion: "tems ")
        check("customers | where amount > 1.5", candidates: [], insertion: "")
    }

    func testSeveralMatchesInsertTheCommonPrefix() {
        check("customers | s", candidates: ["select", "sort", "summarize"], insertion: "")
        check("customers | so", candidates: ["sort"], insertion: "rt ")
        check("customers | where customer_id == 1 | su", candidates: ["summarize"], insertion: "mmarize ")
    }

    func testColumnsOfThePipelineTable() {
        check("customers | where ind", candidates: ["industry"], insertion: "ustry ")
        check("orders | sort am", candidates: ["amount"], insertion: "ount ")
        check("orders | derive x = order_", candidates: ["order_date", "order_id"], insertion: "")
        check("let big = orders | where am", candidates: ["amount"], insertion: "ount ")
        check("export orders | select am", candidates: ["amount"], insertion: "ount ")
        // Columns of a joined table are in scope too.
        check("orders | join left customers on customer_id | where indu", candidates: ["industry"], insertion: "stry ")
        // Functions complete in expressions.
        check("orders | summarize n = cou", candidates: ["count"], insertion: "nt ")
        check("orders | derive s = quantile", candidates: ["quantile_score"], insertion: "_score ")
    }

    func testTablesAfterJoinFromLetAndProfile() {
        check("orders | join left cu", candidates: ["customers"], insertion: "stomers ")
        check("orders | join cu", candidates: ["customers"], insertion: "stomers ")
        check("let x = or", candidates: ["orders"], insertion: "ders ")
        check("profile cu", candidates: ["customers"], insertion: "stomers ")
        check("whatif s_recency = 45 on cu", candidates: ["customers"], insertion: "stomers ")
        check("customers | classify t", candidates: ["tags", "tier"], insertion: "")
    }

    // Found in tmux: `join customers on cu<Tab>` offered `cumsum` beside `customer_id`, and
    // `where <Tab>` listed operator words such as `bins`, `classes` and `measure`.
    func testJoinKeysAndByListsAreColumnsOnly() {
        check("orders | join customers on cu", candidates: ["customer_id"], insertion: "stomer_id ")
        check("orders | join customers on customer_id == cu", candidates: ["customer_id"], insertion: "stomer_id ")
        check("orders | summarize n = count() by cu", candidates: ["customer_id"], insertion: "stomer_id ")
        check("orders | summarize n = count() by customer_id, ord", candidates: ["order_date", "order_id"], insertion: "er_")
        check("customers | drop ind", candidates: ["industry"], insertion: "ustry ")
        check("compare customers orders on cu", candidates: ["customer_id"], insertion: "stomer_id ")
        check("whatif s_recency = 45 on customers by ind", candidates: ["industry"], insertion: "ustry ")
        // `top N by EXPR` takes an expression: functions too.
        check("orders | top 5 by su", candidates: ["substr", "sum"], insertion: "")
    }

    func testExpressionContextOffersExpressionWordsOnly() {
        let words = completer.complete("orders | where ").candidates
        XCTAssertTrue(words.contains("amount") && words.contains("sum") && words.contains("between"), "\(words)")
        for operatorWord in ["bins", "classes", "measure", "step", "otherwise", "inner", "where"] {
            XCTAssertFalse(words.contains(operatorWord), "\(operatorWord) offered after where: \(words)")
        }
        // The listing shows the columns first, in table order, then the rest sorted.
        XCTAssertEqual(Array(completer.complete("orders | where ").displayCandidates.prefix(6)),
                       ["order_id", "customer_id", "amount", "order_date", "and", "avg"])
        check("orders | sort amount de", candidates: ["desc"], insertion: "sc ")
        check("orders | summarize n = count() b", candidates: ["between", "by"], insertion: "")
        check("orders | summarize n = count() by", candidates: ["by"], insertion: " ")
        check("orders | chart ", candidates: ["bar", "hist"], insertion: "")
        check("customers | classify tier a", candidates: ["as"], insertion: "s ")
        check("load x from \"a.csv\" w", candidates: ["with"], insertion: "ith ")
    }

    func testParametersOfWhatIfAndSweep() {
        check("whatif s_", candidates: ["s_recency"], insertion: "recency ")
        check("whatif s_recency = 45, a_", candidates: ["a_mult"], insertion: "mult ")
        check("sweep a", candidates: ["a_mult"], insertion: "_mult ")
        check("whatif s_recency = 45 on cu", candidates: ["customers"], insertion: "stomers ")
    }

    func testHelpTopics() {
        check(".help ke", candidates: ["keys"], insertion: "ys ")
        check(".help expr", candidates: ["expressions"], insertion: "essions ")
    }

    func testChineseIdentifiers() {
        check("客", candidates: ["客户表"], insertion: "户表 ")
        check("客户表 | where 客户", candidates: ["客户名称", "客户编号"], insertion: "")
        check("客户表 | where 客户编", candidates: ["客户编号"], insertion: "号 ")
        check("customers | select 行", candidates: ["行业"], insertion: "业 ")
    }

    func testParameters() {
        check("customers | where recency <= $s", candidates: ["$s_recency"], insertion: "_recency ")
        check("x | where a < $", candidates: ["$a_mult", "$s_recency"], insertion: "")
    }

    func testDotCommands() {
        check(".sc", candidates: [".schema"], insertion: "hema ")
        check(".e", candidates: [".edit", ".editor", ".exit"], insertion: "")
        check(".schema or", candidates: ["orders"], insertion: "ders ")
        check(".sch cu", candidates: ["customers"], insertion: "stomers ")
        check(".mode c", candidates: ["csv"], insertion: "sv ")
        check(".timer o", candidates: ["off", "on"], insertion: "")
        check(".read dem", candidates: ["demo.seg"], insertion: "o.seg")
    }

    func testFilePathsInsideQuotes() {
        check("load c from \"dat", candidates: ["datasets/"], insertion: "asets/")
        check("load c from \"datasets/cu", candidates: ["datasets/customers.csv", "datasets/customers_2023.csv"],
              insertion: "stomers")
        check("load c from \"datasets/or", candidates: ["datasets/orders.csv"], insertion: "ders.csv\"")
        check("load c from 'datasets/or", candidates: ["datasets/orders.csv"], insertion: "ders.csv'")
        // Hidden files only when asked for.
        check("run \"", candidates: ["datasets/", "demo.seg"], insertion: "d")
        check("run \".h", candidates: [".hidden"], insertion: "idden\"")
        XCTAssertEqual(completer.complete("load c from \"datasets/cu").displayCandidates,
                       ["customers.csv", "customers_2023.csv"])
    }

    func testNothingToComplete() {
        check("customers | take 1", candidates: [], insertion: "")
        check("load c from \"x.csv\" # cu", candidates: [], insertion: "")
        check("let ne", candidates: [], insertion: "")
    }

    func testContinuationLinesAreContext() {
        // The earlier lines of an unfinished statement decide the columns in scope.
        check("orders\n| where am", candidates: ["amount"], insertion: "ount ")
    }

    func testListingLaysOutColumns() {
        XCTAssertEqual(Completer.listing(["a", "bb", "ccc", "d"], width: 12), "a    ccc\nbb   d\n")
        XCTAssertEqual(Completer.listing(["客户", "x"], width: 80), "客户  x\n")
    }
}

/// Completion asks the binder: columns made earlier in the same pipeline are offered.
final class BoundCompletionTests: XCTestCase {
    func testColumnsMadeEarlierInThePipelineAreOffered() throws {
        let session = SegshCLI.makeSession()
        session.setTable("orders", try Table(names: ["customer_id", "order_date", "amount"], columns: [
            Column.from([.string("a")]), Column.from([.date(0)]), Column.from([.double(1)]),
        ]))
        let completer = Completer(source: SessionCompletionSource(session: session, commands: Repl.standardCommands))
        let afterRFM = completer.complete("orders | rfm customer=customer_id, date=order_date, amount=amount | where mone")
        XCTAssertEqual(afterRFM.insertion, "tary ")
        let afterDerive = completer.complete("let v = orders | derive big = amount > 100 | select bi")
        XCTAssertEqual(afterDerive.insertion, "g ")
        XCTAssertEqual(session.columnsInScope(ofPipelineText: "orders | summarize n = count() by customer_id | "), ["customer_id", "n"])
    }
}
