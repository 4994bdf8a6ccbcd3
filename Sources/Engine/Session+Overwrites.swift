import IO
import Language

/// The files a session reads, which no writer of segsh may replace: an export over the CSV a
/// table was loaded from, the file a view reads with `from`, or the notebook being run would
/// destroy the analysis' own input.
extension Session {
    /// Why `path` must not be written, or nil: which table, view or running file reads it
    /// (compared by `RealPath`, so `./a.csv`, `sub/../a.csv` and a symbolic link to it are
    /// the same file).
    public func readerOfFile(_ path: String) -> String? {
        let target = RealPath.of(resolve(path)) ?? resolve(path)
        func reads(_ file: String) -> Bool { (RealPath.of(resolve(file)) ?? resolve(file)) == target }
        for (name, stored) in tables.sorted(by: { $0.key < $1.key }) {
            if let source = stored.sourcePath, reads(source) { return "table '\(name)' was loaded from it" }
        }
        for (name, view) in views.sorted(by: { $0.key < $1.key }) {
            if let file = Session.filesRead(by: view.pipeline).first(where: reads) {
                return "view '\(name)' reads it (from \"\(file)\")"
            }
        }
        if filesBeingRead.contains(where: reads) { return "segsh is running it" }
        return nil
    }

    /// The paths of `from "FILE"` in a pipeline, its joins and nested pipelines.
    static func filesRead(by pipeline: Pipeline) -> [String] {
        var out: [String] = []
        var pending = [pipeline]
        while let p = pending.popLast() {
            var sources = [p.source]
            for step in p.steps { if case .join(_, let s, _, _) = step.kind { sources.append(s) } }
            for s in sources {
                switch s.kind {
                case .file(let path, _): out.append(path)
                case .nested(let inner): pending.append(inner)
                case .table, .whatIf: break
                }
            }
        }
        return out
    }
}
