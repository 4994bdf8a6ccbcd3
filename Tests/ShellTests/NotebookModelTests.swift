import XCTest
@testable import Shell

/// Parsing notebooks, writing them back with new outputs, and the line diff.
final class NotebookModelTests: XCTestCase {
    let sample = """
        # Title

        Prose with ```` ``` ```` inline.

        ```segsh
        orders | take 3
        ```

        ```output
        old output
        ```

        ~~~~ segsh extra info
        param x = 1
        ~~~~
        Prose right after.

        ````markdown
        ```segsh
        not a cell
        ```
        ````

        ```segsh
        orders
        ```
        """

    func testParsesCellsOutputsAndProse() {
        let notebook = Notebook(parsing: sample)
        XCTAssertEqual(notebook.text, sample)
        let cells = notebook.cells
        XCTAssertEqual(cells.count, 3)
        XCTAssertEqual(cells[0].code, "orders | take 3\n")
        XCTAssertEqual(cells[0].codeLine, 6)
        XCTAssertEqual(cells[0].savedOutput, "old output\n")
        XCTAssertEqual(cells[0].gap, "\n")
        XCTAssertEqual(cells[1].code, "param x = 1\n")
        XCTAssertEqual(cells[1].codeLine, 14)
        XCTAssertNil(cells[1].output)
        XCTAssertEqual(cells[2].code, "orders\n")
        XCTAssertEqual(cells[2].codeLine, 25)
        XCTAssertFalse(notebook.parts.contains { if case .prose(let p) = $0 { return p.contains("segsh\norders") } else { return false } })
    }

    func testWritingKeepsProseAndCellsAndReplacesOutputs() {
        let notebook = Notebook(parsing: sample)
        XCTAssertEqual(NotebookWriter.text(of: notebook, outputs: ["old output\n", "", ""]), sample)
        let updated = NotebookWriter.text(of: notebook, outputs: ["new\n", "", "rows\n"])
        XCTAssertEqual(updated, sample
            .replacingOccurrences(of: "old output", with: "new")
            .replacingOccurrences(of: "```segsh\norders\n```", with: "```segsh\norders\n```\n\n```output\nrows\n```\n"))
        // Writing is idempotent: parsing the result gives the outputs back.
        let again = Notebook(parsing: updated)
        XCTAssertEqual(again.cells.map(\.savedOutput), ["new\n", "", "rows\n"])
        XCTAssertEqual(NotebookWriter.text(of: again, outputs: ["new\n", "", "rows\n"]), updated)
    }

    func testEmptyOutputRemovesTheBlock() {
        let notebook = Notebook(parsing: "```segsh\nx\n```\n\n```output\ny\n```\nend\n")
        XCTAssertEqual(NotebookWriter.text(of: notebook, outputs: [""]), "```segsh\nx\n```\nend\n")
    }

    func testOutputContainingAFenceGetsALongerFence() {
        let notebook = Notebook(parsing: "```segsh\nx\n```\n")
        let text = NotebookWriter.text(of: notebook, outputs: ["```\nraw\n"])
        XCTAssertEqual(text, "```segsh\nx\n```\n\n````output\n```\nraw\n````\n")
        XCTAssertEqual(Notebook(parsing: text).cells[0].savedOutput, "```\nraw\n")
    }

    func testCRLFNotebookKeepsItsLineEnds() {
        let text = "a\r\n```segsh\r\nx\r\n```\r\n\r\n```output\r\nout\r\n```\r\nb\r\n"
        let notebook = Notebook(parsing: text)
        XCTAssertEqual(notebook.cells.first?.code, "x\r\n")
        XCTAssertEqual(notebook.cells.first?.savedOutput, "out\n")
        XCTAssertEqual(NotebookWriter.text(of: notebook, outputs: ["out\n"]), text)
    }

    func testUnclosedCellIsClosedWhenItGetsOutput() {
        let notebook = Notebook(parsing: "```segsh\nx")
        XCTAssertEqual(notebook.cells.first?.code, "x")
        XCTAssertEqual(NotebookWriter.text(of: notebook, outputs: ["1\n"]), "```segsh\nx\n```\n\n```output\n1\n```\n")
    }

    func testNewNotebookFromStatements() {
        var lines: [Int] = []
        let text = NotebookWriter.notebook(heading: "# S\n", statements: ["a", "b\n| c"]) { i, line in
            lines.append(line)
            return i == 0 ? "one\n" : ""
        }
        XCTAssertEqual(text, "# S\n\n```segsh\na\n```\n\n```output\none\n```\n\n```segsh\nb\n| c\n```\n")
        XCTAssertEqual(lines, [4, 12])
        XCTAssertEqual(Notebook(parsing: text).cells.map(\.codeLine), [4, 12])
    }

    func testUnifiedDiff() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n"
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\n"
        XCTAssertEqual(LineDiff.unified(old, old, oldName: "x", newName: "y"), "")
        XCTAssertEqual(LineDiff.unified(old, new, oldName: "nb.md (saved)", newName: "nb.md (now)"), """
            --- nb.md (saved)
            +++ nb.md (now)
            @@ -1,9 +1,10 @@
             a
             b
             c
            -d
            +D
             e
             f
             g
             h
             i
            +j

            """)
    }

    func testDiffOfInsertionIntoEmpty() {
        XCTAssertEqual(LineDiff.unified("", "x\n", oldName: "a", newName: "b"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
    }
}
