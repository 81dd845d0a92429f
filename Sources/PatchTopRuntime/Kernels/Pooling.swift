import PatchTopModel

/// Parameters of int8 AVERAGE_POOL_2D and MAX_POOL_2D. Pooling keeps the
/// input's quantization, so only the activation clamp is precomputed.
struct PoolParams: Sendable {
    var batches: Int
    var channels: Int
    var height: WindowGeometry
    var width: WindowGeometry
    var activationMin: Int32
    var activationMax: Int32

    init(batches: Int, channels: Int, height: WindowGeometry, width: WindowGeometry,
                activationMin: Int32, activationMax: Int32) {
        self.batches = batches
        self.channels = channels
        self.height = height
        self.width = width
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    var fullOutput: Region2D { Region2D(height: height.outputSize, width: width.outputSize) }
    var fullInput: Region2D { Region2D(height: height.inputSize, width: width.inputSize) }
}

/// Which reduction a pool applies.
enum PoolKind: Sendable {
    case average, max
}

/// Reference int8 pooling over a sub-rectangle of the output. Padding is
/// excluded from the window (average divides by the in-image count), and
/// average rounds `(sum ± count/2) / count` towards zero on the sign of the
/// sum, as `reference_integer_ops::AveragePool` does.
func poolInt8(
    _ kind: PoolKind, _ p: PoolParams,
    input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
    outputRows: Range<Int>, outputCols: Range<Int>
) {
    let ch = p.channels
    let kh = p.height.filterSize, kw = p.width.filterSize
    let inH = p.height.inputSize, inW = p.width.inputSize
    guard let X = input.baseAddress, let Y = output.baseAddress, ch > 0 else { return }
    // One running value per channel, the taps' rows read straight along
    // the channels (NHWC keeps them innermost), so the loops vectorise.
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: ch) { buffer in
        guard let acc = buffer.baseAddress else { return }
        for b in 0..<p.batches {
            for oy in outputRows {
                let inY0 = p.height.inputStart(forOutput: oy)
                let fy0 = max(0, -inY0), fy1 = min(kh, inH - inY0)
                for ox in outputCols {
                    let inX0 = p.width.inputStart(forOutput: ox)
                    let fx0 = max(0, -inX0), fx1 = min(kw, inW - inX0)
                    let y = Y + outputRegion.offset(batch: b, row: oy, col: ox, channels: ch)
                    acc.update(repeating: kind == .average ? 0 : -128, count: ch)
                    var count: Int32 = 0
                    if fy0 < fy1 && fx0 < fx1 {
                        for fy in fy0..<fy1 {
                            for fx in fx0..<fx1 {
                                let x = X + inputRegion.offset(batch: b, row: inY0 + fy, col: inX0 + fx, channels: ch)
                                if kind == .average {
                                    for c in 0..<ch { acc[c] &+= Int32(x[c]) }
                                } else {
                                    for c in 0..<ch { acc[c] = max(acc[c], Int32(x[c])) }
                                }
                                count += 1
                            }
                        }
                    }
                    for c in 0..<ch {
                        var v = acc[c]
                        // TFLite returns early (output untouched) for an empty window; that cannot
                        // happen with TFLite's geometry, so treat it as 0.
                        if kind == .average && count > 0 {
                            v = v > 0 ? (v + count / 2) / count : (v - count / 2) / count
                        }
                        y[c] = Int8(min(max(v, p.activationMin), p.activationMax))
                    }
                }
            }
        }
    }
}

/// Whole-tensor convenience form of `poolInt8`.
func poolInt8(_ kind: PoolKind, _ p: PoolParams, input: UnsafeBufferPointer<Int8>,
                     output: UnsafeMutableBufferPointer<Int8>) {
    poolInt8(kind, p, input: input, inputRegion: p.fullInput, output: output, outputRegion: p.fullOutput,
             outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
}
