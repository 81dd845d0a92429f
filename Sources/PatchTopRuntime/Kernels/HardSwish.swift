/// Parameters of int8 HARD_SWISH, as TFLite's `HardSwishPrepare` derives
/// them: the input is lifted by 2^7 ("hi-res" scale), and two 16-bit
/// multipliers map it to the output scale and to the "relu-ish" scale where
/// real 3.0 is 32768. All scale arithmetic is in float, as TFLite does it.
struct HardSwishParams: Sendable {
    var inputZeroPoint: Int16
    var outputZeroPoint: Int16
    var outputMultiplier: Int16
    var outputExponent: Int32
    var reluishMultiplier: Int16
    var reluishExponent: Int32

    init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32) {
        let hiresInputScale = (1.0 as Float / 128.0) * inputScale
        let reluishScale: Float = 3.0 / 32768.0
        let o = FixedPoint.quantizeMultiplier(Double(hiresInputScale / outputScale))
        let r = FixedPoint.quantizeMultiplier(Double(hiresInputScale / reluishScale))
        self.inputZeroPoint = Int16(inputZeroPoint)
        self.outputZeroPoint = Int16(outputZeroPoint)
        outputMultiplier = Self.downScale(o.multiplier)
        outputExponent = o.shift
        reluishMultiplier = Self.downScale(r.multiplier)
        reluishExponent = r.shift
    }

    /// TFLite's `DownScaleInt32ToInt16Multiplier`: round the Q31 multiplier
    /// to its top 16 bits, saturating.
    static func downScale(_ m: Int32) -> Int16 {
        let offset: Int32 = 1 << 15
        if m >= Int32.max - offset { return .max }
        return Int16((m + offset) >> 16)
    }
}

/// 16-bit gemmlowp helpers used only by HARD_SWISH.
enum FixedPoint16 {
    static func saturatingRoundingDoublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == .min { return .max }
        let ab = Int32(a) * Int32(b)
        let nudge: Int32 = ab >= 0 ? (1 << 14) : (1 - (1 << 14))
        return Int16(truncatingIfNeeded: (ab + nudge) / (1 << 15))
    }

    /// No rounding (truncating division): TFLite uses it on purpose to
    /// cancel the bias of the rounding multiply before it.
    static func saturatingDoublingHighMul(_ a: Int16, _ b: Int16) -> Int16 {
        if a == b && a == .min { return .max }
        return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
    }

    static func roundingDivideByPOT(_ x: Int16, _ exponent: Int32) -> Int16 {
        let mask = Int32((1 << exponent) - 1)
        let x32 = Int32(x)
        let remainder = x32 & mask
        let threshold = (mask >> 1) + (x32 < 0 ? 1 : 0)
        return Int16(truncatingIfNeeded: (x32 >> exponent) + (remainder > threshold ? 1 : 0))
    }

    static func saturatingLeftShift(_ x: Int16, _ amount: Int32) -> Int16 {
        let r = Int64(x) * (Int64(1) << Int64(amount))
        return Int16(min(max(r, Int64(Int16.min)), Int64(Int16.max)))
    }
}

extension HardSwishParams {
    /// `x · relu6(x + 3) / 6` in 16-bit fixed point, as TFLite's reference.
    @inlinable
    func apply(_ x: Int8) -> Int8 {
        applyImpl(x)
    }

    @usableFromInline
    func applyImpl(_ x: Int8) -> Int8 {
        let inputValue = Int16(x) - inputZeroPoint
        let hires = Int16(truncatingIfNeeded: Int32(inputValue) * (1 << 7))
        let preshiftOutput = FixedPoint16.saturatingRoundingDoublingHighMul(hires, outputMultiplier)
        var reluish = hires
        if reluishExponent > 0 { reluish = FixedPoint16.saturatingLeftShift(reluish, reluishExponent - 1) }
        reluish = FixedPoint16.saturatingRoundingDoublingHighMul(reluish, reluishMultiplier)
        if reluishExponent > 0 { reluish = FixedPoint16.saturatingLeftShift(reluish, 1) }
        if reluishExponent < 0 { reluish = FixedPoint16.roundingDivideByPOT(reluish, -reluishExponent) }
        reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
        let preshift = FixedPoint16.saturatingDoublingHighMul(reluish, preshiftOutput)
        var out = Int32(FixedPoint16.roundingDivideByPOT(preshift, -outputExponent)) + Int32(outputZeroPoint)
        out = min(max(out, -128), 127)
        return Int8(out)
    }
}
