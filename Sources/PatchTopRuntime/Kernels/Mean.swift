/// int8 MEAN over height and width of an NHWC tensor (global average
/// pooling), with TFLite's reference code paths, because they round
/// differently and a bit-exact runtime must pick the same one:
///
/// - equal input/output quantization: integer sum of raw values divided
///   (truncating) by the count;
/// - otherwise (`QuantizedMeanOrSum`): the `s_in/s_out` multiplier is
///   folded with `1/count` (shifted up by ⌊log2 count⌋ first to keep
///   precision), then applied to `sum − zp_in·count`.
public struct MeanParams: Sendable {
    public enum Path: Sendable { case sameQuantization, rescale }
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
        // TFLite 2.x once special-cased keep_dims over axes {1, 2} with a
        // different rounding; the reference outputs (TFLite 2.21) show that
        // `keep_dims` no longer changes the arithmetic, so it is ignored.
        _ = keepDims
        if inputScale == outputScale && inputZeroPoint == outputZeroPoint {
            path = .sameQuantization
        } else {
            path = .rescale
        }
    }
}

///
/// TFLite sums in 32 bits, which overflows (undefined behaviour in C++) once
/// a plane holds more than 2^24 values; here the sum is 64-bit, and only a
/// sum that does not fit 32 bits takes the exact route (the rounded mean,
/// then the unfolded multiplier), so every plane TFLite can run gives its bytes.
public func meanHWInt8(_ p: MeanParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let plane = p.height * p.width
    let n = Int64(max(plane, 1))   // an empty plane averages to 0
    for b in 0..<p.batches {
        for c in 0..<p.channels {
            var acc: Int64 = 0
            for i in 0..<plane {
                acc += Int64(input[(b * plane + i) * p.channels + c])
            }
            let result: Int32
            switch p.path {
            case .sameQuantization:
                result = Int32(clamping: acc / n)
            case .rescale:
                let shifted = acc - Int64(p.inputZeroPoint) * n
                if let narrow = Int32(exactly: shifted) {
                    result = FixedPoint.multiplyByQuantizedMultiplier(narrow, p.meanMultiplier, p.meanShift) &+ p.outputZeroPoint
                } else {
                    let mean = Int32(clamping: (shifted + (shifted >= 0 ? n / 2 : -(n / 2))) / n)
                    result = FixedPoint.multiplyByQuantizedMultiplier(mean, p.multiplier, p.shift) &+ p.outputZeroPoint
                }
            }
            output[b * p.channels + c] = Int8(min(max(result, -128), 127))
        }
    }
}
