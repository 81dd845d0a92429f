import PatchTopModel

/// Ops that move, reduce or normalise whole rows of data.
extension OpPreparer {
    /// RESHAPE and SQUEEZE: the bytes do not change.
    func reshape() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0)
        guard input.byteCount == out.byteCount else { throw .unsupported(op, "byte sizes differ") }
        return .copy(input: input.index, output: out.index)
    }

    /// MEAN over any axes of a tensor of rank ≤ 4, int8 or float32.
    func mean() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0), axes = try int32s(try tensor(1))
        guard let loops = ReductionLoops(shape: input.shape, axes: axes) else {
            throw .unsupported(op, "axes \(axes) of a \(input.shape) tensor (rank 4 or less)")
        }
        guard out.elementCount == loops.outputs else {
            throw .unsupported(op, "output \(out.shape) does not hold the \(loops.outputs) means of \(input.shape) over axes \(axes)")
        }
        if input.type == .float32 {
            try requireFloat(out)
            return .meanFloat(loops, input: input.index, output: out.index)
        }
        let (_, qi, qo) = try int8InOut()
        guard let p = MeanParams(loops: loops, inputScale: qi.scale, inputZeroPoint: qi.zeroPoint,
                                 outputScale: qo.scale, outputZeroPoint: qo.zeroPoint) else {
            throw .unsupported(op, "a requantization scale is out of range")
        }
        return .mean(p, input: input.index, output: out.index)
    }

    /// TRANSPOSE by a constant permutation, rank ≤ 4, any element type.
    func transpose() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0), perm = try int32s(try tensor(1))
        guard input.type == out.type, let size = input.type.byteSize, [1, 2, 4, 8].contains(size) else {
            throw .unsupported(op, "input \(input.type.name) and output \(out.type.name) must be one fixed-size type")
        }
        guard let p = TransposeParams(inputShape: input.shape, perm: perm, elementBytes: size) else {
            throw .unsupported(op, "permutation \(perm) of a \(input.shape) tensor (rank 4 or less)")
        }
        guard p.outputShape.suffix(out.shape.count) == ArraySlice(out.shape), out.elementCount == input.elementCount else {
            throw .unsupported(op, "permutation \(perm) takes \(input.shape) to \(perm.map { input.shape[$0] }), not \(out.shape)")
        }
        // TFLite Micro moves the bytes whatever the quantizations say.
        return .transpose(p, input: input.index, output: out.index)
    }

    /// PAD with the output zero point (real 0).
    func pad() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0), pads = try int32s(try tensor(1))
        try requireInt8(input)
        try requireInt8(out)
        guard input.shape.count <= 4, pads.count == 2 * input.shape.count else { throw .unsupported(op, "paddings shape") }
        if op.input(2) != nil { throw .unsupported(op, "explicit pad value") }
        let qo = try quant(out)
        let paddings = (0..<input.shape.count).map { PreparedModel.Paddings(before: pads[2 * $0], after: pads[2 * $0 + 1]) }
        let padded = zip(input.shape, paddings).map { $0 + $1.before + $1.after }
        guard paddings.allSatisfy({ $0.before >= 0 && $0.after >= 0 && $0.before < 1 << 20 && $0.after < 1 << 20 }),
              padded == out.shape else {
            throw .unsupported(op, "paddings \(pads) do not take \(input.shape) to \(out.shape)")
        }
        return .pad(input: input.index, shape: input.shape, paddings: paddings, value: Int8(clamping: qo.zeroPoint), output: out.index)
    }

    /// CONCATENATION of inputs that share the output's quantization.
    func concatenation() throws(RuntimeError) -> PreparedModel.Step {
        guard case .concatenation(let axis, let activation) = op.options else { throw .unsupported(op, "options") }
        guard activation == .none else { throw .unsupported(op, "fused activation") }
        if out.type == .int32 || out.type == .int64 { return try shapeArithmetic() }
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
    func softmax() throws(RuntimeError) -> PreparedModel.Step {
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
    func resizeNearest(allowFloat: Bool = false) throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0), size = try int32s(try tensor(1))
        if !(allowFloat && input.type == .float32 && out.type == .float32) {
            try requireInt8(input)
            try requireInt8(out)
        }
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
