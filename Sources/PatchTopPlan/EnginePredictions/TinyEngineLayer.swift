import PatchTopModel

/// One tensor as TinyEngine's code generator sees it: a name (the TFLite
/// tensor index as a string, which its scheduler renames for in-place ops
/// and for the start of the layer-by-layer part of a patch plan) and three
/// dimensions it resizes for patches. Tensors are matched by name, so two
/// layers' tensors with one name are one buffer.
public struct TinyEngineTensor: Equatable, Sendable {
    public var name: String
    /// TinyEngine keeps `(channels, width, height)` for most ops and
    /// `(height, width, channels)` for its upsample; its resizer overwrites
    /// the second and third entries either way.
    public var dims: [Int]

    public init(name: String, dims: [Int]) {
        self.name = name
        self.dims = dims
    }

    /// Bytes TinyEngine reserves: one per int8 element, rounded up to 4.
    public var bytes: Int {
        TinyEngineTensor.roundUp4(TinyEngineLayer.product(dims))
    }

    /// Rounds up to a multiple of 4, as TinyEngine aligns every tensor
    /// (floor division, so a negative size rounds towards zero as Python's
    /// `ceil(x / 4) * 4` does).
    static func roundUp4(_ value: Int) -> Int {
        value >= 0 ? (value + 3) / 4 * 4 : -(-value / 4 * 4)
    }

    mutating func resize(width: Int, height: Int) {
        guard dims.count == 3 else { return }
        dims[1] = width
        dims[2] = height
    }
}

/// One entry of TinyEngine's layer list, built from one or more TFLite ops.
///
/// TinyEngine does not run TFLite operators one by one: its converter folds
/// a PAD into the conv after it, skips QUANTIZE, DEQUANTIZE and RESHAPE,
/// turns TRANSPOSE + MEAN + MEAN into one average pool, an SE block's
/// ADD + MUL + MUL into one element-wise op, and FULLY_CONNECTED into a 1×1
/// conv. Its `split_index` counts entries of this list.
public struct TinyEngineLayer: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case conv = "CONV_2D"
        case depthwise = "DEPTHWISE_CONV_2D"
        case add = "ADD"
        case averagePool = "AVERAGE_POOL_2D"
        case maxPool = "MAX_POOL_2D"
        case upsample = "UPSAMPLE"
        case seElementMult = "SE_ELEMENT_MULT_2D"
    }

    public var kind: Kind
    /// The TFLite ops this layer stands for, ascending (a folded PAD first).
    public var ops: [Int]
    public var inputs: [TinyEngineTensor]
    public var output: TinyEngineTensor
    /// A FULLY_CONNECTED run as a 1×1 conv (it has no stride).
    public var isFullyConnected = false
    public var kernelHeight = 1
    public var kernelWidth = 1
    public var strideHeight = 1
    public var strideWidth = 1
    /// `floor(kernel height / 2)`: the padding TinyEngine applies itself.
    public var padding = 0
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var outputHeight: Int
    public var outputWidth: Int
    public var outputChannels: Int

    /// A short name for reports: `CONV_2D`, `SE_ELEMENT_MULT_2D`, `FC (1×1 CONV_2D)`.
    public var label: String { isFullyConnected ? "FC (1×1 CONV_2D)" : kind.rawValue }

    /// The im2col buffer (`sbuf`) this layer needs: two 16-bit columns of
    /// the conv window, or for an in-place depthwise conv one padded
    /// channel of 16-bit values.
    public var im2colBytes: Int {
        switch kind {
        case .conv: Self.product([kernelHeight, kernelWidth, inputChannels, 2, 2])
        case .depthwise: Self.product([2, inputHeight + 2 * padding, inputWidth + 2 * padding])
        default: 0
        }
    }

    /// The kernel buffer (`kbuf`): the weights widened to 16 bits, for
    /// convs that are not 1×1.
    public var kernelBufferBytes: Int {
        guard kind == .conv, kernelHeight != 1 else { return 0 }
        return Self.product([kernelHeight, kernelWidth, inputChannels, outputChannels, 2])
    }

    /// A product that saturates instead of trapping on absurd shapes from a file.
    static func product(_ factors: [Int]) -> Int {
        factors.reduce(1) { total, factor in
            let (value, overflow) = total.multipliedReportingOverflow(by: factor)
            return overflow ? Int.max / 8 : value
        }
    }
}
