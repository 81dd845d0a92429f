import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// Multiplier (2³⁰, 1) is exactly ×1.0, so outputs equal accumulators.
private let unit = FixedPoint.quantizeMultiplier(1.0)

private func geometry(_ input: Int, _ filter: Int, stride: Int = 1, dilation: Int = 1, _ padding: Padding) -> WindowGeometry {
    WindowGeometry(inputSize: input, filterSize: filter, stride: stride, dilation: dilation, padding: padding)!
}

private func runConv(_ p: Conv2DParams, _ input: [Int8], _ filter: [Int8], _ bias: [Int32]?) -> [Int8] {
    var out = [Int8](repeating: 0, count: p.batches * p.height.outputSize * p.width.outputSize * p.outputChannels)
    input.withUnsafeBufferPointer { i in
        filter.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { o in
                if let bias {
                    bias.withUnsafeBufferPointer { conv2DInt8(p, input: i, filter: f, bias: $0, output: o) }
                } else {
                    conv2DInt8(p, input: i, filter: f, bias: nil, output: o)
                }
            }
        }
    }
    return out
}

final class Conv2DTests: XCTestCase {
    func testSamePaddingIsAllAfterForEvenFilterAndHonoursInputZeroPoint() {
        // 3×3 input 1…9 stored with zero point 1; 2×2 all-ones filter; SAME pads 0 before, 1 after.
        let g = geometry(3, 2, .same)
        XCTAssertEqual(g.padBefore, 0)
        XCTAssertEqual(g.padAfter, 1)
        let p = Conv2DParams(batches: 1, inputChannels: 1, outputChannels: 1, height: g, width: g,
                             inputOffset: -1, outputOffset: 0, multipliers: [unit.multiplier], shifts: [unit.shift],
                             activationMin: -128, activationMax: 127)
        let input: [Int8] = (1...9).map { Int8($0 + 1) }
        let out = runConv(p, input, [1, 1, 1, 1], nil)
        XCTAssertEqual(out, [12, 16, 9, 24, 28, 15, 15, 17, 9])
    }

    func testDilationPerChannelScalesAndBias() {
        // 5×5 input y·5+x, 2×2 filter dilated by 2 (span 3), VALID → 3×3.
        let g = geometry(5, 2, dilation: 2, .valid)
        XCTAssertEqual(g.outputSize, 3)
        let (m, s) = perChannelMultipliers(inputScale: 1, filterScales: [1, 0.5], outputScale: 1, channels: 2)
        let p = Conv2DParams(batches: 1, inputChannels: 1, outputChannels: 2, height: g, width: g,
                             inputOffset: 0, outputOffset: 0, multipliers: m, shifts: s,
                             activationMin: -128, activationMax: 127)
        let input: [Int8] = (0..<25).map { Int8($0) }
        // Channel 0 weights 1, channel 1 weights 2 at half the scale.
        let out = runConv(p, input, [1, 1, 1, 1, 2, 2, 2, 2], [1, -2])
        for y in 0..<3 {
            for x in 0..<3 {
                let sum = 4 * (5 * y + x) + 24
                XCTAssertEqual(Int(out[(y * 3 + x) * 2]), min(sum + 1, 127), "(\(y),\(x)) ch0")
                XCTAssertEqual(Int(out[(y * 3 + x) * 2 + 1]), min(sum - 1, 127), "(\(y),\(x)) ch1")
            }
        }
    }

    func testSaturatesAndClampsToActivationRange() {
        let g = geometry(1, 1, .valid)
        let p = Conv2DParams(batches: 1, inputChannels: 2, outputChannels: 3, height: g, width: g,
                             inputOffset: 0, outputOffset: 3, multipliers: [Int32](repeating: unit.multiplier, count: 3),
                             shifts: [Int32](repeating: unit.shift, count: 3), activationMin: -128, activationMax: 127)
        // 100·1+100·1+3 → 127; 100·−1+100·−1+3 → −128; 100−100+3 = 3.
        XCTAssertEqual(runConv(p, [100, 100], [1, 1, -1, -1, 1, -1], nil), [127, -128, 3])
        var relu6 = p
        relu6.activationMin = 3
        relu6.activationMax = 63
        XCTAssertEqual(runConv(relu6, [100, 100], [1, 1, -1, -1, 1, -1], nil), [63, 3, 3])
    }

    func testSubRectangleMatchesFullTensor() {
        // 7×7×2 input, 3×3 stride 2 SAME conv (pads 1 before, 1 after) → 4×4×3.
        let g = geometry(7, 3, stride: 2, .same)
        let (m, s) = perChannelMultipliers(inputScale: 0.05, filterScales: [0.02, 0.03, 0.01], outputScale: 0.04, channels: 3)
        let p = Conv2DParams(batches: 1, inputChannels: 2, outputChannels: 3, height: g, width: g,
                             inputOffset: 5, outputOffset: -7, multipliers: m, shifts: s,
                             activationMin: -128, activationMax: 127)
        let input: [Int8] = (0..<98).map { Int8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let filter: [Int8] = (0..<54).map { Int8(truncatingIfNeeded: $0 &* 53 &- 20) }
        let bias: [Int32] = [100, -300, 7]
        let full = runConv(p, input, filter, bias)
        // Output rows 1..<3, cols 2..<4 read input rows 1..<6, cols 3..<7.
        let rows = 1..<3, cols = 2..<4
        let inRegion = Region2D(y: g.inputRange(forOutputs: 1, 3).lowerBound, x: g.inputRange(forOutputs: 2, 4).lowerBound,
                                height: g.inputRange(forOutputs: 1, 3).count, width: g.inputRange(forOutputs: 2, 4).count)
        var patchIn = [Int8]()
        for y in inRegion.rows { for x in inRegion.cols { for c in 0..<2 { patchIn.append(input[(y * 7 + x) * 2 + c]) } } }
        let outRegion = Region2D(y: 1, x: 2, height: 2, width: 2)
        var patchOut = [Int8](repeating: 0, count: 2 * 2 * 3)
        patchIn.withUnsafeBufferPointer { i in filter.withUnsafeBufferPointer { f in bias.withUnsafeBufferPointer { b in
            patchOut.withUnsafeMutableBufferPointer { o in
                conv2DInt8(p, input: i, inputRegion: inRegion, filter: f, bias: b, output: o, outputRegion: outRegion,
                           outputRows: rows, outputCols: cols)
            }
        } } }
        var expected = [Int8]()
        for y in rows { for x in cols { for c in 0..<3 { expected.append(full[(y * 4 + x) * 3 + c]) } } }
        XCTAssertEqual(patchOut, expected)
    }
}

final class DepthwiseConv2DTests: XCTestCase {
    private func run(_ p: DepthwiseConv2DParams, _ input: [Int8], _ filter: [Int8], _ bias: [Int32]?) -> [Int8] {
        var out = [Int8](repeating: 0, count: p.batches * p.height.outputSize * p.width.outputSize * p.outputChannels)
        input.withUnsafeBufferPointer { i in filter.withUnsafeBufferPointer { f in out.withUnsafeMutableBufferPointer { o in
            if let bias { bias.withUnsafeBufferPointer { depthwiseConv2DInt8(p, input: i, filter: f, bias: $0, output: o) } }
            else { depthwiseConv2DInt8(p, input: i, filter: f, bias: nil, output: o) }
        } } }
        return out
    }

    func testDepthMultiplierEightOnOneChannel() {
        let g = geometry(2, 1, .valid)
        let p = DepthwiseConv2DParams(batches: 1, inputChannels: 1, depthMultiplier: 8, height: g, width: g,
                                      inputOffset: 0, outputOffset: 0,
                                      multipliers: [Int32](repeating: unit.multiplier, count: 8),
                                      shifts: [Int32](repeating: unit.shift, count: 8), activationMin: -128, activationMax: 127)
        let out = run(p, [1, 2, 3, -4], (1...8).map { Int8($0) }, nil)
        var expected = [Int8]()
        for v in [1, 2, 3, -4] { for m in 1...8 { expected.append(Int8(v * m)) } }
        XCTAssertEqual(out, expected)
    }

    func testDepthMultiplierTwoWithPaddingAndSaturation() {
        // 2×2×2 input, 2×2 filter SAME (pad 1 after), depth multiplier 2 → 4 output channels.
        let g = geometry(2, 2, .same)
        let p = DepthwiseConv2DParams(batches: 1, inputChannels: 2, depthMultiplier: 2, height: g, width: g,
                                      inputOffset: 0, outputOffset: 0,
                                      multipliers: [Int32](repeating: unit.multiplier, count: 4),
                                      shifts: [Int32](repeating: unit.shift, count: 4), activationMin: -128, activationMax: 127)
        let input: [Int8] = [1, 10, 2, 20, 3, 30, 4, 40]
        let filter = [Int8]([1, 2, 1, -2, 1, 2, 1, -2, 1, 2, 1, -2, 1, 2, 1, -2])
        XCTAssertEqual(run(p, input, filter, nil), [10, 20, 100, -128, 6, 12, 60, -120, 7, 14, 70, -128, 4, 8, 40, -80])
        XCTAssertEqual(run(p, input, filter, [1, 1, 1, 1]), [11, 21, 101, -128, 7, 13, 61, -119, 8, 15, 71, -128, 5, 9, 41, -79])
    }
}

final class FullyConnectedTests: XCTestCase {
    func testWithoutBiasWithZeroPointsAndBatches() {
        let p = FullyConnectedParams(batches: 2, inputDepth: 3, outputDepth: 2, inputOffset: -1, outputOffset: 5,
                                     multiplier: unit.multiplier, shift: unit.shift, activationMin: -128, activationMax: 127)
        // Real inputs [1,2,3] and [0,0,-1], stored +1.
        let input: [Int8] = [2, 3, 4, 1, 1, 0]
        let weights: [Int8] = [1, 0, -1, 2, 2, 2]
        var out = [Int8](repeating: 0, count: 4)
        input.withUnsafeBufferPointer { i in weights.withUnsafeBufferPointer { w in out.withUnsafeMutableBufferPointer { o in
            fullyConnectedInt8(p, input: i, filter: w, bias: nil, output: o)
        } } }
        XCTAssertEqual(out, [3, 17, 6, 3])
        let bias: [Int32] = [200, -10]
        input.withUnsafeBufferPointer { i in weights.withUnsafeBufferPointer { w in bias.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in fullyConnectedInt8(p, input: i, filter: w, bias: b, output: o) }
        } } }
        XCTAssertEqual(out, [127, 7, 127, -7])
    }

    func testMultiplierUsesFloatProduct() {
        let (m, s) = FullyConnectedParams.multiplier(inputScale: 0.5, filterScale: 0.5, outputScale: 0.25)
        XCTAssertEqual(m, 1 << 30)
        XCTAssertEqual(s, 1)
    }
}

final class PoolTests: XCTestCase {
    private func run(_ kind: PoolKind, _ input: [Int8], min: Int32 = -128, max: Int32 = 127) -> [Int8] {
        let g = geometry(3, 2, stride: 2, .same)
        let p = PoolParams(batches: 1, channels: 1, height: g, width: g, activationMin: min, activationMax: max)
        var out = [Int8](repeating: 0, count: 4)
        input.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { poolInt8(kind, p, input: i, output: $0) } }
        return out
    }

    func testAverageRoundsHalfAwayFromZeroAndExcludesPadding() {
        let input: [Int8] = (1...9).map { Int8($0) }
        // 12/4 = 3, 9/2 = 4.5 → 5, 15/2 = 7.5 → 8, 9/1.
        XCTAssertEqual(run(.average, input), [3, 5, 8, 9])
        XCTAssertEqual(run(.average, input.map { -$0 }), [-3, -5, -8, -9])
        XCTAssertEqual(run(.average, [-1, 0, 0, 0, 0, 0, 0, 0, 0]), [0, 0, 0, 0]) // −1/4 → (−1−2)/4 = 0
        XCTAssertEqual(run(.average, [-2, 0, 0, 0, 0, 0, 0, 0, 0]), [-1, 0, 0, 0]) // −2/4 → (−2−2)/4 = −1
        XCTAssertEqual(run(.average, [2, 0, 0, 0, 0, 0, 0, 0, 0]), [1, 0, 0, 0]) // (2+2)/4 = 1
    }

    func testMaxAndClamp() {
        let input: [Int8] = (1...9).map { Int8($0) }
        XCTAssertEqual(run(.max, input), [5, 6, 8, 9])
        XCTAssertEqual(run(.max, input.map { -$0 }), [-1, -3, -7, -9])
        XCTAssertEqual(run(.max, input, min: 6, max: 8), [6, 6, 8, 8])
        XCTAssertEqual(run(.max, [Int8](repeating: -128, count: 9)), [-128, -128, -128, -128])
    }
}
