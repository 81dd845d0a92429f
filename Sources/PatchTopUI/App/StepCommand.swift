/// How far a step-mode key moves the session.
public enum StepCommand: Equatable, Sendable {
    /// One scheduled step (an op, or one patch of a stage op).
    case next
    /// To the end of the current unit of work: inside the patch stage the
    /// rest of the current patch's pass through every stage op (the
    /// schedule runs patch by patch); after the stage, the next op.
    case toEndOfOp
    /// Every remaining step of the model.
    case toEnd
    /// Back one step (the session is replayed from the start).
    case back
}
