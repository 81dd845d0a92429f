/// Shape checks for the ops PatchTop understands, so that the planner and
/// the kernels can trust every shape they index with.
extension Model {
    /// The window geometry of a conv, depthwise conv or pool along height
    /// and width, or `nil` for other ops.
    public func windowGeometry(of op: Operator) -> (height: WindowGeometry, width: WindowGeometry)? {
        guard let window = op.options.window, let input = op.input(0), tensors[input].shape.count == 4 else { return nil }
        let inShape = tensors[input].shape
        let kernel: (Int, Int)
        switch op.options {
        case .pool2D(_, let fh, let fw, _):
            kernel = (fh, fw)
        default:
            guard let filter = op.input(1), tensors[filter].shape.count == 4 else { return nil }
            kernel = (tensors[filter].shape[1], tensors[filter].shape[2])
        }
        let folded = window.foldedPadding ?? FoldedPadding(top: 0, bottom: 0, left: 0, right: 0)
        guard var h = WindowGeometry(inputSize: inShape[1] + folded.top + folded.bottom, filterSize: kernel.0,
                                     stride: window.strideHeight, dilation: window.dilationHeight, padding: window.padding),
              var w = WindowGeometry(inputSize: inShape[2] + folded.left + folded.right, filterSize: kernel.1,
                                     stride: window.strideWidth, dilation: window.dilationWidth, padding: window.padding)
        else { return nil }
        // A folded PAD's rows and columns are window padding on the
        // unpadded input, on top of the op's own.
        h.unfold(before: folded.top, after: folded.bottom)
        w.unfold(before: folded.left, after: folded.right)
        return (h, w)
    }

    /// Multiply-accumulates of one op. Counted for CONV_2D (output elements ×
    /// KH × KW × filter input channels), DEPTHWISE_CONV_2D (output elements ×
    /// KH × KW) and FULLY_CONNECTED (output elements × input features); every
    /// other op counts 0, as in the MCUNet papers.
    public func macs(of op: Operator) -> Int {
        let output = tensors[op.output]
        switch op.kind {
        case .conv2D:
            guard let f = op.input(1), tensors[f].shape.count == 4 else { return 0 }
            let s = tensors[f].shape
            return saturatingProduct([output.elementCount, s[1], s[2], s[3]])
        case .depthwiseConv2D:
            guard let f = op.input(1), tensors[f].shape.count == 4 else { return 0 }
            let s = tensors[f].shape
            return saturatingProduct([output.elementCount, s[1], s[2]])
        case .fullyConnected:
            guard let f = op.input(1), tensors[f].shape.count == 2 else { return 0 }
            return saturatingProduct([output.elementCount, tensors[f].shape[1]])
        default:
            return 0
        }
    }

    /// A short description of a windowed op's kernel, e.g. `3×3/2` (kernel
    /// 3×3, stride 2) or `5×5/1 d2` with dilation; empty for other ops.
    public func kernelSummary(of op: Operator) -> String {
        guard let (h, w) = windowGeometry(of: op) else {
            if op.kind == .fullyConnected, let f = op.input(1), tensors[f].shape.count == 2 {
                return "\(tensors[f].shape[1])→\(tensors[f].shape[0])"
            }
            return ""
        }
        var text = "\(h.filterSize)×\(w.filterSize)/\(h.stride == w.stride ? "\(h.stride)" : "\(h.stride),\(w.stride)")"
        if h.dilation > 1 || w.dilation > 1 { text += " d\(max(h.dilation, w.dilation))" }
        return text
    }

    /// Rejects shapes no device could hold, so that byte counts and MACs
    /// computed from them never overflow.
    static func validate(_ tensor: Tensor) throws(ModelError) {
        guard tensor.shape.allSatisfy({ $0 >= 0 && $0 < 1 << 28 }), tensor.shape.count <= 8 else {
            throw .invalidTensor(index: tensor.index, reason: "has an impossible shape \(tensor.shape)")
        }
        guard tensor.elementCount < 1 << 36 else {
            throw .invalidTensor(index: tensor.index, reason: "is absurdly large (\(tensor.shape))")
        }
        if let data = tensor.data, let size = tensor.type.byteSize, tensor.type != .int4,
           data.count < tensor.elementCount * size {
            throw .invalidTensor(index: tensor.index, reason: "has \(data.count) bytes of data but its shape \(tensor.shape) needs \(tensor.elementCount * size)")
        }
    }

    func validateShapes(of op: Operator) throws(ModelError) {
        func fail(_ reason: String) -> ModelError { .invalidOperator(index: op.index, op: op.kind.name, reason: reason) }
        let out = tensors[op.output].shape
        switch op.kind {
        case .conv2D, .depthwiseConv2D, .averagePool2D, .maxPool2D:
            guard let input = op.input(0), tensors[input].shape.count == 4 else { throw fail("needs a 4-D input") }
            let inShape = tensors[input].shape
            if op.kind != .averagePool2D && op.kind != .maxPool2D {
                guard let filter = op.input(1), tensors[filter].shape.count == 4 else { throw fail("needs a 4-D filter") }
            }
            switch (op.kind, op.options) {
            case (.conv2D, .conv2D), (.depthwiseConv2D, .depthwiseConv2D), (.averagePool2D, .pool2D), (.maxPool2D, .pool2D): break
            default: throw fail("has missing or mismatched options")
            }
            guard let (h, w) = windowGeometry(of: op) else {
                throw fail("has a window (kernel, stride, dilation, padding) that does not fit its \(inShape[1])×\(inShape[2]) input")
            }
            let channels: Int
            switch op.kind {
            case .conv2D:
                let f = tensors[op.input(1)!].shape
                guard f[3] > 0, inShape[3] > 0, inShape[3] % f[3] == 0, f[0] % (inShape[3] / f[3]) == 0 else {
                    throw fail("has a filter \(f) that does not match its \(inShape[3]) input channels")
                }
                channels = f[0]
            case .depthwiseConv2D:
                let f = tensors[op.input(1)!].shape
                guard f[0] == 1, inShape[3] > 0, f[3] % inShape[3] == 0 else {
                    throw fail("has a depthwise filter \(f) that does not match its \(inShape[3]) input channels")
                }
                channels = f[3]
            default:
                channels = inShape[3]
            }
            let expected = [inShape[0], h.outputSize, w.outputSize, channels]
            guard out == expected else { throw fail("output shape \(out) should be \(expected)") }
        case .fullyConnected:
            guard let input = op.input(0), let filter = op.input(1), tensors[filter].shape.count == 2 else {
                throw fail("needs a 2-D weight tensor")
            }
            let f = tensors[filter].shape
            guard f[1] > 0, tensors[input].elementCount % f[1] == 0, out.last == f[0] else {
                throw fail("weights \(f) do not match input \(tensors[input].shape) and output \(out)")
            }
        case .reshape, .squeeze, .softmax, .logSoftmax, .transpose, .hardSwish, .logistic, .relu, .relu6, .quantize, .dequantize, .tanh, .leakyRelu:
            switch (op.kind, op.options) {
            case (.leakyRelu, .leakyRelu), (.leakyRelu, .none): break
            case (.leakyRelu, _): throw fail("has mismatched options")
            default: break
            }
            guard let input = op.input(0), tensors[input].elementCount == tensors[op.output].elementCount else {
                throw fail("changes the number of elements")
            }
        case .concatenation:
            guard case .concatenation(let axis, _) = op.options else { throw fail("has missing options") }
            let rank = out.count
            let a = axis < 0 ? axis + rank : axis
            guard a >= 0, a < rank else { throw fail("concatenates along axis \(axis) of a rank-\(rank) tensor") }
            var total = 0
            for index in op.inputs where index >= 0 {
                let s = tensors[index].shape
                guard s.count == rank, (0..<rank).allSatisfy({ $0 == a || s[$0] == out[$0] }) else {
                    throw fail("input \(s) does not fit output \(out)")
                }
                total += s[a]
            }
            guard total == out[a] else { throw fail("inputs add up to \(total) along axis \(a), output has \(out[a])") }
        case .add, .mul, .sub, .maximum, .minimum:
            guard op.inputs.count >= 2, op.input(0) != nil, op.input(1) != nil else { throw fail("needs two inputs") }
        case .resizeNearestNeighbor:
            try validateResize(op, fail)
        case .pad, .mean:
            guard let input = op.input(0), tensors[input].shape.count <= 4, out.count <= 4 else {
                throw fail("needs inputs of rank 4 or less")
            }
        case .shape, .stridedSlice, .pack, .gather, .other:
            break
        }
    }
}

extension Model {
    /// RESIZE_NEAREST_NEIGHBOR keeps batch and channels and changes only
    /// height and width; its second input holds the new `[height, width]`.
    fileprivate func validateResize(_ op: Operator, _ fail: (String) -> ModelError) throws(ModelError) {
        switch op.options {
        case .resizeNearestNeighbor, .none: break
        default: throw fail("has mismatched options")
        }
        guard let input = op.input(0), op.input(1) != nil else { throw fail("needs an input and a size tensor") }
        let inShape = tensors[input].shape, out = tensors[op.output].shape
        guard inShape.count == 4, out.count == 4 else { throw fail("needs 4-D input and output") }
        guard inShape[0] == out[0], inShape[3] == out[3] else {
            throw fail("output \(out) must keep the batch and channels of input \(inShape)")
        }
        guard out[1] == 0 || inShape[1] > 0, out[2] == 0 || inShape[2] > 0 else {
            throw fail("cannot resize an empty \(inShape) input to \(out)")
        }
    }
}

/// A product that stops at `Int.max` instead of trapping.
func saturatingProduct(_ factors: [Int]) -> Int {
    var result = 1
    for factor in factors {
        let (value, overflow) = result.multipliedReportingOverflow(by: factor)
        if overflow { return Int.max }
        result = value
    }
    return result
}
