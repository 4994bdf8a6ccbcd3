import IO

/// How the shell prints: set from the command line and changed by dot-commands.
public struct ShellSettings {
    /// `--format` / `.mode`.
    public var format: OutputFormat = .table
    /// `--max-rows` / `.maxrows`; 0 shows every row.
    public var maxRows: Int = 40
    /// `--timer` / `.timer`: elapsed time in result header lines.
    public var timer = false
    /// ANSI colour in tables on stdout (a terminal, without `--no-color`).
    public var color = false
    /// ANSI colour in diagnostics on stderr (a terminal, without `--no-color`).
    public var errorColor = false
    /// The terminal width, asked before each result (it changes when the window is resized);
    /// nil when stdout is not a terminal.
    public var terminalWidth: () -> Int? = { nil }

    public init() {}

    /// Settings for this process: colour and width when stdout/stderr are terminals and
    /// colour is wanted (`--no-color` and `NO_COLOR` turn it off).
    public static func forTerminal(noColor: Bool, environment: [String: String]) -> ShellSettings {
        var settings = ShellSettings()
        let colorWanted = !noColor && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        settings.color = colorWanted && Terminal.isTerminal(1)
        settings.errorColor = colorWanted && Terminal.isTerminal(2)
        settings.terminalWidth = { Terminal.width(of: 1, environment: environment) }
        return settings
    }

    var renderOptions: RenderOptions {
        RenderOptions(maxRows: maxRows, terminalWidth: terminalWidth(), color: color, thousandsSeparators: true)
    }
}
