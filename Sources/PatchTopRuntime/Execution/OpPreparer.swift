import PatchTopModel

/// Turns one op into a step of a `PreparedModel`: checks the types and
/// quantization the runtime supports, decodes weights and computes
/// multipliers, clamps and tables once, so that running only moves bytes.
///
/// One preparer per op; its helpers throw `RuntimeError.unsupported` naming
/// the op, so every refusal reads the same way. The ops themselves are
/// prepared in the extensions beside this file, by family.
struct OpPreparer {
    let op: Operator
    let model: Model
    /// The op's (first) output.
    let out: Tensor

    init(op: Operator, model: Model) {
        self.op = op
        self.model = model
        self.out = model.tensors[op.output]
    }

    /// The step for the op.
    func step() throws(RuntimeError) -> PreparedModel.Step {
        switch op.kind {
        case .quantize, .dequantize, .mean, .transpose, .reshape, .squeeze, .shape, .stridedSlice, .pack, .gather:
            break   // these handle float32 themselves
        default:
            if out.type == .float32 { return try floatStep() }
        }
        return try int8Step()
    }

    /// The step of an int8 op (or one that moves bytes of any type).
    private func int8Step() throws(RuntimeError) -> PreparedModel.Step {
        switch op.kind {
        case .conv2D: try conv()
        case .depthwiseConv2D: try depthwise()
        case .fullyConnected: try fullyConnected()
        case .averagePool2D, .maxPool2D: try pool()
        case .add, .mul, .sub, .maximum, .minimum: try binary()
        case .reshape, .squeeze: try reshape()
        case .relu, .relu6: try relu()
        case .quantize: try quantize()
        case .dequantize: try dequantize()
        case .mean: try mean()
        case .pad: try pad()
        case .concatenation: try concatenation()
        case .softmax: try softmax()
        case .hardSwish: try hardSwish()
        case .logistic: try logistic()
        case .leakyRelu: try leakyRelu()
        case .tanh: try tanh()
        case .resizeNearestNeighbor: try resizeNearest()
        case .transpose: try transpose()
        case .shape, .stridedSlice, .pack, .gather: try shapeArithmetic()
        case .logSoftmax: try logSoftmax()
        case .other: throw .unsupported(op)
        }
    }

    // MARK: - Checks and decoding shared by every op

    /// The tensor at input `slot`, which must be present.
    func tensor(_ slot: Int) throws(RuntimeError) -> Tensor {
        guard let i = op.input(slot) else { throw .unsupported(op, "input \(slot) is missing") }
        return model.tensors[i]
    }

    /// The tensor's quantization, checked to be usable by the int8 arithmetic.
    func quant(_ tensor: Tensor) throws(RuntimeError) -> Quantization {
        guard let q = tensor.quantization, !q.scales.isEmpty else {
            throw .unsupported(op, "tensor \(tensor.index) is not quantized")
        }
        // Scales a converter can emit: positive, finite, and far from
        // the ends of Float, so that ratios of them stay finite.
        if let bad = q.scales.first(where: { !($0.isFinite && $0 > 1e-30 && $0 < 1e30) }) {
            throw .unrepresentable(op: op.index, kind: op.kind.name, tensor: tensor.index, quantity: "the quantization scale",
                                   value: Double(bad), limit: "outside the 1e-30…1e30 the int8 arithmetic takes")
        }
        if tensor.type == .int8, let bad = q.zeroPoints.first(where: { !(-128...127).contains($0) }) {
            throw .unrepresentable(op: op.index, kind: op.kind.name, tensor: tensor.index, quantity: "the zero point",
                                   value: Double(bad), limit: "outside −128…127")
        }
        return q
    }

    /// A real multiplier formed from the model's numbers (a ratio of
    /// scales, beta × scale), checked before it is turned into a Q31
    /// multiplier and a shift: finite, not negative, and (unless zero)
    /// within the shifts the kernels take, so that `quantizeMultiplier`
    /// never sees what it cannot hold. `quantity` names it for the message,
    /// e.g. `input scale / output scale`.
    func checkMultiplier(_ real: Double, _ quantity: String, tensor: Int? = nil,
                         shifts: ClosedRange<Int32> = -31...30) throws(RuntimeError) {
        guard let (_, shift) = FixedPoint.checkedQuantizeMultiplier(real) else {
            throw .unrepresentable(op: op.index, kind: op.kind.name, tensor: tensor, quantity: quantity, value: real,
                                   limit: "which no fixed-point multiplier can hold")
        }
        guard real == 0 || shifts.contains(shift) else {
            throw .unrepresentable(op: op.index, kind: op.kind.name, tensor: tensor, quantity: quantity, value: real,
                                   limit: "outside the 2^\(shifts.lowerBound - 1)…2^\(shifts.upperBound) a fixed-point multiplier holds")
        }
    }

    /// A requantization the fixed-point arithmetic can represent.
    func checkShifts(_ shifts: [Int32]) throws(RuntimeError) {
        guard shifts.allSatisfy({ (-31...30).contains($0) }) else {
            throw .unsupported(op, "a requantization scale is out of range")
        }
    }

    func requireFloat(_ tensor: Tensor) throws(RuntimeError) {
        guard tensor.type == .float32 else { throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not float32") }
    }

    func requireInt8(_ tensor: Tensor) throws(RuntimeError) {
        guard tensor.type == .int8 else { throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not int8") }
    }

    /// The output's clamp after the op's fused activation.
    func range(_ out: Tensor) throws(RuntimeError) -> (min: Int32, max: Int32) {
        let q = try quant(out)
        guard let r = activationRangeInt8(op.options.activation, scale: q.scale, zeroPoint: q.zeroPoint) else {
            throw .unsupported(op, "fused activation \(op.options.activation)")
        }
        return r
    }

    /// Constant int8 weights, decoded.
    func weights(_ tensor: Tensor) throws(RuntimeError) -> [Int8] {
        guard tensor.type == .int8, let data = tensor.data else {
            throw .unsupported(op, "weights tensor \(tensor.index) is not constant int8")
        }
        guard tensor.elementCount > 0, out.elementCount > 0 else {
            throw .unsupported(op, "weights tensor \(tensor.index) \(tensor.shape) or output \(out.shape) is empty")
        }
        return data.map { Int8(bitPattern: $0) }
    }

    /// An optional constant int32 bias with one value per output channel.
    func bias(_ slot: Int, count: Int) throws(RuntimeError) -> [Int32]? {
        guard let i = op.input(slot) else { return nil }
        guard model.tensors[i].type == .int32, let data = model.tensors[i].data else {
            throw .unsupported(op, "bias tensor \(i) is not constant int32")
        }
        guard data.count >= 4 * count else {
            throw .unsupported(op, "bias tensor \(i) has \(data.count / 4) values for \(count) output channels")
        }
        return stride(from: 0, to: 4 * count, by: 4).map { k in
            Int32(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24)
        }
    }

    /// A constant int32 or int64 tensor (axes, paddings, sizes), as Ints.
    func int32s(_ tensor: Tensor) throws(RuntimeError) -> [Int] {
        guard let data = tensor.data else { throw .unsupported(op, "tensor \(tensor.index) must be constant") }
        switch tensor.type {
        case .int32:
            return stride(from: 0, to: data.count - 3, by: 4).map { k in
                Int(Int32(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24))
            }
        case .int64:
            return stride(from: 0, to: data.count - 7, by: 8).map { k in
                var v: UInt64 = 0
                for j in 0..<8 { v |= UInt64(data[k + j]) << (8 * j) }
                return Int(Int64(bitPattern: v))
            }
        default:
            throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not int32")
        }
    }

    /// The one int8 input and the int8 output of an elementwise op, with
    /// their quantizations.
    func int8InOut() throws(RuntimeError) -> (input: Tensor, qi: Quantization, qo: Quantization) {
        let input = try tensor(0)
        try requireInt8(input)
        try requireInt8(out)
        return (input, try quant(input), try quant(out))
    }
}
