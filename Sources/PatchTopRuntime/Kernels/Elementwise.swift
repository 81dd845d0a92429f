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

    /// The op as one rule: each input lifted alone (offset, the 2^20 lift,
    /// its own rescale), the two lifts added, then one requantization and
    /// the clamp. The runtime tabulates it; the export computes it.
    var arithmetic: BinaryArithmeticInt8 {
        func lift(_ offset: Int32, _ multiplier: Int32, _ shift: Int32) -> [Int32] {
            (0..<256).map { u in
                let x = FixedPoint.wrappingShiftLeft(offset &+ Int32(Int8(truncatingIfNeeded: u)), Self.leftShift)
                return FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(x, multiplier, shift)
            }
        }
        // The output's exponent is never positive (checked when prepared),
        // so the general MultiplyByQuantizedMultiplier is TFLite's
        // SmallerThanOne form here.
        return BinaryArithmeticInt8(combine: .add, liftA: lift(input1Offset, input1Multiplier, input1Shift),
                                    liftB: lift(input2Offset, input2Multiplier, input2Shift), multiplier: outputMultiplier,
                                    shift: outputShift, offset: outputOffset, min: activationMin, max: activationMax)
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

    /// `(a + offset1)(b + offset2)` requantized once, clamped.
    var arithmetic: BinaryArithmeticInt8 {
        func lift(_ offset: Int32) -> [Int32] { (0..<256).map { offset &+ Int32(Int8(truncatingIfNeeded: $0)) } }
        return BinaryArithmeticInt8(combine: .multiply, liftA: lift(input1Offset), liftB: lift(input2Offset), multiplier: multiplier,
                                    shift: shift, offset: outputOffset, min: activationMin, max: activationMax)
    }
}

/// An int8 binary op (ADD, SUB, MUL, MAXIMUM, MINIMUM) as one definition
/// both the runtime and the export read: each input byte is lifted to an
/// int32 through its own 256-entry table, the two lifts are combined
/// (added or multiplied, then requantized once with TFLite's
/// MultiplyByQuantizedMultiplier and offset; or the larger / smaller
/// taken), and the result clamped. ADD's and MUL's fixed point separates
/// this way exactly: everything before the sum (product) depends on one
/// input only. The runtime tabulates it over every pair
/// (`BinaryTableInt8`); the exported C computes it, 2 KiB of lifts instead
/// of a 64 KiB table per op.
public struct BinaryArithmeticInt8: Sendable, Equatable {
    public enum Combine: Int, Sendable {
        case add = 0, multiply = 1, maximum = 2, minimum = 3
    }
    public var combine: Combine
    /// Indexed by the input byte read unsigned.
    public var liftA: [Int32]
    public var liftB: [Int32]
    public var multiplier: Int32
    public var shift: Int32
    public var offset: Int32
    public var min: Int32
    public var max: Int32

    /// MAXIMUM / MINIMUM: the raw bytes compared, no requantization.
    static func select(_ combine: Combine) -> BinaryArithmeticInt8 {
        let identity = (0..<256).map { Int32(Int8(truncatingIfNeeded: $0)) }
        return BinaryArithmeticInt8(combine: combine, liftA: identity, liftB: identity, multiplier: 0, shift: 0, offset: 0,
                                    min: -128, max: 127)
    }

    public func apply(_ a: Int8, _ b: Int8) -> Int8 {
        let x = liftA[Int(UInt8(bitPattern: a))], y = liftB[Int(UInt8(bitPattern: b))]
        let v: Int32
        switch combine {
        case .add: v = FixedPoint.multiplyByQuantizedMultiplier(x &+ y, multiplier, shift) &+ offset
        case .multiply: v = FixedPoint.multiplyByQuantizedMultiplier(x &* y, multiplier, shift) &+ offset
        case .maximum: v = Swift.max(x, y)
        case .minimum: v = Swift.min(x, y)
        }
        return Int8(clamping: Swift.min(Swift.max(v, min), max))
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
