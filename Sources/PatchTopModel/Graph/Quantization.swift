/// Affine quantization parameters: `real = scale × (q − zeroPoint)`.
///
/// Per-tensor quantization has one scale; per-channel quantization (conv and
/// depthwise weights and their biases) has one scale per slice along
/// `quantizedDimension`. TFLite Micro ignores `quantizedDimension` on 1-D bias
/// tensors (person_detect's biases carry 3), so the reader keeps the value as
/// written and never rejects a model for it.
public struct Quantization: Equatable, Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var quantizedDimension: Int

    public init(scales: [Float], zeroPoints: [Int64], quantizedDimension: Int = 0) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.quantizedDimension = quantizedDimension
    }

    /// The single scale of a per-tensor quantized tensor (the first scale of
    /// a per-channel one).
    public var scale: Float { scales.first ?? 0 }

    /// The single zero point (the first of a per-channel tensor), as `Int32`.
    public var zeroPoint: Int32 { Int32(clamping: zeroPoints.first ?? 0) }

    public var isPerChannel: Bool { scales.count > 1 }
}
