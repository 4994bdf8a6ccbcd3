import Columnar
import Foundation

/// Ctrl-C for the interactive shell: a `sigaction` SIGINT handler without `SA_RESTART` that
/// only sets `Cancellation`'s flag. A blocked `el_gets` then returns (EINTR) and the line is
/// discarded; a running statement's kernels see the flag at their next `Cancellation.check()`
/// and fail with "interrupted".
public enum InterruptHandler {
    /// Installs the handler. Scripts keep the default SIGINT (the process ends).
    public static func install() {
        // Initialise the flag's storage outside the handler: lazy initialisation is not
        // async-signal-safe.
        Cancellation.reset()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Cancellation.request() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Whether Ctrl-C was pressed since the last call; clears the flag.
    public static func takeInterrupt() -> Bool {
        guard Cancellation.isRequested else { return false }
        Cancellation.reset()
        return true
    }
}
