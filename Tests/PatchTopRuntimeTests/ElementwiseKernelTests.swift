import Foundation
import XCTest
import PatchTopModel
@testable import PatchTopRuntime

final class ElementwiseKernelTests: XCTestCase {
    func testAddWithEqualScalesIsExactSum() {
        // Scales 1, zero points 0: (a + b) exactly, saturating at the int8 range.
        let p = AddParams(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                          outputScale: 1, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        XCTAssertEqual(p.arithmetic.apply(3, 4), 7)
        XCTAssertEqual(p.arithmetic.apply(-3, -4), -7)
        XCTAssertEqual(p.arithmetic.apply(100, 100), 127)
        XCTAssertEqual(p.arithmetic.apply(-100, -100), -128)
    }

    func testAddRescalesAndHonoursZeroPoints() {
        // Real a = 0.5·(qa − 1), b = 0.25·(qb + 2), out scale 0.5, zp 3.
        let p = AddParams(input1Scale: 0.5, input1ZeroPoint: 1, input2Scale: 0.25, input2ZeroPoint: -2,
                          outputScale: 0.5, outputZeroPoint: 3, activationMin: -128, activationMax: 127)
        // a = 0.5·(5−1) = 2, b = 0.25·(6+2) = 2 → 4 → q = 8 + 3 = 11.
        XCTAssertEqual(p.arithmetic.apply(5, 6), 11)
        // a = 0.5·(−3−1) = −2, b = 0.25·(−3+2) = −0.25 → −2.25 = −4.5 steps → −5, + 3 = −2.
        XCTAssertEqual(p.arithmetic.apply(-3, -3), -2)
    }

    func testMulWithBroadcastAndActivationClamp() {
        let p = MulParams(input1Scale: 1, input1ZeroPoint: 0, input2Scale: 1, input2ZeroPoint: 0,
                          outputScale: 2, outputZeroPoint: 0, activationMin: -128, activationMax: 127)
        let a: [Int8] = [1, 2, 3, 4, 5, 6]       // [1,1,3,2]
        let b: [Int8] = [10, -10]                 // [2]
        var out = [Int8](repeating: 0, count: 6)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
            broadcastBinaryInt8(shape1: [1, 1, 3, 2], ap, shape2: [2], bp, outputShape: [1, 1, 3, 2], op, p.arithmetic.apply)
        } } }
        // Products /2: 5, −10, 15, −20, 25, −30.
        XCTAssertEqual(out, [5, -10, 15, -20, 25, -30])
        var relu = p
        relu.activationMin = 0
        XCTAssertEqual(relu.arithmetic.apply(3, -10), 0)
        XCTAssertEqual(p.arithmetic.apply(100, 100), 127)
    }

    func testPadUsesZeroPointAndAsymmetricPaddings() {
        let input: [Int8] = [1, 2, 3, 4]   // [1,2,2,1]
        var out = [Int8](repeating: 0, count: 1 * 5 * 5 * 1)
        input.withUnsafeBufferPointer { ip in out.withUnsafeMutableBufferPointer { op in
            padInt8(input: ip, inputShape: [1, 2, 2, 1], paddings: [(0, 0), (1, 2), (2, 1), (0, 0)], padValue: -7, output: op)
        } }
        let z: Int8 = -7
        XCTAssertEqual(out, [z, z, z, z, z,
                             z, z, 1, 2, z,
                             z, z, 3, 4, z,
                             z, z, z, z, z,
                             z, z, z, z, z])
    }

    func testConcatenateAlongChannels() {
        let a: [Int8] = [1, 2, 3, 4]        // [1,2,1,2]
        let b: [Int8] = [9, 8]              // [1,2,1,1]
        var out = [Int8](repeating: 0, count: 6)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
            concatenateInt8(inputs: [ap, bp], shapes: [[1, 2, 1, 2], [1, 2, 1, 1]], axis: 3, output: op)
        } } }
        XCTAssertEqual(out, [1, 2, 9, 3, 4, 8])
    }

    func testQuantizeRoundsHalfAwayFromZeroAndDequantize() {
        let x: [Float] = [0.25, -0.25, 0.75, 100, -100, 0]
        var q = [Int8](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in q.withUnsafeMutableBufferPointer { quantizeFloatToInt8(xp, scale: 0.5, zeroPoint: 1, output: $0) } }
        XCTAssertEqual(q, [2, 0, 3, 127, -128, 1])
        var back = [Float](repeating: 0, count: q.count)
        q.withUnsafeBufferPointer { qp in back.withUnsafeMutableBufferPointer { dequantizeInt8ToFloat(qp, scale: 0.5, zeroPoint: 1, output: $0) } }
        XCTAssertEqual(back, [0.5, -0.5, 1, 63, -64.5, 0])
    }

    func testSoftmaxOfEqualLogitsIsUniformAndSaturates() {
        let p = SoftmaxParams(beta: 1, inputScale: 0.1, rows: 2, depth: 2)
        let x: [Int8] = [5, 5, 127, -128]
        var y = [Int8](repeating: 0, count: 4)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { softmaxInt8(p, input: xp, output: $0) } }
        // 0.5 → 128/256 → q = 128 − 128 = 0; a dominant logit saturates at 255/256.
        XCTAssertEqual(y[0], 0)
        XCTAssertEqual(y[1], 0)
        XCTAssertEqual(y[2], 127)
        XCTAssertEqual(y[3], -128)
    }

    func testHardSwishZeroNegativeAndLinearRegion() {
        // In and out scale 1/16 (real x = q/16), zero points 0.
        let p = HardSwishParams(inputScale: 1.0 / 16, inputZeroPoint: 0, outputScale: 1.0 / 16, outputZeroPoint: 0)
        XCTAssertEqual(p.apply(0), 0)
        XCTAssertEqual(p.apply(-64), 0)     // x = −4 ≤ −3 → 0
        XCTAssertEqual(p.apply(64), 64)     // x = 4 ≥ 3 → x
        // x = 1: 1·4/6 = 0.6667 → 10.67/16 → 10 or 11 (16-bit approximation).
        XCTAssertTrue((10...11).contains(p.apply(16)))
    }

    func testLogisticTableMatchesFloatFormula() {
        let t = LookupTableInt8.logistic(inputScale: 0.1, inputZeroPoint: 0, outputScale: 1.0 / 256, outputZeroPoint: -128)
        XCTAssertEqual(t.apply(0), 0)        // 0.5 · 256 − 128
        XCTAssertEqual(t.apply(127), 127)    // σ(12.7) ≈ 1 → 256 − 128 clamps to 127
        XCTAssertEqual(t.apply(-128), -128)
        XCTAssertEqual(t.apply(10), Int8((256 / (1 + expf(-1))).rounded() - 128))
    }
}

/// The tabulated forms the executor runs must agree with the fixed-point
/// definitions on every input (an indexing slip would break one row).
final class LookupTableTests: XCTestCase {
    /// TFLite's int8 ADD (and SUB, the second multiplier negated) written
    /// as its reference kernel does, input pair by input pair.
    static func tfliteAdd(_ p: AddParams, _ a: Int8, _ b: Int8) -> Int8 {
        let x1 = FixedPoint.wrappingShiftLeft(p.input1Offset + Int32(a), AddParams.leftShift)
        let x2 = FixedPoint.wrappingShiftLeft(p.input2Offset + Int32(b), AddParams.leftShift)
        let s1 = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(x1, p.input1Multiplier, p.input1Shift)
        let s2 = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(x2, p.input2Multiplier, p.input2Shift)
        let out = FixedPoint.multiplyByQuantizedMultiplierSmallerThanOne(s1 + s2, p.outputMultiplier, p.outputShift) + p.outputOffset
        return Int8(min(max(out, p.activationMin), p.activationMax))
    }

    /// TFLite's int8 MUL.
    static func tfliteMul(_ p: MulParams, _ a: Int8, _ b: Int8) -> Int8 {
        let product = (p.input1Offset + Int32(a)) * (p.input2Offset + Int32(b))
        let out = FixedPoint.multiplyByQuantizedMultiplier(product, p.multiplier, p.shift) + p.outputOffset
        return Int8(min(max(out, p.activationMin), p.activationMax))
    }

    /// The lifted form (what the table holds and the export computes)
    /// equals TFLite's kernels on every pair, for ADD, SUB and MUL over
    /// random scales and zero points, and MAXIMUM / MINIMUM.
    func testBinaryTableIsTFLitesKernelOnEveryPair() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func uniform() -> Double {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(seed >> 11) / Double(1 << 53)
        }
        func scale() -> Float { Float(pow(10, -3 + 2.5 * uniform())) }
        func zeroPoint() -> Int32 { Int32(uniform() * 256) - 128 }
        var pairs = 0
        for trial in 0..<12 {
            let (s1, s2, so) = (scale(), scale(), scale())
            let (z1, z2, zo) = (zeroPoint(), zeroPoint(), zeroPoint())
            let low = trial % 3 == 0 ? zo : -128
            let add = (trial % 2 == 0 ? AddParams.init : AddParams.sub)(s1, z1, s2, z2, so, zo, low, 127)
            let table = BinaryTableInt8(add.arithmetic)
            let mul = MulParams(input1Scale: s1, input1ZeroPoint: z1, input2Scale: s2, input2ZeroPoint: z2,
                                outputScale: so, outputZeroPoint: zo, activationMin: low, activationMax: 127)
            let mulTable = BinaryTableInt8(mul.arithmetic)
            var mismatches = 0
            for a in Int8.min...Int8.max {
                for b in Int8.min...Int8.max {
                    if table.apply(a, b) != Self.tfliteAdd(add, a, b) { mismatches += 1 }
                    if mulTable.apply(a, b) != Self.tfliteMul(mul, a, b) { mismatches += 1 }
                    pairs += 1
                }
            }
            XCTAssertEqual(mismatches, 0, "trial \(trial): scales \(s1) \(s2) \(so), zero points \(z1) \(z2) \(zo)")
        }
        XCTAssertEqual(pairs, 12 * 65_536)
        let add = AddParams(input1Scale: 0.05, input1ZeroPoint: -3, input2Scale: 0.021, input2ZeroPoint: 7,
                            outputScale: 0.06, outputZeroPoint: -1, activationMin: -128, activationMax: 127)
        let table = BinaryTableInt8(add.arithmetic)
        // Not symmetric: swapping the inputs must matter for these scales.
        XCTAssertNotEqual(table.apply(100, -50), table.apply(-50, 100))
        let maximum = BinaryTableInt8(.select(.maximum)), minimum = BinaryTableInt8(.select(.minimum))
        for a in Int8.min...Int8.max {
            for b in stride(from: Int8.min, through: Int8.max, by: 7) {
                XCTAssertEqual(maximum.apply(a, b), max(a, b))
                XCTAssertEqual(minimum.apply(a, b), min(a, b))
            }
        }
    }

    func testUnaryTableIsHardSwishOnEveryValue() {
        let hardSwish = HardSwishParams(inputScale: 0.04, inputZeroPoint: 5, outputScale: 0.03, outputZeroPoint: -20)
        let table = LookupTableInt8(hardSwish.apply)
        for x in Int8.min...Int8.max { XCTAssertEqual(table.apply(x), hardSwish.apply(x), "HARD_SWISH(\(x))") }
    }
}
