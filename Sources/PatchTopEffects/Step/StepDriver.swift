import PatchTopRuntime
import PatchTopUI

/// A step-through session as step mode needs it: move through the
/// schedule, and describe the arena and the latest output as a
/// `StepSnapshot`.
///
/// The runtime's resumable session sits behind this, so that `update` and
/// the views only ever see snapshots (plain data) and tests can drive the
/// mode with any session.
public protocol StepDriver {
    /// The state now, without executing anything.
    func snapshot() -> StepSnapshot
    /// Steps done so far.
    var position: Int { get }
    /// The schedule, in execution order.
    var schedule: [StepPoint] { get }
    /// Executes the next step (nothing when finished).
    mutating func step() throws
    /// Goes to `position` (steps done), replaying from the start when it is behind.
    mutating func seek(to position: Int) throws
}

extension StepDriver {
    /// Performs `command` and returns the state after it.
    public mutating func perform(_ command: StepCommand) throws -> StepSnapshot {
        let schedule = self.schedule
        switch command {
        case .next:
            try step()
        case .toEnd:
            while position < schedule.count { try step() }
        case .toEndOfOp:
            // The schedule is patch-major (each patch runs every stage op
            // before the next patch starts), so an op's patches are not
            // next to each other: inside the stage this finishes the
            // current patch's pass through it; after the stage, one op.
            guard position < schedule.count else { break }
            let first = schedule[position]
            guard let patch = first.patch else { try step(); break }
            while position < schedule.count, schedule[position].patch == patch { try step() }
        case .back:
            try seek(to: max(0, position - 1))
        }
        return snapshot()
    }

    /// The position just after `point` in this schedule, when it has that step.
    public func position(after point: StepPoint) -> Int? {
        schedule.firstIndex(of: point).map { $0 + 1 }
    }
}
