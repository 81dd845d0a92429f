extension FloatConv2DKernel {
    /// The float depthwise conv written over its input, channel by channel
    /// (TinyEngine's in-place scheme, as the int8 kernel does): each input
    /// channel is staged, then that channel's outputs overwrite it. The
    /// taps and their order are the reference's, so the floats are identical.
    /// Requires one output channel per input channel.
    func runInPlace(buffer: UnsafeMutablePointer<Float>, inputRegion: Region2D, outputRegion: Region2D,
                    outputRows: Range<Int>, outputCols: Range<Int>, staging: UnsafeMutablePointer<Float>, stagingCount: Int) {
        let channels = inputChannels
        let kh = height.filterSize, kw = width.filterSize
        let inH = height.inputSize, inW = width.inputSize
        let dh = height.dilation, dw = width.dilation
        let plane = inputRegion.height * inputRegion.width
        precondition(depthMultiplier == 1 && isDepthwise && plane <= stagingCount, "in-place depthwise needs one output channel per input channel")
        weights.withUnsafeBufferPointer { w in
            for c in 0..<channels {
                staging.update(repeating: 0, count: stagingCount)
                for k in 0..<plane { staging[k] = buffer[k * channels + c] }
                for oy in outputRows {
                    let inY0 = height.inputStart(forOutput: oy)
                    for ox in outputCols {
                        let inX0 = width.inputStart(forOutput: ox)
                        var total: Float = 0
                        for fy in 0..<kh {
                            let iy = inY0 + dh * fy
                            if iy < 0 || iy >= inH { continue }
                            for fx in 0..<kw {
                                let ix = inX0 + dw * fx
                                if ix < 0 || ix >= inW { continue }
                                total += staging[(iy - inputRegion.y) * inputRegion.width + (ix - inputRegion.x)] * w[(fy * kw + fx) * channels + c]
                            }
                        }
                        buffer[outputRegion.offset(batch: 0, row: oy, col: ox, channels: channels) + c] = clamp.apply(total + bias[c])
                    }
                }
            }
        }
    }
}
