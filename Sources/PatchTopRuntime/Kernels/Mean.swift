/// int8 MEAN over height and width of an NHWC tensor (global average
/// pooling), with TFLite's three reference code paths, because they round
/// differently and a bit-exact runtime must pick the same one:
///
/// - `keep_dims` and axes {1, 2}: `reference_integer_ops::Mean`, sum of
///   `q − zp_in`, times the `s_in/s_out` multiplier, divided by the count
///   with rounding half away from zero;
/// - otherwise, equal input/output quantization: integer sum of raw values
///   divided (truncating) by the count;
/// - otherwise (`QuantizedMeanOrSum`): the `s_in/s_out` multiplier is
///   folded with `1/count` (shifted up by ⌊log2 count⌋ first to keep
///   precision), then applied to `sum − zp_in·count`.
public struct MeanParams: Sendable {
    public enum Path: Sendable { case integerKeepDims, sameQuantization, rescale }
    public var path: Path
    public var batches: Int
    public var height: Int
    public var width: Int
    public var channels: Int
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var multiplier: Int32
    public var shift: Int32
    /// The multiplier with `1/count` folded in, for the `.rescale` path.
    public var meanMultiplier: Int32
    public var meanShift: Int32

    public init(batches: Int, height: Int, width: Int, channels: Int, keepDims: Bool,
                inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        self.batches = batches
        self.height = height
        self.width = width
        self.channels = channels
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        (multiplier, shift) = FixedPoint.quantizeMultiplier(Double(inputScale) / Double(outputScale))
        let count = Int64(height * width)
        var shiftUp = count > 0 ? 63 - count.leadingZeroBitCount : 0
        shiftUp = min(shiftUp, 32, 31 + Int(shift))
        meanMultiplier = count > 0 ? Int32(truncatingIfNeeded: (Int64(multiplier) << Int64(shiftUp)) / count) : multiplier
        meanShift = shift - Int32(shiftUp)
        if keepDims {
            path = .integerKeepDims
        } else if inputScale == outputScale && inputZeroPoint == outputZeroPoint {
            path = .sameQuantization
        } else {
            path = .rescale
        }
    }
}

public func meanHWInt8(_ p: MeanParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let n = Int32(p.height * p.width)
    for b in 0..<p.batches {
        for c in 0..<p.channels {
            var acc: Int32 = 0
            for i in 0..<(p.height * p.width) {
                let v = Int32(input[(b * p.height * p.width + i) * p.channels + c])
                acc += p.path == .integerKeepDims ? v - p.inputZeroPoint : v
            }
            let result: Int32
            switch p.path {
            case .integerKeepDims:
                var x = FixedPoint.multiplyByQuantizedMultiplier(acc, p.multiplier, p.shift)
                x = x > 0 ? (x + n / 2) / n : (x - n / 2) / n
                result = x + p.outputZeroPoint
            case .sameQuantization:
                result = acc / n
            case .rescale:
                let shifted = acc &- p.inputZeroPoint &* n
                result = FixedPoint.multiplyByQuantizedMultiplier(shifted, p.meanMultiplier, p.meanShift) + p.outputZeroPoint
            }
            output[b * p.channels + c] = Int8(min(max(result, -128), 127))
        }
    }
}
