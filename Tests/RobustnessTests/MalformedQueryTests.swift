import Diagnostics
import Engine
import Foundation
import Language
import Shell
import XCTest

/// Every statement of the golden cases (Tests/GoldenTests/cases/*.md) and of the example
/// scripts (scripts/examples/*.seg), cut at every character position and mutated token by
/// token (seeded), run in-process against a session holding the tables the statements
/// expect (small copies of the demo data). Each run must end in success or in diagnostics
/// that have a message and point inside their text; a crash fails the whole test run.
final class MalformedQueryTests: XCTestCase {
    /// A statement and the document it comes from, in document order.
    struct Statement {
        var text: String
        var origin: String
    }

    /// Statements grouped by document; each document runs in its own session, in order.
    static func documents() throws -> [(name: String, statements: [Statement])] {
        var out: [(String, [Statement])] = []
        let cases = Robust.packageRoot + "/Tests/GoldenTests/cases"
        for name in try FileManager.default.contentsOfDirectory(atPath: cases).filter({ $0.hasSuffix(".md") }).sorted() {
            let text = try String(contentsOfFile: cases + "/" + name, encoding: .utf8)
            let cells = Notebook(parsing: text).cells.map { Statement(text: $0.code, origin: name) }
            out.append((name, cells))
        }
        let examples = Robust.packageRoot + "/scripts/examples"
        for name in try FileManager.default.contentsOfDirectory(atPath: examples).filter({ $0.hasSuffix(".seg") }).sorted() {
            let text = try String(contentsOfFile: examples + "/" + name, encoding: .utf8)
            let source = SourceFile(name: name, text: text)
            let (statements, diagnostics) = Parser.parse(source)
            XCTAssertEqual(diagnostics.count, 0, "\(name) does not parse")
            out.append((name, statements.map { Statement(text: source.slice($0.span), origin: name) }))
        }
        return out
    }

    /// A folder laid out like the package root, with the golden data and shortened demo data.
    static func makeDataFolder() throws -> String {
        let dir = try Robust.temporaryDirectory("queries")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/Tests/GoldenTests/cases/data", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/datasets/demo", withIntermediateDirectories: true)
        let data = Robust.packageRoot + "/Tests/GoldenTests/cases/data"
        for name in try fm.contentsOfDirectory(atPath: data) {
            try fm.copyItem(atPath: data + "/" + name, toPath: dir + "/Tests/GoldenTests/cases/data/" + name)
        }
        for (name, lines) in [("customers.csv", 120), ("orders.csv", 600), ("interactions.csv", 200)] {
            let text = try String(contentsOfFile: Robust.packageRoot + "/datasets/demo/" + name, encoding: .utf8)
            let head = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).joined(separator: "\n") + "\n"
            try head.write(toFile: dir + "/datasets/demo/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    var folder = ""
    var runs = 0

    override func setUpWithError() throws { folder = try Self.makeDataFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs one text and checks the outcome.
    func check(_ text: String, in session: Session, what: @autoclosure () -> String) {
        runs += 1
        let source = SourceFile(name: "<mutant>", text: text)
        var items = 0
        let diagnostics = session.run(source) { _ in items += 1 }
        for d in diagnostics {
            let located = d.with(source: source)
            XCTAssertFalse(located.message.isEmpty, "empty message for \(what())")
            if let span = located.span, let file = located.source {
                XCTAssertTrue(span.start >= 0 && span.start <= span.end && span.end <= file.bytes.count,
                              "span \(span.start)..<\(span.end) outside \(file.bytes.count) bytes for \(what()): \(located.message)")
            }
            _ = located.render(color: false)
            _ = located.render(color: true)
        }
    }

    func testEveryStatementCutAtEveryCharacter() throws {
        var statements = 0
        var failedWhole: [String] = []
        for document in try Self.documents() {
            let session = Robust.session(in: folder)
            for statement in document.statements {
                statements += 1
                let characters = Array(statement.text)
                for k in 0..<characters.count {
                    let prefix = String(characters[..<k])
                    check(prefix, in: session, what: "\(statement.origin): cut at \(k): \(prefix.debugDescription)")
                }
                // The whole statement, so later ones find their tables, views and parameters.
                let whole = Robust.run(statement.text, in: session)
                if !whole.diagnostics.isEmpty { failedWhole.append("\(statement.origin): \(whole.diagnostics[0].message)") }
            }
        }
        XCTAssertGreaterThan(statements, 80)
        // The example scripts run cleanly on the shortened data, so their cuts exercise real tables.
        XCTAssertEqual(failedWhole.filter { $0.contains(".seg:") }, [])
        print("MalformedQueryTests: whole statements that failed (golden error cases): \(failedWhole.count)")
        print("MalformedQueryTests: \(statements) statements, \(runs) cuts run")
    }

    func testTokensSwappedDroppedAndRepeatedAtRandom() throws {
        var generator = SplitMix64(seed: 20261123)
        var statements = 0
        let documents = try Self.documents()
        // A pool of token texts from every statement, for replacements.
        var pool: [String] = []
        for document in documents {
            for statement in document.statements {
                let source = SourceFile(name: "", text: statement.text)
                pool += Lexer.tokenize(source).tokens.filter { $0.kind != .eof && $0.kind != .newline }.map { source.slice($0.span) }
            }
        }
        for document in documents {
            let session = Robust.session(in: folder)
            for statement in document.statements {
                statements += 1
                let source = SourceFile(name: "", text: statement.text)
                let tokens = Lexer.tokenize(source).tokens.filter { $0.kind != .eof }
                guard tokens.count >= 2 else { continue }
                for _ in 0..<40 {
                    var pieces = tokens.map { source.slice($0.span) }
                    let i = Int(generator.next() % UInt64(pieces.count))
                    let j = Int(generator.next() % UInt64(pieces.count))
                    switch generator.next() % 4 {
                    case 0: pieces.swapAt(i, j)
                    case 1: pieces.remove(at: i)
                    case 2: pieces.insert(pieces[i], at: j)
                    default: pieces[i] = pool[Int(generator.next() % UInt64(pool.count))]
                    }
                    let mutant = pieces.joined(separator: " ")
                    check(mutant, in: session, what: "\(statement.origin): \(mutant.debugDescription)")
                }
                _ = Robust.run(statement.text, in: session)
            }
        }
        XCTAssertGreaterThan(statements, 80)
        print("MalformedQueryTests: \(statements) statements, \(runs) mutants run")
    }
}

/// A small seeded generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
