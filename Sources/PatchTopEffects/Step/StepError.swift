/// Why step mode cannot open or go on, beyond what the runtime and the
/// planner say themselves (their errors pass through unchanged).
public struct StepError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
