/// Ctrl-R: incremental search backwards through the history, as pure logic (the libedit glue
/// is `LibEditReader.searchHistory`).
///
/// segsh has its own because libedit's (`em-inc-search-prev`) looks each typed character up in
/// its 256-entry key map after truncating it to a byte, so most Chinese characters end the
/// search and land in the line instead of the pattern (`融` is U+878D, looked up as 0x8D).
struct HistorySearch {
    /// The history, oldest first.
    let entries: [String]
    private(set) var pattern = ""
    /// The index in `entries` of the match shown, nil before anything matched.
    private(set) var index: Int?
    /// The pattern matches no entry (at or before the current match).
    private(set) var failed = false

    init(entries: [String]) { self.entries = entries }

    /// The entry shown, nil when none matched yet.
    var match: String? { index.map { entries[$0] } }

    /// `(search)'金融': ` or `(failed search)'xyz': `, shown as the prompt while searching.
    var prompt: String { "(\(failed ? "failed " : "")search)'\(pattern)': " }

    /// A character typed: the newest entry (from the current match back) containing the longer pattern.
    mutating func append(_ character: Character) {
        pattern.append(character)
        find(from: index ?? entries.count - 1)
    }

    /// Backspace: the pattern loses its last character and the search starts again from the newest entry.
    mutating func deleteLast() {
        guard !pattern.isEmpty else { return }
        pattern.removeLast()
        index = nil
        failed = false
        if !pattern.isEmpty { find(from: entries.count - 1) }
    }

    /// Ctrl-R again: the next older entry containing the pattern.
    mutating func older() {
        guard !pattern.isEmpty else { return }
        find(from: (index ?? entries.count) - 1)
    }

    private mutating func find(from start: Int) {
        var i = min(start, entries.count - 1)
        while i >= 0 {
            if entries[i].contains(pattern) {
                index = i
                failed = false
                return
            }
            i -= 1
        }
        failed = true
    }
}
