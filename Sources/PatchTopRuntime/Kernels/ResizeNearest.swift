/// int8 RESIZE_NEAREST_NEIGHBOR: each output pixel copies the channels of
/// one input pixel. The source row and column of every output row and
/// column are computed once at load time, exactly as TFLite's
/// `GetNearestNeighbor` computes them (float scale, floor, or round with
/// `align_corners`, half-pixel offset), so running is only copies. No
/// requantization: TFLite copies the bytes whatever the quantization.
struct ResizeNearestParams: Sendable, Equatable {
    var batches: Int
    var inputHeight: Int
    var inputWidth: Int
    var channels: Int
    /// The input row of each output row, and the input column of each output column.
    var sourceRows: [Int]
    var sourceCols: [Int]

    init(batches: Int, inputHeight: Int, inputWidth: Int, channels: Int,
                outputHeight: Int, outputWidth: Int, alignCorners: Bool, halfPixelCenters: Bool) {
        self.batches = batches
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.channels = channels
        sourceRows = (0..<outputHeight).map {
            Self.nearest($0, inputSize: inputHeight, outputSize: outputHeight, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        }
        sourceCols = (0..<outputWidth).map {
            Self.nearest($0, inputSize: inputWidth, outputSize: outputWidth, alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        }
    }

    /// TFLite's `GetNearestNeighbor`, in the same float arithmetic. The
    /// result is also clamped at 0, which TFLite does only with half-pixel
    /// centers but which can change nothing (the scale is never negative).
    static func nearest(_ value: Int, inputSize: Int, outputSize: Int, alignCorners: Bool, halfPixelCenters: Bool) -> Int {
        let scale: Float = alignCorners && outputSize > 1
            ? Float(inputSize - 1) / Float(outputSize - 1)
            : Float(inputSize) / Float(outputSize)
        let offset: Float = halfPixelCenters ? 0.5 : 0
        let position = (Float(value) + offset) * scale
        let rounded = alignCorners ? position.rounded(.toNearestOrAwayFromZero) : position.rounded(.down)
        // Finite for every size a validated model has; clamp before converting.
        let source = rounded.isFinite ? Int(max(min(rounded, Float(1 << 30)), -1)) : 0
        return max(0, min(source, inputSize - 1))
    }
}

/// Runs RESIZE_NEAREST_NEIGHBOR on whole NHWC tensors.
func resizeNearestInt8(_ p: ResizeNearestParams, input: UnsafeBufferPointer<Int8>, output: UnsafeMutableBufferPointer<Int8>) {
    let c = p.channels, outH = p.sourceRows.count, outW = p.sourceCols.count
    guard c > 0, let inBase = input.baseAddress, let outBase = output.baseAddress,
          input.count >= p.batches * p.inputHeight * p.inputWidth * c,
          output.count >= p.batches * outH * outW * c else { return }
    var to = 0
    for b in 0..<p.batches {
        let batch = b * p.inputHeight * p.inputWidth * c
        for y in p.sourceRows {
            let row = batch + y * p.inputWidth * c
            for x in p.sourceCols {
                (outBase + to).update(from: inBase + row + x * c, count: c)
                to += c
            }
        }
    }
}
