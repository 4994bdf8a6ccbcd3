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
    /// Asked before each write of the history file; safe mode answers false (no file writes).
    public var mayWriteHistory: () -> Bool = { true }

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
        _ = segsh_el_add_function(editor, "segsh-search-history", "Search the history backwards") { el, _ in
            guard let el, let data = segsh_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            return Unmanaged<LibEditReader>.fromOpaque(data).takeUnretainedValue().searchHistory(el)
        }
        // Wide characters: see the shim (libedit misdraws CJK text when it inserts or deletes
        // characters on the terminal in place).
        segsh_el_redraw_instead_of_insert_delete(editor)
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
        _ = segsh_el_bind(editor, "^R", "segsh-search-history")
        // Ctrl-L clears the screen in vi insert mode too (emacs mode has it already).
        _ = segsh_el_bind(editor, "^L", "ed-clear-screen")
    }

    private func setPrompt(_ text: String) {
        free(promptStorage)
        promptStorage = strdup(text) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    }

    /// The whole line being edited.
    private static func line(of el: OpaquePointer) -> String {
        var before: Int32 = 0, total: Int32 = 0
        segsh_el_line_lengths(el, &before, &total)
        var length: Int32 = 0
        guard let buffer = segsh_el_line_before_cursor(el, &length) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(max(0, total))), as: UTF8.self)
    }

    /// Replaces the line being edited with `text`, the cursor at its end.
    private static func replaceLine(of el: OpaquePointer, with text: String) {
        let current = line(of: el)
        let characters = Int32(clamping: current.unicodeScalars.count)
        el_cursor(el, characters)
        if characters > 0 { el_deletestr(el, characters) }
        if !text.isEmpty { _ = el_insertstr(el, text) }
    }

    /// Ctrl-R (see `HistorySearch`): type to search, Ctrl-R for older matches, Backspace,
    /// Enter runs the match, Ctrl-G gives the line back, any other key keeps the match and
    /// is then handled as usual (an arrow key to edit it, for example).
    private func searchHistory(_ el: OpaquePointer) -> UInt8 {
        let savedPrompt = String(cString: promptStorage)
        let original = LibEditReader.line(of: el)
        var before: Int32 = 0, total: Int32 = 0
        segsh_el_line_lengths(el, &before, &total)
        var length: Int32 = 0
        let beforeCursor = segsh_el_line_before_cursor(el, &length).map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(max(0, length))), as: UTF8.self)
        } ?? ""
        // What is on the screen up to the cursor, to go back to its start when redrawing.
        var drawn = savedPrompt + beforeCursor
        var search = HistorySearch(entries: history)

        func draw(prompt: String, line: String) {
            // libedit redraws from where it believes the cursor is once its display is reset
            // (EL_REFRESH): put the cursor at the start of the prompt and clear below first.
            let columns = max(1, Int(segsh_terminal_width(1)))
            let rowsUp = displayWidth(drawn) / columns
            Output.standard.out("\r" + (rowsUp > 0 ? "\u{1B}[\(rowsUp)A" : "") + "\u{1B}[J")
            setPrompt(prompt)
            LibEditReader.replaceLine(of: el, with: line)
            _ = segsh_el_refresh(el)
            drawn = prompt + line
        }

        while true {
            draw(prompt: search.prompt, line: search.match ?? original)
            var key: wchar_t = 0
            if el_wgetc(el, &key) <= 0 {
                // Ctrl-C (the handler set the flag) or the end of input: give up the line.
                draw(prompt: savedPrompt, line: original)
                return UInt8(CC_EOF)
            }
            switch key {
            case 0x12:  // Ctrl-R
                search.older()
            case 0x7F, 0x08:  // Backspace
                search.deleteLast()
            case 0x07:  // Ctrl-G
                draw(prompt: savedPrompt, line: original)
                return UInt8(CC_REFRESH)
            default:
                // Enter and other keys end the search; libedit then handles the key as usual
                // (Enter runs the match, an arrow key starts editing it).
                if key < 0x20 || key == 0x7F || key == 0x1B {
                    draw(prompt: savedPrompt, line: search.match ?? original)
                    var pushed: [wchar_t] = [key, 0]
                    el_wpush(el, &pushed)
                    return UInt8(CC_REFRESH)
                }
                if let scalar = Unicode.Scalar(UInt32(bitPattern: key)) { search.append(Character(scalar)) }
            }
        }
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
        PendingInterruptWatch.beginWaiting()
        let read = el_gets(editor, &count)
        PendingInterruptWatch.endWaiting()
        guard let text = read else {
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
        if mayWriteHistory() { historyFile?.append([entry]) }
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
