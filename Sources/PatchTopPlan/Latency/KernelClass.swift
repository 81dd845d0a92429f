import PatchTopModel

/// The path an op takes through the exported C kernels, as far as its cost
/// goes: each has its own calibrated coefficients, because instructions
/// per MAC differ by several times between them (a 3×3 depthwise conv
/// costs far more per MAC than a 1×1 conv).
///
/// The classes follow the op's shape, not the library's function names,
/// so a kernel rewrite (a DSP path, say) is absorbed by re-measuring the
/// same classes: `Scripts/calibrate_latency.py` refits every coefficient.
public enum KernelClass: String, CaseIterable, Codable, Comparable, Sendable {
    /// CONV_2D 1×1, stride 1, no padding: a matrix product per pixel.
    case conv1x1 = "conv-1x1"
    /// Any other int8 CONV_2D (3×3 and larger, strided, dilated, padded).
    case conv = "conv"
    /// DEPTHWISE_CONV_2D 3×3, stride 1.
    case depthwise3x3s1 = "depthwise-3x3-s1"
    /// DEPTHWISE_CONV_2D 3×3, stride 2.
    case depthwise3x3s2 = "depthwise-3x3-s2"
    /// Any other int8 DEPTHWISE_CONV_2D (5×5, 7×7, depth multipliers).
    case depthwise = "depthwise"
    /// int8 FULLY_CONNECTED.
    case fullyConnected = "fully-connected"
    /// AVERAGE_POOL_2D and MAX_POOL_2D.
    case pool = "pool"
    /// MEAN.
    case mean = "mean"
    /// Two-input elementwise ops: ADD, SUB, MUL, MAXIMUM, MINIMUM.
    case binary = "binary"
    /// One-input elementwise ops: activations through a table, QUANTIZE,
    /// DEQUANTIZE, RELU, HARD_SWISH, …
    case unary = "unary"
    /// SOFTMAX and LOG_SOFTMAX.
    case softmax = "softmax"
    /// Ops that only move bytes: RESHAPE, SQUEEZE, CONCATENATION, PAD,
    /// TRANSPOSE, STRIDED_SLICE, RESIZE_NEAREST_NEIGHBOR, …
    case movement = "movement"
    /// float32 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
    case floatWeighted = "float-weighted"
    /// Every other float32 op.
    case floatOther = "float-other"

    /// The class of `op` in `model` (the plan's rewritten model).
    public init(op: Operator, in model: Model) {
        let float = model.tensors[op.output].type == .float32
            && op.kind != .quantize && op.kind != .dequantize
        if float {
            self = [.conv2D, .depthwiseConv2D, .fullyConnected].contains(op.kind) ? .floatWeighted : .floatOther
            return
        }
        switch op.kind {
        case .conv2D:
            if let (h, w) = model.windowGeometry(of: op), h.filterSize == 1, w.filterSize == 1, h.stride == 1, w.stride == 1,
               h.padBefore + h.padAfter + w.padBefore + w.padAfter == 0 {
                self = .conv1x1
            } else {
                self = .conv
            }
        case .depthwiseConv2D:
            let multiplier: Int
            if let input = op.input(0), let channels = model.tensors[input].shape.last, channels > 0 {
                multiplier = (model.tensors[op.output].shape.last ?? channels) / channels
            } else {
                multiplier = 1
            }
            if let (h, w) = model.windowGeometry(of: op), h.filterSize == 3, w.filterSize == 3, h.dilation == 1, w.dilation == 1,
               h.stride == w.stride, h.stride <= 2, multiplier == 1 {
                self = h.stride == 1 ? .depthwise3x3s1 : .depthwise3x3s2
            } else {
                self = .depthwise
            }
        case .fullyConnected: self = .fullyConnected
        case .averagePool2D, .maxPool2D: self = .pool
        case .mean: self = .mean
        case .add, .sub, .mul, .maximum, .minimum: self = .binary
        case .softmax, .logSoftmax: self = .softmax
        case .hardSwish, .logistic, .relu, .relu6, .leakyRelu, .tanh, .quantize, .dequantize: self = .unary
        case .reshape, .squeeze, .pad, .concatenation, .transpose, .stridedSlice, .resizeNearestNeighbor,
             .shape, .pack, .gather, .other:
            self = .movement
        }
    }

    public static func < (a: KernelClass, b: KernelClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
