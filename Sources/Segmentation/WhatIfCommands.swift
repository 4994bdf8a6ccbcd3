import Engine

/// The statements of SPEC section 6 — `whatif`, `sweep` and `compare` — as session handlers.
public enum WhatIfCommands {
    /// Sets `session.whatIfHandler`, `sweepHandler` and `compareHandler`.
    public static func install(into session: Session) {
        session.whatIfHandler = WhatIfCommand.run
        session.sweepHandler = SweepCommand.run
        session.compareHandler = CompareCommand.run
    }
}
