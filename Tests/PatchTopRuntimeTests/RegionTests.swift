import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// The patch executor will run kernels on sub-rectangles: computing output
/// rows/cols from a buffer holding only the input rows/cols they read must
/// give the same bytes as the whole-tensor run.
final class RegionTests: XCTestCase {
    private func crop(_ x: [Int8], width: Int, channels: Int, _ r: Region2D) -> [Int8] {
        var out = [Int8]()
        for y in r.rows { for c in r.cols { for k in 0..<channels { out.append(x[(y * width + c) * channels + k]) } } }
        return out
    }

    private func inputRegion(_ h: WindowGeometry, _ w: WindowGeometry, rows: Range<Int>, cols: Range<Int>) -> Region2D {
        let ry = h.inputRange(forOutputs: rows.lowerBound, rows.upperBound)
        let rx = w.inputRange(forOutputs: cols.lowerBound, cols.upperBound)
        return Region2D(y: ry.lowerBound, x: rx.lowerBound, height: ry.count, width: rx.count)
    }

    func testDepthwiseDilatedStridedSubRectangle() {
        // 9×8×2 input, 3×3 depthwise, dilation 2, stride 2, SAME, multiplier 3.
        let h = WindowGeometry(inputSize: 9, filterSize: 3, stride: 2, dilation: 2, padding: .same)!
        let w = WindowGeometry(inputSize: 8, filterSize: 3, stride: 2, dilation: 2, padding: .same)!
        let (m, s) = perChannelMultipliers(inputScale: 0.03, filterScales: [0.01, 0.02, 0.015, 0.04, 0.01, 0.02],
                                           outputScale: 0.05, channels: 6)
        let p = DepthwiseConv2DParams(batches: 1, inputChannels: 2, depthMultiplier: 3, height: h, width: w,
                                      inputOffset: 3, outputOffset: -5, multipliers: m, shifts: s,
                                      activationMin: -128, activationMax: 127)
        let input: [Int8] = (0..<(9 * 8 * 2)).map { Int8(truncatingIfNeeded: $0 &* 29 &+ 7) }
        let filter: [Int8] = (0..<(9 * 6)).map { Int8(truncatingIfNeeded: $0 &* 41 &- 60) }
        let bias: [Int32] = [10, -20, 30, -40, 50, -60]
        let oh = h.outputSize, ow = w.outputSize
        var full = [Int8](repeating: 0, count: oh * ow * 6)
        input.withUnsafeBufferPointer { i in filter.withUnsafeBufferPointer { f in bias.withUnsafeBufferPointer { b in
            full.withUnsafeMutableBufferPointer { depthwiseConv2DInt8(p, input: i, filter: f, bias: b, output: $0) }
        } } }
        let rows = 1..<4, cols = 1..<3
        let inR = inputRegion(h, w, rows: rows, cols: cols)
        let patchIn = crop(input, width: 8, channels: 2, inR)
        let outR = Region2D(y: rows.lowerBound, x: cols.lowerBound, height: rows.count, width: cols.count)
        var patchOut = [Int8](repeating: 0, count: rows.count * cols.count * 6)
        patchIn.withUnsafeBufferPointer { i in filter.withUnsafeBufferPointer { f in bias.withUnsafeBufferPointer { b in
            patchOut.withUnsafeMutableBufferPointer { o in
                depthwiseConv2DInt8(p, input: i, inputRegion: inR, filter: f, bias: b, output: o, outputRegion: outR,
                                    outputRows: rows, outputCols: cols)
            }
        } } }
        XCTAssertEqual(patchOut, crop(full, width: ow, channels: 6, outR))
    }

    func testPoolSubRectangleBothKinds() {
        let h = WindowGeometry(inputSize: 7, filterSize: 3, stride: 2, padding: .same)!
        let p = PoolParams(batches: 1, channels: 2, height: h, width: h, activationMin: -100, activationMax: 100)
        let input: [Int8] = (0..<98).map { Int8(truncatingIfNeeded: $0 &* 53 &+ 1) }
        for kind in [PoolKind.average, .max] {
            var full = [Int8](repeating: 0, count: 4 * 4 * 2)
            input.withUnsafeBufferPointer { i in full.withUnsafeMutableBufferPointer { poolInt8(kind, p, input: i, output: $0) } }
            let rows = 2..<4, cols = 0..<3
            let inR = inputRegion(h, h, rows: rows, cols: cols)
            let patchIn = crop(input, width: 7, channels: 2, inR)
            let outR = Region2D(y: 2, x: 0, height: 2, width: 3)
            var patchOut = [Int8](repeating: 0, count: 2 * 3 * 2)
            patchIn.withUnsafeBufferPointer { i in patchOut.withUnsafeMutableBufferPointer { o in
                poolInt8(kind, p, input: i, inputRegion: inR, output: o, outputRegion: outR, outputRows: rows, outputCols: cols)
            } }
            XCTAssertEqual(patchOut, crop(full, width: 4, channels: 2, outR), "\(kind)")
        }
    }
}
