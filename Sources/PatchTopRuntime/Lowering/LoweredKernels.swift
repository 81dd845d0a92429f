import PatchTopModel

// The parameters of each kernel kind, in plain form: what an emitter
// prints. Every value is read from the kernel the runtime prepared.

/// An int8 CONV_2D or DEPTHWISE_CONV_2D with per-channel requantization
/// (TFLite Micro's `ConvPerChannel` / `DepthwiseConvPerChannel`).
public struct LoweredConv: Sendable, Equatable {
    public var batches: Int
    public var inputChannels: Int
    public var outputChannels: Int
    /// 1 for CONV_2D; output channel `c·m + k` of a depthwise conv reads input channel `c`.
    public var depthMultiplier: Int
    /// Window geometry against the full input (padding included).
    public var height: WindowGeometry
    public var width: WindowGeometry
    /// `−input_zero_point`, added to each input byte.
    public var inputOffset: Int32
    /// `output_zero_point`.
    public var outputOffset: Int32
    /// Per output channel: Q31 multiplier and power-of-two shift (positive = left).
    public var multipliers: [Int32]
    public var shifts: [Int32]
    public var activationMin: Int32
    public var activationMax: Int32
    /// CONV_2D: `[out][kh][kw][in]`; depthwise: `[kh][kw][in·m]`.
    public var filter: [Int8]
    public var bias: [Int32]?
}

/// An int8 FULLY_CONNECTED (TFLite Micro's reference: double rounding).
public struct LoweredFullyConnected: Sendable, Equatable {
    public var batches: Int
    public var inputDepth: Int
    public var outputDepth: Int
    public var inputOffset: Int32
    /// `−filter_zero_point` (0 for symmetric weights).
    public var filterOffset: Int32
    public var outputOffset: Int32
    /// One multiplier and shift for every row, or one per output row.
    public var multipliers: [Int32]
    public var shifts: [Int32]
    public var activationMin: Int32
    public var activationMax: Int32
    /// `[out][in]`.
    public var filter: [Int8]
    public var bias: [Int32]?
}

/// int8 AVERAGE_POOL_2D / MAX_POOL_2D: padding excluded from the window.
public struct LoweredPool: Sendable, Equatable {
    public var average: Bool
    public var batches: Int
    public var channels: Int
    public var height: WindowGeometry
    public var width: WindowGeometry
    public var activationMin: Int32
    public var activationMax: Int32
}

/// The loops of a reduction over a tensor of rank ≤ 4: kept dimensions walk
/// the outputs in order, reduced ones the inputs of one output in row-major
/// order (sizes and element strides, outer first, padded to four).
public struct LoweredReduction: Sendable, Equatable {
    public var kept: [Int]
    public var keptStrides: [Int]
    public var reduced: [Int]
    public var reducedStrides: [Int]
    /// Inputs per output.
    public var count: Int
    public var outputs: Int
}

/// int8 MEAN with TFLite Micro's `QuantizedMeanOrSum` arithmetic.
public struct LoweredMean: Sendable, Equatable {
    public var loops: LoweredReduction
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// `s_in/s_out` with `1/count` folded in.
    public var meanMultiplier: Int32
    public var meanShift: Int32
    /// `s_in/s_out` alone, for sums that do not fit 32 bits.
    public var multiplier: Int32
    public var shift: Int32
}

/// int8 SOFTMAX over the last axis (gemmlowp fixed point).
public struct LoweredSoftmax: Sendable, Equatable {
    public var rows: Int
    public var depth: Int
    public var inputMultiplier: Int32
    public var inputLeftShift: Int32
    public var diffMin: Int32
}

/// int8 LOG_SOFTMAX over the last axis.
public struct LoweredLogSoftmax: Sendable, Equatable {
    public var rows: Int
    public var depth: Int
    public var inputMultiplier: Int32
    public var inputLeftShift: Int32
    public var reverseScalingDivisor: Int32
    public var reverseScalingShift: Int32
    public var diffMin: Int32
}

/// TRANSPOSE: output shape and the input stride of each output dimension
/// (elements, padded to four).
public struct LoweredTranspose: Sendable, Equatable {
    public var outputShape: [Int]
    public var inputStrides: [Int]
    public var elementBytes: Int
}

/// STRIDED_SLICE: per dimension (padded to four) the first index, the step,
/// the count and the input stride.
public struct LoweredStridedSlice: Sendable, Equatable {
    public var start: [Int]
    public var step: [Int]
    public var count: [Int]
    public var inputStrides: [Int]
    public var elementBytes: Int
}

/// RESIZE_NEAREST_NEIGHBOR: the source row and column of every output one.
public struct LoweredResizeNearest: Sendable, Equatable {
    public var batches: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var channels: Int
    public var sourceRows: [Int]
    public var sourceCols: [Int]
}

extension LoweredConv {
    init(_ p: Conv2DParams, filter: [Int8], bias: [Int32]?) {
        self.init(batches: p.batches, inputChannels: p.inputChannels, outputChannels: p.outputChannels, depthMultiplier: 1,
                  height: p.height, width: p.width, inputOffset: p.inputOffset, outputOffset: p.outputOffset,
                  multipliers: p.multipliers, shifts: p.shifts, activationMin: p.activationMin, activationMax: p.activationMax,
                  filter: filter, bias: bias)
    }

    init(_ p: DepthwiseConv2DParams, filter: [Int8], bias: [Int32]?) {
        self.init(batches: p.batches, inputChannels: p.inputChannels, outputChannels: p.outputChannels,
                  depthMultiplier: p.depthMultiplier, height: p.height, width: p.width, inputOffset: p.inputOffset,
                  outputOffset: p.outputOffset, multipliers: p.multipliers, shifts: p.shifts,
                  activationMin: p.activationMin, activationMax: p.activationMax, filter: filter, bias: bias)
    }
}

extension LoweredFullyConnected {
    init(_ p: FullyConnectedParams, filter: [Int8], bias: [Int32]?) {
        self.init(batches: p.batches, inputDepth: p.inputDepth, outputDepth: p.outputDepth, inputOffset: p.inputOffset,
                  filterOffset: p.filterOffset, outputOffset: p.outputOffset, multipliers: p.multipliers, shifts: p.shifts,
                  activationMin: p.activationMin, activationMax: p.activationMax, filter: filter, bias: bias)
    }
}

extension LoweredReduction {
    init(_ l: ReductionLoops) {
        self.init(kept: l.kept, keptStrides: l.keptStrides, reduced: l.reduced, reducedStrides: l.reducedStrides,
                  count: l.count, outputs: l.outputs)
    }
}

/// The fused clamp of a float32 op: `a = x < lower ? lower : x`, then
/// `upper < a ? upper : a` (TFLite's `ActivationFunctionWithMinMax`).
public struct LoweredFloatClamp: Sendable, Equatable {
    public var lower: Float
    public var upper: Float
}

/// float32 CONV_2D / DEPTHWISE_CONV_2D (TFLite Micro's reference): each
/// output starts at 0, adds `input × weight` over filter rows, then
/// columns, then input channels (taps outside the image skipped), then the
/// bias, then clamps.
public struct LoweredFloatConv: Sendable, Equatable {
    public var isDepthwise: Bool
    public var batches: Int
    public var inputChannels: Int
    public var outputChannels: Int
    /// 1 for CONV_2D; output channel `c·m + k` of a depthwise conv reads input channel `c`.
    public var depthMultiplier: Int
    public var height: WindowGeometry
    public var width: WindowGeometry
    public var clamp: LoweredFloatClamp
    /// CONV_2D: `[kh][kw][in][out]`; depthwise: `[kh][kw][out]`.
    public var weights: [Float]
    /// One per output channel (0 without a bias tensor).
    public var bias: [Float]
}

/// float32 AVERAGE_POOL_2D / MAX_POOL_2D: the in-image taps only; the
/// average sums them in order and divides by their count in float.
public struct LoweredFloatPool: Sendable, Equatable {
    public var average: Bool
    public var batches: Int
    public var channels: Int
    public var height: WindowGeometry
    public var width: WindowGeometry
    public var clamp: LoweredFloatClamp
}

/// float32 FULLY_CONNECTED: each output starts at 0, adds `x[d] × w[d][o]`
/// over d in order, then the bias, then clamps.
public struct LoweredFloatFullyConnected: Sendable, Equatable {
    public var batches: Int
    public var inputDepth: Int
    public var outputDepth: Int
    public var clamp: LoweredFloatClamp
    /// `[in][out]`.
    public var weights: [Float]
    public var bias: [Float]
}

/// A float32 activation, element by element.
public enum LoweredFloatUnary: Sendable, Equatable {
    case relu, relu6, reluN1To1
    case leakyRelu(alpha: Float)
    case hardSwish
    /// With `expf`.
    case logistic
    /// `tanhf` from the C library.
    case tanh

    /// Whether it needs the C library's maths, whose last bit may differ
    /// between the host's and the device's C library (`tanhf`; the export
    /// brings its own `expf` and `logf`, glibc's).
    public var callsLibm: Bool { self == .tanh }
}

/// float32 ADD, SUB, MUL (clamped), MAXIMUM, MINIMUM.
public enum LoweredFloatBinary: Int, Sendable, Equatable {
    case add, sub, mul, maximum, minimum
}

extension LoweredFloatClamp {
    init(_ c: FloatClamp) { self.init(lower: c.lower, upper: c.upper) }
}

extension LoweredFloatConv {
    init(_ k: FloatConv2DKernel) {
        self.init(isDepthwise: k.isDepthwise, batches: k.batches, inputChannels: k.inputChannels, outputChannels: k.outputChannels,
                  depthMultiplier: k.depthMultiplier, height: k.height, width: k.width, clamp: LoweredFloatClamp(k.clamp),
                  weights: k.weights, bias: k.bias)
    }
}

extension LoweredFloatUnary {
    init(_ u: FloatUnaryOp) {
        switch u {
        case .relu: self = .relu
        case .relu6: self = .relu6
        case .reluN1To1: self = .reluN1To1
        case .leakyRelu(let alpha): self = .leakyRelu(alpha: alpha)
        case .hardSwish: self = .hardSwish
        case .logistic: self = .logistic
        case .tanh: self = .tanh
        }
    }
}

extension LoweredFloatBinary {
    init(_ b: FloatBinaryOp) {
        switch b {
        case .add: self = .add
        case .sub: self = .sub
        case .mul: self = .mul
        case .maximum: self = .maximum
        case .minimum: self = .minimum
        }
    }
}
