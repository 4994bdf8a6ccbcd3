import Columnar
import Foundation
import Synchronization

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

/// A Ctrl-C that lands while the line editor is waiting for a line but not yet blocked in
/// `read` (libedit sets up the terminal and prints the prompt first) only sets the flag: the
/// wait goes on, the prompt looks as if Ctrl-C was ignored, and the next line typed would be
/// discarded as interrupted. While `LibEditReader` waits, this thread turns such a pending
/// flag into a SIGINT to the waiting thread, whose `read` then ends (EINTR) exactly as for a
/// Ctrl-C at the prompt, within 50 ms. SIGINT is blocked in the thread itself, so the
/// process-wide signals of the terminal never land there.
enum PendingInterruptWatch {
    private static let waiting = Atomic<Bool>(false)
    /// The waiting thread's pthread_t.
    private static let waiter = Atomic<UInt>(0)
    private static let started = Atomic<Bool>(false)

    /// Marks the calling thread as waiting for a line (starts the watch on first use).
    static func beginWaiting() {
        waiter.store(UInt(pthread_self()), ordering: .relaxed)  // pthread_t is an integer on Linux
        waiting.store(true, ordering: .releasing)
        if !started.exchange(true, ordering: .relaxed) {
            let thread = Thread {
                var blocked = sigset_t()
                sigemptyset(&blocked)
                sigaddset(&blocked, SIGINT)
                pthread_sigmask(SIG_BLOCK, &blocked, nil)
                while true {
                    usleep(50_000)
                    if waiting.load(ordering: .acquiring) && Cancellation.isRequested {
                        pthread_kill(pthread_t(waiter.load(ordering: .relaxed)), SIGINT)
                    }
                }
            }
            thread.name = "segsh-interrupt-watch"
            thread.start()
        }
    }

    static func endWaiting() { waiting.store(false, ordering: .releasing) }
}
