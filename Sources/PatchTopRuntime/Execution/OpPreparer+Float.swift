import PatchTopModel

/// float32 ops: a float model (every model before it is quantized, and many
/// of TFLite Micro's own examples) runs with TFLite Micro's reference float
/// kernels.
extension OpPreparer {
    func floatStep() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0)
        try requireFloat(input)
        switch op.kind {
        case .conv2D, .depthwiseConv2D: return try floatConv(input)
        case .fullyConnected: return try floatFullyConnected(input)
        case .averagePool2D, .maxPool2D:
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            let kernel = FloatPoolKernel(kind: op.kind == .averagePool2D ? .average : .max, height: h, width: w,
                                         batches: input.shape[0], channels: input.shape[3], clamp: try floatClamp())
            return .floatPool(kernel, input: input.index, output: out.index)
        case .add, .sub, .mul, .maximum, .minimum: return try floatBinary(input)
        case .relu: return .floatUnary(.relu, input: input.index, output: out.index)
        case .relu6: return .floatUnary(.relu6, input: input.index, output: out.index)
        case .leakyRelu:
            var alpha: Float = 0
            if case .leakyRelu(let a) = op.options { alpha = a }
            return .floatUnary(.leakyRelu(alpha: alpha), input: input.index, output: out.index)
        case .hardSwish: return .floatUnary(.hardSwish, input: input.index, output: out.index)
        case .logistic: return .floatUnary(.logistic, input: input.index, output: out.index)
        case .tanh: return .floatUnary(.tanh, input: input.index, output: out.index)
        case .softmax:
            guard case .softmax(let beta) = op.options, let depth = input.shape.last, depth > 0 else { throw .unsupported(op, "options") }
            return .softmaxFloat(beta: beta, rows: input.elementCount / depth, depth: depth, input: input.index, output: out.index)
        case .logSoftmax:
            guard let depth = input.shape.last, depth > 0, input.elementCount == out.elementCount else {
                throw .unsupported(op, "input \(input.shape) and output \(out.shape)")
            }
            return .logSoftmaxFloat(rows: input.elementCount / depth, depth: depth, input: input.index, output: out.index)
        case .pad:
            let pads = try int32s(try tensor(1))
            guard input.shape.count <= 4, pads.count == 2 * input.shape.count else { throw .unsupported(op, "paddings shape") }
            if let value = op.input(2) {
                guard let data = model.tensors[value].data, data.count >= 4, data.allSatisfy({ $0 == 0 }) else {
                    throw .unsupported(op, "a pad value other than 0")
                }
            }
            let paddings = (0..<input.shape.count).map { PreparedModel.Paddings(before: pads[2 * $0], after: pads[2 * $0 + 1]) }
            let padded = zip(input.shape, paddings).map { $0 + $1.before + $1.after }
            guard paddings.allSatisfy({ $0.before >= 0 && $0.after >= 0 && $0.before < 1 << 20 && $0.after < 1 << 20 }),
                  padded == out.shape else {
                throw .unsupported(op, "paddings \(pads) do not take \(input.shape) to \(out.shape)")
            }
            return .padFloat(input: input.index, shape: input.shape, paddings: paddings, output: out.index)
        case .concatenation:
            guard case .concatenation(let axis, let activation) = op.options, activation == .none else {
                throw .unsupported(op, "options or fused activation")
            }
            var inputs = [Int](), shapes = [[Int]]()
            for i in op.inputs where i >= 0 {
                try requireFloat(model.tensors[i])
                inputs.append(i)
                // Byte shapes: the copy moves 4 bytes per element.
                var shape = model.tensors[i].shape
                if shape.isEmpty { shape = [1] }
                shape[shape.count - 1] *= 4
                shapes.append(shape)
            }
            return .concat(inputs: inputs, shapes: shapes, axis: axis < 0 ? axis + out.shape.count : axis, output: out.index)
        case .resizeNearestNeighbor:
            // Copies whole pixels: the int8 kernel with 4 bytes per channel.
            guard case .resizeNearest(var p, let i, let o) = try resizeNearest(allowFloat: true) else { throw .unsupported(op) }
            p.channels *= 4
            return .resizeNearest(p, input: i, output: o)
        default:
            throw .unsupported(op, "no float32 kernel")
        }
    }

    /// The clamp of the op's fused activation.
    func floatClamp() throws(RuntimeError) -> FloatClamp {
        guard let clamp = FloatClamp(op.options.activation) else { throw .unsupported(op, "fused activation \(op.options.activation)") }
        return clamp
    }

    /// Constant float32 data of a tensor, decoded.
    func floats(_ tensor: Tensor) throws(RuntimeError) -> [Float] {
        guard tensor.type == .float32, let data = tensor.data, data.count >= 4 * tensor.elementCount else {
            throw .unsupported(op, "tensor \(tensor.index) is not constant float32")
        }
        return (0..<tensor.elementCount).map { i in
            Float(bitPattern: UInt32(data[4 * i]) | UInt32(data[4 * i + 1]) << 8 | UInt32(data[4 * i + 2]) << 16 | UInt32(data[4 * i + 3]) << 24)
        }
    }

    func floatBias(_ slot: Int, count: Int) throws(RuntimeError) -> [Float]? {
        guard let i = op.input(slot) else { return nil }
        let values = try floats(model.tensors[i])
        guard values.count >= count else { throw .unsupported(op, "bias tensor \(i) has \(values.count) values for \(count) outputs") }
        return Array(values.prefix(count))
    }

    func floatConv(_ input: Tensor) throws(RuntimeError) -> PreparedModel.Step {
        let filter = try tensor(1)
        guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
        let depthwise = op.kind == .depthwiseConv2D
        let oc = depthwise ? filter.shape[3] : filter.shape[0], ic = input.shape[3]
        if !depthwise { guard filter.shape[3] == ic else { throw .unsupported(op, "grouped convolution") } }
        guard oc > 0, ic > 0, out.elementCount > 0, !depthwise || oc % ic == 0 else {
            throw .unsupported(op, "filter \(filter.shape) does not match input \(input.shape)")
        }
        let kernel = FloatConv2DKernel(height: h, width: w, batches: input.shape[0], inputChannels: ic, outputChannels: oc,
                                       depthwise: depthwise, filter: try floats(filter), bias: try floatBias(2, count: oc),
                                       clamp: try floatClamp())
        return .floatConv(kernel, input: input.index, output: out.index)
    }

    func floatFullyConnected(_ input: Tensor) throws(RuntimeError) -> PreparedModel.Step {
        let filter = try tensor(1)
        guard filter.shape.count == 2 else { throw .unsupported(op, "weights \(filter.shape) are not 2-D") }
        let depth = filter.shape[1], oc = filter.shape[0]
        guard depth > 0, oc > 0, input.elementCount % depth == 0, out.elementCount == input.elementCount / depth * oc else {
            throw .unsupported(op, "weights \(filter.shape) do not match input \(input.shape) and output \(out.shape)")
        }
        let kernel = FloatFullyConnectedKernel(batches: input.elementCount / depth, inputDepth: depth, outputDepth: oc,
                                               filter: try floats(filter), bias: try floatBias(2, count: oc), clamp: try floatClamp())
        return .floatFullyConnected(kernel, input: input.index, output: out.index)
    }

    func floatBinary(_ a: Tensor) throws(RuntimeError) -> PreparedModel.Step {
        let b = try tensor(1)
        try requireFloat(b)
        try requireBroadcast(a, b)
        let kind: FloatBinaryOp
        switch op.kind {
        case .add: kind = .add
        case .sub: kind = .sub
        case .mul: kind = .mul
        case .maximum: kind = .maximum
        default: kind = .minimum
        }
        let clamp = (kind == .maximum || kind == .minimum) ? FloatClamp.none : try floatClamp()
        return .floatBinary(kind, clamp, a.index, a.shape, b.index, b.shape, output: out.index, out.shape)
    }

    /// LOG_SOFTMAX int8 into TFLite's fixed 16/256, 127 output quantization.
    func logSoftmax() throws(RuntimeError) -> PreparedModel.Step {
        let (input, qi, qo) = try int8InOut()
        guard qo.scale == LogSoftmaxParams.outputScale, qo.zeroPoint == LogSoftmaxParams.outputZeroPoint else {
            throw .unsupported(op, "output quantization must be 16/256, 127")
        }
        guard let depth = input.shape.last, depth > 0, input.elementCount == out.elementCount else {
            throw .unsupported(op, "input \(input.shape) and output \(out.shape)")
        }
        guard let p = LogSoftmaxParams(inputScale: qi.scale, rows: input.elementCount / depth, depth: depth) else {
            throw .unsupported(op, "input scale \(qi.scale) is out of the range TFLite Micro's arithmetic handles")
        }
        return .logSoftmax(p, input: input.index, output: out.index)
    }
}
