import XCTest
import Columnar
@testable import IO

final class RenderFormatTests: XCTestCase {
    func testCSVQuotesAndNulls() throws {
        assertGolden(TableRenderer.render(try sampleCustomers(), format: .csv, options: RenderOptions(maxRows: 1)), """
        客户编号,name,amount,share,since,vip
        1,上海机械,1200.5,0.0123,2022-01-08,true
        2,"Acme, ""Inc""
        line2",-3,0.5,,false
        1234567,,0,,1970-01-01,
        ,a|b,,0.25,1969-12-31,true

        """)
    }

    func testCSVEmptyStringIsQuotedAndHeaderIsEscaped() throws {
        let t = try Table(names: ["a,b", "say \"hi\""], columns: [
            Column.from([.string(""), .string("x\ry")]), Column.from([.double(1e20), .double(0.1)]),
        ])
        let expected = "\"a,b\",\"say \"\"hi\"\"\"\n" + "\"\",1e+20\n" + "\"x\ry\",0.1\n"
        assertGolden(TableRenderer.render(t, format: .csv, options: RenderOptions()), expected)
    }

    func testTSVEscapesTabsAndNewlines() throws {
        let t = try Table(names: ["k", "v"], columns: [
            Column.from([.string("a\tb"), .string("line1\nline2"), .null], type: .string),
            Column.from([.int(1), .null, .int(3)]),
        ])
        assertGolden(TableRenderer.render(t, format: .tsv, options: RenderOptions()), """
        k\tv
        a\\tb\t1
        line1\\nline2\t
        \t3

        """)
    }

    func testJSONArray() throws {
        assertGolden(TableRenderer.render(try sampleCustomers(), format: .json, options: RenderOptions(maxRows: 1)), """
        [
        {"客户编号":1,"name":"上海机械","amount":1200.5,"share":0.0123,"since":"2022-01-08","vip":true},
        {"客户编号":2,"name":"Acme, \\"Inc\\"\\nline2","amount":-3,"share":0.5,"since":null,"vip":false},
        {"客户编号":1234567,"name":null,"amount":0,"share":null,"since":"1970-01-01","vip":null},
        {"客户编号":null,"name":"a|b","amount":null,"share":0.25,"since":"1969-12-31","vip":true}
        ]

        """)
    }

    func testJSONEscapesControlCharactersAndNonFiniteNumbers() throws {
        let t = try Table(names: ["s\"\\", "x"], columns: [
            Column.from([.string("tab\there\u{01}\\"), .string("é中")]), Column.from([.double(.nan), .double(-.infinity)]),
        ])
        assertGolden(TableRenderer.render(t, format: .jsonl, options: RenderOptions()), """
        {"s\\"\\\\":"tab\\there\\u0001\\\\","x":null}
        {"s\\"\\\\":"é中","x":null}

        """)
        let empty = try Table(names: ["a"], columns: [Column(.int([]))])
        XCTAssertEqual(TableRenderer.render(empty, format: .json, options: RenderOptions()), "[]\n")
        XCTAssertEqual(TableRenderer.render(empty, format: .jsonl, options: RenderOptions()), "")
    }

    func testJSONLines() throws {
        let t = try Table(names: ["id", "城市"], columns: [
            Column.from([.int(7), .int(8)]), Column.from([.string("北京"), .null], type: .string),
        ])
        assertGolden(TableRenderer.render(t, format: .jsonl, options: RenderOptions()), """
        {"id":7,"城市":"北京"}
        {"id":8,"城市":null}

        """)
    }

    func testMarkdown() throws {
        assertGolden(TableRenderer.render(try sampleCustomers(), format: .markdown, options: RenderOptions(maxRows: 3)), """
        | 客户编号  | name                 | amount  | share  | since      | vip   |
        | --------: | -------------------- | ------: | -----: | ---------- | ----- |
        |         1 | 上海机械             | 1200.50 | 0.0123 | 2022-01-08 | true  |
        |         2 | Acme, "Inc"<br>line2 |   -3.00 | 0.5000 |            | false |
        | 1,234,567 |                      |    0.00 |        | 1970-01-01 |       |

        … 1 more row

        """)
    }

    func testMarkdownEscapesPipes() throws {
        let t = try Table(names: ["a|b"], columns: [Column.from([.string("x|y"), .string("行1\r\n行2")])])
        assertGolden(TableRenderer.render(t, format: .markdown, options: RenderOptions()), """
        | a\\|b       |
        | ---------- |
        | x\\|y       |
        | 行1<br>行2 |

        """)
    }

    /// The writers' fast double text matches `formatDouble` (the reference) on a sweep of
    /// money-like, small, large and arbitrary values.
    func testDoubleTextMatchesFormatDouble() {
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 11 }
        var values: [Double] = [0.1 + 0.2, 1e-3, 0.00123, 9.999999999999999e14, 123456789012345.6, -0.5, 1e15 + 0.5,
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, -2.5e-7, 100.25, 0.3]
        for _ in 0..<20_000 {
            let m = Double(Int64(next() % 100_000_000)) - 50_000_000
            values.append(m / 100)
            values.append(m / 1000)
            values.append(m / 7)
            values.append(Double(bitPattern: next() << 11 | next() % 2048))
            values.append(Double(next() % 1000) / 1_000_000)
        }
        for v in values where v.isFinite {
            let sink = ByteSink()
            DelimitedWriter.appendDouble(v, to: sink)
            if sink.text != formatDouble(v) {
                XCTFail("\(sink.text) != \(formatDouble(v)) for bit pattern \(v.bitPattern)")
                return
            }
        }
    }

    func testOutputFormatForPath() {
        XCTAssertEqual(OutputFormat.forPath("out/seg.csv"), .csv)
        XCTAssertEqual(OutputFormat.forPath("SEG.TSV"), .tsv)
        XCTAssertEqual(OutputFormat.forPath("a.json"), .json)
        XCTAssertEqual(OutputFormat.forPath("a.jsonl"), .jsonl)
        XCTAssertEqual(OutputFormat.forPath("report.md"), .markdown)
        XCTAssertEqual(OutputFormat.forPath("report.markdown"), .markdown)
        XCTAssertNil(OutputFormat.forPath("x.foo"))
        XCTAssertNil(OutputFormat.forPath("csv"))
        XCTAssertNil(OutputFormat.forPath("dir.csv/file"))
        XCTAssertNil(OutputFormat.forPath(".csv"))
    }
}
