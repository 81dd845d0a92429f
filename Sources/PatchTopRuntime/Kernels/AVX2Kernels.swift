import CPatchTopKernels
import PatchTopModel

/// The C target's AVX2 kernels behind the runtime's kernel interface
/// (`Conv2DKernel`, `DepthwiseConv2DKernel` pick them when `KernelPath` says
/// so). This file only prepares their weights and tables and describes each
/// call's geometry; the arithmetic is in `Sources/CPatchTopKernels`.

/// Per-channel requantization in the C kernels' layout: eight int32 arrays
/// (bias, folded bias, multiplier, left shift, right shift, the odd lanes'
/// multipliers, remainder mask, half mask) of `lanes` entries, channels
/// rounded up to 8, zero past the last channel.
struct CRequantTable: Sendable {
    let lanes: Int
    let storage: [Int32]
    let hasLeftShift: Bool
    let outputOffset: Int32
    let activationMin: Int32
    let activationMax: Int32

    init(channels: Int, bias: [Int32]?, folded: [Int32]?, multipliers: [Int32], shifts: [Int32],
         outputOffset: Int32, activationMin: Int32, activationMax: Int32) {
        let lanes = (channels + 7) / 8 * 8
        var s = [Int32](repeating: 0, count: 8 * lanes)
        var left = false
        for c in 0..<channels {
            let m = multipliers.count == 1 ? multipliers[0] : multipliers[c]
            let shift = shifts.count == 1 ? shifts[0] : shifts[c]
            let b = bias?[c] ?? 0
            let right = shift > 0 ? 0 : -shift
            let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(right)) - 1)
            s[c] = b
            s[lanes + c] = folded?[c] ?? b
            s[2 * lanes + c] = m
            s[3 * lanes + c] = shift > 0 ? shift : 0
            s[4 * lanes + c] = right
            if c % 2 == 1 { s[5 * lanes + c - 1] = m }
            s[6 * lanes + c] = mask
            s[7 * lanes + c] = mask >> 1
            left = left || shift > 0
        }
        self.lanes = lanes
        storage = s
        hasLeftShift = left
        self.outputOffset = outputOffset
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    func withRequant<R>(_ body: (UnsafePointer<pt_requant>) -> R) -> R {
        storage.withUnsafeBufferPointer { s in
            let base = s.baseAddress!
            var rq = pt_requant(bias: base, folded_bias: base + lanes, multiplier: base + 2 * lanes,
                                left_shift: base + 3 * lanes, right_shift: base + 4 * lanes,
                                multiplier_odd: base + 5 * lanes, remainder_mask: base + 6 * lanes,
                                half_mask: base + 7 * lanes, has_left_shift: hasLeftShift ? 1 : 0,
                                output_offset: outputOffset, activation_min: activationMin,
                                activation_max: activationMax)
            return withUnsafePointer(to: &rq) { body($0) }
        }
    }
}

/// Whether a window op's numbers fit the C kernels' int32 geometry with
/// room to spare (every product they form stays far below 2^31), and the
/// input offset keeps `byte + offset` inside int16.
func avx2Supports(height: WindowGeometry, width: WindowGeometry, batches: Int, inputChannels: Int,
                  outputChannels: Int, inputOffset: Int32, multipliers: [Int32], shifts: [Int32]) -> Bool {
    let limit = 1 << 20
    func fits(_ g: WindowGeometry) -> Bool {
        g.inputSize < limit && g.outputSize < limit && g.filterSize < 1 << 10 && g.stride < 1 << 10
            && g.dilation < 1 << 10 && g.padBefore < limit
    }
    return CPUFeatures.current.contains(.avx2)
        && fits(height) && fits(width) && batches < limit && inputChannels < 1 << 16 && outputChannels < 1 << 16
        && abs(Int(inputOffset)) <= Int(Int16.max) - 128
        && RequantTable.supports(multipliers: multipliers, shifts: shifts)
}

extension pt_window {
    /// One call's geometry; `avx2Supports` has checked that every number fits.
    init(batches: Int, inputChannels: Int, outputChannels: Int, height: WindowGeometry, width: WindowGeometry,
         inputOffset: Int32, inputRegion: Region2D, outputRegion: Region2D, rows: Range<Int>, cols: Range<Int>) {
        func i(_ v: Int) -> Int32 { Int32(truncatingIfNeeded: v) }
        self.init(batches: i(batches), in_channels: i(inputChannels), out_channels: i(outputChannels),
                  in_h: i(height.inputSize), in_w: i(width.inputSize),
                  kernel_h: i(height.filterSize), kernel_w: i(width.filterSize),
                  stride_h: i(height.stride), stride_w: i(width.stride),
                  dilation_h: i(height.dilation), dilation_w: i(width.dilation),
                  pad_top: i(height.padBefore), pad_left: i(width.padBefore), input_offset: inputOffset,
                  in_y: i(inputRegion.y), in_x: i(inputRegion.x), in_rows: i(inputRegion.height), in_cols: i(inputRegion.width),
                  out_y: i(outputRegion.y), out_x: i(outputRegion.x), out_rows: i(outputRegion.height), out_cols: i(outputRegion.width),
                  row0: i(rows.lowerBound), row1: i(rows.upperBound), col0: i(cols.lowerBound), col1: i(cols.upperBound))
    }
}

/// CONV_2D on AVX2: `vpmaddwd` over int16 pairs of input channels, six
/// output pixels by sixteen output channels per register tile.
struct AVX2Conv2D: Sendable {
    let packed: [Int16]
    let table: CRequantTable

    init(_ p: Conv2DParams, filter: [Int8], bias: [Int32]?) {
        let taps = p.height.filterSize * p.width.filterSize
        let oc = Int32(p.outputChannels), ic = Int32(p.inputChannels), t = Int32(taps)
        var packed = [Int16](repeating: 0, count: pt_conv_packed_count_avx2(oc, t, ic))
        filter.withUnsafeBufferPointer { f in
            packed.withUnsafeMutableBufferPointer { pt_conv_pack_avx2(f.baseAddress, oc, t, ic, $0.baseAddress) }
        }
        self.packed = packed
        table = CRequantTable(channels: p.outputChannels, bias: bias, folded: nil, multipliers: p.multipliers,
                              shifts: p.shifts, outputOffset: p.outputOffset, activationMin: p.activationMin,
                              activationMax: p.activationMax)
    }

    static func supports(_ p: Conv2DParams) -> Bool {
        avx2Supports(height: p.height, width: p.width, batches: p.batches, inputChannels: p.inputChannels,
                     outputChannels: p.outputChannels, inputOffset: p.inputOffset, multipliers: p.multipliers,
                     shifts: p.shifts)
    }

    func run(_ p: Conv2DParams, input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
             output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
             outputRows: Range<Int>, outputCols: Range<Int>) {
        guard let X = input.baseAddress, let Y = output.baseAddress, !outputRows.isEmpty, !outputCols.isEmpty else { return }
        var window = pt_window(batches: p.batches, inputChannels: p.inputChannels, outputChannels: p.outputChannels,
                               height: p.height, width: p.width, inputOffset: p.inputOffset,
                               inputRegion: inputRegion, outputRegion: outputRegion, rows: outputRows, cols: outputCols)
        let scratch = pt_conv_scratch_count_avx2(&window)
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: max(scratch, 16)) { s in
            packed.withUnsafeBufferPointer { w in
                table.withRequant { rq in pt_conv_avx2(&window, X, w.baseAddress, rq, Y, s.baseAddress) }
            }
        }
    }
}

/// DEPTHWISE_CONV_2D on AVX2: eight channels per int32 lane group, the
/// folded bias for windows inside the image. A depth multiplier `m` above 1
/// is the same kernel on the input with each channel repeated `m` times
/// (output channel `c·m + k` reads input channel `c`), expanded per call.
struct AVX2DepthwiseConv2D: Sendable {
    /// `[tap][output channel]` int32, channels rounded up to 8.
    let weights: [Int32]
    /// Tap pairs as int16 for windows inside the image (`pt_depthwise_pack_avx2`).
    let pairs: [Int16]
    let table: CRequantTable

    init(_ p: DepthwiseConv2DParams, filter: [Int8], bias: [Int32]?) {
        let channels = p.outputChannels, taps = p.height.filterSize * p.width.filterSize
        var pairs = [Int16](repeating: 0, count: max(pt_depthwise_packed_count_avx2(Int32(channels), Int32(taps)), 16))
        filter.withUnsafeBufferPointer { f in
            pairs.withUnsafeMutableBufferPointer { pt_depthwise_pack_avx2(f.baseAddress, Int32(channels), Int32(taps), $0.baseAddress) }
        }
        self.pairs = pairs
        let lanes = (channels + 7) / 8 * 8
        var w = [Int32](repeating: 0, count: taps * lanes)
        var folded = [Int32](repeating: 0, count: channels)
        for c in 0..<channels {
            var sum: Int32 = 0
            for t in 0..<taps {
                let f = Int32(filter[t * channels + c])
                w[t * lanes + c] = f
                sum &+= f
            }
            folded[c] = (bias?[c] ?? 0) &+ p.inputOffset &* sum
        }
        weights = w
        table = CRequantTable(channels: channels, bias: bias, folded: folded, multipliers: p.multipliers,
                              shifts: p.shifts, outputOffset: p.outputOffset, activationMin: p.activationMin,
                              activationMax: p.activationMax)
    }

    static func supports(_ p: DepthwiseConv2DParams) -> Bool {
        p.depthMultiplier >= 1 && p.depthMultiplier < 1 << 10
            && avx2Supports(height: p.height, width: p.width, batches: p.batches, inputChannels: p.outputChannels,
                            outputChannels: p.outputChannels, inputOffset: p.inputOffset, multipliers: p.multipliers,
                            shifts: p.shifts)
    }

    func run(_ p: DepthwiseConv2DParams, input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
             output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
             outputRows: Range<Int>, outputCols: Range<Int>) {
        guard let X = input.baseAddress, let Y = output.baseAddress, !outputRows.isEmpty, !outputCols.isEmpty else { return }
        let oc = p.outputChannels, ic = p.inputChannels, m = p.depthMultiplier
        var window = pt_window(batches: p.batches, inputChannels: oc, outputChannels: oc,
                               height: p.height, width: p.width, inputOffset: p.inputOffset,
                               inputRegion: inputRegion, outputRegion: outputRegion, rows: outputRows, cols: outputCols)
        func call(_ source: UnsafePointer<Int8>) {
            weights.withUnsafeBufferPointer { w in
                pairs.withUnsafeBufferPointer { q in
                    table.withRequant { rq in pt_depthwise_avx2(&window, source, w.baseAddress, q.baseAddress, rq, Y) }
                }
            }
        }
        if m == 1 { call(X); return }
        withRepeatedChannels(X, pixels: p.batches * inputRegion.height * inputRegion.width, channels: ic, times: m, call)
    }
}

/// Calls `body` with a copy of `pixels` pixels of `channels` values in which
/// each value appears `times` times in a row: the input a depthwise
/// convolution with depth multiplier `times` reads per output channel
/// (output channel `c·times + k` reads input channel `c`).
func withRepeatedChannels<T>(_ input: UnsafePointer<T>, pixels: Int, channels: Int, times: Int,
                             _ body: (UnsafePointer<T>) -> Void) {
    let width = channels * times
    withUnsafeTemporaryAllocation(of: T.self, capacity: max(pixels * width, 1)) { buffer in
        guard let copy = buffer.baseAddress else { return }
        for px in 0..<pixels {
            let from = input + px * channels, to = copy + px * width
            for c in 0..<channels {
                (to + c * times).initialize(repeating: from[c], count: times)
            }
        }
        body(copy)
    }
}

/// FULLY_CONNECTED on AVX2: int8 rows of weights, widened (filter offset
/// added) against the widened input, four output rows at a time; the
/// rescale is `fullyConnectedOutput`, as on every path.
struct AVX2FullyConnected: Sendable {
    /// `[output][stride]`, depth rounded up to 16, zero past the end.
    let weights: [Int8]
    let stride: Int

    init(_ p: FullyConnectedParams, filter: [Int8]) {
        let depth = p.inputDepth
        stride = (depth + 15) / 16 * 16
        var w = [Int8](repeating: 0, count: max(p.outputDepth * stride, 16))
        for o in 0..<p.outputDepth {
            for d in 0..<depth { w[o * stride + d] = filter[o * depth + d] }
        }
        weights = w
    }

    /// Offsets that keep `byte + offset` inside int16 (so `vpmaddwd` never
    /// saturates) and sizes that fit the C kernel's int32 arguments.
    static func supports(_ p: FullyConnectedParams) -> Bool {
        let room = Int(Int16.max) - 128
        return CPUFeatures.current.contains(.avx2)
            && abs(Int(p.inputOffset)) <= room && abs(Int(p.filterOffset)) <= room
            && p.inputDepth < 1 << 24 && p.outputDepth < 1 << 24 && p.outputDepth * ((p.inputDepth + 15) / 16 * 16) < 1 << 31
    }

    func run(_ p: FullyConnectedParams, input: UnsafeBufferPointer<Int8>, bias: UnsafeBufferPointer<Int32>?,
             output: UnsafeMutableBufferPointer<Int8>) {
        guard let X = input.baseAddress, let Y = output.baseAddress else { return }
        let depth = p.inputDepth, outputs = p.outputDepth
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: max(stride, 16)) { xs in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(outputs, 1)) { acc in
            weights.withUnsafeBufferPointer { w in
                for b in 0..<p.batches {
                    pt_fc_accumulate_avx2(X + b * depth, Int32(depth), p.inputOffset, w.baseAddress, p.filterOffset,
                                          Int32(outputs), Int32(stride), xs.baseAddress, acc.baseAddress)
                    for o in 0..<outputs { Y[b * outputs + o] = fullyConnectedOutput(p, acc[o], channel: o, bias: bias) }
                }
            }
        }
        }
    }
}
