import PatchTopModel

extension Interpreter {
    /// RESIZE_NEAREST_NEIGHBOR: int8 in and out, 4-D, and a constant size
    /// tensor that agrees with the output shape (the runtime plans memory
    /// from shapes, so the size cannot change at run time).
    static func prepareResizeNearest(_ op: Operator, _ model: Model, size: [Int]) throws(RuntimeError) -> Step {
        guard let inputIndex = op.input(0) else { throw .unsupported(op, "input 0 is missing") }
        let input = model.tensors[inputIndex], out = model.tensors[op.output]
        for t in [input, out] where t.type != .int8 {
            throw .unsupported(op, "tensor \(t.index) is \(t.type.name), not int8")
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
