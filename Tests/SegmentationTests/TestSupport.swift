import Columnar
import Diagnostics
import Engine
import Foundation
import IO
import Segmentation
import XCTest

// What the segmentation tests share: a session to run statements in, seeded random
// numbers, generated order tables, and comparisons.

/// A session with the segmentation operators installed, and what running statements in it
/// produced.
class SegmentationHarness {
    let session = Session()

    struct Output {
        var tables: [Table] = []
        var texts: [String] = []
        var notes: [String] = []
        /// What-if, compare, sweep and profile values (their parts are also in the lists above).
        var reports: [Report] = []
        var errors: [Diagnostic] = []
        var last: Table? { tables.last }
        /// The first error as the user sees it ("" when none).
        var error: String { errors.first?.render() ?? "" }
    }

    init() { Segmentation.install(into: session) }

    /// Runs statements; fails the test on an error unless `expectError`.
    @discardableResult
    func run(_ text: String, expectError: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> Output {
        var out = Output()
        out.errors = session.run(SourceFile(name: "<test>", text: text)) { item in
            switch item {
            case .table(let t, _, _): out.tables.append(t)
            case .text(let s): out.texts.append(s)
            case .chart(let c): out.texts.append(TextChart.render(c, width: TextChart.defaultWidth))
            case .note(let s), .done(let s, _): out.notes.append(s)
            case .report(let r, _):
                out.reports.append(r)
                reportParts(r, tables: &out.tables, texts: &out.texts, notes: &out.notes)
            }
        }
        if !expectError, let e = out.errors.first {
            XCTFail("unexpected error:\n\(e.render())", file: file, line: line)
        }
        if expectError, out.errors.isEmpty {
            XCTFail("expected an error", file: file, line: line)
        }
        return out
    }

    /// The last table's column as boxed values.
    static func values(_ t: Table?, _ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Scalar] {
        guard let t, let c = t.column(name) else {
            XCTFail("no column '\(name)' in \(t?.names ?? [])", file: file, line: line)
            return []
        }
        return (0..<c.count).map { c[$0] }
    }
}

/// A report's parts as the terminal shows them: lines and charts as text, tables (a migration
/// matrix as its table), notes.
func reportParts(_ report: Report, tables: inout [Table], texts: inout [String], notes: inout [String]) {
    for part in ReportLayout.parts(report) {
        switch part {
        case .line(let s): texts.append(s)
        case .note(let s): notes.append(s)
        case .table(let t, _): tables.append(t)
        case .matrix(let m): tables.append(m.table)
        case .chart(let c): texts.append(TextChart.render(c, width: TextChart.defaultWidth))
        case .paretoCurve: break
        }
    }
}

func strings(_ xs: [String?]) -> [Scalar] { xs.map { $0.map { .string($0) } ?? .null } }
func ints(_ xs: [Int64?]) -> [Scalar] { xs.map { $0.map { .int($0) } ?? .null } }

/// SplitMix64: a small seeded generator, the same numbers on every platform.
struct SeededGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()) }
    mutating func exponential(rate: Double) -> Double { -log(uniform()) / rate }
    /// Gamma(shape, rate) by Marsaglia & Tsang (shape < 1 boosted by U^(1/shape)).
    mutating func gamma(shape: Double, rate: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1, rate: rate) * pow(uniform(), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat { x = normal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = uniform()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v / rate }
        }
    }
    mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a, rate: 1), y = gamma(shape: b, rate: 1)
        return x / (x + y)
    }
}


/// Orders of `customers` customers (ids "K00042", first seen in random order), dates
/// from 2023 to a month after asof, amounts with cents, and some null customers, dates
/// and amounts. Customer "Z" has four hand-made orders (one after asof).
func generatedOrders(rows: Int, customers: Int, nulls: Bool, intKeys: Bool = false) throws -> Table {
    var random = SeededGenerator(state: 0x2545_F491_4F6C_DD1D)
    func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    let asof = CivilDate(year: 2025, month: 6, day: 30).daysSinceEpoch
    var custs: [Scalar] = [], dates: [Scalar] = [], amounts: [Scalar] = []
    for i in 0..<rows {
        let k = next(customers)
        custs.append(intKeys ? .int(Int64(k) * 7 - 1000) : .string("K" + String(100000 + k).dropFirst()))
        dates.append(.date(asof - 900 + Int32(next(930))))
        amounts.append(.double(Double(next(2_000_000)) / 100 + (i % 97 == 0 ? 1e9 : 0)))
        if nulls && i % 211 == 5 { custs[i] = .null }
        if nulls && i % 307 == 7 { dates[i] = .null }
        if nulls && i % 401 == 9 { amounts[i] = .null }
    }
    // Z: 0.1 + 0.2 (in the window), 5 (a year and a day before asof: outside it), 99 after asof.
    for (d, x) in [(asof - 3, 0.1), (asof - 366, 5.0), (asof, 0.2), (asof + 1, 99.0)] {
        let at = next(custs.count)
        custs.insert(intKeys ? .int(-999_999) : .string("Z"), at: at)
        dates.insert(.date(d), at: at)
        amounts.insert(.double(x), at: at)
    }
    return try Table(names: ["cust", "day", "amount"], columns: [
        Column.from(custs, type: intKeys ? .int : .string), Column.from(dates, type: .date), Column.from(amounts, type: .double),
    ])
}

/// Every value equal, doubles to the bit.
func assertIdentical(_ a: Table, _ b: Table, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.names, b.names, file: file, line: line)
    XCTAssertEqual(a.rowCount, b.rowCount, file: file, line: line)
    for (x, y) in zip(a.columns, b.columns) {
        switch (x.storage, y.storage) {
        case (.double(let u), .double(let v)):
            XCTAssertEqual(u.map(\.bitPattern), v.map(\.bitPattern), file: file, line: line)
        default:
            XCTAssertEqual((0..<x.count).map { x[$0] }, (0..<y.count).map { y[$0] }, file: file, line: line)
        }
    }
}

