import PatchTopModel

/// Precomputed parameters of an int8 CONV_2D with per-channel weights.
///
/// Multipliers and the activation clamp are computed once at prepare time so
/// that running a patch costs only the accumulation.
struct Conv2DParams: Sendable {
    var batches: Int
    var inputChannels: Int
    var outputChannels: Int
    /// Geometry along height and width of the *full* input tensor: padding is
    /// decided against the full tensor even when only a patch is computed.
    var height: WindowGeometry
    var width: WindowGeometry
    /// `-input_zero_point`, added to each input byte before multiplying.
    var inputOffset: Int32
    /// `output_zero_point`.
    var outputOffset: Int32
    var multipliers: [Int32]
    var shifts: [Int32]
    var activationMin: Int32
    var activationMax: Int32

    init(batches: Int, inputChannels: Int, outputChannels: Int, height: WindowGeometry, width: WindowGeometry,
                inputOffset: Int32, outputOffset: Int32, multipliers: [Int32], shifts: [Int32],
                activationMin: Int32, activationMax: Int32) {
        precondition(multipliers.count == outputChannels && shifts.count == outputChannels)
        self.batches = batches
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.height = height
        self.width = width
        self.inputOffset = inputOffset
        self.outputOffset = outputOffset
        self.multipliers = multipliers
        self.shifts = shifts
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// The whole output as a region.
    var fullOutput: Region2D { Region2D(height: height.outputSize, width: width.outputSize) }
    /// The whole input as a region.
    var fullInput: Region2D { Region2D(height: height.inputSize, width: width.inputSize) }
}

/// Per-channel requantization multipliers exactly as TFLite Micro's
/// `PopulateConvolutionQuantizationParams`: `input_scale · filter_scale[c] /
/// output_scale` in double from float scales; a single filter scale is
/// broadcast to every channel.
func perChannelMultipliers(inputScale: Float, filterScales: [Float], outputScale: Float, channels: Int)
    -> (multipliers: [Int32], shifts: [Int32]) {
    var multipliers = [Int32](), shifts = [Int32]()
    multipliers.reserveCapacity(channels)
    shifts.reserveCapacity(channels)
    for c in 0..<channels {
        let filterScale = Double(filterScales.count > 1 ? filterScales[c] : filterScales[0])
        let effective = Double(inputScale) * filterScale / Double(outputScale)
        let (m, s) = FixedPoint.quantizeMultiplier(effective)
        multipliers.append(m)
        shifts.append(s)
    }
    return (multipliers, shifts)
}

/// Reference int8 convolution (`reference_integer_ops::ConvPerChannel`) over
/// output rows `outputRows` × columns `outputCols` (full-tensor coordinates).
///
/// `input` holds `inputRegion` of the input tensor and must contain every
/// in-image pixel those outputs read; `output` holds `outputRegion`.
/// Filter layout `[out, kh, kw, in]`, bias int32 per output channel.
/// Accumulation wraps on int32 overflow, as the C++ reference does on every
/// real machine, so that a model with absurd biases gives garbage, not a trap.
func conv2DInt8(
    _ p: Conv2DParams,
    input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
    filter: UnsafeBufferPointer<Int8>, bias: UnsafeBufferPointer<Int32>?,
    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
    outputRows: Range<Int>, outputCols: Range<Int>
) {
    let ic = p.inputChannels, oc = p.outputChannels
    let kh = p.height.filterSize, kw = p.width.filterSize
    let inH = p.height.inputSize, inW = p.width.inputSize
    let dh = p.height.dilation, dw = p.width.dilation
    for b in 0..<p.batches {
        for oy in outputRows {
            let inY0 = p.height.inputStart(forOutput: oy)
            for ox in outputCols {
                let inX0 = p.width.inputStart(forOutput: ox)
                let outBase = outputRegion.offset(batch: b, row: oy, col: ox, channels: oc)
                for o in 0..<oc {
                    var acc: Int32 = 0
                    for fy in 0..<kh {
                        let iy = inY0 + dh * fy
                        if iy < 0 || iy >= inH { continue }
                        for fx in 0..<kw {
                            let ix = inX0 + dw * fx
                            if ix < 0 || ix >= inW { continue }
                            let inBase = inputRegion.offset(batch: b, row: iy, col: ix, channels: ic)
                            let fBase = ((o * kh + fy) * kw + fx) * ic
                            for c in 0..<ic {
                                acc &+= Int32(filter[fBase + c]) &* (Int32(input[inBase + c]) &+ p.inputOffset)
                            }
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

/// Whole-tensor convenience form of `conv2DInt8`.
func conv2DInt8(
    _ p: Conv2DParams, input: UnsafeBufferPointer<Int8>, filter: UnsafeBufferPointer<Int8>,
    bias: UnsafeBufferPointer<Int32>?, output: UnsafeMutableBufferPointer<Int8>
) {
    conv2DInt8(p, input: input, inputRegion: p.fullInput, filter: filter, bias: bias,
               output: output, outputRegion: p.fullOutput,
               outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
}
