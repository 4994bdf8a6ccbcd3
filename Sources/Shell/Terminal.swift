import CLibEdit
import Foundation

/// Facts about the process's terminal.
public enum Terminal {
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// Columns of the terminal on `fd` (TIOCGWINSZ, else `$COLUMNS`); nil when `fd` is not a terminal.
    public static func width(of fd: Int32, environment: [String: String]) -> Int? {
        guard isTerminal(fd) else { return nil }
        let columns = Int(segsh_terminal_width(fd))
        if columns > 0 { return columns }
        if let text = environment["COLUMNS"], let value = Int(text), value > 0 { return value }
        return 80
    }
}
