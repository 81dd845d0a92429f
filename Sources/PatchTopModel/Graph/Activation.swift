/// A fused activation, as TFLite's `ActivationFunctionType` names it.
///
/// For int8 ops it becomes a clamp of the output range (RELU: [zp, 127];
/// RELU6: [zp, zp + 6/scale]); TANH and SIGN_BIT are never fused into the
/// ops PatchTop executes, and the runtime refuses them.
public enum Activation: Equatable, Hashable, Sendable {
    case none, relu, reluN1To1, relu6, tanh, signBit

    public init?(tfliteCode code: Int8) {
        switch code {
        case 0: self = .none
        case 1: self = .relu
        case 2: self = .reluN1To1
        case 3: self = .relu6
        case 4: self = .tanh
        case 5: self = .signBit
        default: return nil
        }
    }
}

/// SAME or VALID padding, as TFLite's `Padding` enum names them.
public enum Padding: Equatable, Hashable, Sendable {
    case same, valid
}
