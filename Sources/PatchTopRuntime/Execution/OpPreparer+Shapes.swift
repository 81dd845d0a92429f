import PatchTopModel

/// Ops that only compute shapes.
extension OpPreparer {
    /// SHAPE, STRIDED_SLICE, PACK, GATHER (and integer CONCATENATION) whose
    /// values are known from the static shapes: evaluated once here, and the
    /// step just writes them (see `Model.staticValues(of:)`).
    func shapeArithmetic() throws(RuntimeError) -> PreparedModel.Step {
        guard let values = model.staticValues(of: out.index) else {
            if op.kind == .stridedSlice { return try stridedSlice() }
            throw .unsupported(op, "its int values depend on the model's input (only shape arithmetic on static shapes is evaluated)")
        }
        var bytes: [Int8] = []
        switch out.type {
        case .int32:
            for v in values {
                guard let v32 = Int32(exactly: v) else { throw .unsupported(op, "value \(v) does not fit int32") }
                withUnsafeBytes(of: v32.littleEndian) { bytes += $0.map { Int8(bitPattern: $0) } }
            }
        case .int64:
            for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { bytes += $0.map { Int8(bitPattern: $0) } } }
        default:
            throw .unsupported(op, "output is \(out.type.name), not int32 or int64")
        }
        return .fill(bytes, output: out.index)
    }

    /// STRIDED_SLICE of an activation (a streaming model's window, a
    /// PyTorch slice) with constant begin, end and strides.
    func stridedSlice() throws(RuntimeError) -> PreparedModel.Step {
        let input = try tensor(0)
        guard case .stridedSlice(let beginMask, let endMask, let ellipsisMask, let newAxisMask, let shrinkMask, let offset) = op.options else {
            throw .unsupported(op, "options")
        }
        let begin = try int32s(try tensor(1)), end = try int32s(try tensor(2)), strides = try int32s(try tensor(3))
        guard input.type == out.type, let size = input.type.byteSize, [1, 2, 4, 8].contains(size) else {
            throw .unsupported(op, "input \(input.type.name) and output \(out.type.name) must be one fixed-size type")
        }
        guard let p = StridedSliceParams(inputShape: input.shape, begin: begin, end: end, strides: strides, beginMask: beginMask,
                                         endMask: endMask, ellipsisMask: ellipsisMask, newAxisMask: newAxisMask,
                                         shrinkAxisMask: shrinkMask, offset: offset, elementBytes: size) else {
            throw .unsupported(op, "begin \(begin), end \(end), strides \(strides) of a \(input.shape) tensor (rank 4 or less, no ellipsis or new axis)")
        }
        guard p.outputCount == out.elementCount else {
            throw .unsupported(op, "the slice has \(p.outputCount) elements, output \(out.shape) has \(out.elementCount)")
        }
        return .stridedSlice(p, input: input.index, output: out.index)
    }
}
