import CLibEdit
import Foundation

/// The persistent history file: `$SEGSH_HISTORY`, else `~/.segsh_history`, in libedit's
/// format (`_HiStOrY_V2_` header, one encoded entry per line).
///
/// Saving is an append: the file is re-read (another shell may have added lines since), this
/// session's new entries are added, and the result is written to a temporary file that is
/// renamed over the old one, so a crash never leaves half a history.
public struct HistoryFile {
    public var path: String
    /// At most this many entries are kept.
    public var limit: Int

    public init(path: String, limit: Int = 2000) {
        self.path = path
        self.limit = limit
    }

    /// The history file for this environment, nil when neither `SEGSH_HISTORY` nor `HOME` is set.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> HistoryFile? {
        if let explicit = environment["SEGSH_HISTORY"], !explicit.isEmpty { return HistoryFile(path: explicit) }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return HistoryFile(path: home + "/.segsh_history")
    }

    /// Loads the file into `history` (missing file: nothing happens).
    func load(into history: OpaquePointer) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        _ = segsh_history_load(history, path)
    }

    /// Appends `newEntries` to the file as described above. Returns false when it could not be written.
    @discardableResult
    public func append(_ newEntries: [String]) -> Bool {
        guard !newEntries.isEmpty else { return true }
        guard let merged = history_init() else { return false }
        defer { history_end(merged) }
        _ = segsh_history_set_size(merged, Int32(limit))
        _ = segsh_history_set_unique(merged, 1)
        load(into: merged)
        for entry in newEntries { _ = segsh_history_enter(merged, entry) }
        let temporary = path + ".tmp-\(getpid())"
        guard segsh_history_save(merged, temporary) >= 0 else {
            unlink(temporary)
            return false
        }
        if rename(temporary, path) != 0 {
            unlink(temporary)
            return false
        }
        return true
    }

    /// The entries in the file, oldest first.
    public func entries() -> [String] {
        guard let h = history_init() else { return [] }
        defer { history_end(h) }
        _ = segsh_history_set_size(h, Int32(limit))
        load(into: h)
        return HistoryFile.entries(of: h)
    }

    /// The entries of a libedit history, oldest first.
    static func entries(of h: OpaquePointer) -> [String] {
        var out: [String] = []
        var pointer = segsh_history_step_oldest_first(h, 1)
        while let p = pointer {
            var text = String(cString: p)
            if text.hasSuffix("\n") { text.removeLast() }
            out.append(text)
            pointer = segsh_history_step_oldest_first(h, 0)
        }
        return out
    }
}
