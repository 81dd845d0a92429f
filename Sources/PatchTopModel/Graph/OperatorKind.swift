/// What an operator does, for the ops PatchTop understands in depth.
///
/// Every other builtin or custom op is `.other`: it is still a node of the
/// graph with its tensors, so memory analysis works on any model, while the
/// runtime refuses to execute it by name.
public enum OperatorKind: Equatable, Hashable, Sendable {
    case conv2D
    case depthwiseConv2D
    case averagePool2D
    case maxPool2D
    case fullyConnected
    case add
    case mul
    case mean
    case reshape
    /// SQUEEZE: drops dimensions of size 1; the bytes do not change.
    case squeeze
    case softmax
    case pad
    case concatenation
    case hardSwish
    case quantize
    case dequantize
    case logistic
    case relu
    case relu6
    /// LEAKY_RELU: `x` for `x ≥ 0`, `alpha·x` below (alpha in its options).
    case leakyRelu
    case tanh
    /// SUB: ADD with the second input negated; broadcasts like ADD.
    case sub
    case maximum
    case minimum
    /// RESIZE_NEAREST_NEIGHBOR: every output pixel copies one input pixel.
    case resizeNearestNeighbor
    /// TRANSPOSE: permutes the dimensions (a constant permutation).
    case transpose
    /// LOG_SOFTMAX over the last dimension.
    case logSoftmax
    /// SHAPE, STRIDED_SLICE, PACK, GATHER: what a converter emits to compute
    /// a RESHAPE's target shape at run time (a Keras export without a fixed
    /// batch size). With static shapes they compute constants.
    case shape
    case stridedSlice
    case pack
    case gather
    /// Any other op: a builtin by its `BuiltinOperator` code, or a custom op
    /// (code 32) by its custom name.
    case other(builtinCode: Int32, customName: String?)

    /// Maps a `BuiltinOperator` code (and, for CUSTOM, its custom code).
    public init(builtinCode: Int32, customName: String? = nil) {
        switch builtinCode {
        case 0: self = .add
        case 1: self = .averagePool2D
        case 2: self = .concatenation
        case 3: self = .conv2D
        case 4: self = .depthwiseConv2D
        case 6: self = .dequantize
        case 9: self = .fullyConnected
        case 14: self = .logistic
        case 17: self = .maxPool2D
        case 18: self = .mul
        case 19: self = .relu
        case 21: self = .relu6
        case 22: self = .reshape
        case 25: self = .softmax
        case 28: self = .tanh
        case 34: self = .pad
        case 40: self = .mean
        case 41: self = .sub
        case 43: self = .squeeze
        case 55: self = .maximum
        case 57: self = .minimum
        case 36: self = .gather
        case 39: self = .transpose
        case 45: self = .stridedSlice
        case 50: self = .logSoftmax
        case 77: self = .shape
        case 83: self = .pack
        case 97: self = .resizeNearestNeighbor
        case 98: self = .leakyRelu
        case 114: self = .quantize
        case 117: self = .hardSwish
        default: self = .other(builtinCode: builtinCode, customName: customName)
        }
    }

    /// The `BuiltinOperator` code of this kind.
    public var builtinCode: Int32 {
        switch self {
        case .add: 0
        case .averagePool2D: 1
        case .concatenation: 2
        case .conv2D: 3
        case .depthwiseConv2D: 4
        case .dequantize: 6
        case .fullyConnected: 9
        case .logistic: 14
        case .maxPool2D: 17
        case .mul: 18
        case .relu: 19
        case .relu6: 21
        case .reshape: 22
        case .softmax: 25
        case .tanh: 28
        case .pad: 34
        case .mean: 40
        case .sub: 41
        case .squeeze: 43
        case .maximum: 55
        case .minimum: 57
        case .gather: 36
        case .transpose: 39
        case .stridedSlice: 45
        case .logSoftmax: 50
        case .shape: 77
        case .pack: 83
        case .resizeNearestNeighbor: 97
        case .leakyRelu: 98
        case .quantize: 114
        case .hardSwish: 117
        case .other(let code, _): code
        }
    }

    /// TFLite's name for the op (`"CONV_2D"`); a custom op shows its custom
    /// code, an unknown builtin its number.
    public var name: String {
        if case .other(let code, let custom) = self {
            if let custom, code == 32 { return custom.isEmpty ? "CUSTOM" : custom }
            if code >= 0, Int(code) < builtinOperatorNames.count { return builtinOperatorNames[Int(code)] }
            return "BUILTIN_\(code)"
        }
        return builtinOperatorNames[Int(builtinCode)]
    }

    /// Conv, depthwise conv and pooling: ops that slide a window over the
    /// height and width of one input.
    public var isSpatialWindow: Bool {
        switch self {
        case .conv2D, .depthwiseConv2D, .averagePool2D, .maxPool2D: true
        default: false
        }
    }

    /// Ops where every output position depends only on the same position of
    /// its inputs (so a patch region passes through unchanged).
    public var isElementwise: Bool {
        switch self {
        case .add, .mul, .sub, .maximum, .minimum, .hardSwish, .quantize, .dequantize, .logistic, .relu, .relu6,
             .leakyRelu, .tanh:
            true
        default: false
        }
    }
}
