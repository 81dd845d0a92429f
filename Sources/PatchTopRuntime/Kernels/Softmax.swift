import Foundation

/// Parameters of int8 SOFTMAX as TFLite's reference kernel prepares them:
/// `beta · input_scale` becomes a multiplier onto a Q5.26 difference from
/// the row maximum, and differences below `diffMin` contribute exactly 0.
struct SoftmaxParams: Sendable {
    static let scaledDiffIntegerBits: Int32 = 5
    static let accumulationIntegerBits: Int32 = 12
    var inputMultiplier: Int32
    var inputLeftShift: Int32
    var diffMin: Int32
    var rows: Int
    var depth: Int

    init(beta: Float, inputScale: Float, rows: Int, depth: Int) {
        let integerBits = Self.scaledDiffIntegerBits
        // PreprocessSoftmaxScaling.
        let maxReal = Double((Int64(1) << 31) - 1)
        let real = min(Double(beta) * Double(inputScale) * Double(Int64(1) << (31 - integerBits)), maxReal)
        let q = FixedPoint.quantizeMultiplier(real)
        inputMultiplier = q.multiplier
        inputLeftShift = q.shift
        // CalculateInputRadius.
        // The preparer refuses a multiplier below 1 (TFLite's
        // QuantizeMultiplierGreaterThanOne check), so the shift is 0…31
        // here; the clamps only keep a direct caller from trapping.
        let maxInputRescaled = Double((Int64(1) << integerBits) - 1) * Double(Int64(1) << (31 - integerBits))
            / Double(Int64(1) << Int64(max(0, min(q.shift, 62))))
        diffMin = -(FixedPoint.checkedInt32(maxInputRescaled.rounded(.down)) ?? .max)
        self.rows = rows
        self.depth = depth
    }
}

/// Reference int8 → int8 softmax over the last axis (output scale 1/256,
/// zero point −128, as TFLite requires).
func softmaxInt8(_ p: SoftmaxParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let depth = p.depth
    for r in 0..<p.rows {
        let base = r * depth
        var maxInRow: Int32 = -128
        for c in 0..<depth { maxInRow = max(maxInRow, Int32(input[base + c])) }
        func scaledDiff(_ c: Int) -> Int32? {
            let diff = Int32(input[base + c]) - maxInRow
            guard diff >= p.diffMin else { return nil }
            // MultiplyByQuantizedMultiplierGreaterThanOne.
            return FixedPoint.saturatingRoundingDoublingHighMul(
                FixedPoint.wrappingShiftLeft(diff, p.inputLeftShift), p.inputMultiplier)
        }
        // Q12.19. TFLite's sum wraps past 4096 (more than 4096 near-equal
        // logits); saturating keeps the reciprocal meaningful there.
        var sumOfExps: Int32 = 0
        for c in 0..<depth {
            if let d = scaledDiff(c) {
                let e = FixedPoint.expOnNegativeValues(d, integerBits: SoftmaxParams.scaledDiffIntegerBits)
                let (sum, overflow) = sumOfExps.addingReportingOverflow(
                    FixedPoint.saturatingRoundingMultiplyByPOT(e, -SoftmaxParams.accumulationIntegerBits))
                sumOfExps = overflow ? .max : sum
            }
        }
        // GetReciprocal.
        let headroomPlusOne = Int32(UInt32(bitPattern: sumOfExps).leadingZeroBitCount)
        let numBitsOverUnit = SoftmaxParams.accumulationIntegerBits - headroomPlusOne
        let shiftedSumMinusOne = Int32(bitPattern: (UInt32(bitPattern: sumOfExps) << UInt32(headroomPlusOne)) &- (UInt32(1) << 31))
        let shiftedScale = FixedPoint.oneOverOnePlusXForXIn01(shiftedSumMinusOne)
        // A sum of 512 or more (many near-equal logits) makes this exponent
        // exceed 31, where TFLite asserts; `roundingDivideByPOT` gives the
        // exact quotient there (0: each probability is below 1/512).
        for c in 0..<depth {
            if let d = scaledDiff(c) {
                let e = FixedPoint.expOnNegativeValues(d, integerBits: SoftmaxParams.scaledDiffIntegerBits)
                let unsat = FixedPoint.roundingDivideByPOT(
                    FixedPoint.saturatingRoundingDoublingHighMul(shiftedScale, e), numBitsOverUnit + 31 - 8)
                output[base + c] = Int8(min(max(unsat - 128, -128), 127))
            } else {
                output[base + c] = -128
            }
        }
    }
}
