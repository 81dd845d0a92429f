import Foundation

/// int8 LOG_SOFTMAX over the last dimension with TFLite Micro's arithmetic
/// (`LogSoftmaxQuantized`): differences from the row maximum scaled into
/// Q5.26, `exp` summed in Q12.19, its log in Q5.26 subtracted, and the
/// result in TFLite's fixed output quantization (16/256, zero point 127).
struct LogSoftmaxParams: Sendable {
    static let outputScale: Float = 16.0 / 256
    static let outputZeroPoint: Int32 = 127
    var inputMultiplier: Int32
    var inputLeftShift: Int32
    var reverseScalingDivisor: Int32
    /// The (non-positive) shift that goes with `reverseScalingDivisor`.
    var reverseScalingShift: Int32
    var diffMin: Int32
    var rows: Int
    var depth: Int

    /// `nil` for an input scale TFLite Micro's preparation cannot represent
    /// (its shifts would overflow).
    init?(inputScale: Float, rows: Int, depth: Int) {
        // PreprocessLogSoftmaxScalingExp with beta 1 and 5 integer bits.
        let integerBits: Int32 = 5
        let real = min(Double(inputScale) * Double(Int64(1) << (31 - integerBits)), Double(Int32.max))
        guard real.isFinite, real >= 1 else { return nil }
        let q = FixedPoint.quantizeMultiplier(real)
        guard (1...30).contains(q.shift), q.multiplier > 0 else { return nil }
        inputMultiplier = q.multiplier
        inputLeftShift = q.shift
        let reverse = Double(Int64(1) << Int64(31 - q.shift)) / Double(q.multiplier)
        guard reverse > 0, reverse < 1 else { return nil }
        let r = FixedPoint.quantizeMultiplier(reverse)
        guard (-31...0).contains(r.shift) else { return nil }
        reverseScalingDivisor = r.multiplier
        reverseScalingShift = r.shift
        // CalculateInputRadius(5, shift, 31).
        let radius = Double((Int64(1) << integerBits) - 1) * Double(Int64(1) << (31 - integerBits)) / Double(Int64(1) << Int64(q.shift))
        diffMin = -Int32(radius.rounded(.down))
        self.rows = rows
        self.depth = depth
    }
}

func logSoftmaxInt8(_ p: LogSoftmaxParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let depth = p.depth
    for r in 0..<p.rows {
        let base = r * depth
        var maxInRow: Int32 = -128
        for c in 0..<depth { maxInRow = max(maxInRow, Int32(input[base + c])) }
        var sumOfExps: Int32 = 0   // Q12.19
        for c in 0..<depth {
            let diff = Int32(input[base + c]) - maxInRow
            if diff >= p.diffMin {
                let scaled = FixedPoint.multiplyByQuantizedMultiplier(diff, p.inputMultiplier, p.inputLeftShift)
                let e = FixedPoint.expOnNegativeValues(scaled, integerBits: 5)
                sumOfExps = sumOfExps &+ FixedPoint.saturatingRoundingMultiplyByPOT(e, -12)
            }
        }
        let logSum = FixedPoint.logXForXGreaterThanOrEqualTo1(sumOfExps, inputIntegerBits: 12, outputIntegerBits: 5)
        let shiftedLogSum = logSum &+ Int32.min
        let adjustedDiffMin = max(p.diffMin - 1,
                                  FixedPoint.multiplyByQuantizedMultiplier(shiftedLogSum, p.reverseScalingDivisor, p.reverseScalingShift))
        for c in 0..<depth {
            let diff = Int32(input[base + c]) - maxInRow
            if diff > adjustedDiffMin {
                let scaled = FixedPoint.multiplyByQuantizedMultiplier(diff, p.inputMultiplier, p.inputLeftShift)
                let value = FixedPoint.roundingDivideByPOT(scaled &- logSum, 31 - 5 - 4) &+ 127
                output[base + c] = Int8(min(max(value, -128), 127))
            } else {
                output[base + c] = -128
            }
        }
    }
}

/// float32 LOG_SOFTMAX over the last dimension, as TFLite Micro's reference
/// kernel: `x − max − log(Σ exp(x − max))` in Float.
func logSoftmaxFloat(rows: Int, depth: Int, input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
    for r in 0..<rows {
        let base = r * depth
        var maximum = -Float.greatestFiniteMagnitude
        for c in 0..<depth { maximum = max(maximum, input[base + c]) }
        var sum: Float = 0
        for c in 0..<depth { sum += expf(input[base + c] - maximum) }
        let logSum = logf(sum)
        for c in 0..<depth { output[base + c] = input[base + c] - maximum - logSum }
    }
}
