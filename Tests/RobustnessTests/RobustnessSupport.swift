import Columnar
import Diagnostics
import Engine
import Foundation
import Segmentation
import Shell
import IO
import XCTest

/// Paths and an in-process runner shared by the robustness tests.
enum Robust {
    /// The package root, derived from this file's path (Tests/RobustnessTests/RobustnessSupport.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    /// The bad-file corpus.
    static let corpus = packageRoot + "/Tests/RobustnessTests/corpus"

    /// What running some statements produced.
    struct Run {
        var diagnostics: [Diagnostic] = []
        var notes: [String] = []
        var texts: [String] = []
        var tables: [Table] = []
        /// The first diagnostic rendered without colour, or "" when all went well.
        var error: String { diagnostics.first.map { $0.render(color: false) } ?? "" }
        var lastTable: Table? { tables.last }
    }

    /// Runs `text` in `session` as a script named `name`.
    static func run(_ text: String, in session: Session, name: String = "<test>") -> Run {
        var run = Run()
        let source = SourceFile(name: name, text: text)
        run.diagnostics = session.run(source) { item in
            switch item {
            case .table(let t, _, _): run.tables.append(t)
            case .note(let n), .done(let n, _): run.notes.append(n)
            case .text(let s): run.texts.append(s)
            case .chart(let c): run.texts.append(TextChart.render(c, width: TextChart.defaultWidth))
            case .report(let r, _):
                for part in ReportLayout.parts(r) {
                    switch part {
                    case .table(let t, _): run.tables.append(t)
                    case .matrix(let m): run.tables.append(m.table)
                    case .line(let s): run.texts.append(s)
                    case .note(let s): run.notes.append(s)
                    case .chart(let c): run.texts.append(TextChart.render(c, width: TextChart.defaultWidth))
                    case .paretoCurve: break
                    }
                }
            }
        }.map { $0.with(source: source) }
        return run
    }

    /// A fresh session as segsh makes it, based in `directory`.
    static func session(in directory: String = corpus, safe: Bool = false) -> Session {
        let s = SegshCLI.makeSession(safe: safe)
        WhatIfCommands.install(into: s)  // (also done by makeSession once Segmentation.install includes it)
        s.baseDirectory = directory
        return s
    }

    /// A temporary folder, removed by the caller.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "segsh-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func rows(_ t: Table) -> [[Scalar]] { (0..<t.rowCount).map { t.row($0) } }
}
