/// gemmlowp-style `log(x)` for LOG_SOFTMAX, reproduced bit for bit from
/// TFLite's `log_x_for_x_greater_than_or_equal_to_1_impl`.
extension FixedPoint {
    /// gemmlowp's saturating int32 addition used by the log (`SaturatingAddNonGemmlowp`).
    @inlinable
    static func saturatingAdd(_ a: Int32, _ b: Int32) -> Int32 {
        Int32(clamping: Int64(a) + Int64(b))
    }

    @inlinable
    static func saturatingSub(_ a: Int32, _ b: Int32) -> Int32 {
        Int32(clamping: Int64(a) - Int64(b))
    }

    /// `log(x)` for a fixed-point `x ≥ 1` with `inputIntegerBits` integer
    /// bits, as a fixed-point value with `outputIntegerBits` integer bits:
    /// the exponent of two from the headroom, then a rational (Padé-style)
    /// approximation of the mantissa's log, all in Q0.31 products.
    @inlinable
    static func logXForXGreaterThanOrEqualTo1(_ x: Int32, inputIntegerBits: Int32, outputIntegerBits: Int32) -> Int32 {
        let accumIntegerBits = outputIntegerBits + 1
        let log2: Int32 = 1488522236            // log(2)
        let sqrtSqrtHalf: Int32 = 1805811301    // 0.5^(1/4)
        let sqrtHalf: Int32 = 1518500250        // 0.5^(1/2)
        let oneQuarter: Int32 = 536870912
        let alphaN: Int32 = 117049297
        let alphaD: Int32 = 127690142
        let alphaI: Int32 = 1057819769
        let alphaF: Int32 = 638450708
        func mul(_ a: Int32, _ b: Int32) -> Int32 { saturatingRoundingDoublingHighMul(a, b) }
        let shiftedQuarter = saturatingRoundingMultiplyByPOT(oneQuarter, -accumIntegerBits)

        // x read as Q0.31; the shifts are worked out here.
        let za = x
        let zaHeadroomPlusOne = Int32(UInt32(bitPattern: za).leadingZeroBitCount)
        let raTmp = saturatingRoundingMultiplyByPOT(za, zaHeadroomPlusOne - 1)
        let ra = saturatingRoundingMultiplyByPOT(mul(raTmp, sqrtHalf), 1)
        let zaPow2Adj = saturatingAdd(
            saturatingRoundingMultiplyByPOT(inputIntegerBits - zaHeadroomPlusOne, 31 - accumIntegerBits), shiftedQuarter)

        // z_b is z_a premultiplied by sqrt(0.5).
        let zb = mul(za, sqrtHalf)
        let zbHeadroom = Int32(UInt32(bitPattern: zb).leadingZeroBitCount) - 1
        let rb = saturatingRoundingMultiplyByPOT(za, zbHeadroom)
        let zbPow2Adj = saturatingSub(
            saturatingRoundingMultiplyByPOT(inputIntegerBits - zbHeadroom, 31 - accumIntegerBits), shiftedQuarter)

        let r = min(ra, rb)
        let zPow2Adj = max(zaPow2Adj, zbPow2Adj)

        let p = roundingHalfSum(r, sqrtSqrtHalf)
        var q = r &- sqrtSqrtHalf
        q = q &+ q
        let commonSquare = mul(q, q)
        let num = mul(q, r) &+ mul(mul(q, commonSquare), alphaN)
        let denominatorMinusOne = mul(p, alphaI &+ q &+ mul(alphaD, commonSquare)) &+ mul(alphaF, q)
        let reciprocal = oneOverOnePlusXForXIn01(denominatorMinusOne)

        let numScaled = saturatingRoundingMultiplyByPOT(num, -accumIntegerBits)
        let sum = mul(zPow2Adj, log2) &+ mul(numScaled, reciprocal)
        return saturatingRoundingMultiplyByPOT(sum, accumIntegerBits - outputIntegerBits)
    }
}
