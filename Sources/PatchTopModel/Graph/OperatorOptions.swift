/// Window geometry shared by conv, depthwise conv and pooling.
public struct WindowOptions: Equatable, Hashable, Sendable {
    public var padding: Padding
    public var strideHeight: Int
    public var strideWidth: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    /// Rows and columns of a PAD folded into this op (`--fold-pad`), added
    /// on each side on top of `padding`: the op reads the unpadded tensor.
    public var foldedPadding: FoldedPadding?

    public init(padding: Padding, strideHeight: Int, strideWidth: Int, dilationHeight: Int = 1, dilationWidth: Int = 1) {
        self.padding = padding
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight
        self.dilationWidth = dilationWidth
    }
}

/// Explicit padding on each side of a feature map, e.g. what a PyTorch
/// export's `PAD [[0,0],[1,1],[1,1],[0,0]]` adds before a VALID conv.
public struct FoldedPadding: Equatable, Hashable, Sendable {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }
}

/// The builtin options PatchTop reads, one case per options table.
///
/// Kernel sizes of conv and depthwise conv come from the filter tensor's
/// shape, not from here; pooling carries its filter size.
public enum OperatorOptions: Equatable, Sendable {
    case conv2D(window: WindowOptions, activation: Activation)
    case depthwiseConv2D(window: WindowOptions, depthMultiplier: Int, activation: Activation)
    case pool2D(window: WindowOptions, filterHeight: Int, filterWidth: Int, activation: Activation)
    case fullyConnected(activation: Activation, keepNumDims: Bool)
    case add(activation: Activation)
    case mul(activation: Activation)
    case sub(activation: Activation)
    /// LEAKY_RELU's slope below zero.
    case leakyRelu(alpha: Float)
    /// How RESIZE_NEAREST_NEIGHBOR maps output pixels to input pixels.
    case resizeNearestNeighbor(alignCorners: Bool, halfPixelCenters: Bool)
    case concatenation(axis: Int, activation: Activation)
    case softmax(beta: Float)
    case reducer(keepDims: Bool)
    case reshape(newShape: [Int]?)
    /// STRIDED_SLICE's bit masks (one bit per dimension) and offset flag.
    case stridedSlice(beginMask: Int, endMask: Int, ellipsisMask: Int, newAxisMask: Int, shrinkAxisMask: Int, offset: Bool)
    /// PACK: how many inputs, stacked along which new axis.
    case pack(valuesCount: Int, axis: Int)
    /// GATHER's axis and batch dimensions.
    case gather(axis: Int, batchDims: Int)
    /// Ops without options, or whose options PatchTop does not read.
    case none

    /// The fused activation, `.none` for ops without one.
    public var activation: Activation {
        switch self {
        case .conv2D(_, let a), .depthwiseConv2D(_, _, let a), .pool2D(_, _, _, let a),
             .fullyConnected(let a, _), .add(let a), .mul(let a), .sub(let a), .concatenation(_, let a):
            a
        default:
            .none
        }
    }

    /// Stride, dilation and padding of a windowed op, `nil` for others.
    public var window: WindowOptions? {
        switch self {
        case .conv2D(let w, _), .depthwiseConv2D(let w, _, _), .pool2D(let w, _, _, _): w
        default: nil
        }
    }

    /// The same options with `window` replaced (windowed ops only).
    func replacingWindow(_ window: WindowOptions) -> OperatorOptions {
        switch self {
        case .conv2D(_, let a): .conv2D(window: window, activation: a)
        case .depthwiseConv2D(_, let m, let a): .depthwiseConv2D(window: window, depthMultiplier: m, activation: a)
        case .pool2D(_, let fh, let fw, let a): .pool2D(window: window, filterHeight: fh, filterWidth: fw, activation: a)
        default: self
        }
    }
}
