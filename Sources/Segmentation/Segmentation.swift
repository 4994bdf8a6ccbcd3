import Engine

/// The segmentation operators and functions of SPEC section 5, registered into a session
/// like any other operator or function:
///
/// - operators `| rfm ...` (`RFMOperator`), `| classify RULES [as COL]` (`ClassifyOperator`),
///   `| pareto EXPR [classes ...]` (`ParetoOperator`), `| clv ...` and `| clv_fit ...`
///   (`CLVOperator`, `CLVFitOperator`: BG/NBD and Gamma-Gamma, SPEC 12, in `CLV/`);
/// - functions `rfm_segment(r, f, m)` (`RFMSegment`) and `rfm_class8(recency, frequency,
///   monetary)` (`RFMClass8`);
/// - the statements `whatif`, `sweep` and `compare` (`WhatIfCommands`).
public enum Segmentation {
    /// Registers every segmentation operator, function and statement handler in `session`.
    public static func install(into session: Session) {
        session.operators.register(RFMOperator.definition)
        session.operators.register(ClassifyOperator.definition)
        session.operators.register(ParetoOperator.definition)
        session.operators.register(CLVOperator.definition)
        session.operators.register(CLVFitOperator.definition)
        session.functions.register(RFMSegment.function)
        session.functions.register(RFMClass8.function)
        session.sqlFunctions["rfm_segment"] = RFMSegment.sql
        session.sqlFunctions["rfm_class8"] = RFMClass8.sql
        WhatIfCommands.install(into: session)
    }
}
