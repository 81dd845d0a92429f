/// One tensor of the graph: an activation, a weight or a bias.
///
/// A tensor with `data` is a constant that lives in flash on a
/// microcontroller; one without is an activation that needs SRAM while live.
public struct Tensor: Sendable {
    /// Index in the subgraph's tensor list; operators refer to tensors by it.
    public var index: Int
    public var name: String
    /// NHWC for feature maps, `[out, h, w, in]` for conv filters,
    /// `[1, h, w, channels]` for depthwise filters, `[out, in]` for FC weights.
    public var shape: [Int]
    public var type: ElementType
    /// Constant bytes (little-endian), or `nil` for an activation.
    public var data: [UInt8]?
    public var quantization: Quantization?
    /// Variable tensors (RNN state) are written by ops; none of our kernels
    /// use them, but they are never constants.
    public var isVariable: Bool

    public init(
        index: Int, name: String, shape: [Int], type: ElementType,
        data: [UInt8]? = nil, quantization: Quantization? = nil, isVariable: Bool = false
    ) {
        self.index = index
        self.name = name
        self.shape = shape
        self.type = type
        self.data = data
        self.quantization = quantization
        self.isVariable = isVariable
    }

    public var isConstant: Bool { data != nil && !isVariable }

    /// Number of elements: the product of the shape (1 for a scalar).
    public var elementCount: Int {
        shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
    }

    /// Bytes the tensor needs in memory: elements × element size.
    public var byteCount: Int {
        let (bytes, overflow) = elementCount.multipliedReportingOverflow(by: type.byteSize ?? 0)
        return overflow ? Int.max : bytes
    }
}
