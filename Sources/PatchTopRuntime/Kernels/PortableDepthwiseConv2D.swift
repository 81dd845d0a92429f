/// The portable SIMD DEPTHWISE_CONV_2D for depth multiplier 1: SIMD across channels
/// (NHWC keeps them innermost), 16 channels per `SIMD16<Int32>` accumulator,
/// weights widened to int32 at load time as `[kh·kw][block]`.
///
/// A window entirely inside the image uses the folded bias (bias +
/// inputOffset · Σ taps of the filter), so its inner loop is a pure
/// int8×int8 product; a window cut by padding adds the input offset to each
/// byte it reads and skips the taps outside, exactly as the reference kernel.
/// A channel count that is not a multiple of 16 ends with a partial block
/// loaded and stored lane by lane.
struct PortableDepthwiseConv2D: Sendable {
    let channels: Int
    let blocks: Int
    let taps: Int
    /// `[tap][block]`, zero past the last channel.
    let weights: [V16]
    let table: RequantTable

    init(_ p: DepthwiseConv2DParams, filter: [Int8], bias: [Int32]?) {
        precondition(p.depthMultiplier == 1)
        channels = p.inputChannels
        taps = p.height.filterSize * p.width.filterSize
        blocks = (channels + blockLanes - 1) / blockLanes
        var w = [V16](repeating: V16(), count: taps * blocks)
        var folded = [Int32](repeating: 0, count: channels)
        for c in 0..<channels {
            var sum: Int32 = 0
            for t in 0..<taps {
                let f = Int32(filter[t * channels + c])
                w[t * blocks + c / blockLanes][c % blockLanes] = f
                sum &+= f
            }
            folded[c] = (bias?[c] ?? 0) &+ p.inputOffset &* sum
        }
        weights = w
        table = withOptionalBuffer(bias) { b in
            RequantTable(channels: p.inputChannels, bias: b, folded: folded, multipliers: p.multipliers, shifts: p.shifts,
                         outputOffset: p.outputOffset, activationMin: p.activationMin, activationMax: p.activationMax)
        }
    }

    static func supports(_ p: DepthwiseConv2DParams) -> Bool {
        p.depthMultiplier == 1 && RequantTable.supports(multipliers: p.multipliers, shifts: p.shifts)
    }

    func run(_ p: DepthwiseConv2DParams, input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
             output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
             outputRows: Range<Int>, outputCols: Range<Int>) {
        guard let X = input.baseAddress, let Y = output.baseAddress, !outputRows.isEmpty, !outputCols.isEmpty else { return }
        let kh = p.height.filterSize, kw = p.width.filterSize
        let inH = p.height.inputSize, inW = p.width.inputSize
        let dh = p.height.dilation, dw = p.width.dilation
        let ch = channels
        let rowStride = inputRegion.width * ch
        let full = ch / blockLanes, rest = ch % blockLanes
        let end = X + input.count
        weights.withUnsafeBufferPointer { wb in
            table.vectors.withUnsafeBufferPointer { tb in
                guard let W = wb.baseAddress, let T = tb.baseAddress else { return }
                let k = RequantConstants(table)
                let offset = V16(repeating: p.inputOffset)
                for b in 0..<p.batches {
                    for oy in outputRows {
                        let sy = p.height.inputStart(forOutput: oy)
                        let (fy0, fy1) = validTaps(start: sy, dilation: dh, filter: kh, size: inH)
                        for ox in outputCols {
                            let sx = p.width.inputStart(forOutput: ox)
                            let (fx0, fx1) = validTaps(start: sx, dilation: dw, filter: kw, size: inW)
                            let x = X + inputRegion.offset(batch: b, row: sy, col: sx, channels: ch)
                            let y = Y + outputRegion.offset(batch: b, row: oy, col: ox, channels: ch)
                            let inside = fy0 == 0 && fy1 == kh && fx0 == 0 && fx1 == kw
                            for cb in 0..<full {
                                let t = T + cb * RequantTable.stride
                                var acc: V16
                                if inside {
                                    acc = t[1]
                                    for fy in 0..<kh {
                                        let row = x + fy * dh * rowStride + cb * blockLanes
                                        let wrow = W + fy * kw * blocks + cb
                                        for fx in 0..<kw {
                                            acc &+= widen(load16(row + fx * dw * ch)) &* wrow[fx * blocks]
                                        }
                                    }
                                } else {
                                    acc = t[0]
                                    for fy in fy0..<fy1 {
                                        let row = x + fy * dh * rowStride + cb * blockLanes
                                        let wrow = W + fy * kw * blocks + cb
                                        for fx in fx0..<fx1 {
                                            acc &+= (widen(load16(row + fx * dw * ch)) &+ offset) &* wrow[fx * blocks]
                                        }
                                    }
                                }
                                store(requantize(acc, t, k), y + cb * blockLanes, blockLanes)
                            }
                            if rest > 0 {
                                let cb = full
                                let t = T + cb * RequantTable.stride
                                var acc = t[0]
                                for fy in fy0..<fy1 {
                                    let row = x + fy * dh * rowStride + cb * blockLanes
                                    let wrow = W + fy * kw * blocks + cb
                                    for fx in fx0..<fx1 {
                                        acc &+= (widen(loadPartial(row + fx * dw * ch, rest, end: end)) &+ offset) &* wrow[fx * blocks]
                                    }
                                }
                                store(requantize(acc, t, k), y + cb * blockLanes, rest)
                            }
                        }
                    }
                }
            }
        }
    }
}
