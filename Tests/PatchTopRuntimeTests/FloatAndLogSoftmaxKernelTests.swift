import XCTest
@testable import PatchTopModel
@testable import PatchTopRuntime

/// float32 kernels and LOG_SOFTMAX on cases small enough to check by hand.
final class FloatAndLogSoftmaxKernelTests: XCTestCase {
    private func geometry(_ size: Int, _ filter: Int, _ stride: Int = 1, _ padding: Padding = .valid) throws -> WindowGeometry {
        try XCTUnwrap(WindowGeometry(inputSize: size, filterSize: filter, stride: stride, padding: padding))
    }

    /// A 2×2 VALID conv of a 3×3 input with 2 output channels: each output
    /// is the window's sum weighted per channel, plus the bias, clamped.
    func testFloatConv() throws {
        let x: [Float] = [1, 2, 3,
                          4, 5, 6,
                          7, 8, 9]
        // Channel 0 sums the window; channel 1 takes top-left minus bottom-right.
        let filter: [Float] = [1, 1, 1, 1,
                               1, 0, 0, -1]
        let k = FloatConv2DKernel(height: try geometry(3, 2), width: try geometry(3, 2), batches: 1, inputChannels: 1,
                                  outputChannels: 2, depthwise: false, filter: filter, bias: [0.5, 0], clamp: .none)
        var y = [Float](repeating: .nan, count: 8)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            k.run(input: xp.baseAddress!, inputRegion: Region2D(height: 3, width: 3), output: yp.baseAddress!,
                  outputRegion: Region2D(height: 2, width: 2), outputRows: 0..<2, outputCols: 0..<2)
        } }
        XCTAssertEqual(y, [12.5, -4, 16.5, -4, 24.5, -4, 28.5, -4])
        // RELU6 clamps.
        let relu6 = FloatConv2DKernel(height: try geometry(3, 2), width: try geometry(3, 2), batches: 1, inputChannels: 1,
                                      outputChannels: 2, depthwise: false, filter: filter, bias: nil,
                                      clamp: try XCTUnwrap(FloatClamp(.relu6)))
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            relu6.run(input: xp.baseAddress!, inputRegion: Region2D(height: 3, width: 3), output: yp.baseAddress!,
                      outputRegion: Region2D(height: 2, width: 2), outputRows: 0..<2, outputCols: 0..<2)
        } }
        XCTAssertEqual(y, [6, 0, 6, 0, 6, 0, 6, 0])
    }

    /// Depthwise with depth multiplier 2 and SAME padding: taps outside the
    /// image are skipped (not multiplied by zero).
    func testFloatDepthwise() throws {
        let x: [Float] = [1, 2]   // 1×2, one channel
        // 1×3 filter, 2 output channels: [1, 1, 1] and [0, 2, 0].
        let filter: [Float] = [1, 0, 1, 2, 1, 0]
        let k = FloatConv2DKernel(height: try geometry(1, 1), width: try geometry(2, 3, 1, .same), batches: 1, inputChannels: 1,
                                  outputChannels: 2, depthwise: true, filter: filter, bias: nil, clamp: .none)
        XCTAssertEqual(k.depthMultiplier, 2)
        var y = [Float](repeating: .nan, count: 4)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            k.run(input: xp.baseAddress!, inputRegion: Region2D(height: 1, width: 2), output: yp.baseAddress!,
                  outputRegion: Region2D(height: 1, width: 2), outputRows: 0..<1, outputCols: 0..<2)
        } }
        XCTAssertEqual(y, [3, 2, 3, 4])
    }

    /// Average pooling divides by the in-image count; max starts below any value.
    func testFloatPools() throws {
        let x: [Float] = [1, 2, 3, 4]   // 2×2
        for (kind, want) in [(PoolKind.average, [Float](arrayLiteral: 2.5, 3, 3.5, 4)), (.max, [4, 4, 4, 4])] {
            let k = FloatPoolKernel(kind: kind, height: try geometry(2, 2, 1, .same), width: try geometry(2, 2, 1, .same),
                                    batches: 1, channels: 1, clamp: .none)
            var y = [Float](repeating: .nan, count: 4)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                k.run(input: xp.baseAddress!, inputRegion: Region2D(height: 2, width: 2), output: yp.baseAddress!,
                      outputRegion: Region2D(height: 2, width: 2), outputRows: 0..<2, outputCols: 0..<2)
            } }
            XCTAssertEqual(y, want, "\(kind)")
        }
    }

    func testFloatFullyConnected() throws {
        let k = FloatFullyConnectedKernel(batches: 2, inputDepth: 3, outputDepth: 2, filter: [1, 2, 3, -1, 0, 1],
                                          bias: [0.5, -0.5], clamp: .none)
        var y = [Float](repeating: .nan, count: 4)
        let x: [Float] = [1, 1, 1, 2, 0, -1]
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { k.run(input: xp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(y, [6.5, -0.5, -0.5, -3.5])
    }

    /// The activations and binary ops, with TFLite's exact formulas.
    func testFloatElementwise() {
        XCTAssertEqual(FloatUnaryOp.hardSwish.apply(1), Float(4) / 6)
        XCTAssertEqual(FloatUnaryOp.hardSwish.apply(-4), 0)
        XCTAssertEqual(FloatUnaryOp.hardSwish.apply(5), 5)
        XCTAssertEqual(FloatUnaryOp.relu6.apply(7), 6)
        XCTAssertEqual(FloatUnaryOp.leakyRelu(alpha: 0.25).apply(-2), -0.5)
        // LOGISTIC: 1 above the upper cutoff, exp(x) below −9.
        XCTAssertEqual(FloatUnaryOp.logistic.apply(17), 1)
        XCTAssertEqual(FloatUnaryOp.logistic.apply(-10), expf(-10))
        XCTAssertEqual(FloatUnaryOp.logistic.apply(0), 0.5)
        XCTAssertEqual(FloatBinaryOp.sub.apply(1, 3, .none), -2)
        XCTAssertEqual(FloatBinaryOp.add.apply(1, 3, FloatClamp(lower: 0, upper: 2)), 2)
        XCTAssertEqual(FloatBinaryOp.maximum.apply(-1, 3, .none), 3)
        // Broadcast a [3] row over [2, 3].
        let a: [Float] = [1, 2, 3, 4, 5, 6], b: [Float] = [10, 20, 30]
        var y = [Float](repeating: 0, count: 6)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in
            broadcastBinaryFloat(.mul, .none, shapeA: [2, 3], ap.baseAddress!, shapeB: [3], bp.baseAddress!,
                                 outputShape: [2, 3], yp.baseAddress!)
        } } }
        XCTAssertEqual(y, [10, 40, 90, 40, 100, 180])
    }

    func testFloatSoftmaxAndLogSoftmax() {
        let x: [Float] = [0, 0, 0, 0]
        var y = [Float](repeating: 0, count: 4)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { softmaxFloat(beta: 1, rows: 2, depth: 2, input: xp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(y, [0.5, 0.5, 0.5, 0.5])
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { logSoftmaxFloat(rows: 1, depth: 4, input: xp, output: $0) } }
        XCTAssertEqual(y, [Float](repeating: -logf(4), count: 4))
    }

    /// int8 LOG_SOFTMAX into 16/256, 127: equal inputs give −log(depth);
    /// a dominant input gives ≈ 0 (127) and the rest −128.
    func testInt8LogSoftmax() throws {
        func run(_ x: [Int8], scale: Float) throws -> [Int8] {
            let p = try XCTUnwrap(LogSoftmaxParams(inputScale: scale, rows: 1, depth: x.count))
            var y = [Int8](repeating: 0, count: x.count)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { logSoftmaxInt8(p, input: xp, output: $0) } }
            return y
        }
        // −log 2 / 0.0625 = −11.09 → −11, + 127 = 116.
        XCTAssertEqual(try run([5, 5], scale: 0.1), [116, 116])
        // −log 4 / 0.0625 = −22.18 → 105.
        XCTAssertEqual(try run([-3, -3, -3, -3], scale: 0.1), [105, 105, 105, 105])
        // x = 1 and 0 with scale 1: log_softmax = −0.3133, −1.3133 → 122, 106.
        XCTAssertEqual(try run([1, 0], scale: 1), [122, 106])
        // A gap of 255 × 0.5: the others are far below and clamp to −128.
        XCTAssertEqual(try run([127, -128, -128], scale: 0.5), [127, -128, -128])
        // Scales the arithmetic cannot represent are refused, not trapped on.
        XCTAssertNil(LogSoftmaxParams(inputScale: 1e-12, rows: 1, depth: 2))
        XCTAssertNil(LogSoftmaxParams(inputScale: .nan, rows: 1, depth: 2))
    }

    /// STRIDED_SLICE of a shape vector with TensorFlow's masks.
    func testSlice1D() {
        let v = [1, 16, 16, 8]
        XCTAssertEqual(Model.slice1D(v, begin: 0, end: 1, stride: 1, beginMask: false, endMask: false, shrink: true, offset: false), [1])
        XCTAssertEqual(Model.slice1D(v, begin: 1, end: 0, stride: 1, beginMask: false, endMask: true, shrink: false, offset: false), [16, 16, 8])
        XCTAssertEqual(Model.slice1D(v, begin: -1, end: 0, stride: -1, beginMask: false, endMask: true, shrink: false, offset: false), [8, 16, 16, 1])
        XCTAssertEqual(Model.slice1D(v, begin: 0, end: 9, stride: 2, beginMask: false, endMask: false, shrink: false, offset: false), [1, 16])
        XCTAssertNil(Model.slice1D(v, begin: 7, end: 8, stride: 1, beginMask: false, endMask: false, shrink: true, offset: false))
        XCTAssertNil(Model.slice1D(v, begin: 0, end: 1, stride: 0, beginMask: false, endMask: false, shrink: false, offset: false))
    }
}
