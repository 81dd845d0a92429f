/// QUANTIZE float32 → int8 as TFLite's `AffineQuantize`: `round(x / scale)`
/// in float, half away from zero, plus the zero point, clamped.
public func quantizeFloatToInt8(_ input: UnsafeBufferPointer<Float>, scale: Float, zeroPoint: Int32,
                                output: UnsafeMutableBufferPointer<Int8>) {
    for i in 0..<input.count {
        let r = (input[i] / scale).rounded(.toNearestOrAwayFromZero)
        let q: Int32 = r.isNaN ? zeroPoint : (r >= 2e9 ? Int32.max - 200 : (r <= -2e9 ? Int32.min + 200 : Int32(r) + zeroPoint))
        output[i] = Int8(min(max(q, -128), 127))
    }
}

/// DEQUANTIZE int8 → float32 as TFLite's reference: `scale · (q − zp)` in
/// double, then narrowed to float.
public func dequantizeInt8ToFloat(_ input: UnsafeBufferPointer<Int8>, scale: Float, zeroPoint: Int32,
                                  output: UnsafeMutableBufferPointer<Float>) {
    let s = Double(scale)
    for i in 0..<input.count {
        output[i] = Float(s * Double(Int32(input[i]) - zeroPoint))
    }
}

/// Requantizes int8 → int8 (QUANTIZE with int8 input), as TFLite's
/// `Requantize`: multiplier `input_scale / output_scale` in double.
public struct RequantizeParams: Sendable {
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var multiplier: Int32
    public var shift: Int32

    public init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        (multiplier, shift) = FixedPoint.quantizeMultiplier(Double(inputScale) / Double(outputScale))
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
    }

    @inlinable
    public func apply(_ x: Int8) -> Int8 {
        let v = FixedPoint.multiplyByQuantizedMultiplier(Int32(x) - inputZeroPoint, multiplier, shift) + outputZeroPoint
        return Int8(min(max(v, -128), 127))
    }
}
