import PatchTopModel

/// Walks a region of an op's output back to the region of each input it
/// reads, exactly as the full layer would index it: kernel, stride,
/// dilation and each side's padding for windowed ops, a shift for PAD, the
/// same region for elementwise ops and channel concatenation. Image-border
/// padding is never stored, so input regions are clipped to the tensor.
enum ReceptiveField {
    /// The region of input `slot` that `outputRegion` of `op` reads, or
    /// `nil` when that input is not a spatial activation (weights, biases,
    /// paddings).
    static func inputRegion(of op: Operator, slot: Int, for outputRegion: Region, in model: Model) -> Region? {
        guard let input = op.input(slot), model.isActivation(input) else { return nil }
        let shape = model.tensors[input].shape
        guard shape.count == 4 else { return nil }
        switch op.kind {
        case .conv2D, .depthwiseConv2D, .averagePool2D, .maxPool2D:
            guard slot == 0, let (h, w) = model.windowGeometry(of: op) else { return nil }
            return Region(rows: h.inputRange(forOutputs: outputRegion.rows.lowerBound, outputRegion.rows.upperBound),
                          cols: w.inputRange(forOutputs: outputRegion.cols.lowerBound, outputRegion.cols.upperBound))
        case .pad:
            guard slot == 0, let before = padBefore(of: op, in: model) else { return nil }
            let rows = clip(outputRegion.rows, shift: before.rows, size: shape[1])
            let cols = clip(outputRegion.cols, shift: before.cols, size: shape[2])
            return Region(rows: rows, cols: cols)
        default:
            // Elementwise and channel concatenation: the same positions; an
            // input broadcast along height or width is needed whole there.
            let rows = shape[1] == 1 ? 0..<1 : outputRegion.rows
            let cols = shape[2] == 1 ? 0..<1 : outputRegion.cols
            return Region(rows: rows, cols: cols)
        }
    }

    /// PAD's rows and columns added before the input, read from its
    /// constant paddings tensor (`[[n0,n1],[h0,h1],[w0,w1],[c0,c1]]`).
    static func padBefore(of op: Operator, in model: Model) -> (rows: Int, cols: Int)? {
        guard let paddings = op.input(1), let data = model.tensors[paddings].data else { return nil }
        let type = model.tensors[paddings].type
        let size = type == .int64 ? 8 : 4
        guard data.count >= 8 * size else { return nil }
        func value(_ i: Int) -> Int {
            var v: UInt64 = 0
            for k in 0..<size { v |= UInt64(data[i * size + k]) << (8 * k) }
            return size == 8 ? Int(Int64(bitPattern: v)) : Int(Int32(truncatingIfNeeded: v))
        }
        return (value(2), value(4))
    }

    private static func clip(_ range: Range<Int>, shift: Int, size: Int) -> Range<Int> {
        let lower = max(range.lowerBound - shift, 0), upper = min(range.upperBound - shift, size)
        return lower..<max(lower, upper)
    }

    /// Whether an op can run patch by patch: it reads only a bounded
    /// neighbourhood of each output position.
    static func isLocal(_ op: Operator, in model: Model) -> Bool {
        switch op.kind {
        case .conv2D, .depthwiseConv2D, .averagePool2D, .maxPool2D, .pad:
            return true
        case .add, .mul, .sub, .maximum, .minimum, .hardSwish, .quantize, .dequantize, .logistic, .relu, .relu6,
             .leakyRelu, .tanh:
            return model.tensors[op.output].shape.count == 4
        case .concatenation:
            guard case .concatenation(let axis, _) = op.options else { return false }
            return axis == 3 || axis == -1
        default:
            return false
        }
    }
}
