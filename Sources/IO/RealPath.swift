import Foundation

/// The one path rule of every reader and writer (safe mode's "inside the current directory",
/// "is this the file a table was loaded from"): a path is compared by the file the kernel
/// would open, with symbolic links resolved component by component before any `..` is
/// applied — `t/../etc/passwd` with `t → /tmp` is `/etc/passwd`, not `./etc/passwd`.
public enum RealPath {
    /// The absolute path with every symbolic link resolved (realpath(3)). For a file that
    /// does not exist yet (an export's target) its folder is resolved and the name appended;
    /// nil when not even the folder exists, or the name is `.` or `..`.
    public static func of(_ path: String) -> String? {
        if let full = realpath(path, nil) {
            defer { free(full) }
            return String(cString: full)
        }
        let name = (path as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else { return nil }
        var folder = (path as NSString).deletingLastPathComponent
        if folder.isEmpty { folder = "." }
        guard let parent = realpath(folder, nil) else { return nil }
        defer { free(parent) }
        let resolved = String(cString: parent)
        return resolved == "/" ? "/" + name : resolved + "/" + name
    }

    /// Whether `path` is `folder` or lies inside it, both resolved by `of`; false when
    /// either cannot be resolved.
    public static func isInside(_ path: String, folder: String) -> Bool {
        guard let p = of(path), let f = of(folder) else { return false }
        return p == f || p.hasPrefix(f.hasSuffix("/") ? f : f + "/")
    }

    /// Whether two paths name the same file (resolved by `of`; unresolvable paths compare
    /// by their text).
    public static func same(_ a: String, _ b: String) -> Bool {
        (of(a) ?? a) == (of(b) ?? b)
    }
}
