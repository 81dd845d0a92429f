import Foundation
import PatchTopModel

/// TFLite's fixed-point arithmetic, reproduced bit for bit.
///
/// Every int8 kernel rescales its int32 accumulator with these helpers; any
/// difference in rounding (ties, negative values, the saturating corner case)
/// shows up as off-by-one output bytes, so each one mirrors the reference
/// implementation in `tensorflow/lite/kernels/internal/common.h` and gemmlowp.
public enum FixedPoint {
    /// Splits a positive real multiplier into a Q31 `multiplier` and a power
    /// of two `shift` (positive = left), as `tflite::QuantizeMultiplier` does:
    /// `frexp`, round half away from zero, and carry when rounding reaches 2^31.
    public static func quantizeMultiplier(_ realMultiplier: Double) -> (multiplier: Int32, shift: Int32) {
        if realMultiplier == 0 { return (0, 0) }
        let parts = frexp(realMultiplier)
        var shift = parts.1
        var qFixed = Int64((parts.0 * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
        if qFixed == Int64(1) << 31 {
            // Rounding carried the mantissa to 1.0: halve it and bump the exponent.
            qFixed /= 2
            shift += 1
        }
        if shift < -31 {
            // Too small to represent: TFLite flushes it to zero.
            shift = 0
            qFixed = 0
        }
        return (Int32(qFixed), Int32(shift))
    }

    /// gemmlowp's `SaturatingRoundingDoublingHighMul`: the high 32 bits of
    /// `2·a·b`, rounded half away from zero; `Int32.min × Int32.min`, the one
    /// product that does not fit, saturates to `Int32.max`.
    @inlinable
    public static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == Int32.min { return Int32.max }
        let ab = Int64(a) * Int64(b)
        let nudge: Int64 = ab >= 0 ? (1 << 30) : (1 - (1 << 30))
        // C++ integer division truncates towards zero, as Swift's does.
        return Int32(truncatingIfNeeded: (ab + nudge) / (Int64(1) << 31))
    }

    /// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest,
    /// ties away from zero, for exponents 0…31.
    @inlinable
    public static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        precondition(exponent >= 0 && exponent <= 31, "exponent \(exponent) out of 0...31")
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> exponent) + (remainder > threshold ? 1 : 0)
    }

    /// `x · 2^shift` in 32 bits, wrapping on overflow as TFLite's C++ does on
    /// every target it runs on (the left shift of `MultiplyByQuantizedMultiplier`).
    @inlinable
    public static func wrappingShiftLeft(_ x: Int32, _ shift: Int32) -> Int32 {
        x &* (Int32(1) &<< shift)
    }

    /// The reference (TFLite Micro) `MultiplyByQuantizedMultiplier`:
    /// left shift, then SRDHM, then a rounding right shift.
    @inlinable
    public static func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let leftShift = shift > 0 ? shift : 0
        let rightShift = shift > 0 ? 0 : -shift
        return roundingDivideByPOT(
            saturatingRoundingDoublingHighMul(wrappingShiftLeft(x, leftShift), multiplier), rightShift)
    }

    /// `MultiplyByQuantizedMultiplierSmallerThanOneExp`, used by ADD: no left
    /// shift, the (non-positive) exponent becomes a rounding right shift.
    @inlinable
    public static func multiplyByQuantizedMultiplierSmallerThanOne(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift)
    }
}

/// The int8 clamp range of a fused activation, as TFLite's
/// `CalculateActivationRangeQuantized` computes it from the output's scale
/// and zero point (the float bound divided by the scale in float, rounded
/// half away from zero).
public func activationRangeInt8(_ activation: Activation, scale: Float, zeroPoint: Int32) -> (min: Int32, max: Int32)? {
    let qmin: Int32 = -128, qmax: Int32 = 127
    func quantize(_ f: Float) -> Int32 { zeroPoint + Int32((f / scale).rounded(.toNearestOrAwayFromZero)) }
    switch activation {
    case .none: return (qmin, qmax)
    case .relu: return (max(qmin, quantize(0)), qmax)
    case .relu6: return (max(qmin, quantize(0)), min(qmax, quantize(6)))
    case .reluN1To1: return (max(qmin, quantize(-1)), min(qmax, quantize(1)))
    case .tanh, .signBit: return nil
    }
}
