import PatchTopModel

/// Precomputed parameters of an int8 DEPTHWISE_CONV_2D with per-channel
/// weights; output channel `c·depthMultiplier + m` reads input channel `c`.
struct DepthwiseConv2DParams: Sendable {
    var batches: Int
    var inputChannels: Int
    var depthMultiplier: Int
    var height: WindowGeometry
    var width: WindowGeometry
    var inputOffset: Int32
    var outputOffset: Int32
    var multipliers: [Int32]
    var shifts: [Int32]
    var activationMin: Int32
    var activationMax: Int32

    init(batches: Int, inputChannels: Int, depthMultiplier: Int, height: WindowGeometry, width: WindowGeometry,
                inputOffset: Int32, outputOffset: Int32, multipliers: [Int32], shifts: [Int32],
                activationMin: Int32, activationMax: Int32) {
        precondition(multipliers.count == inputChannels * depthMultiplier && shifts.count == multipliers.count)
        self.batches = batches
        self.inputChannels = inputChannels
        self.depthMultiplier = depthMultiplier
        self.height = height
        self.width = width
        self.inputOffset = inputOffset
        self.outputOffset = outputOffset
        self.multipliers = multipliers
        self.shifts = shifts
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    var outputChannels: Int { inputChannels * depthMultiplier }
    var fullOutput: Region2D { Region2D(height: height.outputSize, width: width.outputSize) }
    var fullInput: Region2D { Region2D(height: height.inputSize, width: width.inputSize) }
}

/// Reference int8 depthwise convolution
/// (`reference_integer_ops::DepthwiseConvPerChannel`) over a sub-rectangle of
/// the output; see `conv2DInt8` for the region conventions. Filter layout
/// `[1, kh, kw, inputChannels·depthMultiplier]`.
func depthwiseConv2DInt8(
    _ p: DepthwiseConv2DParams,
    input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
    filter: UnsafeBufferPointer<Int8>, bias: UnsafeBufferPointer<Int32>?,
    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
    outputRows: Range<Int>, outputCols: Range<Int>
) {
    let ic = p.inputChannels, dm = p.depthMultiplier, oc = p.outputChannels
    let kh = p.height.filterSize, kw = p.width.filterSize
    let inH = p.height.inputSize, inW = p.width.inputSize
    let dh = p.height.dilation, dw = p.width.dilation
    for b in 0..<p.batches {
        for oy in outputRows {
            let inY0 = p.height.inputStart(forOutput: oy)
            for ox in outputCols {
                let inX0 = p.width.inputStart(forOutput: ox)
                let outBase = outputRegion.offset(batch: b, row: oy, col: ox, channels: oc)
                for c in 0..<ic {
                    for m in 0..<dm {
                        let o = c * dm + m
                        var acc: Int32 = 0
                        for fy in 0..<kh {
                            let iy = inY0 + dh * fy
                            if iy < 0 || iy >= inH { continue }
                            for fx in 0..<kw {
                                let ix = inX0 + dw * fx
                                if ix < 0 || ix >= inW { continue }
                                let v = Int32(input[inputRegion.offset(batch: b, row: iy, col: ix, channels: ic) + c])
                                acc &+= Int32(filter[(fy * kw + fx) * oc + o]) &* (v &+ p.inputOffset)
                            }
                        }
                        if let bias { acc &+= bias[o] }
                        acc = FixedPoint.multiplyByQuantizedMultiplier(acc, p.multipliers[o], p.shifts[o])
                        acc &+= p.outputOffset
                        acc = min(max(acc, p.activationMin), p.activationMax)
                        output[outBase + o] = Int8(acc)
                    }
                }
            }
        }
    }
}

/// Whole-tensor convenience form of `depthwiseConv2DInt8`.
func depthwiseConv2DInt8(
    _ p: DepthwiseConv2DParams, input: UnsafeBufferPointer<Int8>, filter: UnsafeBufferPointer<Int8>,
    bias: UnsafeBufferPointer<Int32>?, output: UnsafeMutableBufferPointer<Int8>
) {
    depthwiseConv2DInt8(p, input: input, inputRegion: p.fullInput, filter: filter, bias: bias,
                        output: output, outputRegion: p.fullOutput,
                        outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
}
