import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// The float32 kernels and QUANTIZE on every kernel path this CPU has,
/// against the portable Swift path (which the TFLite Micro references pin
/// down): bit for bit, on random shapes, clamps, patch regions, and values
/// that overflow to infinity or are NaN.
final class FloatVectorPathTests: XCTestCase {
    private var rng = SeededGenerator(state: 0xF10A7)

    private func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(rng.next() % UInt64(r.count)) }

    private func floats(_ n: Int, wild: Bool) -> [Float] {
        (0..<n).map { _ in
            if wild {
                switch int(0...60) {
                case 0: return .nan
                case 1: return 3e38
                case 2: return -3e38
                default: break
                }
            }
            return Float(int(-20_000...20_000)) / 7919
        }
    }

    private func geometry(_ size: Int, _ filter: Int, _ stride: Int, _ dilation: Int, _ padding: Padding) -> WindowGeometry? {
        WindowGeometry(inputSize: size, filterSize: filter, stride: stride, dilation: dilation, padding: padding)
    }

    /// Same bits, or both NaN (payloads may differ).
    private func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    private func clamp() -> FloatClamp {
        [FloatClamp.none, FloatClamp(lower: 0, upper: .greatestFiniteMagnitude), FloatClamp(lower: 0, upper: 6),
         FloatClamp(lower: -1, upper: 1)][int(0...3)]
    }

    func testFloatConvAndDepthwiseMatchPortableOnRandomShapesAndPatches() throws {
        let paths = KernelPath.available.filter { $0 != .portable }
        try XCTSkipIf(paths.isEmpty, "this CPU has only the portable path")
        var cases = 0
        while cases < 160 {
            let depthwise = cases % 2 == 1
            let k = [1, 1, 3, 3, 5][int(0...4)]
            let padding: Padding = int(0...1) == 0 ? .same : .valid
            guard let h = geometry(int(1...12), k, int(1...2), int(0...4) == 0 ? 2 : 1, padding),
                  let w = geometry(int(1...12), int(0...3) == 0 ? [1, 3][int(0...1)] : k, int(1...2), 1, padding)
            else { continue }
            cases += 1
            let batches = int(0...4) == 0 ? 2 : 1
            let ic = [1, 3, 8, 9, 16, 33, int(1...40)][int(0...6)]
            let oc = depthwise ? ic * [1, 1, 2, 3][int(0...3)] : [1, 7, 8, 16, 17, 24, 40, int(1...50)][int(0...7)]
            let filterCount = depthwise ? h.filterSize * w.filterSize * oc : oc * h.filterSize * w.filterSize * ic
            var filter = floats(filterCount, wild: false)
            // Now and then a weight that is not finite (the padding then
            // cannot be read as 0.0: 0 × ∞ is NaN), or every weight
            // negative and the input all zeros (sums of -0.0).
            if cases % 7 == 3 { filter[int(0...(filterCount - 1))] = [Float.infinity, -.infinity, .nan][int(0...2)] }
            let zeros = cases % 11 == 5
            if zeros { filter = filter.map { -abs($0) - 0.5 } }
            let bias: [Float]? = int(0...3) == 0 || zeros ? nil : floats(oc, wild: false)
            let input = zeros ? [Float](repeating: 0, count: batches * h.inputSize * w.inputSize * ic)
                : floats(batches * h.inputSize * w.inputSize * ic, wild: cases % 5 == 0)
            let c = clamp()
            func kernel(_ path: KernelPath) -> FloatConv2DKernel {
                FloatConv2DKernel(height: h, width: w, batches: batches, inputChannels: ic, outputChannels: oc,
                                  depthwise: depthwise, filter: filter, bias: bias, clamp: c, path: path)
            }
            let oracle = kernel(.portable)
            XCTAssertEqual(oracle.path, .portable)
            let full = Region2D(height: h.outputSize, width: w.outputSize)
            let fullIn = Region2D(height: h.inputSize, width: w.inputSize)
            var expected = [Float](repeating: 0, count: batches * full.height * full.width * oc)
            input.withUnsafeBufferPointer { i in expected.withUnsafeMutableBufferPointer { o in
                oracle.run(input: i.baseAddress!, inputRegion: fullIn, output: o.baseAddress!, outputRegion: full,
                           outputRows: 0..<full.height, outputCols: 0..<full.width)
            } }
            for path in paths {
                let fast = kernel(path)
                XCTAssertEqual(fast.path, .avx2, "float kernels have no VNNI form")
                for trial in 0..<3 {
                    // Trial 0: the whole tensor; then a random patch read
                    // from a buffer holding only its input region.
                    var rows = 0..<full.height, cols = 0..<full.width
                    if trial > 0 {
                        let r0 = int(0...(full.height - 1)), c0 = int(0...(full.width - 1))
                        rows = r0..<int((r0 + 1)...full.height)
                        cols = c0..<int((c0 + 1)...full.width)
                    }
                    let inRows = trial == 0 ? 0..<fullIn.height : h.inputRange(forOutputs: rows.lowerBound, rows.upperBound)
                    let inCols = trial == 0 ? 0..<fullIn.width : w.inputRange(forOutputs: cols.lowerBound, cols.upperBound)
                    let inRegion = Region2D(y: inRows.lowerBound, x: inCols.lowerBound, height: inRows.count, width: inCols.count)
                    let outRegion = Region2D(y: rows.lowerBound, x: cols.lowerBound, height: rows.count, width: cols.count)
                    var patch = [Float]()
                    for b in 0..<batches { for y in inRows { for x in inCols {
                        let base = fullIn.offset(batch: b, row: y, col: x, channels: ic)
                        patch += input[base..<(base + ic)]
                    } } }
                    var out = [Float](repeating: 0, count: batches * rows.count * cols.count * oc)
                    patch.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in
                        fast.run(input: i.baseAddress!, inputRegion: inRegion, output: o.baseAddress!, outputRegion: outRegion,
                                 outputRows: rows, outputCols: cols)
                    } }
                    for b in 0..<batches { for y in rows { for x in cols { for ch in 0..<oc {
                        let got = out[outRegion.offset(batch: b, row: y, col: x, channels: oc) + ch]
                        let want = expected[full.offset(batch: b, row: y, col: x, channels: oc) + ch]
                        if !same(got, want) {
                            XCTFail("\(path) \(depthwise ? "depthwise" : "conv") ic\(ic) oc\(oc) \(h) \(w) trial \(trial) b\(b) y\(y) x\(x) c\(ch): \(got) != \(want)")
                            return
                        }
                    } } } }
                }
            }
        }
    }

    func testFloatFullyConnectedMatchesPortable() throws {
        let paths = KernelPath.available.filter { $0 != .portable }
        try XCTSkipIf(paths.isEmpty, "this CPU has only the portable path")
        for k in 0..<80 {
            let depth = int(1...300), outputs = [1, 2, 8, 10, 12, 31, 32, 33, 70][int(0...8)], batches = int(1...3)
            let filter = floats(outputs * depth, wild: false), bias: [Float]? = int(0...2) == 0 ? nil : floats(outputs, wild: false)
            let input = floats(batches * depth, wild: k % 4 == 0)
            let c = clamp()
            let oracle = FloatFullyConnectedKernel(batches: batches, inputDepth: depth, outputDepth: outputs, filter: filter,
                                                   bias: bias, clamp: c, path: .portable)
            var want = [Float](repeating: 0, count: batches * outputs)
            input.withUnsafeBufferPointer { i in want.withUnsafeMutableBufferPointer { oracle.run(input: i.baseAddress!, output: $0.baseAddress!) } }
            for path in paths {
                let fast = FloatFullyConnectedKernel(batches: batches, inputDepth: depth, outputDepth: outputs, filter: filter,
                                                     bias: bias, clamp: c, path: path)
                XCTAssertEqual(fast.path, .avx2)
                var got = [Float](repeating: 0, count: batches * outputs)
                input.withUnsafeBufferPointer { i in got.withUnsafeMutableBufferPointer { fast.run(input: i.baseAddress!, output: $0.baseAddress!) } }
                for i in 0..<got.count where !same(got[i], want[i]) {
                    XCTFail("fc #\(k) \(path) depth \(depth) outputs \(outputs) [\(i)]: \(got[i]) != \(want[i])")
                    return
                }
            }
        }
    }

    func testQuantizeMatchesScalarOnHalvesNaNAndHugeValues() throws {
        let paths = KernelPath.available.filter { $0 != .portable }
        try XCTSkipIf(paths.isEmpty, "this CPU has only the portable path")
        for k in 0..<200 {
            let scales: [Float] = [1, 0.5, 0.1, 1.0 / 255, Float(int(1...1000)) / 997, 1e-30]
            let scale = scales[int(0...5)]
            let zeroPoint = Int32(int(-128...127))
            let count = int(0...41)
            let values: [Float] = (0..<count).map { _ in
                switch int(0...9) {
                case 0: return .nan
                case 1: return [Float.infinity, -.infinity, 3e38, -3e38][int(0...3)]
                case 2, 3: return (Float(int(-300...300)) + 0.5) * scale // exact halves
                case 4: return Float(int(-300...300)).nextUp * scale
                default: return Float(int(-100_000...100_000)) / 313 * scale
                }
            }
            let want = values.map { quantizeFloat($0, scale: scale, zeroPoint: zeroPoint) }
            for path in paths {
                var got = [Int8](repeating: 0x55, count: count)
                values.withUnsafeBytes { v in got.withUnsafeMutableBufferPointer { o in
                    if let base = v.baseAddress, let out = o.baseAddress {
                        quantizeFloatRun(base, count: count, scale: scale, zeroPoint: zeroPoint, output: out, path: path)
                    }
                } }
                XCTAssertEqual(got, want, "#\(k) \(path) scale \(scale) zp \(zeroPoint) values \(values)")
            }
        }
    }
}
