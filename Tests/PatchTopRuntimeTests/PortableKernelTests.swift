import XCTest
import PatchTopModel
@testable import PatchTopRuntime

/// The SIMD kernels against the straightforward reference loops, on random
/// shapes: padding (SAME, VALID), strides, dilation, odd channel counts that
/// are not multiples of the 16-lane blocks, batches, saturation, random
/// zero points and multipliers (left and right shifts), and patch calls
/// (sub-regions of input and output, any rows and columns).
final class PortableKernelTests: XCTestCase {
    struct Rng {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(state: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func bool() -> Bool { next() & 1 == 1 }
        mutating func bytes(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: next()) } }
        /// Weights in [-127, 127] with occasional -128 (legal in a file).
        mutating func weights(_ n: Int) -> [Int8] { (0..<n).map { _ in next() % 97 == 0 ? -128 : Int8(int(-127...127)) } }
        mutating func multipliers(_ n: Int) -> ([Int32], [Int32]) {
            var m = [Int32](), s = [Int32]()
            for _ in 0..<n {
                // Real multipliers from 2^-24 to ~4: right shifts and left shifts.
                let real = Double(int(1...1000)) / 1000 * pow(2, Double(int(-24...2)))
                let q = FixedPoint.quantizeMultiplier(real)
                m.append(q.multiplier)
                s.append(q.shift)
            }
            return (m, s)
        }
        mutating func activation() -> (Int32, Int32) {
            switch int(0...2) {
            case 0: return (-128, 127)
            case 1: return (Int32(int(-128...0)), 127)
            default: let lo = Int32(int(-128...20)); return (lo, Int32(int(Int(lo)...127)))
            }
        }
    }

    struct Window {
        var h: WindowGeometry
        var w: WindowGeometry
    }

    private func window(_ rng: inout Rng, oneByOne: Bool = false) -> Window {
        while true {
            let k = oneByOne ? 1 : [1, 2, 3, 3, 5, 7][rng.int(0...5)]
            let kx = rng.int(0...3) == 0 ? [1, 3, 5][rng.int(0...2)] : k
            let stride = oneByOne ? 1 : rng.int(1...2), dilation = rng.int(0...3) == 0 ? 2 : 1
            let padding: Padding = rng.bool() ? .same : .valid
            if let h = WindowGeometry(inputSize: rng.int(1...13), filterSize: k, stride: stride, dilation: dilation, padding: padding),
               let w = WindowGeometry(inputSize: rng.int(1...13), filterSize: kx, stride: rng.int(1...2), dilation: dilation, padding: padding),
               h.outputSize > 0, w.outputSize > 0 {
                return Window(h: h, w: w)
            }
        }
    }

    /// Runs `body(rows, cols, inputRegion, outputRegion, input, output)`
    /// for the whole tensor and for random patches, and checks the patch
    /// outputs against the whole-tensor reference.
    private func checkRegions(_ rng: inout Rng, _ win: Window, batches: Int, inChannels: Int, outChannels: Int,
                              input: [Int8], reference: [Int8], label: String,
                              run: (UnsafeBufferPointer<Int8>, Region2D, UnsafeMutableBufferPointer<Int8>, Region2D, Range<Int>, Range<Int>) -> Void) {
        let full = Region2D(height: win.h.outputSize, width: win.w.outputSize)
        let fullIn = Region2D(height: win.h.inputSize, width: win.w.inputSize)
        for trial in 0..<4 {
            // Trial 0: the whole tensor; then random sub-rectangles.
            var rows = 0..<full.height, cols = 0..<full.width
            if trial > 0 {
                let r0 = rng.int(0...(full.height - 1)), c0 = rng.int(0...(full.width - 1))
                rows = r0..<rng.int((r0 + 1)...full.height)
                cols = c0..<rng.int((c0 + 1)...full.width)
            }
            let inRows = trial == 0 ? 0..<fullIn.height : win.h.inputRange(forOutputs: rows.lowerBound, rows.upperBound)
            let inCols = trial == 0 ? 0..<fullIn.width : win.w.inputRange(forOutputs: cols.lowerBound, cols.upperBound)
            let inRegion = Region2D(y: inRows.lowerBound, x: inCols.lowerBound, height: inRows.count, width: inCols.count)
            // The output buffer may be larger than the computed part.
            let oy0 = rng.int(0...rows.lowerBound), ox0 = rng.int(0...cols.lowerBound)
            let outRegion = Region2D(y: oy0, x: ox0, height: rng.int(rows.upperBound...full.height) - oy0,
                                     width: rng.int(cols.upperBound...full.width) - ox0)
            var patchIn = [Int8]()
            for b in 0..<batches {
                for y in inRows {
                    for x in inCols {
                        let base = fullIn.offset(batch: b, row: y, col: x, channels: inChannels)
                        patchIn += input[base..<(base + inChannels)]
                    }
                }
            }
            let sentinel: Int8 = 0x5A
            var out = [Int8](repeating: sentinel, count: batches * outRegion.height * outRegion.width * outChannels)
            patchIn.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in run(i, inRegion, o, outRegion, rows, cols) } }
            for b in 0..<batches {
                for y in outRegion.rows {
                    for x in outRegion.cols {
                        let o = outRegion.offset(batch: b, row: y, col: x, channels: outChannels)
                        let r = full.offset(batch: b, row: y, col: x, channels: outChannels)
                        let inside = rows.contains(y) && cols.contains(x)
                        for c in 0..<outChannels {
                            let expected = inside ? reference[r + c] : sentinel
                            if out[o + c] != expected {
                                XCTFail("\(label) trial \(trial) rows \(rows) cols \(cols) b\(b) y\(y) x\(x) c\(c): \(out[o + c]) != \(expected)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    private func convCase(_ rng: inout Rng, oneByOne: Bool, path: KernelPath, label: String) {
        convCase(&rng, oneByOne: oneByOne, expected: path, label: "\(label) \(path.rawValue)") {
            Conv2DKernel($0, filter: $1, bias: $2, path: path)
        }
    }

    private func convCase(_ rng: inout Rng, oneByOne: Bool, expected: KernelPath, label: String,
                          shape: ((inout Rng) -> (Window, ic: Int, oc: Int))? = nil,
                          make: (Conv2DParams, [Int8], [Int32]?) -> Conv2DKernel) {
        var win = window(&rng, oneByOne: oneByOne)
        var ic = [1, 3, 8, 16, 17, 33, rng.int(1...70)][rng.int(0...6)]
        var oc = [1, 8, 15, 16, 24, 33, rng.int(1...70)][rng.int(0...6)]
        if let shape { (win, ic, oc) = shape(&rng) }
        let batches = rng.int(0...4) == 0 ? 2 : 1
        let (m, s) = rng.multipliers(oc)
        let (lo, hi) = rng.activation()
        // The extremes of a zero point's range now and then (the VNNI
        // kernel's padding byte is 128 − offset).
        let offset = [Int32(-127), 128, Int32(rng.int(-127...128)), Int32(rng.int(-127...128))][rng.int(0...3)]
        let p = Conv2DParams(batches: batches, inputChannels: ic, outputChannels: oc, height: win.h, width: win.w,
                             inputOffset: offset, outputOffset: Int32(rng.int(-128...127)),
                             multipliers: m, shifts: s, activationMin: lo, activationMax: hi)
        let input = rng.bytes(batches * win.h.inputSize * win.w.inputSize * ic)
        let filter = rng.weights(oc * win.h.filterSize * win.w.filterSize * ic)
        let bias: [Int32]? = rng.int(0...3) == 0 ? nil : (0..<oc).map { _ in Int32(rng.int(-200_000...200_000)) }
        let kernel = make(p, filter, bias)
        XCTAssertEqual(kernel.path, expected, label)
        var reference = [Int8](repeating: 0, count: batches * win.h.outputSize * win.w.outputSize * oc)
        input.withUnsafeBufferPointer { i in reference.withUnsafeMutableBufferPointer { o in
            kernel.runReference(input: i, inputRegion: p.fullInput, output: o, outputRegion: p.fullOutput,
                                outputRows: 0..<win.h.outputSize, outputCols: 0..<win.w.outputSize)
        } }
        checkRegions(&rng, win, batches: batches, inChannels: ic, outChannels: oc, input: input, reference: reference,
                     label: "\(label) ic\(ic) oc\(oc) \(win)") { i, ir, o, or, rows, cols in
            kernel.run(input: i, inputRegion: ir, output: o, outputRegion: or, outputRows: rows, outputCols: cols)
        }
    }

    /// Every kernel path this CPU has (the portable one always), each on
    /// the same random shapes.
    func testConvMatchesReferenceOnRandomShapes() {
        for path in KernelPath.available {
            var rng = Rng(state: 1)
            for k in 0..<150 { convCase(&rng, oneByOne: false, path: path, label: "conv #\(k)") }
        }
    }

    /// Thin outputs (1–4 channels: depth maps, masks) on the portable path,
    /// whose lanes are then 16 neighbouring pixels: rows wide enough for
    /// several 16-pixel runs, one input channel at stride 1 (contiguous
    /// taps) and 16 or more input channels (a dot product per pixel), with
    /// padding, strides and dilation, whole and in patches.
    func testThinOutputConvMatchesReference() {
        var rng = Rng(state: 7)
        for k in 0..<120 {
            convCase(&rng, oneByOne: false, expected: .portable, label: "thin conv #\(k)", shape: { rng in
                while true {
                    let ic = [1, 1, 16, 19, 40][rng.int(0...4)]
                    let kx = [1, 3, 5][rng.int(0...2)], ky = [1, 3][rng.int(0...1)]
                    let stride = ic == 1 ? 1 : rng.int(1...2), dilation = rng.int(0...3) == 0 ? 2 : 1
                    let padding: Padding = rng.bool() ? .same : .valid
                    if let h = WindowGeometry(inputSize: rng.int(1...6), filterSize: ky, stride: 1, dilation: 1, padding: padding),
                       let w = WindowGeometry(inputSize: rng.int(17...70), filterSize: kx, stride: stride, dilation: dilation, padding: padding),
                       h.outputSize > 0, w.outputSize > 0 {
                        return (Window(h: h, w: w), ic, rng.int(1...PortableConv2D.thinChannels))
                    }
                }
            }) { Conv2DKernel($0, filter: $1, bias: $2, path: .portable) }
        }
    }

    /// The VNNI conv kernel in its emulated form (every line of it but the
    /// instruction, which an exact AVX2 sequence stands in for) on any AVX2
    /// CPU; the real forms run in the tests above where the CPU has them.
    func testVNNIConvLogicMatchesReferenceThroughEmulation() throws {
        try XCTSkipUnless(CPUFeatures.current.contains(.avx2), "the emulation needs AVX2")
        var rng = Rng(state: 21)
        for k in 0..<150 {
            convCase(&rng, oneByOne: k % 3 == 0, expected: .vnni, label: "vnni emulated #\(k)") {
                Conv2DKernel($0, filter: $1, bias: $2, vnni: .emulated)
            }
        }
    }

    func testPointwiseConvMatchesReferenceOnRandomShapes() {
        for path in KernelPath.available {
            var rng = Rng(state: 2)
            for k in 0..<100 { convCase(&rng, oneByOne: true, path: path, label: "1x1 #\(k)") }
        }
    }

    /// 1×1 convolutions over more pixels than the AVX2 kernel widens at
    /// once (240), so whole-tensor calls cross chunk boundaries, with patch
    /// calls beside them.
    func testLargePointwiseConvMatchesReference() {
        for path in KernelPath.available {
            var rng = Rng(state: 12)
            for k in 0..<12 {
                guard let h = WindowGeometry(inputSize: rng.int(15...40), filterSize: 1, stride: 1, padding: .same),
                      let w = WindowGeometry(inputSize: rng.int(15...40), filterSize: 1, stride: 1, padding: .same)
                else { return XCTFail() }
                let win = Window(h: h, w: w)
                let ic = [2, 3, 16, 24, rng.int(1...40)][rng.int(0...4)], oc = [8, 16, 24, rng.int(1...40)][rng.int(0...3)]
                let (m, s) = rng.multipliers(oc)
                let p = Conv2DParams(batches: 1, inputChannels: ic, outputChannels: oc, height: h, width: w,
                                     inputOffset: Int32(rng.int(-127...128)), outputOffset: Int32(rng.int(-128...127)),
                                     multipliers: m, shifts: s, activationMin: -128, activationMax: 127)
                let input = rng.bytes(h.inputSize * w.inputSize * ic), filter = rng.weights(oc * ic)
                let bias = (0..<oc).map { _ in Int32(rng.int(-100_000...100_000)) }
                let kernel = Conv2DKernel(p, filter: filter, bias: bias, path: path)
                var reference = [Int8](repeating: 0, count: h.outputSize * w.outputSize * oc)
                input.withUnsafeBufferPointer { i in reference.withUnsafeMutableBufferPointer { o in
                    kernel.runReference(input: i, inputRegion: p.fullInput, output: o, outputRegion: p.fullOutput,
                                        outputRows: 0..<h.outputSize, outputCols: 0..<w.outputSize)
                } }
                checkRegions(&rng, win, batches: 1, inChannels: ic, outChannels: oc, input: input, reference: reference,
                             label: "large 1x1 #\(k) \(path.rawValue) ic\(ic) oc\(oc) \(h.inputSize)x\(w.inputSize)") { i, ir, o, or, rows, cols in
                    kernel.run(input: i, inputRegion: ir, output: o, outputRegion: or, outputRows: rows, outputCols: cols)
                }
            }
        }
    }

    func testDepthwiseMatchesReferenceOnRandomShapes() {
        for path in KernelPath.available { depthwiseCases(path: path) }
    }

    private func depthwiseCases(path: KernelPath) {
        var rng = Rng(state: 3)
        for k in 0..<200 {
            let win = window(&rng)
            let batches = rng.int(0...4) == 0 ? 2 : 1
            let ic = [1, 8, 15, 16, 17, 48, rng.int(1...90)][rng.int(0...6)]
            let dm = rng.int(0...5) == 0 ? rng.int(2...3) : 1
            let (m, s) = rng.multipliers(ic * dm)
            let (lo, hi) = rng.activation()
            let p = DepthwiseConv2DParams(batches: batches, inputChannels: ic, depthMultiplier: dm, height: win.h, width: win.w,
                                          inputOffset: Int32(rng.int(-127...128)), outputOffset: Int32(rng.int(-128...127)),
                                          multipliers: m, shifts: s, activationMin: lo, activationMax: hi)
            let input = rng.bytes(batches * win.h.inputSize * win.w.inputSize * ic)
            let filter = rng.weights(win.h.filterSize * win.w.filterSize * ic * dm)
            let bias: [Int32]? = rng.int(0...3) == 0 ? nil : (0..<(ic * dm)).map { _ in Int32(rng.int(-50_000...50_000)) }
            let kernel = DepthwiseConv2DKernel(p, filter: filter, bias: bias, path: path)
            // Depthwise has no VNNI form: that path runs its AVX2 one.
            let expected: KernelPath? = path == .portable ? (dm == 1 ? .portable : nil) : .avx2
            XCTAssertEqual(kernel.path, expected)
            var reference = [Int8](repeating: 0, count: batches * win.h.outputSize * win.w.outputSize * ic * dm)
            input.withUnsafeBufferPointer { i in reference.withUnsafeMutableBufferPointer { o in
                kernel.runReference(input: i, inputRegion: p.fullInput, output: o, outputRegion: p.fullOutput,
                                    outputRows: 0..<win.h.outputSize, outputCols: 0..<win.w.outputSize)
            } }
            checkRegions(&rng, win, batches: batches, inChannels: ic, outChannels: ic * dm, input: input, reference: reference,
                         label: "depthwise #\(k) \(path.rawValue) ic\(ic) dm\(dm) \(win)") { i, ir, o, or, rows, cols in
                kernel.run(input: i, inputRegion: ir, output: o, outputRegion: or, outputRows: rows, outputCols: cols)
            }
        }
    }

    func testFullyConnectedMatchesReference() {
        for path in KernelPath.available { fullyConnectedCases(path: path) }
    }

    private func fullyConnectedCases(path: KernelPath) {
        var rng = Rng(state: 4)
        for k in 0..<100 {
            let depth = rng.int(1...300), outputs = rng.int(1...70), batches = rng.int(1...3)
            let perChannel = rng.bool()
            let (m, s) = rng.multipliers(perChannel ? outputs : 1)
            let (lo, hi) = rng.activation()
            var p = FullyConnectedParams(batches: batches, inputDepth: depth, outputDepth: outputs,
                                         inputOffset: Int32(rng.int(-127...128)),
                                         filterOffset: rng.int(0...3) == 0 ? Int32(rng.int(-20...20)) : 0,
                                         outputOffset: Int32(rng.int(-128...127)), multipliers: m, shifts: s,
                                         activationMin: lo, activationMax: hi)
            p.singleRounding = perChannel
            let input = rng.bytes(batches * depth), filter = rng.weights(outputs * depth)
            let bias: [Int32]? = rng.bool() ? nil : (0..<outputs).map { _ in Int32(rng.int(-100_000...100_000)) }
            let kernel = FullyConnectedKernel(p, filter: filter, bias: bias, path: path)
            XCTAssertEqual(kernel.path, path == .portable ? .portable : .avx2)
            var fast = [Int8](repeating: 0, count: batches * outputs), reference = fast
            input.withUnsafeBufferPointer { i in
                fast.withUnsafeMutableBufferPointer { kernel.run(input: i, output: $0) }
                reference.withUnsafeMutableBufferPointer { kernel.runReference(input: i, output: $0) }
            }
            XCTAssertEqual(fast, reference, "fc #\(k) \(path.rawValue) depth \(depth) outputs \(outputs)")
        }
    }

    /// The vector requantization against `multiplyByQuantizedMultiplier` on
    /// accumulators across the whole int32 range, including the extremes
    /// and rounding ties, with every shift from −31 to +31.
    func testVectorRequantizationIsBitExact() {
        var rng = Rng(state: 5)
        let specials: [Int32] = [0, 1, -1, .max, .min, .max - 1, .min + 1, 1 << 20, -(1 << 20), 3 << 9, -(3 << 9)]
        for trial in 0..<400 {
            var m = [Int32](), s = [Int32]()
            for lane in 0..<16 {
                let q = FixedPoint.quantizeMultiplier(Double(rng.int(1...1_000_000)) / 1_000_000)
                m.append(lane == 0 ? Int32(1) << 30 : q.multiplier)
                s.append(Int32((trial + lane) % 63 - 31))
            }
            let lo = Int32(rng.int(-128...0)), hi = Int32(rng.int(0...127)), zp = Int32(rng.int(-128...127))
            let table = RequantTable(channels: 16, bias: nil, folded: nil, multipliers: m, shifts: s,
                                     outputOffset: zp, activationMin: lo, activationMax: hi)
            var acc = V16()
            for lane in 0..<16 {
                acc[lane] = rng.int(0...3) == 0 ? specials[rng.int(0...(specials.count - 1))] : Int32(truncatingIfNeeded: rng.next())
                if rng.int(0...4) == 0 { acc[lane] = Int32(truncatingIfNeeded: Int64(rng.int(-4000...4000)) << Int64(rng.int(0...12))) }
            }
            let got = table.vectors.withUnsafeBufferPointer { requantize(acc, $0.baseAddress!, RequantConstants(table)) }
            for lane in 0..<16 {
                let r = FixedPoint.multiplyByQuantizedMultiplier(acc[lane], m[lane], s[lane]) &+ zp
                let expected = Int8(min(max(r, lo), hi))
                XCTAssertEqual(got[lane], expected, "acc \(acc[lane]) m \(m[lane]) s \(s[lane])")
            }
        }
    }

    /// Numbers a real model never has but a file can: an input zero point
    /// far outside int8 (the AVX2 kernels need `byte + offset` in int16) and
    /// huge biases. The kernel then takes a path that can (never a trap)
    /// and still matches the reference loops byte for byte.
    func testAbsurdOffsetsFallBackAndStayExact() throws {
        var rng = Rng(state: 9)
        for inputOffset: Int32 in [40_000, -1_000_000, Int32.max, Int32.min + 1] {
            guard let h = WindowGeometry(inputSize: 7, filterSize: 3, stride: 1, padding: .same),
                  let w = WindowGeometry(inputSize: 9, filterSize: 3, stride: 2, padding: .same) else { return XCTFail() }
            let ic = 5, oc = 19
            let (m, s) = rng.multipliers(oc)
            let p = Conv2DParams(batches: 1, inputChannels: ic, outputChannels: oc, height: h, width: w,
                                 inputOffset: inputOffset, outputOffset: 3, multipliers: m, shifts: s,
                                 activationMin: -128, activationMax: 127)
            let input = rng.bytes(h.inputSize * w.inputSize * ic), filter = rng.weights(oc * 9 * ic)
            let bias = (0..<oc).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            for path in KernelPath.available {
                let kernel = Conv2DKernel(p, filter: filter, bias: bias, path: path)
                XCTAssertFalse([.avx2, .vnni].contains(kernel.path), "offset \(inputOffset) does not fit int16 lanes")
                var fast = [Int8](repeating: 0, count: h.outputSize * w.outputSize * oc), reference = fast
                input.withUnsafeBufferPointer { i in
                    fast.withUnsafeMutableBufferPointer {
                        kernel.run(input: i, inputRegion: p.fullInput, output: $0, outputRegion: p.fullOutput,
                                   outputRows: 0..<h.outputSize, outputCols: 0..<w.outputSize)
                    }
                    reference.withUnsafeMutableBufferPointer {
                        kernel.runReference(input: i, inputRegion: p.fullInput, output: $0, outputRegion: p.fullOutput,
                                            outputRows: 0..<h.outputSize, outputCols: 0..<w.outputSize)
                    }
                }
                XCTAssertEqual(fast, reference, "offset \(inputOffset) on \(path)")

                let dp = DepthwiseConv2DParams(batches: 1, inputChannels: ic, depthMultiplier: 2, height: h, width: w,
                                               inputOffset: inputOffset, outputOffset: -7, multipliers: m.prefix(2 * ic).map { $0 },
                                               shifts: s.prefix(2 * ic).map { $0 }, activationMin: -128, activationMax: 127)
                let dfilter = rng.weights(9 * 2 * ic)
                let dk = DepthwiseConv2DKernel(dp, filter: dfilter, bias: Array(bias.prefix(2 * ic)), path: path)
                XCTAssertFalse([.avx2, .vnni].contains(dk.path))
                var dfast = [Int8](repeating: 0, count: h.outputSize * w.outputSize * 2 * ic), dref = dfast
                input.withUnsafeBufferPointer { i in
                    dfast.withUnsafeMutableBufferPointer {
                        dk.run(input: i, inputRegion: dp.fullInput, output: $0, outputRegion: dp.fullOutput,
                               outputRows: 0..<h.outputSize, outputCols: 0..<w.outputSize)
                    }
                    dref.withUnsafeMutableBufferPointer {
                        dk.runReference(input: i, inputRegion: dp.fullInput, output: $0, outputRegion: dp.fullOutput,
                                        outputRows: 0..<h.outputSize, outputCols: 0..<w.outputSize)
                    }
                }
                XCTAssertEqual(dfast, dref, "depthwise offset \(inputOffset) on \(path)")

                var fp = FullyConnectedParams(batches: 2, inputDepth: 40, outputDepth: 11, inputOffset: inputOffset,
                                              filterOffset: inputOffset, outputOffset: 0, multiplier: m[0], shift: s[0],
                                              activationMin: -128, activationMax: 127)
                fp.singleRounding = false
                let fin = rng.bytes(80), ffilter = rng.weights(440)
                let fk = FullyConnectedKernel(fp, filter: ffilter, bias: Array(bias.prefix(11)), path: path)
                XCTAssertEqual(fk.path, .portable)
                var ffast = [Int8](repeating: 0, count: 22), fref = ffast
                fin.withUnsafeBufferPointer { i in
                    ffast.withUnsafeMutableBufferPointer { fk.run(input: i, output: $0) }
                    fref.withUnsafeMutableBufferPointer { fk.runReference(input: i, output: $0) }
                }
                XCTAssertEqual(ffast, fref, "fc offset \(inputOffset) on \(path)")
            }
        }
    }

    /// The in-place depthwise (a channel staged at a time, outputs over the
    /// input) on every path, against the reference on separate buffers:
    /// whole tensors with a staging buffer that holds the padded plane and
    /// one that holds only the plane, strides 1 and 2, zero points at the
    /// ends of their range and beyond it, patches of the output.
    func testInPlaceDepthwiseMatchesReference() {
        var rng = Rng(state: 31)
        for path in KernelPath.available {
            for k in 0..<80 {
                let win = window(&rng)
                let ch = [1, 3, 8, 16, 17, rng.int(1...40)][rng.int(0...5)]
                let (m, s) = rng.multipliers(ch)
                let offset = [Int32(-127), 128, 300, Int32(rng.int(-127...128))][rng.int(0...3)]
                let p = DepthwiseConv2DParams(batches: 1, inputChannels: ch, depthMultiplier: 1, height: win.h, width: win.w,
                                              inputOffset: offset, outputOffset: Int32(rng.int(-128...127)),
                                              multipliers: m, shifts: s, activationMin: -128, activationMax: 127)
                let input = rng.bytes(win.h.inputSize * win.w.inputSize * ch)
                let filter = rng.weights(win.h.filterSize * win.w.filterSize * ch)
                let bias = (0..<ch).map { _ in Int32(rng.int(-50_000...50_000)) }
                let kernel = DepthwiseConv2DKernel(p, filter: filter, bias: bias, path: path)
                let outH = win.h.outputSize, outW = win.w.outputSize
                var reference = [Int8](repeating: 0, count: outH * outW * ch)
                input.withUnsafeBufferPointer { i in reference.withUnsafeMutableBufferPointer { o in
                    kernel.runReference(input: i, inputRegion: p.fullInput, output: o, outputRegion: p.fullOutput,
                                        outputRows: 0..<outH, outputCols: 0..<outW)
                } }
                let plane = win.h.inputSize * win.w.inputSize
                let padded = (win.h.inputSize + win.h.padBefore + win.h.padAfter) * (win.w.inputSize + win.w.padBefore + win.w.padAfter)
                let stagingBytes = k % 2 == 0 ? max(plane, padded) : plane
                var buffer = input + [Int8](repeating: 0, count: max(0, outH * outW * ch - input.count))
                var staging = [Int8](repeating: 0, count: stagingBytes)
                buffer.withUnsafeMutableBufferPointer { b in staging.withUnsafeMutableBufferPointer { st in
                    kernel.runInPlace(buffer: b.baseAddress!, inputRegion: p.fullInput, outputRegion: p.fullOutput,
                                      outputRows: 0..<outH, outputCols: 0..<outW,
                                      staging: st.baseAddress!, stagingBytes: stagingBytes)
                } }
                XCTAssertEqual(Array(buffer.prefix(outH * outW * ch)), reference,
                               "in-place #\(k) \(path.rawValue) ch\(ch) offset \(offset) staging \(stagingBytes) \(win)")
            }
        }
    }
}
