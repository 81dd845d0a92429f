/// The portable SIMD CONV_2D: weights repacked at load time into blocks of 16 output
/// channels, `[block][kh·kw][inputChannels]` of `SIMD16<Int8>` (lane = output
/// channel, zero past the last channel), accumulated as an outer product:
/// each input byte (plus the input offset) is broadcast and multiplied by a
/// block of 16 weights into `SIMD16<Int32>` accumulators, four output pixels
/// and two channel blocks at a time. A 1×1 convolution is the same code with
/// one tap, i.e. an int8 GEMM over the pixels.
///
/// Padding: taps outside the image are skipped, exactly as the reference
/// kernel does; the input offset is added per byte (a scalar add before the
/// broadcast), so no border correction is needed. Output pixels whose window
/// is inside the image in x are grouped by four; pixels on the left/right
/// border run one at a time with their own tap list.
///
/// A thin output (at most `thinChannels` channels: a depth map, a mask, an
/// autoencoder's image) would leave most of the 16 channel lanes empty, so
/// there the lanes are 16 neighbouring output pixels of one channel instead,
/// over the run of pixels whose windows are whole in x: a tap's 16 values
/// are contiguous with one input channel at stride 1, and with 16 input
/// channels or more each pixel's dot product runs over its channels.
///
/// The accumulation order differs from the reference, which is exact in
/// int32; the requantization is `requantize`, bit for bit the reference's.
struct PortableConv2D: Sendable {
    /// Up to this many output channels, pixels take the lanes.
    static let thinChannels = 4
    let ic: Int
    let oc: Int
    let blocks: Int
    let taps: Int
    /// `[block][tap][ic]`.
    let weights: [SIMD16<Int8>]
    let table: RequantTable
    /// Thin outputs: `[channel][tap][ic]` weights widened with the input
    /// offset left out, and one table block per channel with that channel's
    /// constants in every lane.
    let thinWeights: [Int32]
    let thinTable: RequantTable?

    init(_ p: Conv2DParams, filter: [Int8], bias: [Int32]?) {
        ic = p.inputChannels
        oc = p.outputChannels
        taps = p.height.filterSize * p.width.filterSize
        blocks = (oc + blockLanes - 1) / blockLanes
        var w = [SIMD16<Int8>](repeating: SIMD16(), count: blocks * taps * ic)
        for o in 0..<oc {
            let k = o / blockLanes, lane = o % blockLanes
            for t in 0..<taps {
                for c in 0..<ic {
                    w[(k * taps + t) * ic + c][lane] = filter[(o * taps + t) * ic + c]
                }
            }
        }
        weights = w
        table = withOptionalBuffer(bias) { b in
            RequantTable(channels: p.outputChannels, bias: b, folded: nil, multipliers: p.multipliers, shifts: p.shifts,
                         outputOffset: p.outputOffset, activationMin: p.activationMin, activationMax: p.activationMax)
        }
        if oc <= Self.thinChannels {
            thinWeights = filter.prefix(oc * taps * ic).map { Int32($0) }
            let lanes = oc * blockLanes
            func spread(_ values: [Int32]) -> [Int32] {
                (0..<lanes).map { values.count == 1 ? values[0] : values[$0 / blockLanes] }
            }
            let spreadBias = bias.map { b in (0..<lanes).map { b[$0 / blockLanes] } }
            thinTable = withOptionalBuffer(spreadBias) { b in
                RequantTable(channels: lanes, bias: b, folded: nil, multipliers: spread(p.multipliers), shifts: spread(p.shifts),
                             outputOffset: p.outputOffset, activationMin: p.activationMin, activationMax: p.activationMax)
            }
        } else {
            thinWeights = []
            thinTable = nil
        }
    }

    static func supports(_ p: Conv2DParams) -> Bool {
        RequantTable.supports(multipliers: p.multipliers, shifts: p.shifts)
    }

    func run(_ p: Conv2DParams, input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
             output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
             outputRows: Range<Int>, outputCols: Range<Int>) {
        guard let X = input.baseAddress, let Y = output.baseAddress, !outputRows.isEmpty, !outputCols.isEmpty else { return }
        let kh = p.height.filterSize, kw = p.width.filterSize
        let inH = p.height.inputSize, inW = p.width.inputSize
        let dh = p.height.dilation, dw = p.width.dilation
        let sw = p.width.stride
        let ic = self.ic, oc = self.oc
        let rowStride = inputRegion.width * ic
        let pixelStep = sw * ic
        weights.withUnsafeBufferPointer { wb in
            table.vectors.withUnsafeBufferPointer { tb in
                // The window's input rows for one output row, widened to
                // int32 with the input offset added once, so that the inner
                // loops broadcast a ready value straight from memory.
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(1, kh * rowStride)) { rowBuffer in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * taps) { tapBuffer in
                    guard let W = wb.baseAddress, let T = tb.baseAddress, let rows = rowBuffer.baseAddress,
                          let inOffsets = tapBuffer.baseAddress else { return }
                    let wOffsets = inOffsets + taps
                    let k = RequantConstants(table)
                    let inputOffset = p.inputOffset
                    for b in 0..<p.batches {
                        for oy in outputRows {
                            let sy = p.height.inputStart(forOutput: oy)
                            let (fy0, fy1) = validTaps(start: sy, dilation: dh, filter: kh, size: inH)
                            for fy in fy0..<fy1 {
                                let from = X + inputRegion.offset(batch: b, row: sy + fy * dh, col: inputRegion.x, channels: ic)
                                let to = rows + fy * rowStride
                                for j in 0..<rowStride { to[j] = Int32(from[j]) &+ inputOffset }
                            }
                            var ox = outputCols.lowerBound
                            while ox < outputCols.upperBound {
                                let sx = p.width.inputStart(forOutput: ox)
                                let (fx0, fx1) = validTaps(start: sx, dilation: dw, filter: kw, size: inW)
                                // The tap list of this pixel's window.
                                var n = 0
                                for fy in fy0..<fy1 {
                                    for fx in fx0..<fx1 {
                                        inOffsets[n] = fy * rowStride + fx * dw * ic
                                        wOffsets[n] = (fy * kw + fx) * ic
                                        n += 1
                                    }
                                }
                                var end = ox + 1
                                if fx0 == 0 && fx1 == kw {
                                    // Extend over the following pixels whose window is whole in x.
                                    while end < outputCols.upperBound {
                                        let s = p.width.inputStart(forOutput: end)
                                        if s < 0 || s + dw * (kw - 1) >= inW { break }
                                        end += 1
                                    }
                                }
                                let x0 = UnsafePointer(rows) + (sx - inputRegion.x) * ic
                                let y0 = Y + outputRegion.offset(batch: b, row: oy, col: ox, channels: oc)
                                var i = 0
                                if let thin = thinTable, pixelStep == 1 || ic >= blockLanes {
                                    while i + blockLanes <= end - ox {
                                        thinTile16(x: x0 + i * pixelStep, pixelStep: pixelStep, y: y0 + i * oc,
                                                   inOffsets: inOffsets, wOffsets: wOffsets, taps: n, table: thin)
                                        i += blockLanes
                                    }
                                }
                                while i + 4 <= end - ox {
                                    tile4(x: x0 + i * pixelStep, pixelStep: pixelStep, y: y0 + i * oc,
                                          inOffsets: inOffsets, wOffsets: wOffsets, taps: n, inputOffset: inputOffset,
                                          W: W, T: T, k: k)
                                    i += 4
                                }
                                while i < end - ox {
                                    tile1(x: x0 + i * pixelStep, y: y0 + i * oc,
                                          inOffsets: inOffsets, wOffsets: wOffsets, taps: n, inputOffset: inputOffset,
                                          W: W, T: T, k: k)
                                    i += 1
                                }
                                ox = end
                            }
                        }
                    }
                }
                }
            }
        }
    }

    /// Four output pixels `pixelStep` values apart in the widened input
    /// rows and `oc` apart in the output, every channel block.
    @inline(__always)
    private func tile4(x: UnsafePointer<Int32>, pixelStep: Int, y: UnsafeMutablePointer<Int8>,
                       inOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, taps n: Int, inputOffset: Int32,
                       W: UnsafePointer<SIMD16<Int8>>, T: UnsafePointer<V16>, k: RequantConstants) {
        let ic = self.ic, oc = self.oc, blockStride = taps * ic
        var ob = 0
        while ob + 1 < blocks {
            let t0 = T + ob * RequantTable.stride
            let t1 = t0 + RequantTable.stride
            var a0 = t0[0], a1 = a0, a2 = a0, a3 = a0
            var b0 = t1[0], b1 = b0, b2 = b0, b3 = b0
            let wa = W + ob * blockStride
            let wbk = wa + blockStride
            for t in 0..<n {
                let p0 = x + inOffsets[t], p1 = p0 + pixelStep, p2 = p1 + pixelStep, p3 = p2 + pixelStep
                let va = wa + wOffsets[t], vb = wbk + wOffsets[t]
                for c in 0..<ic {
                    let u = widen(va[c]), v = widen(vb[c])
                    let s0 = V16(repeating: p0[c])
                    let s1 = V16(repeating: p1[c])
                    let s2 = V16(repeating: p2[c])
                    let s3 = V16(repeating: p3[c])
                    a0 &+= s0 &* u; a1 &+= s1 &* u; a2 &+= s2 &* u; a3 &+= s3 &* u
                    b0 &+= s0 &* v; b1 &+= s1 &* v; b2 &+= s2 &* v; b3 &+= s3 &* v
                }
            }
            let c0 = ob * blockLanes, n0 = min(blockLanes, oc - c0)
            store(requantize(a0, t0, k), y + c0, n0)
            store(requantize(a1, t0, k), y + oc + c0, n0)
            store(requantize(a2, t0, k), y + 2 * oc + c0, n0)
            store(requantize(a3, t0, k), y + 3 * oc + c0, n0)
            let c1 = c0 + blockLanes, n1 = min(blockLanes, oc - c1)
            store(requantize(b0, t1, k), y + c1, n1)
            store(requantize(b1, t1, k), y + oc + c1, n1)
            store(requantize(b2, t1, k), y + 2 * oc + c1, n1)
            store(requantize(b3, t1, k), y + 3 * oc + c1, n1)
            ob += 2
        }
        if ob < blocks {
            // The last, odd block: four pixels, one block.
            let t0 = T + ob * RequantTable.stride
            var a0 = t0[0], a1 = a0, a2 = a0, a3 = a0
            let wa = W + ob * blockStride
            for t in 0..<n {
                let p0 = x + inOffsets[t], p1 = p0 + pixelStep, p2 = p1 + pixelStep, p3 = p2 + pixelStep
                let va = wa + wOffsets[t]
                for c in 0..<ic {
                    let u = widen(va[c])
                    a0 &+= V16(repeating: p0[c]) &* u
                    a1 &+= V16(repeating: p1[c]) &* u
                    a2 &+= V16(repeating: p2[c]) &* u
                    a3 &+= V16(repeating: p3[c]) &* u
                }
            }
            let c0 = ob * blockLanes, n0 = min(blockLanes, oc - c0)
            store(requantize(a0, t0, k), y + c0, n0)
            store(requantize(a1, t0, k), y + oc + c0, n0)
            store(requantize(a2, t0, k), y + 2 * oc + c0, n0)
            store(requantize(a3, t0, k), y + 3 * oc + c0, n0)
        }
    }

    /// Sixteen output pixels `pixelStep` values apart, every channel of a
    /// thin output: lane = pixel.
    @inline(__always)
    private func thinTile16(x: UnsafePointer<Int32>, pixelStep: Int, y: UnsafeMutablePointer<Int8>,
                            inOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, taps n: Int, table: RequantTable) {
        let ic = self.ic, oc = self.oc, channelStride = taps * ic
        let k = RequantConstants(table)
        thinWeights.withUnsafeBufferPointer { wb in
            table.vectors.withUnsafeBufferPointer { tb in
                guard let W = wb.baseAddress, let T = tb.baseAddress else { return }
                for o in 0..<oc {
                    let t0 = T + o * RequantTable.stride
                    var acc = t0[0]
                    let wo = W + o * channelStride
                    if pixelStep == 1 {
                        // One input channel, stride 1: a tap's 16 pixels are contiguous.
                        for t in 0..<n {
                            let v = UnsafeRawPointer(x + inOffsets[t]).loadUnaligned(as: V16.self)
                            acc &+= v &* V16(repeating: wo[wOffsets[t]])
                        }
                    } else {
                        // Many input channels: each pixel's dot product over its
                        // channels, 16 channels at a time.
                        for lane in 0..<blockLanes {
                            var dot = V16()
                            var tail: Int32 = 0
                            let px = x + lane * pixelStep
                            for t in 0..<n {
                                let p0 = px + inOffsets[t], w0 = wo + wOffsets[t]
                                var c = 0
                                while c + blockLanes <= ic {
                                    dot &+= UnsafeRawPointer(p0 + c).loadUnaligned(as: V16.self)
                                        &* UnsafeRawPointer(w0 + c).loadUnaligned(as: V16.self)
                                    c += blockLanes
                                }
                                while c < ic {
                                    tail &+= p0[c] &* w0[c]
                                    c += 1
                                }
                            }
                            acc[lane] &+= dot.wrappedSum() &+ tail
                        }
                    }
                    let q = requantize(acc, t0, k)
                    if oc == 1 {
                        store(q, y, blockLanes)
                    } else {
                        for lane in 0..<blockLanes { y[lane * oc + o] = q[lane] }
                    }
                }
            }
        }
    }

    /// One output pixel, every channel block.
    @inline(__always)
    private func tile1(x: UnsafePointer<Int32>, y: UnsafeMutablePointer<Int8>,
                       inOffsets: UnsafePointer<Int>, wOffsets: UnsafePointer<Int>, taps n: Int, inputOffset: Int32,
                       W: UnsafePointer<SIMD16<Int8>>, T: UnsafePointer<V16>, k: RequantConstants) {
        let ic = self.ic, oc = self.oc, blockStride = taps * ic
        for ob in 0..<blocks {
            let t0 = T + ob * RequantTable.stride
            var a0 = t0[0], a1 = V16()
            let wa = W + ob * blockStride
            for t in 0..<n {
                let p0 = x + inOffsets[t]
                let va = wa + wOffsets[t]
                var c = 0
                while c + 2 <= ic {
                    a0 &+= V16(repeating: p0[c]) &* widen(va[c])
                    a1 &+= V16(repeating: p0[c + 1]) &* widen(va[c + 1])
                    c += 2
                }
                if c < ic { a0 &+= V16(repeating: p0[c]) &* widen(va[c]) }
            }
            let c0 = ob * blockLanes
            store(requantize(a0 &+ a1, t0, k), y + c0, min(blockLanes, oc - c0))
        }
    }
}
