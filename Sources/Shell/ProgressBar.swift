import Diagnostics
import Engine
import Foundation
import Language

/// The progress bar of long loads (SPEC section 3): drawn on stderr, only when stderr is a
/// terminal, only once a statement has run for a second, and erased when the load ends, so it
/// never reaches a script's stdout or a redirected stderr.
///
/// `Session.progress` calls `update` from a loader thread; `begin` and `end` run on the
/// shell's thread before and after each statement. The fraction comes from the CSV reader.
public final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void
    private let width: () -> Int
    private let delay: TimeInterval
    private var started: Date?
    private var shown = false
    private var lastCells = -1

    /// `write` receives the escape sequences and text to put on stderr.
    public init(delay: TimeInterval = 1, width: @escaping () -> Int, write: @escaping (String) -> Void) {
        self.delay = delay
        self.width = width
        self.write = write
    }

    /// A bar on the process's stderr when it is a terminal, else nil.
    public static func forStandardError(environment: [String: String]) -> ProgressBar? {
        guard Terminal.isTerminal(2) else { return nil }
        return ProgressBar(width: { Terminal.width(of: 2, environment: environment) ?? 80 },
                           write: { StandardOutput.write($0, to: 2) })
    }

    /// A statement starts: the one-second clock starts.
    public func begin() {
        lock.lock(); defer { lock.unlock() }
        started = Date()
        shown = false
        lastCells = -1
    }

    /// Progress of the load of `label`, `fraction` from 0 to 1.
    public func update(label: String, fraction: Double) {
        lock.lock(); defer { lock.unlock() }
        guard let started else { return }
        if fraction >= 1 {
            eraseLocked()
            return
        }
        guard Date().timeIntervalSince(started) >= delay else { return }
        let text = ProgressBar.line(label: label, fraction: fraction, width: width())
        let cells = Int(fraction * 1000)
        guard cells != lastCells else { return }
        lastCells = cells
        shown = true
        write("\r\u{1B}[K" + text)
    }

    /// The statement ended (or failed): the bar, if drawn, is erased.
    public func end() {
        lock.lock(); defer { lock.unlock() }
        eraseLocked()
        started = nil
    }

    private func eraseLocked() {
        if shown { write("\r\u{1B}[K") }
        shown = false
        lastCells = -1
    }

    /// `loading orders  ██████████▌         52%`, at most `width - 1` columns wide.
    static func line(label: String, fraction: Double, width: Int) -> String {
        let clamped = max(0, min(1, fraction))
        let percent = String(Int(clamped * 100)) + "%"
        let head = "loading \(label) "
        let barWidth = max(10, min(40, width - 1 - displayWidth(head) - 1 - 4))
        let eighths = Int(clamped * Double(barWidth * 8))
        let blocks = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var bar = String(repeating: "█", count: eighths / 8)
        if eighths / 8 < barWidth { bar += blocks[eighths % 8] }
        bar += String(repeating: " ", count: max(0, barWidth - displayWidth(bar)))
        return head + bar + " " + String(repeating: " ", count: max(0, 4 - percent.count)) + percent
    }
}

/// Runs a source's statements in a session one at a time, so that the progress bar's clock
/// starts with each statement.
enum StatementRunner {
    /// Parses `source` and runs its statements in order, stopping at the first failure;
    /// `finished` sees each statement that succeeded with the items it produced (the shell
    /// draws its report figure then, with the parameters in force when it ran).
    static func run(_ source: SourceFile, in session: Session, progress: ProgressBar?,
                    emit: (ResultItem) -> Void,
                    finished: (Statement, [ResultItem]) -> Void = { _, _ in }) -> [Diagnostic] {
        let (statements, diagnostics) = Parser.parse(source)
        if !diagnostics.isEmpty { return diagnostics }
        for statement in statements {
            var items: [ResultItem] = []
            progress?.begin()
            let failure = session.execute(statement, in: source) { item in
                items.append(item)
                emit(item)
            }
            progress?.end()
            if let failure { return [failure] }
            finished(statement, items)
        }
        return []
    }
}
