import CPatchTopKernels

extension DepthwiseConv2DKernel {
    /// Computes the depthwise conv with its output written over its input,
    /// channel by channel, as TinyEngine does to save memory.
    ///
    /// `buffer` holds the input as `inputRegion` and receives the output as
    /// `outputRegion`, both NHWC with the same channel count. For each
    /// channel `c`, the input's channel is first copied to `staging`; only
    /// then are the output's channel-`c` bytes written, and with equal
    /// channel counts those land only on input bytes of channel `c`, which
    /// are already staged. The staging buffer is filled whole (with the
    /// input zero point) so that every byte the plan counts is used.
    /// Requires one output channel per input channel.
    func runInPlace(buffer: UnsafeMutablePointer<Int8>, inputRegion: Region2D, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>,
                    staging: UnsafeMutablePointer<Int8>, stagingBytes: Int) {
        let p = params
        let channels = p.inputChannels
        let kh = p.height.filterSize, kw = p.width.filterSize
        let inH = p.height.inputSize, inW = p.width.inputSize
        let dh = p.height.dilation, dw = p.width.dilation
        let plane = inputRegion.height * inputRegion.width
        precondition(p.depthMultiplier == 1 && plane <= stagingBytes, "in-place depthwise needs one output channel per input channel")
        let padding = Int8(clamping: -p.inputOffset)
        let paddedHeight = inH + p.height.padBefore + p.height.padAfter
        let paddedWidth = inW + p.width.padBefore + p.width.padAfter
        // The padded plane needs a byte whose input plus offset is 0 (a
        // real zero point's range); otherwise taps in the padding are skipped.
        if inputRegion == Region2D(height: inH, width: inW), paddedHeight * paddedWidth <= stagingBytes,
           (-127...128).contains(p.inputOffset) {
            runInPlacePadded(buffer: buffer, outputRegion: outputRegion, outputRows: outputRows, outputCols: outputCols,
                             staging: staging, paddedWidth: paddedWidth, paddedHeight: paddedHeight, padding: padding)
            return
        }
        for c in 0..<channels {
            staging.update(repeating: padding, count: stagingBytes)
            for k in 0..<plane { staging[k] = buffer[k * channels + c] }
            if vectorPlane(channel: c, plane: staging, planeY: inputRegion.y, planeX: inputRegion.x,
                           planeHeight: inputRegion.height, planeWidth: inputRegion.width,
                           buffer: buffer, outputRegion: outputRegion, outputRows: outputRows, outputCols: outputCols) {
                continue
            }
            for oy in outputRows {
                let inY0 = p.height.inputStart(forOutput: oy)
                for ox in outputCols {
                    let inX0 = p.width.inputStart(forOutput: ox)
                    var acc: Int32 = 0
                    for fy in 0..<kh {
                        let iy = inY0 + dh * fy
                        if iy < 0 || iy >= inH { continue }
                        for fx in 0..<kw {
                            let ix = inX0 + dw * fx
                            if ix < 0 || ix >= inW { continue }
                            let v = Int32(staging[(iy - inputRegion.y) * inputRegion.width + (ix - inputRegion.x)])
                            acc &+= Int32(filter[(fy * kw + fx) * channels + c]) &* (v &+ p.inputOffset)
                        }
                    }
                    if let bias { acc &+= bias[c] }
                    acc = FixedPoint.multiplyByQuantizedMultiplier(acc, p.multipliers[c], p.shifts[c])
                    acc = min(max(acc &+ p.outputOffset, p.activationMin), p.activationMax)
                    buffer[outputRegion.offset(batch: 0, row: oy, col: ox, channels: channels) + c] = Int8(acc)
                }
            }
        }
    }

    /// The whole-tensor case: each channel is staged as its padded plane
    /// (padding bytes hold the input zero point, so their products vanish
    /// exactly as the reference skips them), and the window is a fixed list
    /// of offsets in that plane with no bounds checks.
    private func runInPlacePadded(buffer: UnsafeMutablePointer<Int8>, outputRegion: Region2D,
                                  outputRows: Range<Int>, outputCols: Range<Int>,
                                  staging: UnsafeMutablePointer<Int8>, paddedWidth: Int, paddedHeight: Int, padding: Int8) {
        let p = params
        let channels = p.inputChannels
        let inH = p.height.inputSize, inW = p.width.inputSize
        let kh = p.height.filterSize, kw = p.width.filterSize
        let taps = kh * kw
        let sh = p.height.stride, sw = p.width.stride
        let top = p.height.padBefore, left = p.width.padBefore
        withUnsafeTemporaryAllocation(of: Int.self, capacity: taps) { offsets in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: taps) { weights in
            for fy in 0..<kh {
                for fx in 0..<kw {
                    offsets[fy * kw + fx] = fy * p.height.dilation * paddedWidth + fx * p.width.dilation
                }
            }
            for c in 0..<channels {
                staging.update(repeating: padding, count: paddedHeight * paddedWidth)
                for y in 0..<inH {
                    let row = staging + (y + top) * paddedWidth + left
                    let from = buffer + y * inW * channels + c
                    for x in 0..<inW { row[x] = from[x * channels] }
                }
                if vectorPlane(channel: c, plane: staging, planeY: -top, planeX: -left, planeHeight: paddedHeight,
                               planeWidth: paddedWidth, buffer: buffer, outputRegion: outputRegion,
                               outputRows: outputRows, outputCols: outputCols) {
                    continue
                }
                for t in 0..<taps { weights[t] = Int32(filter[t * channels + c]) }
                let start = bias?[c] ?? 0
                let multiplier = p.multipliers[c], shift = p.shifts[c]
                for oy in outputRows {
                    let rowBase = oy * sh * paddedWidth
                    for ox in outputCols {
                        let window = staging + rowBase + ox * sw
                        var acc = start
                        for t in 0..<taps { acc &+= weights[t] &* (Int32(window[offsets[t]]) &+ p.inputOffset) }
                        acc = FixedPoint.multiplyByQuantizedMultiplier(acc, multiplier, shift)
                        acc = min(max(acc &+ p.outputOffset, p.activationMin), p.activationMax)
                        buffer[outputRegion.offset(batch: 0, row: oy, col: ox, channels: channels) + c] = Int8(acc)
                    }
                }
            }
        }
        }
    }

    /// Channel `c`'s outputs from its staged plane (input rows `planeY…`,
    /// columns `planeX…`) by the AVX2 kernel, eight pixels at a time;
    /// false (nothing done) where this kernel has no AVX2 form.
    private func vectorPlane(channel c: Int, plane: UnsafeMutablePointer<Int8>, planeY: Int, planeX: Int,
                             planeHeight: Int, planeWidth: Int, buffer: UnsafeMutablePointer<Int8>,
                             outputRegion: Region2D, outputRows: Range<Int>, outputCols: Range<Int>) -> Bool {
        guard case .avx2 = implementation else { return false }
        let p = params
        let taps = p.height.filterSize * p.width.filterSize
        var window = pt_window(batches: 1, inputChannels: 1, outputChannels: 1, height: p.height, width: p.width,
                               inputOffset: p.inputOffset, inputRegion: Region2D(height: 1, width: 1),
                               outputRegion: outputRegion, rows: outputRows, cols: outputCols)
        func i(_ v: Int) -> Int32 { Int32(truncatingIfNeeded: v) }
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(taps, 1)) { weights in
            for t in 0..<taps { weights[t] = Int32(filter[t * p.inputChannels + c]) }
            withUnsafePointer(to: &window) { w in
                var call = pt_plane_call(window: w, plane_y: i(planeY), plane_x: i(planeX), plane_height: i(planeHeight),
                                         plane_width: i(planeWidth), weights: UnsafePointer(weights.baseAddress),
                                         bias: bias?[c] ?? 0, multiplier: p.multipliers[c], shift: p.shifts[c],
                                         output_offset: p.outputOffset, activation_min: p.activationMin,
                                         activation_max: p.activationMax, out_y: i(outputRegion.y), out_x: i(outputRegion.x),
                                         out_width: i(outputRegion.width), channels: i(p.inputChannels))
                pt_depthwise_plane_avx2(&call, plane, buffer + c)
            }
        }
        return true
    }
}
