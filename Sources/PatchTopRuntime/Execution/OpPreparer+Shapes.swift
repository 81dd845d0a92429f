import PatchTopModel

/// Ops that only compute shapes.
extension OpPreparer {
    /// SHAPE, STRIDED_SLICE, PACK, GATHER (and integer CONCATENATION) whose
    /// values are known from the static shapes: evaluated once here, and the
    /// step just writes them (see `Model.staticValues(of:)`).
    func shapeArithmetic() throws(RuntimeError) -> Interpreter.Step {
        guard let values = model.staticValues(of: out.index) else {
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
}
