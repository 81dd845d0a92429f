/// Why PatchTop cannot say what TinyEngine would reserve for a model or a
/// plan: the model has an op TinyEngine's code generator refuses, or the
/// plan is one its scheduler would fail on. Never a wrong number instead.
public struct TinyEngineUnavailable: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
