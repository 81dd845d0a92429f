import Foundation
import PatchTopModel

/// TFLite's fixed-point arithmetic, reproduced bit for bit.
///
/// Every int8 kernel rescales its int32 accumulator with these helpers; any
/// difference in rounding (ties, negative values, the saturating corner case)
/// shows up as off-by-one output bytes, so each one mirrors the reference
/// implementation in `tensorflow/lite/kernels/internal/common.h` and gemmlowp.
enum FixedPoint {
    /// Splits a positive real multiplier into a Q31 `multiplier` and a power
    /// of two `shift` (positive = left), as `tflite::QuantizeMultiplier` does:
    /// `frexp`, round half away from zero, and carry when rounding reaches 2^31.
    ///
    /// Never traps: a ratio that is NaN, infinite or negative (possible only
    /// from a corrupt model) gives `(0, 0)`. Preparers check every ratio from
    /// a model with `checkedQuantizeMultiplier` first and refuse those.
    static func quantizeMultiplier(_ realMultiplier: Double) -> (multiplier: Int32, shift: Int32) {
        checkedQuantizeMultiplier(realMultiplier) ?? (0, 0)
    }

    /// `quantizeMultiplier`, or `nil` for a ratio no Q31 multiplier can
    /// hold: NaN, infinite or negative.
    static func checkedQuantizeMultiplier(_ realMultiplier: Double) -> (multiplier: Int32, shift: Int32)? {
        guard realMultiplier.isFinite, realMultiplier >= 0 else { return nil }
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
    static func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
        if a == b && a == Int32.min { return Int32.max }
        let ab = Int64(a) * Int64(b)
        let nudge: Int64 = ab >= 0 ? (1 << 30) : (1 - (1 << 30))
        // C++ integer division truncates towards zero, as Swift's does.
        return Int32(truncatingIfNeeded: (ab + nudge) / (Int64(1) << 31))
    }

    /// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest,
    /// ties away from zero, for exponents 0…31 (gemmlowp asserts that range;
    /// kernels keep to it). Outside it the exact quotient is returned, so
    /// that no value from a model can trap: negative exponents multiply
    /// (saturating), exponents above 31 leave 0 or −1.
    @inlinable
    static func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        guard exponent >= 0 && exponent <= 31 else { return roundingDivideByPOTOutOfRange(x, exponent) }
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(exponent)) - 1)
        let remainder = x & mask
        let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
        return (x >> exponent) + (remainder > threshold ? 1 : 0)
    }

    /// `roundingDivideByPOT` for exponents outside 0…31, in 64 bits.
    @usableFromInline
    static func roundingDivideByPOTOutOfRange(_ x: Int32, _ exponent: Int32) -> Int32 {
        if exponent < 0 { return saturatingRoundingMultiplyByPOT(x, min(-exponent, 31)) }
        let e = Int64(min(exponent, 62)), wide = Int64(x)
        let mask = (Int64(1) << e) - 1
        let remainder = wide & mask
        let threshold = (mask >> 1) + (wide < 0 ? 1 : 0)
        return Int32((wide >> e) + (remainder > threshold ? 1 : 0))
    }

    /// `x · 2^shift` in 32 bits, wrapping on overflow as TFLite's C++ does on
    /// every target it runs on (the left shift of `MultiplyByQuantizedMultiplier`).
    @inlinable
    static func wrappingShiftLeft(_ x: Int32, _ shift: Int32) -> Int32 {
        x &* (Int32(1) &<< shift)
    }

    /// The reference (TFLite Micro) `MultiplyByQuantizedMultiplier`:
    /// left shift, then SRDHM, then a rounding right shift.
    @inlinable
    static func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let leftShift = shift > 0 ? shift : 0
        let rightShift = shift > 0 ? 0 : -shift
        return roundingDivideByPOT(
            saturatingRoundingDoublingHighMul(wrappingShiftLeft(x, leftShift), multiplier), rightShift)
    }

    /// Single-rounding multiply: the exact 64-bit product `x · multiplier`
    /// shifted right by `31 − shift` with one round-half-up. TFLite's
    /// per-channel FULLY_CONNECTED reference (int64 accumulator overload)
    /// rescales this way; near-ties it differs from the double-rounding
    /// `multiplyByQuantizedMultiplier`, so each op must use the one TFLite uses.
    @inlinable
    static func multiplyByQuantizedMultiplierSingleRounding(_ x: Int64, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        let totalShift = Int64(31 - shift)
        let rounded = (x &* Int64(multiplier) &+ (Int64(1) << (totalShift - 1))) >> totalShift
        return Int32(truncatingIfNeeded: rounded)
    }

    /// `MultiplyByQuantizedMultiplierSmallerThanOneExp`, used by ADD: no left
    /// shift, the (non-positive) exponent becomes a rounding right shift.
    @inlinable
    static func multiplyByQuantizedMultiplierSmallerThanOne(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
        roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift)
    }
}

/// The int8 clamp range of a fused activation, as TFLite's
/// `CalculateActivationRangeQuantized` computes it from the output's scale
/// and zero point (the float bound divided by the scale in float, rounded
/// half away from zero).
///
/// A tiny scale puts a bound far outside Int32 (6 / 1e-12); TFLite's cast
/// is undefined there, and the bound is clamped to −128…127 right after,
/// so the bound saturates instead (`FixedPoint.quantizedBound`).
func activationRangeInt8(_ activation: Activation, scale: Float, zeroPoint: Int32) -> (min: Int32, max: Int32)? {
    let qmin: Int32 = -128, qmax: Int32 = 127
    func quantize(_ f: Float) -> Int32 { FixedPoint.quantizedBound(f, scale: scale, zeroPoint: zeroPoint) }
    switch activation {
    case .none: return (qmin, qmax)
    case .relu: return (max(qmin, quantize(0)), qmax)
    case .relu6: return (max(qmin, quantize(0)), min(qmax, quantize(6)))
    case .reluN1To1: return (max(qmin, quantize(-1)), min(qmax, quantize(1)))
    case .tanh, .signBit: return nil
    }
}

// MARK: - Checked conversions of values from a model

extension FixedPoint {
    /// `zeroPoint + round(value / scale)`, the division in Float and the
    /// rounding half away from zero as TFLite quantizes a clamp bound,
    /// saturated to Int32 where it would overflow (a NaN gives the zero
    /// point). Exact wherever the result fits.
    static func quantizedBound(_ value: Float, scale: Float, zeroPoint: Int32) -> Int32 {
        let steps = (value / scale).rounded(.toNearestOrAwayFromZero)
        guard !steps.isNaN else { return zeroPoint }
        let wide = Int64(max(min(steps, 4e9), -4e9)) + Int64(zeroPoint)
        return Int32(clamping: wide)
    }

    /// `value` rounded half away from zero, or `nil` when it is not finite or
    /// falls outside Int32: the conversion every count or bound read from a
    /// model goes through, so that an impossible one is refused, not trapped on.
    static func checkedInt32(_ value: Double) -> Int32? {
        let rounded = value.rounded(.toNearestOrAwayFromZero)
        guard rounded.isFinite, rounded >= -2_147_483_648, rounded <= 2_147_483_647 else { return nil }
        return Int32(rounded)
    }
}

// MARK: - gemmlowp fixed-point transcendental helpers (softmax, logistic)

extension FixedPoint {
    /// gemmlowp's `SaturatingRoundingMultiplyByPOT`: a saturating left shift
    /// for positive exponents, `roundingDivideByPOT` for negative ones.
    @inlinable
    static func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
        if exponent == 0 { return x }
        if exponent < 0 { return roundingDivideByPOT(x, -exponent) }
        let threshold = Int32((Int64(1) << Int64(31 - exponent)) - 1)
        if x > threshold { return .max }
        if x < -threshold { return .min }
        return x << exponent
    }

    /// gemmlowp's `RoundingHalfSum`: `(a + b) / 2` rounded away from zero.
    @inlinable
    static func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = Int64(a) + Int64(b)
        return Int32((sum + (sum >= 0 ? 1 : -1)) / 2)
    }

    /// `exp(a)` for `a` in [−1/4, 0), Q0.31 in and out: gemmlowp's Taylor
    /// expansion around −1/8.
    @inlinable
    static func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
        let constantTerm: Int32 = 1895147668      // exp(−1/8)
        let constantOneThird: Int32 = 715827883   // 1/3
        let x = a &+ (1 << 28)                    // a + 1/8
        let x2 = saturatingRoundingDoublingHighMul(x, x)
        let x3 = saturatingRoundingDoublingHighMul(x2, x)
        let x4 = saturatingRoundingDoublingHighMul(x2, x2)
        let x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2)
        let poly = saturatingRoundingMultiplyByPOT(
            saturatingRoundingDoublingHighMul(x4Over4 &+ x3, constantOneThird) &+ x2, -1)
        return constantTerm &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ poly)
    }

    /// gemmlowp's `exp_on_negative_values` for a fixed-point input with
    /// `integerBits` integer bits; returns Q0.31. Splits `a` into a multiple
    /// of 1/4 (handled by a barrel of precomputed `exp(−2^k)` multipliers)
    /// and a remainder in [−1/4, 0).
    @inlinable
    static func expOnNegativeValues(_ a: Int32, integerBits: Int32) -> Int32 {
        let fractionalBits = 31 - integerBits
        let oneQuarter: Int32 = 1 << (fractionalBits - 2)
        let mask = oneQuarter - 1
        let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
        var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
            saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits))
        let remainder = aModQuarterMinusOneQuarter &- a
        let barrel: [(Int32, Int32)] = [
            (-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
            (2, 39332535), (3, 720401), (4, 242),
        ]
        for (exponent, multiplier) in barrel where integerBits > exponent {
            let shift = fractionalBits + exponent
            if remainder & (Int32(1) << shift) != 0 {
                result = saturatingRoundingDoublingHighMul(result, multiplier)
            }
        }
        if integerBits > 5 {
            let clamp = -(Int32(1) << (36 - integerBits))   // −32 in this format
            if a < clamp { result = 0 }
        }
        if a == 0 { result = .max }
        return result
    }

    /// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1/(1+x)` for Q0.31
    /// `x` in [0, 1), by three Newton–Raphson steps in Q2.29.
    @inlinable
    static func oneOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
        let halfDenominator = roundingHalfSum(a, .max)
        let c48Over17: Int32 = 1515870810
        let cNeg32Over17: Int32 = -1010580540
        var x = c48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, cNeg32Over17)
        let oneQ2: Int32 = 1 << 29
        for _ in 0..<3 {
            let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)
            let oneMinus = oneQ2 &- halfDenominatorTimesX
            x = x &+ saturatingRoundingMultiplyByPOT(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
        }
        return saturatingRoundingMultiplyByPOT(x, 1)
    }
}
