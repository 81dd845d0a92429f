import PatchTopModel

/// The clamp of a float op's fused activation, as TFLite's
/// `ActivationFunctionWithMinMax`: `min(max(x, lo), hi)` with `std::max`
/// and `std::min` semantics (a NaN passes through).
struct FloatClamp: Equatable, Sendable {
    var lower: Float
    var upper: Float

    static let none = FloatClamp(lower: -.greatestFiniteMagnitude, upper: .greatestFiniteMagnitude)

    init(lower: Float, upper: Float) {
        self.lower = lower
        self.upper = upper
    }

    /// TFLite's `CalculateActivationRange`; `nil` for activations float
    /// kernels do not fuse.
    init?(_ activation: Activation) {
        switch activation {
        case .none: self = .none
        case .relu: self.init(lower: 0, upper: .greatestFiniteMagnitude)
        case .relu6: self.init(lower: 0, upper: 6)
        case .reluN1To1: self.init(lower: -1, upper: 1)
        default: return nil
        }
    }

    @inline(__always)
    func apply(_ x: Float) -> Float {
        let a = x < lower ? lower : x
        return upper < a ? upper : a
    }
}
