import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// MEAN (TFLite Micro's `QuantizedMeanOrSum`), TRANSPOSE and the shape
/// arithmetic of dynamic-batch graphs, on cases small enough to check by
/// hand.
final class MeanTransposeKernelTests: XCTestCase {
    private func mean(_ x: [Int8], shape: [Int], axes: [Int], inputScale: Float = 0.5, inputZeroPoint: Int32 = 0,
                      outputScale: Float = 0.5, outputZeroPoint: Int32 = 0) throws -> [Int8] {
        let loops = try XCTUnwrap(ReductionLoops(shape: shape, axes: axes))
        let p = try XCTUnwrap(MeanParams(loops: loops, inputScale: inputScale, inputZeroPoint: inputZeroPoint,
                                         outputScale: outputScale, outputZeroPoint: outputZeroPoint))
        var out = [Int8](repeating: 99, count: loops.outputs)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { meanInt8(p, input: xp, output: $0) } }
        return out
    }

    /// Equal input and output quantization: 1/N is folded into the 1.0
    /// multiplier (2^30, shift 1) and the sum is rounded twice, as TFLite
    /// Micro does (not TF 2.21's truncating `Σx / N`).
    func testMeanWithEqualQuantizationRoundsLikeTFLiteMicro() throws {
        // N = 4: multiplier 2^30 << 2 / 4 = 2^30, shift 1 − 2 = −1.
        // 11/4 = 2.75: high-mul gives round(5.5) = 6, then 6/2 = 3.
        XCTAssertEqual(try mean([1, 2, 3, 5], shape: [1, 2, 2, 1], axes: [1, 2]), [3])
        // Ties: 10/4 = 2.5 → 5, 5/2 = 2.5 → 3 (away from zero).
        XCTAssertEqual(try mean([1, 2, 3, 4], shape: [1, 2, 2, 1], axes: [1, 2]), [3])
        // 5/4 = 1.25: high-mul rounds 2.5 up to 3, then 3/2 = 1.5 → 2 (the
        // double rounding TFLite Micro performs; trunc would give 1).
        XCTAssertEqual(try mean([1, 1, 1, 2], shape: [1, 2, 2, 1], axes: [1, 2]), [2])
        // Negative sums: −5/4 = −1.25: high-mul gives −2 (gemmlowp's nudge
        // rounds −2.5 towards zero), then −2/2 = −1.
        XCTAssertEqual(try mean([-1, -1, -1, -2], shape: [1, 2, 2, 1], axes: [1, 2]), [-1])
        // −10/4 = −2.5: −5, then −5/2 = −2.5 → −3 (away from zero).
        XCTAssertEqual(try mean([-1, -2, -3, -4], shape: [1, 2, 2, 1], axes: [1, 2]), [-3])
        // N = 3: shift up by ⌊log2 3⌋ = 1: multiplier ⌊2^31 / 3⌋, shift 0:
        // 4/3 → 1, −4/3 → −1, 5/3 → 2.
        XCTAssertEqual(try mean([1, 1, 2, -1, -1, -2, 1, 2, 2], shape: [3, 3], axes: [1]), [1, -1, 2])
        // Saturation: the mean of 127s is 127.
        XCTAssertEqual(try mean([127, 127, 127], shape: [3], axes: [0]), [127])
    }

    /// Different quantizations: `(Σx − zp_in·N)` times `s_in / (s_out·N)`,
    /// plus the output zero point.
    func testMeanRescales() throws {
        // (1+2+3+5 − 4·1) = 7 × 0.5/0.25/4 = 3.5 → 4, + (−3) = 1.
        XCTAssertEqual(try mean([1, 2, 3, 5], shape: [1, 2, 2, 1], axes: [1, 2], inputZeroPoint: 1,
                                outputScale: 0.25, outputZeroPoint: -3), [1])
        // (−11 − 4) = −15 × 0.5 = −7.5, a tie of the high-mul (shift 0),
        // which gemmlowp rounds towards zero for negatives: −7, + (−3) = −10.
        XCTAssertEqual(try mean([-1, -2, -3, -5], shape: [1, 2, 2, 1], axes: [1, 2], inputZeroPoint: 1,
                                outputScale: 0.25, outputZeroPoint: -3), [-10])
    }

    /// Any axes: one at a time as PyTorch exports write it, with and
    /// without keepDims (the output order is the same), negative and
    /// repeated axes.
    func testMeanOverAnyAxes() throws {
        // [1, 2, 3, 2]: h, w, c.
        let x: [Int8] = [0, 10, 2, 12, 4, 14,
                         6, 16, 8, 18, 10, 20]
        // Over width: per (h, c): (0+2+4)/3 = 2, (10+12+14)/3 = 12, 8, 18.
        XCTAssertEqual(try mean(x, shape: [1, 2, 3, 2], axes: [2]), [2, 12, 8, 18])
        // Over height: per (w, c): 3, 13, 5, 15, 7, 17.
        XCTAssertEqual(try mean(x, shape: [1, 2, 3, 2], axes: [1]), [3, 13, 5, 15, 7, 17])
        // Over channels (axis −1): 5, 7, 9, 11, 13, 15.
        XCTAssertEqual(try mean(x, shape: [1, 2, 3, 2], axes: [-1]), [5, 7, 9, 11, 13, 15])
        // Over height and width, axes repeated: 5, 15.
        XCTAssertEqual(try mean(x, shape: [1, 2, 3, 2], axes: [2, 1, 2]), [5, 15])
        // Everything: 10.
        XCTAssertEqual(try mean(x, shape: [1, 2, 3, 2], axes: [0, 1, 2, 3]), [10])
        XCTAssertNil(ReductionLoops(shape: [1, 2, 3, 2], axes: [4]))
        XCTAssertNil(ReductionLoops(shape: [1, 1, 2, 3, 2], axes: [1]))
    }

    /// Float MEAN sums in the input's row-major order, then divides.
    func testFloatMean() throws {
        let loops = try XCTUnwrap(ReductionLoops(shape: [2, 3], axes: [1]))
        let x: [Float] = [1, 2, 4, -1, 0.5, 0.25]
        var out = [Float](repeating: 0, count: 2)
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { meanFloat(loops, input: xp, output: $0) } }
        XCTAssertEqual(out, [7 / 3, -0.25 / 3])
        // The order is the one TFLite Micro adds in: ((1e8 + 1) + −1e8) = 0 in Float.
        let order = try XCTUnwrap(ReductionLoops(shape: [3], axes: [0]))
        let big: [Float] = [1e8, 1, -1e8]
        var one: [Float] = [7]
        big.withUnsafeBufferPointer { xp in one.withUnsafeMutableBufferPointer { meanFloat(order, input: xp, output: $0) } }
        XCTAssertEqual(one, [0])
    }

    /// TRANSPOSE [0,3,1,2] (MIT's head): NHWC → NCHW; and a 2-D swap of
    /// 4-byte values.
    func testTranspose() throws {
        // [1, 2, 2, 3]: value = 100·h + 10·w + c.
        var x: [Int8] = []
        for h in 0..<2 { for w in 0..<2 { for c in 0..<3 { x.append(Int8(40 * h + 10 * w + c)) } } }
        let p = try XCTUnwrap(TransposeParams(inputShape: [1, 2, 2, 3], perm: [0, 3, 1, 2], elementBytes: 1))
        XCTAssertEqual(p.outputShape, [1, 3, 2, 2])
        var y = [Int8](repeating: 0, count: 12)
        x.withUnsafeBytes { xp in y.withUnsafeMutableBytes { transpose(p, input: xp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(y, [0, 10, 40, 50, 1, 11, 41, 51, 2, 12, 42, 52])
        let f: [Float] = [1, 2, 3, 4, 5, 6]   // [2, 3]
        let q = try XCTUnwrap(TransposeParams(inputShape: [2, 3], perm: [1, 0], elementBytes: 4))
        var g = [Float](repeating: 0, count: 6)
        f.withUnsafeBytes { fp in g.withUnsafeMutableBytes { transpose(q, input: fp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(g, [1, 4, 2, 5, 3, 6])
        XCTAssertNil(TransposeParams(inputShape: [2, 3], perm: [1, 1], elementBytes: 1))
        XCTAssertNil(TransposeParams(inputShape: [2, 3], perm: [0, 1, 2], elementBytes: 1))
    }

    /// STRIDED_SLICE of an activation: rows 1 and 3, columns 0 and 3,
    /// channel 1 of a [1,4,4,2] map; then a reversed, shrunk slice.
    func testStridedSlice() throws {
        let x: [Int8] = (0..<32).map { Int8($0) }   // value = (4·h + w)·2 + c
        let p = try XCTUnwrap(StridedSliceParams(inputShape: [1, 4, 4, 2], begin: [0, 1, 0, 1], end: [1, 4, 4, 2], strides: [1, 2, 3, 1],
                                                 beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
                                                 offset: false, elementBytes: 1))
        XCTAssertEqual(p.count, [1, 2, 2, 1])
        var y = [Int8](repeating: 0, count: 4)
        x.withUnsafeBytes { xp in y.withUnsafeMutableBytes { stridedSlice(p, input: xp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(y, [9, 15, 25, 31])
        // Row 2 (shrunk), columns from the end backwards (begin −1, end
        // masked, stride −1), channel 0, of 4-byte values.
        let f: [Float] = (0..<32).map { Float($0) }
        let q = try XCTUnwrap(StridedSliceParams(inputShape: [1, 4, 4, 2], begin: [0, 2, -1, 0], end: [1, 3, 0, 1], strides: [1, 1, -1, 1],
                                                 beginMask: 0, endMask: 0b0100, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0b0010,
                                                 offset: false, elementBytes: 4))
        var g = [Float](repeating: 0, count: q.outputCount)
        f.withUnsafeBytes { fp in g.withUnsafeMutableBytes { stridedSlice(q, input: fp.baseAddress!, output: $0.baseAddress!) } }
        XCTAssertEqual(g, [22, 20, 18, 16])
        XCTAssertNil(StridedSliceParams(inputShape: [4], begin: [0], end: [4], strides: [1], beginMask: 0, endMask: 0, ellipsisMask: 1,
                                        newAxisMask: 0, shrinkAxisMask: 0, offset: false, elementBytes: 1))
    }
}
