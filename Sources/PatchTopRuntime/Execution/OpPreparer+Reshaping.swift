import PatchTopModel

/// Ops that move, reduce or normalise whole rows of data.
extension OpPreparer {
    /// RESHAPE and SQUEEZE: the bytes do not change.
    func reshape() throws(RuntimeError) -> Interpreter.Step {
        let input = try tensor(0)
        guard input.byteCount == out.byteCount else { throw .unsupported(op, "byte sizes differ") }
        return .copy(input: input.index, output: out.index)
    }

    /// MEAN over height and width.
    func mean() throws(RuntimeError) -> Interpreter.Step {
        let input = try tensor(0), axes = try int32s(try tensor(1))
        try requireInt8(input)
        try requireInt8(out)
        guard input.shape.count == 4, Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [1, 2], axes.count == 2 else {
            throw .unsupported(op, "only the mean over height and width of a 4-D tensor")
        }
        var keepDims = false
        if case .reducer(let k) = op.options { keepDims = k }
        guard out.elementCount == input.shape[0] * input.shape[3] else {
            throw .unsupported(op, "output \(out.shape) is not one value per batch and channel of \(input.shape)")
        }
        let qi = try quant(input), qo = try quant(out)
        try checkMultiplier(Double(qi.scale) / Double(qo.scale), "input scale / output scale", tensor: out.index)
        let p = MeanParams(batches: input.shape[0], height: input.shape[1], width: input.shape[2], channels: input.shape[3],
                           keepDims: keepDims, inputScale: qi.scale, inputZeroPoint: qi.zeroPoint,
                           outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
        return .mean(p, input: input.index, output: out.index)
    }

    /// PAD with the output zero point (real 0).
    func pad() throws(RuntimeError) -> Interpreter.Step {
        let input = try tensor(0), pads = try int32s(try tensor(1))
        try requireInt8(input)
        try requireInt8(out)
        guard input.shape.count <= 4, pads.count == 2 * input.shape.count else { throw .unsupported(op, "paddings shape") }
        if op.input(2) != nil { throw .unsupported(op, "explicit pad value") }
        let qo = try quant(out)
        let paddings = (0..<input.shape.count).map { Interpreter.Paddings(before: pads[2 * $0], after: pads[2 * $0 + 1]) }
        let padded = zip(input.shape, paddings).map { $0 + $1.before + $1.after }
        guard paddings.allSatisfy({ $0.before >= 0 && $0.after >= 0 && $0.before < 1 << 20 && $0.after < 1 << 20 }),
              padded == out.shape else {
            throw .unsupported(op, "paddings \(pads) do not take \(input.shape) to \(out.shape)")
        }
        return .pad(input: input.index, shape: input.shape, paddings: paddings, value: Int8(clamping: qo.zeroPoint), output: out.index)
    }

    /// CONCATENATION of inputs that share the output's quantization.
    func concatenation() throws(RuntimeError) -> Interpreter.Step {
        guard case .concatenation(let axis, let activation) = op.options else { throw .unsupported(op, "options") }
        guard activation == .none else { throw .unsupported(op, "fused activation") }
        try requireInt8(out)
        let qo = try quant(out)
        var inputs = [Int](), shapes = [[Int]]()
        for i in op.inputs where i >= 0 {
            try requireInt8(model.tensors[i])
            let q = try quant(model.tensors[i])
            guard q.scale == qo.scale, q.zeroPoint == qo.zeroPoint else { throw .unsupported(op, "inputs with rescaling") }
            inputs.append(i)
            shapes.append(model.tensors[i].shape)
        }
        return .concat(inputs: inputs, shapes: shapes, axis: axis < 0 ? axis + out.shape.count : axis, output: out.index)
    }

    /// SOFTMAX into TFLite's fixed 1/256, −128 output quantization.
    func softmax() throws(RuntimeError) -> Interpreter.Step {
        let (input, qi, qo) = try int8InOut()
        guard qo.scale == 1.0 / 256, qo.zeroPoint == -128 else { throw .unsupported(op, "output quantization must be 1/256, -128") }
        guard case .softmax(let beta) = op.options, let depth = input.shape.last, depth > 0 else { throw .unsupported(op, "options") }
        // TFLite's QuantizeMultiplierGreaterThanOne: beta × input scale × 2^26
        // must exceed 1 (NaN, 0 and negative betas fail too).
        let real = Double(beta) * Double(qi.scale)
        guard real * Double(1 << 26) > 1 else {
            throw .unrepresentable(op: op.index, kind: op.kind.name, tensor: input.index, quantity: "beta × input scale",
                                   value: real, limit: "below the 2^-26 the fixed-point softmax needs")
        }
        let p = SoftmaxParams(beta: beta, inputScale: qi.scale, rows: input.elementCount / depth, depth: depth)
        return .softmax(p, input: input.index, output: out.index)
    }

    /// RESIZE_NEAREST_NEIGHBOR: int8 in and out, 4-D, and a constant size
    /// tensor that agrees with the output shape (the runtime plans memory
    /// from shapes, so the size cannot change at run time).
    func resizeNearest() throws(RuntimeError) -> Interpreter.Step {
        let input = try tensor(0), size = try int32s(try tensor(1))
        try requireInt8(input)
        try requireInt8(out)
        guard input.shape.count == 4, out.shape.count == 4, input.shape[0] == out.shape[0], input.shape[3] == out.shape[3] else {
            throw .unsupported(op, "input \(input.shape) and output \(out.shape) are not 4-D with the same batch and channels")
        }
        guard size == [out.shape[1], out.shape[2]] else {
            throw .unsupported(op, "size \(size) does not match the output \(out.shape)")
        }
        guard out.elementCount == 0 || (input.shape[1] > 0 && input.shape[2] > 0) else {
            throw .unsupported(op, "empty input \(input.shape)")
        }
        var alignCorners = false, halfPixelCenters = false
        if case .resizeNearestNeighbor(let a, let h) = op.options { (alignCorners, halfPixelCenters) = (a, h) }
        let p = ResizeNearestParams(batches: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2],
                                    channels: input.shape[3], outputHeight: out.shape[1], outputWidth: out.shape[2],
                                    alignCorners: alignCorners, halfPixelCenters: halfPixelCenters)
        return .resizeNearest(p, input: input.index, output: out.index)
    }
}
