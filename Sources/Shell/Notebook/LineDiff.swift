/// A line diff (longest common subsequence) printed in unified format, for `--check`.
public enum LineDiff {
    /// One line of an edit script.
    enum Edit: Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// A unified diff of `old` and `new` with `context` lines around each change, under
    /// `--- oldName` / `+++ newName` headers; "" when the texts have the same lines.
    public static func unified(_ old: String, _ new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let edits = script(a, b)
        guard edits.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        // Positions of each edit in a and b.
        var positions: [(a: Int, b: Int)] = []
        var ia = 0, ib = 0
        for edit in edits {
            positions.append((ia, ib))
            switch edit {
            case .same: ia += 1; ib += 1
            case .removed: ia += 1
            case .added: ib += 1
            }
        }
        let changed = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
        var k = 0
        while k < changed.count {
            let start = max(0, changed[k] - context)
            var end = min(edits.count, changed[k] + context + 1)
            var j = k + 1
            while j < changed.count && changed[j] - context <= end {
                end = min(edits.count, changed[j] + context + 1)
                j += 1
            }
            var oldCount = 0, newCount = 0, body = ""
            for edit in edits[start..<end] {
                switch edit {
                case .same(let l): oldCount += 1; newCount += 1; body += " " + l + "\n"
                case .removed(let l): oldCount += 1; body += "-" + l + "\n"
                case .added(let l): newCount += 1; body += "+" + l + "\n"
                }
            }
            let oldStart = oldCount == 0 ? positions[start].a : positions[start].a + 1
            let newStart = newCount == 0 ? positions[start].b : positions[start].b + 1
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n" + body
            k = j
        }
        return out
    }

    static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }

    static func lines(_ text: String) -> [String] {
        NotebookParser.splitLines(text).map { String(NotebookParser.content($0)) }
    }

    /// The edit script turning `a` into `b`: common prefix and suffix first, an LCS table
    /// for the middle.
    static func script(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix
                && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        let n = x.count, m = y.count
        // lcs[i * (m + 1) + j] = LCS length of x[i...] and y[j...]
        var lcs = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    lcs[i * (m + 1) + j] = x[i] == y[j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1
                        : max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1])
                }
            }
        }
        var edits = a[0..<prefix].map(Edit.same)
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && x[i] == y[j] {
                edits.append(.same(x[i])); i += 1; j += 1
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                edits.append(.removed(x[i])); i += 1
            } else {
                edits.append(.added(y[j])); j += 1
            }
        }
        edits += a[(a.count - suffix)...].map(Edit.same)
        return edits
    }
}
