import PatchTopModel

/// Parameters of int8 AVERAGE_POOL_2D and MAX_POOL_2D. Pooling keeps the
/// input's quantization, so only the activation clamp is precomputed.
public struct PoolParams: Sendable {
    public var batches: Int
    public var channels: Int
    public var height: WindowGeometry
    public var width: WindowGeometry
    public var activationMin: Int32
    public var activationMax: Int32

    public init(batches: Int, channels: Int, height: WindowGeometry, width: WindowGeometry,
                activationMin: Int32, activationMax: Int32) {
        self.batches = batches
        self.channels = channels
        self.height = height
        self.width = width
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    public var fullOutput: Region2D { Region2D(height: height.outputSize, width: width.outputSize) }
    public var fullInput: Region2D { Region2D(height: height.inputSize, width: width.inputSize) }
}

/// Which reduction a pool applies.
public enum PoolKind: Sendable {
    case average, max
}

/// Reference int8 pooling over a sub-rectangle of the output. Padding is
/// excluded from the window (average divides by the in-image count), and
/// average rounds `(sum ± count/2) / count` towards zero on the sign of the
/// sum, as `reference_integer_ops::AveragePool` does.
public func poolInt8(
    _ kind: PoolKind, _ p: PoolParams,
    input: UnsafeBufferPointer<Int8>, inputRegion: Region2D,
    output: UnsafeMutableBufferPointer<Int8>, outputRegion: Region2D,
    outputRows: Range<Int>, outputCols: Range<Int>
) {
    let ch = p.channels
    let kh = p.height.filterSize, kw = p.width.filterSize
    let inH = p.height.inputSize, inW = p.width.inputSize
    for b in 0..<p.batches {
        for oy in outputRows {
            let inY0 = p.height.inputStart(forOutput: oy)
            let fy0 = max(0, -inY0), fy1 = min(kh, inH - inY0)
            for ox in outputCols {
                let inX0 = p.width.inputStart(forOutput: ox)
                let fx0 = max(0, -inX0), fx1 = min(kw, inW - inX0)
                let outBase = outputRegion.offset(batch: b, row: oy, col: ox, channels: ch)
                for c in 0..<ch {
                    var acc: Int32 = kind == .average ? 0 : -128
                    var count: Int32 = 0
                    if fy0 < fy1 && fx0 < fx1 {
                        for fy in fy0..<fy1 {
                            for fx in fx0..<fx1 {
                                let v = Int32(input[inputRegion.offset(batch: b, row: inY0 + fy, col: inX0 + fx, channels: ch) + c])
                                if kind == .average { acc += v } else { acc = max(acc, v) }
                                count += 1
                            }
                        }
                    }
                    if kind == .average {
                        // TFLite returns early (output untouched) for an empty window; that cannot
                        // happen with TFLite's geometry, so treat it as 0.
                        if count > 0 {
                            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count
                        }
                    }
                    acc = min(max(acc, p.activationMin), p.activationMax)
                    output[outBase + c] = Int8(acc)
                }
            }
        }
    }
}

/// Whole-tensor convenience form of `poolInt8`.
public func poolInt8(_ kind: PoolKind, _ p: PoolParams, input: UnsafeBufferPointer<Int8>,
                     output: UnsafeMutableBufferPointer<Int8>) {
    poolInt8(kind, p, input: input, inputRegion: p.fullInput, output: output, outputRegion: p.fullOutput,
             outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
}
