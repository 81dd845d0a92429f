import CPatchTopKernels
import PatchTopModel

/// float32 CONV_2D and DEPTHWISE_CONV_2D, bit-identical to TFLite Micro's
/// reference float kernels: each output sums `input × filter` over filter
/// rows, then columns, then input channels (skipping taps outside the
/// image), adds the bias (0 without one), then clamps.
///
/// The weights are repacked once so that the innermost loop runs over
/// output channels, each with its own accumulator: every output still adds
/// its products in the reference order (so the floats round identically),
/// and the loop over channels vectorises.
struct FloatConv2DKernel: Sendable {
    let height: WindowGeometry
    let width: WindowGeometry
    let batches: Int
    let inputChannels: Int
    let outputChannels: Int
    /// 1 for CONV_2D; the depth multiplier for DEPTHWISE_CONV_2D.
    let depthMultiplier: Int
    let isDepthwise: Bool
    let clamp: FloatClamp
    /// CONV_2D: `[kh][kw][ic][oc]`; depthwise: `[kh][kw][oc]` (TFLite's layout).
    let weights: [Float]
    let bias: [Float]
    /// The AVX2 form (`CPatchTopKernels`), nil on the portable path.
    let avx2: FloatAVX2Weights?

    /// The path this kernel runs on.
    var path: KernelPath { avx2 == nil ? .portable : .avx2 }

    /// `filter` in TFLite's layout: `[oc, kh, kw, ic]` for CONV_2D,
    /// `[1, kh, kw, oc]` for depthwise.
    init(height: WindowGeometry, width: WindowGeometry, batches: Int, inputChannels: Int, outputChannels: Int,
                depthwise: Bool, filter: [Float], bias: [Float]?, clamp: FloatClamp, path: KernelPath = .active) {
        self.height = height
        self.width = width
        self.batches = batches
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.isDepthwise = depthwise
        self.depthMultiplier = depthwise ? max(1, outputChannels / max(inputChannels, 1)) : 1
        self.clamp = clamp
        self.bias = bias ?? [Float](repeating: 0, count: outputChannels)
        let kh = height.filterSize, kw = width.filterSize
        if depthwise {
            weights = filter
        } else {
            var packed = [Float](repeating: 0, count: filter.count)
            for o in 0..<outputChannels { for fy in 0..<kh { for fx in 0..<kw { for c in 0..<inputChannels {
                packed[((fy * kw + fx) * inputChannels + c) * outputChannels + o] = filter[((o * kh + fy) * kw + fx) * inputChannels + c]
            } } } }
            weights = packed
        }
        if path.usesAVX2,
           avx2Supports(height: height, width: width, batches: batches, inputChannels: inputChannels,
                        outputChannels: outputChannels, inputOffset: 0, multipliers: [], shifts: []) {
            // Channels padded to 8 lanes: CONV_2D `[tap][ic][ocp]`, depthwise `[tap][ocp]`.
            let rows = depthwise ? kh * kw : kh * kw * inputChannels
            avx2 = FloatAVX2Weights(rows: rows, columns: outputChannels, packed: weights, bias: self.bias)
        } else {
            avx2 = nil
        }
    }

    /// Computes output rows × columns (full-tensor coordinates) into
    /// `output` (holding `outputRegion`) from `input` (holding `inputRegion`).
    func run(input: UnsafePointer<Float>, inputRegion: Region2D, output: UnsafeMutablePointer<Float>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        let ic = inputChannels, oc = outputChannels, m = depthMultiplier
        let kh = height.filterSize, kw = width.filterSize
        if let avx2 {
            var window = pt_window(batches: batches, inputChannels: ic, outputChannels: oc, height: height, width: width,
                                   inputOffset: 0, inputRegion: inputRegion, outputRegion: outputRegion,
                                   rows: outputRows, cols: outputCols)
            avx2.weights.withUnsafeBufferPointer { w in
                avx2.bias.withUnsafeBufferPointer { b in
                    if isDepthwise && m > 1 {
                        // Output channel c·m + k reads input channel c: the
                        // multiplier-1 kernel on the input with each channel
                        // repeated m times.
                        window.in_channels = Int32(oc)
                        withRepeatedChannels(input, pixels: batches * inputRegion.height * inputRegion.width,
                                             channels: ic, times: m) { expanded in
                            pt_depthwise_f32_avx2(&window, expanded, w.baseAddress, b.baseAddress, clamp.lower,
                                                  clamp.upper, output)
                        }
                    } else if isDepthwise {
                        pt_depthwise_f32_avx2(&window, input, w.baseAddress, b.baseAddress, clamp.lower, clamp.upper, output)
                    } else {
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * max(kh * kw, 1)) { taps in
                            guard avx2.finite else {
                                pt_conv_f32_avx2(&window, input, w.baseAddress, b.baseAddress, clamp.lower, clamp.upper,
                                                 output, taps.baseAddress)
                                return
                            }
                            // Every weight finite: padding may be read as 0.0.
                            let floats = pt_conv_f32_scratch_floats(&window)
                            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(floats, 8)) { rows in
                                pt_conv_f32_padded_avx2(&window, input, w.baseAddress, b.baseAddress, clamp.lower,
                                                        clamp.upper, output, rows.baseAddress, taps.baseAddress)
                            }
                        }
                    }
                }
            }
            return
        }
        if isDepthwise && m == 1 {
            runDepthwise(input: input, inputRegion: inputRegion, output: output, outputRegion: outputRegion,
                         outputRows: outputRows, outputCols: outputCols)
            return
        }
        weights.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { bias in
                for b in 0..<batches {
                    for oy in outputRows {
                        let inY0 = height.inputStart(forOutput: oy)
                        for ox in outputCols {
                            let inX0 = width.inputStart(forOutput: ox)
                            let acc = output + outputRegion.offset(batch: b, row: oy, col: ox, channels: oc)
                            // Blocks of 8 (then 4) output channels in SIMD
                            // registers: each lane is one output's own running
                            // sum, in the reference's order; the rest one by one.
                            var ob = 0
                            while ob + 8 <= oc {
                                block(SIMD8<Float>.self, ob, acc, input, inputRegion, b, inY0, inX0, w.baseAddress!)
                                ob += 8
                            }
                            if ob + 4 <= oc {
                                block(SIMD4<Float>.self, ob, acc, input, inputRegion, b, inY0, inX0, w.baseAddress!)
                                ob += 4
                            }
                            while ob < oc {
                                block(SIMD2<Float>.self, ob, acc, input, inputRegion, b, inY0, inX0, w.baseAddress!, lanes: 1)
                                ob += 1
                            }
                            for o in 0..<oc { acc[o] = clamp.apply(acc[o] + bias[o]) }
                        }
                    }
                }
            }
        }
    }


    /// Depthwise with one output channel per input channel: per output
    /// pixel the in-image taps are listed once (in the reference's order),
    /// then every block of channels sums over them in SIMD lanes.
    private func runDepthwise(input: UnsafePointer<Float>, inputRegion: Region2D, output: UnsafeMutablePointer<Float>,
                              outputRegion: Region2D, outputRows: Range<Int>, outputCols: Range<Int>) {
        let oc = outputChannels
        let kh = height.filterSize, kw = width.filterSize
        let inH = height.inputSize, inW = width.inputSize
        let dh = height.dilation, dw = width.dilation
        weights.withUnsafeBufferPointer { wb in
        bias.withUnsafeBufferPointer { bias in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * max(kh * kw, 1)) { taps in
            let w = wb.baseAddress!
            for b in 0..<batches {
                for oy in outputRows {
                    let inY0 = height.inputStart(forOutput: oy)
                    for ox in outputCols {
                        let inX0 = width.inputStart(forOutput: ox)
                        var n = 0
                        for fy in 0..<kh {
                            let iy = inY0 + dh * fy
                            if iy < 0 || iy >= inH { continue }
                            for fx in 0..<kw {
                                let ix = inX0 + dw * fx
                                if ix < 0 || ix >= inW { continue }
                                taps[2 * n] = inputRegion.offset(batch: b, row: iy, col: ix, channels: oc)
                                taps[2 * n + 1] = (fy * kw + fx) * oc
                                n += 1
                            }
                        }
                        let acc = output + outputRegion.offset(batch: b, row: oy, col: ox, channels: oc)
                        var ob = 0
                        while ob + 8 <= oc {
                            var sum = SIMD8<Float>(repeating: 0)
                            for t in 0..<n {
                                let x = UnsafeRawPointer(input + taps[2 * t] + ob).loadUnaligned(as: SIMD8<Float>.self)
                                let f = UnsafeRawPointer(w + taps[2 * t + 1] + ob).loadUnaligned(as: SIMD8<Float>.self)
                                sum = sum + x * f
                            }
                            UnsafeMutableRawPointer(acc + ob).storeBytes(of: sum, as: SIMD8<Float>.self)
                            ob += 8
                        }
                        while ob < oc {
                            var sum: Float = 0
                            for t in 0..<n { sum = sum + input[taps[2 * t] + ob] * w[taps[2 * t + 1] + ob] }
                            acc[ob] = sum
                            ob += 1
                        }
                        for o in 0..<oc { acc[o] = clamp.apply(acc[o] + bias[o]) }
                    }
                }
            }
        }
        }
        }
    }

    /// One block of output channels `ob ..< ob + lanes` of one output pixel:
    /// the sums over filter rows, columns and input channels in the
    /// reference order, one lane per output, written to `acc` (unclamped).
    /// `lanes` below the vector width uses the first lanes only.
    @inline(__always)
    private func block<V: SIMD>(_ type: V.Type, _ ob: Int, _ acc: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
                                _ inputRegion: Region2D, _ b: Int, _ inY0: Int, _ inX0: Int, _ w: UnsafePointer<Float>,
                                lanes: Int = V.scalarCount) where V.Scalar == Float {
        let ic = inputChannels, oc = outputChannels, m = depthMultiplier
        let kh = height.filterSize, kw = width.filterSize
        let inH = height.inputSize, inW = width.inputSize
        let dh = height.dilation, dw = width.dilation
        func load(_ p: UnsafePointer<Float>) -> V {
            if lanes == V.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: V.self) }
            var v = V()
            for lane in 0..<lanes { v[lane] = p[lane] }
            return v
        }
        var sum = V(repeating: 0)
        for fy in 0..<kh {
            let iy = inY0 + dh * fy
            if iy < 0 || iy >= inH { continue }
            for fx in 0..<kw {
                let ix = inX0 + dw * fx
                if ix < 0 || ix >= inW { continue }
                let x = input + inputRegion.offset(batch: b, row: iy, col: ix, channels: ic)
                if isDepthwise {
                    let values: V
                    if m == 1 {
                        values = load(x + ob)
                    } else {
                        var v = V()
                        for lane in 0..<lanes { v[lane] = x[(ob + lane) / m] }
                        values = v
                    }
                    sum = sum + values * load(w + (fy * kw + fx) * oc + ob)
                } else {
                    var tap = w + (fy * kw + fx) * ic * oc + ob
                    for c in 0..<ic {
                        sum = sum + V(repeating: x[c]) * load(tap)
                        tap += oc
                    }
                }
            }
        }
        for lane in 0..<lanes { acc[ob + lane] = sum[lane] }
    }
}

/// float32 AVERAGE_POOL_2D and MAX_POOL_2D as TFLite Micro's reference:
/// the in-image taps only, the average `Σ / count` in Float, then the clamp.
struct FloatPoolKernel: Sendable {
    let kind: PoolKind
    let height: WindowGeometry
    let width: WindowGeometry
    let batches: Int
    let channels: Int
    let clamp: FloatClamp

    init(kind: PoolKind, height: WindowGeometry, width: WindowGeometry, batches: Int, channels: Int, clamp: FloatClamp) {
        self.kind = kind
        self.height = height
        self.width = width
        self.batches = batches
        self.channels = channels
        self.clamp = clamp
    }

    func run(input: UnsafePointer<Float>, inputRegion: Region2D, output: UnsafeMutablePointer<Float>, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>) {
        let ch = channels, kh = height.filterSize, kw = width.filterSize
        let inH = height.inputSize, inW = width.inputSize
        for b in 0..<batches {
            for oy in outputRows {
                let inY0 = height.inputStart(forOutput: oy)
                let fy0 = max(0, -inY0), fy1 = min(kh, inH - inY0)
                for ox in outputCols {
                    let inX0 = width.inputStart(forOutput: ox)
                    let fx0 = max(0, -inX0), fx1 = min(kw, inW - inX0)
                    let y = output + outputRegion.offset(batch: b, row: oy, col: ox, channels: ch)
                    for c in 0..<ch { y[c] = kind == .average ? 0 : -.greatestFiniteMagnitude }
                    var count: Float = 0
                    if fy0 < fy1 && fx0 < fx1 {
                        for fy in fy0..<fy1 {
                            for fx in fx0..<fx1 {
                                let x = input + inputRegion.offset(batch: b, row: inY0 + fy, col: inX0 + fx, channels: ch)
                                if kind == .average {
                                    for c in 0..<ch { y[c] += x[c] }
                                } else {
                                    // std::max(current, x): x only when larger.
                                    for c in 0..<ch { y[c] = y[c] < x[c] ? x[c] : y[c] }
                                }
                                count += 1
                            }
                        }
                    }
                    for c in 0..<ch { y[c] = clamp.apply(kind == .average ? y[c] / count : y[c]) }
                }
            }
        }
    }
}

/// float32 FULLY_CONNECTED as TFLite Micro's reference: each output sums
/// `input[d] × weight[o][d]` over d in order, adds the bias, clamps. The
/// weights are stored transposed so the loop over outputs vectorises.
struct FloatFullyConnectedKernel: Sendable {
    let batches: Int
    let inputDepth: Int
    let outputDepth: Int
    let clamp: FloatClamp
    /// `[d][o]`.
    let weights: [Float]
    let bias: [Float]
    /// `[d][o rounded up to 8]` for the AVX2 kernel; nil on the portable path.
    let avx2: FloatAVX2Weights?

    /// The path this kernel runs on.
    var path: KernelPath { avx2 == nil ? .portable : .avx2 }

    /// `filter` in TFLite's layout `[o, d]`.
    init(batches: Int, inputDepth: Int, outputDepth: Int, filter: [Float], bias: [Float]?, clamp: FloatClamp,
                path: KernelPath = .active) {
        self.batches = batches
        self.inputDepth = inputDepth
        self.outputDepth = outputDepth
        self.clamp = clamp
        self.bias = bias ?? [Float](repeating: 0, count: outputDepth)
        var transposed = [Float](repeating: 0, count: inputDepth * outputDepth)
        for o in 0..<outputDepth { for d in 0..<inputDepth { transposed[d * outputDepth + o] = filter[o * inputDepth + d] } }
        weights = transposed
        let fits = inputDepth < 1 << 30 && outputDepth < 1 << 30
        avx2 = path.usesAVX2 && fits && CPUFeatures.current.contains(.avx2)
            ? FloatAVX2Weights(rows: inputDepth, columns: outputDepth, packed: transposed, bias: self.bias) : nil
    }

    func run(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let depth = inputDepth, oc = outputDepth
        if let avx2 {
            avx2.weights.withUnsafeBufferPointer { w in
                avx2.bias.withUnsafeBufferPointer { b in
                    for batch in 0..<batches {
                        pt_fc_f32_avx2(input + batch * depth, Int32(depth), w.baseAddress, b.baseAddress, Int32(oc),
                                       clamp.lower, clamp.upper, output + batch * oc)
                    }
                }
            }
            return
        }
        weights.withUnsafeBufferPointer { w in
            for b in 0..<batches {
                let x = input + b * depth, y = output + b * oc
                var ob = 0
                while ob + 8 <= oc {
                    // Eight outputs at once, each summing over d in order.
                    var sum = SIMD8<Float>(repeating: 0)
                    var row = UnsafeRawPointer(w.baseAddress! + ob)
                    for d in 0..<depth {
                        sum = sum + SIMD8<Float>(repeating: x[d]) * row.loadUnaligned(as: SIMD8<Float>.self)
                        row += oc * MemoryLayout<Float>.stride
                    }
                    UnsafeMutableRawPointer(y + ob).storeBytes(of: sum, as: SIMD8<Float>.self)
                    ob += 8
                }
                if ob < oc {
                    for o in ob..<oc { y[o] = 0 }
                    var row = w.baseAddress!
                    for d in 0..<depth {
                        let v = x[d]
                        for o in ob..<oc { y[o] += v * row[o] }
                        row += oc
                    }
                }
                for o in 0..<oc { y[o] = clamp.apply(y[o] + bias[o]) }
            }
        }
    }
}

/// Float weights for the AVX2 kernels: a `[rows][columns]` matrix with its
/// columns (output channels) padded to a multiple of 8 lanes with zeros, and
/// the bias padded the same way.
struct FloatAVX2Weights: Sendable {
    let weights: [Float]
    let bias: [Float]
    /// Whether every weight is finite, so that a tap in the padding can be
    /// computed as `0.0 × w` (a signed zero, which leaves a sum that started
    /// at +0 unchanged) instead of skipped.
    let finite: Bool

    init(rows: Int, columns: Int, packed: [Float], bias: [Float]) {
        finite = packed.allSatisfy(\.isFinite)
        let padded = (columns + 7) / 8 * 8
        var w = [Float](repeating: 0, count: max(rows * padded, 8))
        for r in 0..<rows {
            for c in 0..<columns { w[r * padded + c] = packed[r * columns + c] }
        }
        weights = w
        self.bias = bias + [Float](repeating: 0, count: padded - columns)
    }
}
