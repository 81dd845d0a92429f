import PatchTopModel

/// Parameters of int8 ADD, as TFLite's quantized add prepares them: both
/// inputs are lifted by 2^20 and rescaled to twice the larger input scale so
/// that their sum can be requantized once without losing precision.
struct AddParams: Sendable {
    static let leftShift: Int32 = 20
    var input1Offset: Int32
    var input2Offset: Int32
    var outputOffset: Int32
    var input1Multiplier: Int32
    var input1Shift: Int32
    var input2Multiplier: Int32
    var input2Shift: Int32
    var outputMultiplier: Int32
    var outputShift: Int32
    var activationMin: Int32
    var activationMax: Int32

    init(input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
                outputScale: Float, outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32) {
        let twiceMax = 2 * Double(max(input1Scale, input2Scale))
        let m1 = FixedPoint.quantizeMultiplier(Double(input1Scale) / twiceMax)
        let m2 = FixedPoint.quantizeMultiplier(Double(input2Scale) / twiceMax)
        let mo = FixedPoint.quantizeMultiplier(twiceMax / (Double(1 << Self.leftShift) * Double(outputScale)))
        input1Offset = -input1ZeroPoint
        input2Offset = -input2ZeroPoint
        outputOffset = outputZeroPoint
        (input1Multiplier, input1Shift) = m1
        (input2Multiplier, input2Shift) = m2
        (outputMultiplier, outputShift) = mo
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    @inlinable
    func apply(_ a: Int8, _ b: Int8) -> Int8 {
        let x1 = FixedPoint.wrappingShiftLeft(input1Offset + Int32(a), Self.leftShift)
        let x2 = FixedPoint.wrappingShiftLeft(input2Offset + Int32(b), Self.leftShift)
        let s1 = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(x1, input1Multiplier, input1Shift)
        let s2 = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(x2, input2Multiplier, input2Shift)
        var out = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(s1 + s2, outputMultiplier, outputShift) + outputOffset
        out = min(max(out, activationMin), activationMax)
        return Int8(out)
    }
}

/// Parameters of int8 MUL: one multiplier for `s1·s2/so`, computed in double.
struct MulParams: Sendable {
    var input1Offset: Int32
    var input2Offset: Int32
    var outputOffset: Int32
    var multiplier: Int32
    var shift: Int32
    var activationMin: Int32
    var activationMax: Int32

    init(input1Scale: Float, input1ZeroPoint: Int32, input2Scale: Float, input2ZeroPoint: Int32,
                outputScale: Float, outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32) {
        let m = FixedPoint.quantizeMultiplier(Double(input1Scale) * Double(input2Scale) / Double(outputScale))
        input1Offset = -input1ZeroPoint
        input2Offset = -input2ZeroPoint
        outputOffset = outputZeroPoint
        (multiplier, shift) = m
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    @inlinable
    func apply(_ a: Int8, _ b: Int8) -> Int8 {
        let product = (input1Offset + Int32(a)) * (input2Offset + Int32(b))
        var out = FixedPoint.multiplyByQuantizedMultiplier(product, multiplier, shift) &+ outputOffset
        out = min(max(out, activationMin), activationMax)
        return Int8(out)
    }
}

/// Applies a binary int8 op with NumPy-style broadcasting over shapes of
/// rank ≤ 4 (squeeze-excite multiplies `[1,H,W,C]` by `[1,1,1,C]`).
func broadcastBinaryInt8(
    shape1: [Int], _ a: UnsafeBufferPointer<Int8>, shape2: [Int], _ b: UnsafeBufferPointer<Int8>,
    outputShape: [Int], _ output: UnsafeMutableBufferPointer<Int8>, _ f: (Int8, Int8) -> Int8
) {
    func extend(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: max(0, 4 - s.count)) + s }
    let s1 = extend(shape1), s2 = extend(shape2), so = extend(outputShape)
    if s1 == s2 {
        for i in 0..<output.count { output[i] = f(a[i], b[i]) }
        return
    }
    func strides(_ s: [Int]) -> [Int] {
        var st = [Int](repeating: 0, count: 4)
        var acc = 1
        for d in stride(from: 3, through: 0, by: -1) {
            st[d] = s[d] == 1 ? 0 : acc
            acc *= s[d]
        }
        return st
    }
    let t1 = strides(s1), t2 = strides(s2)
    var o = 0
    for i0 in 0..<so[0] { for i1 in 0..<so[1] { for i2 in 0..<so[2] { for i3 in 0..<so[3] {
        let j1 = i0 * t1[0] + i1 * t1[1] + i2 * t1[2] + i3 * t1[3]
        let j2 = i0 * t2[0] + i1 * t2[1] + i2 * t2[2] + i3 * t2[3]
        output[o] = f(a[j1], b[j2])
        o += 1
    } } } }
}

/// Parameters of a standalone int8 RELU / RELU6: TFLite requantizes by
/// `input_scale / output_scale` (float division) and clamps to the
/// quantized bounds of [0, 6] or [0, ∞).
struct ReluParams: Sendable {
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var multiplier: Int32
    var shift: Int32
    var activationMin: Int32
    var activationMax: Int32

    init(inputScale: Float, inputZeroPoint: Int32, outputScale: Float, outputZeroPoint: Int32, upperBound: Float?) {
        (multiplier, shift) = FixedPoint.quantizeMultiplier(Double(inputScale / outputScale))
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        activationMin = max(-128, FixedPoint.quantizedBound(0, scale: outputScale, zeroPoint: outputZeroPoint))
        if let upperBound {
            activationMax = min(127, FixedPoint.quantizedBound(upperBound, scale: outputScale, zeroPoint: outputZeroPoint))
        } else {
            activationMax = 127
        }
    }

    @inlinable
    func apply(_ x: Int8) -> Int8 {
        var v = outputZeroPoint &+ FixedPoint.multiplyByQuantizedMultiplier(Int32(x) - inputZeroPoint, multiplier, shift)
        v = min(max(v, activationMin), activationMax)
        return Int8(v)
    }
}
