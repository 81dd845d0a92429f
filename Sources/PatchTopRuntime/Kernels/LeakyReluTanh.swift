import Foundation

/// Parameters of int8 LEAKY_RELU as TFLite's `LeakyReluPrepare` computes
/// them: two requantizations, `s_in/s_out` for inputs at or above the zero
/// point and `s_in·alpha/s_out` below it. Both ratios are formed in float
/// (TFLite multiplies and divides the float scales before widening to
/// double), so the multipliers, and hence the bytes, match only that way.
struct LeakyReluParams: Sendable {
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var identityMultiplier: Int32
    var identityShift: Int32
    var alphaMultiplier: Int32
    var alphaShift: Int32

    /// `nil` when a ratio of the scales is not finite (no table can hold it).
    init?(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32, alpha: Float) {
        let identity = inputScale / outputScale
        let alphaRatio = inputScale * alpha / outputScale
        guard identity.isFinite, alphaRatio.isFinite else { return nil }
        (identityMultiplier, identityShift) = FixedPoint.quantizeMultiplier(Double(identity))
        (alphaMultiplier, alphaShift) = FixedPoint.quantizeMultiplier(Double(alphaRatio))
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
    }

    /// TFLite's `reference_ops::QuantizeLeakyRelu` for one value.
    @inlinable
    func apply(_ x: Int8) -> Int8 {
        let v = Int32(x) - inputZeroPoint
        let scaled = v >= 0
            ? FixedPoint.multiplyByQuantizedMultiplier(v, identityMultiplier, identityShift)
            : FixedPoint.multiplyByQuantizedMultiplier(v, alphaMultiplier, alphaShift)
        return Int8(clamping: outputZeroPoint &+ scaled)
    }
}

extension LookupTableInt8 {
    /// int8 TANH. TFLite's reference and generic kernels (the fixed-point
    /// `Tanh16bitPrecision` is only the `kFixedPointOptimized` variant) build
    /// the same float table as LOGISTIC's: dequantize, `tanhf`, round half
    /// away from zero, add the zero point, clamp.
    static func tanh(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) -> LookupTableInt8 {
        LookupTableInt8(inputScale: inputScale, inputZeroPoint: inputZeroPoint, outputScale: outputScale,
                        outputZeroPoint: outputZeroPoint) { tanhf($0) }
    }
}

extension AddParams {
    /// int8 SUB as TFLite prepares it: ADD's parameters with the second
    /// input's multiplier negated, run through the ADD kernel. Negating the
    /// multiplier is not the same as subtracting the scaled value (the
    /// doubling high multiply rounds ties upwards, not away from zero), so
    /// the negation is kept exactly.
    static func sub(input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
                           outputScale: Float, outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32) -> AddParams {
        var p = AddParams(input1Scale: input1Scale, input1ZeroPoint: input1ZeroPoint, input2Scale: input2Scale,
                          input2ZeroPoint: input2ZeroPoint, outputScale: outputScale, outputZeroPoint: outputZeroPoint,
                          activationMin: activationMin, activationMax: activationMax)
        p.input2Multiplier = -p.input2Multiplier
        return p
    }
}
