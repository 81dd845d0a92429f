/// Why PatchTop gives no TFLite Micro arena for a model, in one sentence a
/// user can act on, e.g. "op 7 (CUMSUM) is an op whose TFLite Micro kernel
/// allocations PatchTop does not model". PatchTop says this rather than
/// print a figure it cannot stand behind.
public struct TFLiteMicroUnavailable: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
