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
    mutating func step() throws(RuntimeError)
    /// Goes to `position` (steps done), replaying from the start when it is behind.
    mutating func seek(to position: Int) throws(RuntimeError)
}

extension StepDriver {
    /// Performs `command` and returns the state after it.
    public mutating func perform(_ command: StepCommand) throws(RuntimeError) -> StepSnapshot {
        let schedule = self.schedule
        switch command {
        case .next:
            try step()
        case .toEnd:
            while position < schedule.count { try step() }
        case .toEndOfOp:
            guard position < schedule.count else { break }
            let op = schedule[position].op
            while position < schedule.count, schedule[position].op == op { try step() }
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
