import PatchTopRuntime

/// A step-through session as step mode needs it: execute one step, and
/// describe the arena and the latest output as a `StepSnapshot`.
///
/// The runtime's resumable session sits behind this, so that `update` and
/// the views only ever see snapshots (plain data) and tests can drive the
/// mode with any session.
public protocol StepDriver {
    /// The state now, without executing anything.
    func snapshot() -> StepSnapshot
    /// Executes the next step and returns the state after it.
    mutating func step() throws(RuntimeError) -> StepSnapshot
}
