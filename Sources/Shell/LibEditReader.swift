import CLibEdit
import Diagnostics
import Foundation

/// The terminal line editor: libedit with history (Up/Down, Ctrl-R), `~/.editrc`, vi or emacs
/// bindings, Tab completion through a `Completer`, and Ctrl-C discarding the line.
///
/// Callbacks from C reach this object through libedit's client data (`Unmanaged`), so no
/// Swift globals are involved. Requires `InterruptHandler.install()` for Ctrl-C.
public final class LibEditReader: LineReader {
    private let editor: OpaquePointer
    private let historyHandle: OpaquePointer
    private let historyFile: HistoryFile?
    private var promptStorage: UnsafeMutablePointer<CChar>
    private var completer: Completer?
    public var completionContext: String = ""
    /// Entries added in this session, not yet in the file.
    private var lastEntry: String?

    /// Nil when libedit cannot start (no terminal).
    public init?(historyFile: HistoryFile?, completer: Completer?) {
        _ = segsh_setup_utf8_locale()
        guard let editor = segsh_el_init_std("segsh") else { return nil }
        guard let historyHandle = history_init() else {
            el_end(editor)
            return nil
        }
        self.editor = editor
        self.historyHandle = historyHandle
        self.historyFile = historyFile
        self.completer = completer
        self.promptStorage = strdup("") ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)

        _ = segsh_history_set_size(historyHandle, Int32(historyFile?.limit ?? 2000))
        _ = segsh_history_set_unique(historyHandle, 1)
        historyFile?.load(into: historyHandle)

        _ = segsh_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        _ = segsh_el_set_prompt(editor) { el in
            guard let el, let data = segsh_el_get_clientdata(el) else { return nil }
            return Unmanaged<LibEditReader>.fromOpaque(data).takeUnretainedValue().promptStorage
        }
        _ = segsh_el_set_editor(editor, "emacs")
        _ = segsh_el_set_signal(editor, 1)
        _ = segsh_el_set_history(editor, historyHandle)
        _ = segsh_el_add_function(editor, "segsh-complete", "Complete the word before the cursor") { el, _ in
            guard let el, let data = segsh_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            return Unmanaged<LibEditReader>.fromOpaque(data).takeUnretainedValue().complete(el)
        }
        _ = segsh_el_add_function(editor, "segsh-eof-or-delete",
                                  "End of input on an empty line, else delete the character under the cursor") { el, _ in
            guard let el else { return UInt8(CC_ERROR) }
            return LibEditReader.endOfFileOrDelete(el)
        }
        bindKeys()
        _ = segsh_el_source(editor, nil)
        // `bind -v` (or `bind -e`) in ~/.editrc resets the key maps: bind the shell's keys again.
        bindKeys()
    }

    /// Tab completes; Ctrl-D leaves on an empty line. Called again whenever the key maps are
    /// reset (`~/.editrc` switching to vi mode, `.editor`), since that drops these bindings.
    private func bindKeys() {
        _ = segsh_el_bind(editor, "^I", "segsh-complete")
        _ = segsh_el_bind(editor, "^D", "segsh-eof-or-delete")
    }

    /// libedit's own Ctrl-D (`em-delete-or-list`, `vi-list-or-eof`) echoes `^D` before ending
    /// the input, which leaves `segsh> ^D` on the screen. This one ends it silently on an empty
    /// line, deletes the character under the cursor otherwise.
    private static func endOfFileOrDelete(_ el: OpaquePointer) -> UInt8 {
        var before: Int32 = 0, total: Int32 = 0
        segsh_el_line_lengths(el, &before, &total)
        if total == 0 { return UInt8(CC_EOF) }
        if before >= total { return UInt8(CC_ERROR) }
        el_cursor(el, 1)
        el_deletestr(el, 1)
        return UInt8(CC_REFRESH)
    }

    deinit {
        el_end(editor)
        history_end(historyHandle)
        free(promptStorage)
    }

    public func readLine(prompt: String) -> LineReadResult {
        free(promptStorage)
        promptStorage = strdup(prompt) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        var count: Int32 = 0
        errno = 0
        guard let text = el_gets(editor, &count) else {
            let interrupted = count < 0 && errno == EINTR
            if interrupted || InterruptHandler.takeInterrupt() {
                _ = InterruptHandler.takeInterrupt()
                Output.standard.out("\n")
                return .interrupted
            }
            // Ctrl-D leaves the cursor after the prompt.
            Output.standard.out("\n")
            return .eof
        }
        // A Ctrl-C that arrived while the line was being accepted is discarded with it.
        if InterruptHandler.takeInterrupt() {
            Output.standard.out("\n")
            return .interrupted
        }
        var line = String(cString: text)
        while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
        return .line(line)
    }

    public func addHistory(_ line: String) {
        var entry = line
        while entry.last == " " || entry.last == "\t" { entry.removeLast() }
        guard !entry.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, entry != lastEntry else { return }
        lastEntry = entry
        _ = segsh_history_enter(historyHandle, entry)
        historyFile?.append([entry])
    }

    public var history: [String] { HistoryFile.entries(of: historyHandle) }

    public func setEditor(_ mode: String) -> Bool {
        guard mode == "vi" || mode == "emacs" else { return false }
        guard segsh_el_set_editor(editor, mode) == 0 else { return false }
        bindKeys()
        return true
    }

    // MARK: - Completion

    private func complete(_ el: OpaquePointer) -> UInt8 {
        guard let completer else { return UInt8(CC_ERROR) }
        var length: Int32 = 0
        guard let buffer = segsh_el_line_before_cursor(el, &length) else { return UInt8(CC_ERROR) }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, length)))
        let line = String(decoding: bytes, as: UTF8.self)
        let text = completionContext.isEmpty ? line : completionContext + "\n" + line
        let completion = completer.complete(text)
        if completion.candidates.isEmpty { return UInt8(CC_ERROR) }
        var result = UInt8(CC_REFRESH)
        if !completion.insertion.isEmpty {
            if el_insertstr(el, completion.insertion) != 0 { return UInt8(CC_ERROR) }
        }
        if completion.candidates.count > 1 {
            let width = Int(segsh_terminal_width(1))
            Output.standard.out("\n" + Completer.listing(completion.displayCandidates, width: width > 0 ? width : 80))
            result = UInt8(CC_REDISPLAY)
        }
        return result
    }
}

extension Completer {
    /// Candidates laid out in columns, as shells list completions.
    public static func listing(_ items: [String], width: Int) -> String {
        guard !items.isEmpty else { return "" }
        let cell = (items.map { displayWidth($0) }.max() ?? 0) + 2
        let perRow = max(1, width / max(1, cell))
        let rows = (items.count + perRow - 1) / perRow
        var out = ""
        for r in 0..<rows {
            var line = ""
            for c in 0..<perRow {
                let i = c * rows + r
                guard i < items.count else { continue }
                let item = items[i]
                line += item
                if c + 1 < perRow && (c + 1) * rows + r < items.count {
                    line += String(repeating: " ", count: cell - displayWidth(item))
                }
            }
            out += line + "\n"
        }
        return out
    }
}
