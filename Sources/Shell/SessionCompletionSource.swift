import Engine
import Foundation
import IO

/// Completion names from a live session and the file system.
public struct SessionCompletionSource: CompletionSource {
    public let session: Session
    public let dotCommandNames: [String]

    public init(session: Session, commands: [DotCommand]) {
        self.session = session
        self.dotCommandNames = commands.map(\.name)
    }

    public var tableNames: [String] { session.tableNames }
    public func columnNames(of table: String) -> [String]? { session.columnNames(of: table) }
    public func columnsInScope(of statement: String) -> [String]? { session.columnsInScope(ofPipelineText: statement) }
    public var functionNames: [String] { session.functionNames }
    public var parameterNames: [String] { session.parameterNames }
    public var ruleSetNames: [String] { session.ruleSetNames }
    public var remoteTableNames: [String] { session.remoteTableNames() }

    public func directoryEntries(in directory: String) -> [DirectoryEntry] {
        var path = directory.isEmpty ? "." : directory
        if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
            path = home + path.dropFirst()
        }
        // Safe mode lists only folders inside the current directory (by the one path rule).
        if session.isSafe && !RealPath.isInside(path, folder: FileManager.default.currentDirectoryPath) { return [] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.sorted().map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory)
            return DirectoryEntry(name: name, isDirectory: isDirectory.boolValue)
        }
    }
}
