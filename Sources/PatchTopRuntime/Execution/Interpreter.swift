import PatchTopModel

/// Why the runtime refused or failed to run a model.
public struct RuntimeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The error for an op the runtime has no kernel (or no kernel variant) for.
    static func unsupported(_ op: Operator, _ detail: String? = nil) -> RuntimeError {
        RuntimeError("op \(op.index) (\(op.kind.name)) is not supported by the runtime" + (detail.map { ": \($0)" } ?? ""))
    }
}

/// A layer-by-layer executor: every activation tensor gets its own buffer,
/// every op runs once over its whole output.
///
/// It is the ground truth the patch executor is checked against, so it
/// favours obviously-correct bookkeeping over memory use. All per-op
/// parameters (multipliers, clamps, decoded weights) are prepared once in
/// `init`, so that `run` only moves bytes.
public struct Interpreter: Sendable {
    public let model: Model
    let steps: [Step]
    /// Constant tensors read as data (not as weights), decoded once.
    let constants: [Int: [Int8]]

    enum Step: Sendable {
        case conv(Conv2DParams, input: Int, filter: [Int8], bias: [Int32]?, output: Int)
        case depthwise(DepthwiseConv2DParams, input: Int, filter: [Int8], bias: [Int32]?, output: Int)
        case fullyConnected(FullyConnectedParams, input: Int, filter: [Int8], bias: [Int32]?, output: Int)
        case pool(PoolKind, PoolParams, input: Int, output: Int)
        case add(AddParams, Int, [Int], Int, [Int], output: Int, [Int])
        case mul(MulParams, Int, [Int], Int, [Int], output: Int, [Int])
        case copy(input: Int, output: Int)
        case relu(ReluParams, input: Int, output: Int)
        case requantize(RequantizeParams, input: Int, output: Int)
        case quantize(scale: Float, zeroPoint: Int32, input: Int, output: Int)
        case dequantize(scale: Float, zeroPoint: Int32, input: Int, output: Int)
        case mean(MeanParams, input: Int, output: Int)
        case pad(input: Int, shape: [Int], paddings: [Paddings], value: Int8, output: Int)
        case concat(inputs: [Int], shapes: [[Int]], axis: Int, output: Int)
        case softmax(SoftmaxParams, input: Int, output: Int)
        case hardSwish(HardSwishParams, input: Int, output: Int)
        case lookup(LookupTableInt8, input: Int, output: Int)
    }

    struct Paddings: Sendable {
        var before: Int
        var after: Int
    }

    public init(model: Model) throws(RuntimeError) {
        self.model = model
        var steps = [Step]()
        var constants = [Int: [Int8]]()
        for op in model.operators {
            steps.append(try Self.prepare(op, model))
            if !Self.weightConsuming(op.kind) {
                for index in op.inputs where index >= 0 {
                    if let data = model.tensors[index].data, model.tensors[index].type == .int8 || model.tensors[index].type == .float32 {
                        constants[index] = data.map { Int8(bitPattern: $0) }
                    }
                }
            }
        }
        self.steps = steps
        self.constants = constants
    }

    static func weightConsuming(_ kind: OperatorKind) -> Bool {
        switch kind {
        case .conv2D, .depthwiseConv2D, .fullyConnected, .pad, .mean, .reshape: true
        default: false
        }
    }

    /// Runs the model on the raw bytes of its (single) input tensor and
    /// returns the raw bytes of its first output tensor.
    public func run(input: [Int8]) throws(RuntimeError) -> [Int8] {
        guard let outIndex = model.outputs.first else { throw RuntimeError("the model has no output") }
        guard let result = try allTensors(input: input)[outIndex] else {
            throw RuntimeError("output tensor \(outIndex) was never written")
        }
        return result
    }

    /// Runs the model and returns the bytes of every tensor (indexed by
    /// tensor index; `nil` for weights and tensors no op wrote), so that the
    /// patch executor and debugging can compare intermediate activations.
    public func allTensors(input: [Int8]) throws(RuntimeError) -> [[Int8]?] {
        guard let inIndex = model.inputs.first else { throw RuntimeError("the model has no input") }
        let inTensor = model.tensors[inIndex]
        guard input.count == inTensor.byteCount else {
            throw RuntimeError("input has \(input.count) bytes, tensor \(inIndex) needs \(inTensor.byteCount)")
        }
        var buffers = [[Int8]?](repeating: nil, count: model.tensors.count)
        for (index, bytes) in constants { buffers[index] = bytes }
        buffers[inIndex] = input
        for (position, step) in steps.enumerated() {
            try execute(step, op: model.operators[position], &buffers)
        }
        return buffers
    }

    /// `run(input:)` on unsigned bytes (as read from a `.bin` file).
    public func run(inputBytes: [UInt8]) throws(RuntimeError) -> [UInt8] {
        try run(input: inputBytes.map { Int8(bitPattern: $0) }).map { UInt8(bitPattern: $0) }
    }

    // MARK: - Execution

    func execute(_ step: Step, op: Operator, _ buffers: inout [[Int8]?]) throws(RuntimeError) {
        func take(_ i: Int) throws(RuntimeError) -> [Int8] {
            guard let b = buffers[i] else { throw RuntimeError("op \(op.index) (\(op.kind.name)) reads tensor \(i), which holds no data") }
            return b
        }
        func fresh(_ i: Int) -> [Int8] { [Int8](repeating: 0, count: model.tensors[i].byteCount) }
        switch step {
        case let .conv(p, input, filter, bias, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in filter.withUnsafeBufferPointer { fp in y.withUnsafeMutableBufferPointer { yp in
                withOptional(bias) { conv2DInt8(p, input: xp, filter: fp, bias: $0, output: yp) }
            } } }
            buffers[output] = y
        case let .depthwise(p, input, filter, bias, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in filter.withUnsafeBufferPointer { fp in y.withUnsafeMutableBufferPointer { yp in
                withOptional(bias) { depthwiseConv2DInt8(p, input: xp, filter: fp, bias: $0, output: yp) }
            } } }
            buffers[output] = y
        case let .fullyConnected(p, input, filter, bias, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in filter.withUnsafeBufferPointer { fp in y.withUnsafeMutableBufferPointer { yp in
                withOptional(bias) { fullyConnectedInt8(p, input: xp, filter: fp, bias: $0, output: yp) }
            } } }
            buffers[output] = y
        case let .pool(kind, p, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { poolInt8(kind, p, input: xp, output: $0) } }
            buffers[output] = y
        case let .add(p, a, sa, b, sb, output, so):
            let xa = try take(a), xb = try take(b)
            var y = fresh(output)
            xa.withUnsafeBufferPointer { ap in xb.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in
                broadcastBinaryInt8(shape1: sa, ap, shape2: sb, bp, outputShape: so, yp, p.apply)
            } } }
            buffers[output] = y
        case let .mul(p, a, sa, b, sb, output, so):
            let xa = try take(a), xb = try take(b)
            var y = fresh(output)
            xa.withUnsafeBufferPointer { ap in xb.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in
                broadcastBinaryInt8(shape1: sa, ap, shape2: sb, bp, outputShape: so, yp, p.apply)
            } } }
            buffers[output] = y
        case let .copy(input, output):
            buffers[output] = try take(input)
        case let .relu(p, input, output):
            buffers[output] = try take(input).map(p.apply)
        case let .requantize(p, input, output):
            buffers[output] = try take(input).map(p.apply)
        case let .quantize(scale, zp, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBytes { raw in y.withUnsafeMutableBufferPointer { yp in
                quantizeFloatToInt8(raw.bindMemory(to: Float.self), scale: scale, zeroPoint: zp, output: yp)
            } }
            buffers[output] = y
        case let .dequantize(scale, zp, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBytes { raw in
                dequantizeInt8ToFloat(xp, scale: scale, zeroPoint: zp, output: raw.bindMemory(to: Float.self))
            } }
            buffers[output] = y
        case let .mean(p, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { meanHWInt8(p, input: xp, output: $0) } }
            buffers[output] = y
        case let .pad(input, shape, paddings, value, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                padInt8(input: xp, inputShape: shape, paddings: paddings.map { ($0.before, $0.after) }, padValue: value, output: yp)
            } }
            buffers[output] = y
        case let .hardSwish(p, input, output):
            buffers[output] = try take(input).map(p.apply)
        case let .lookup(p, input, output):
            buffers[output] = try take(input).map(p.apply)
        case let .softmax(p, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { softmaxInt8(p, input: xp, output: $0) } }
            buffers[output] = y
        case let .concat(inputs, shapes, axis, output):
            var xs = [[Int8]]()
            for i in inputs { xs.append(try take(i)) }
            var y = fresh(output)
            y.withUnsafeMutableBufferPointer { yp in
                withBuffers(xs) { concatenateInt8(inputs: $0, shapes: shapes, axis: axis, output: yp) }
            }
            buffers[output] = y
        }
    }

    // MARK: - Preparation

    private static func prepare(_ op: Operator, _ model: Model) throws(RuntimeError) -> Step {
        let t = model.tensors
        func tensor(_ slot: Int) throws(RuntimeError) -> Tensor {
            guard let i = op.input(slot) else { throw .unsupported(op, "input \(slot) is missing") }
            return t[i]
        }
        func quant(_ tensor: Tensor) throws(RuntimeError) -> Quantization {
            guard let q = tensor.quantization, !q.scales.isEmpty else {
                throw .unsupported(op, "tensor \(tensor.index) is not quantized")
            }
            return q
        }
        func requireInt8(_ tensor: Tensor) throws(RuntimeError) {
            guard tensor.type == .int8 else { throw .unsupported(op, "tensor \(tensor.index) is \(tensor.type.name), not int8") }
        }
        func range(_ out: Tensor) throws(RuntimeError) -> (min: Int32, max: Int32) {
            let q = try quant(out)
            guard let r = activationRangeInt8(op.options.activation, scale: q.scale, zeroPoint: q.zeroPoint) else {
                throw .unsupported(op, "fused activation \(op.options.activation)")
            }
            return r
        }
        func weights(_ tensor: Tensor) throws(RuntimeError) -> [Int8] {
            guard tensor.type == .int8, let data = tensor.data else {
                throw .unsupported(op, "weights tensor \(tensor.index) is not constant int8")
            }
            return data.map { Int8(bitPattern: $0) }
        }
        func bias(_ slot: Int) throws(RuntimeError) -> [Int32]? {
            guard let i = op.input(slot) else { return nil }
            guard t[i].type == .int32, let data = t[i].data else {
                throw .unsupported(op, "bias tensor \(i) is not constant int32")
            }
            return stride(from: 0, to: data.count - 3, by: 4).map { k in
                Int32(bitPattern: UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16 | UInt32(data[k + 3]) << 24)
            }
        }
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

        let out = t[op.output]
        switch op.kind {
        case .conv2D:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            guard filter.shape[3] == input.shape[3] else { throw .unsupported(op, "grouped convolution") }
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let oc = filter.shape[0]
            let (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale, channels: oc)
            let r = try range(out)
            let p = Conv2DParams(batches: input.shape[0], inputChannels: input.shape[3], outputChannels: oc, height: h, width: w,
                                 inputOffset: -qi.zeroPoint, outputOffset: qo.zeroPoint, multipliers: m, shifts: s,
                                 activationMin: r.min, activationMax: r.max)
            return .conv(p, input: input.index, filter: try weights(filter), bias: try bias(2), output: out.index)
        case .depthwiseConv2D:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let oc = filter.shape[3], ic = input.shape[3]
            let (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale, channels: oc)
            let r = try range(out)
            let p = DepthwiseConv2DParams(batches: input.shape[0], inputChannels: ic, depthMultiplier: oc / ic, height: h, width: w,
                                          inputOffset: -qi.zeroPoint, outputOffset: qo.zeroPoint, multipliers: m, shifts: s,
                                          activationMin: r.min, activationMax: r.max)
            return .depthwise(p, input: input.index, filter: try weights(filter), bias: try bias(2), output: out.index)
        case .fullyConnected:
            let input = try tensor(0), filter = try tensor(1)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qf = try quant(filter), qo = try quant(out)
            let depth = filter.shape[1]
            var m = [Int32](), s = [Int32]()
            if qf.isPerChannel {
                (m, s) = perChannelMultipliers(inputScale: qi.scale, filterScales: qf.scales, outputScale: qo.scale,
                                               channels: filter.shape[0])
            } else {
                let one = FullyConnectedParams.multiplier(inputScale: qi.scale, filterScale: qf.scale, outputScale: qo.scale)
                (m, s) = ([one.0], [one.1])
            }
            let r = try range(out)
            var p = FullyConnectedParams(batches: input.elementCount / depth, inputDepth: depth, outputDepth: filter.shape[0],
                                         inputOffset: -qi.zeroPoint, filterOffset: -qf.zeroPoint, outputOffset: qo.zeroPoint,
                                         multipliers: m, shifts: s, activationMin: r.min, activationMax: r.max)
            p.singleRounding = qf.isPerChannel
            return .fullyConnected(p, input: input.index, filter: try weights(filter), bias: try bias(2), output: out.index)
        case .averagePool2D, .maxPool2D:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            guard let (h, w) = model.windowGeometry(of: op) else { throw .unsupported(op, "window geometry") }
            let r = try range(out)
            let p = PoolParams(batches: input.shape[0], channels: input.shape[3], height: h, width: w,
                               activationMin: r.min, activationMax: r.max)
            return .pool(op.kind == .averagePool2D ? .average : .max, p, input: input.index, output: out.index)
        case .add, .mul:
            let a = try tensor(0), b = try tensor(1)
            try requireInt8(a)
            try requireInt8(b)
            try requireInt8(out)
            guard a.shape.count <= 4, b.shape.count <= 4, out.shape.count <= 4 else { throw .unsupported(op, "rank above 4") }
            let qa = try quant(a), qb = try quant(b), qo = try quant(out)
            let r = try range(out)
            if op.kind == .add {
                let p = AddParams(input1Scale: qa.scale, input1ZeroPoint: qa.zeroPoint, input2Scale: qb.scale,
                                  input2ZeroPoint: qb.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint,
                                  activationMin: r.min, activationMax: r.max)
                return .add(p, a.index, a.shape, b.index, b.shape, output: out.index, out.shape)
            }
            let p = MulParams(input1Scale: qa.scale, input1ZeroPoint: qa.zeroPoint, input2Scale: qb.scale,
                              input2ZeroPoint: qb.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint,
                              activationMin: r.min, activationMax: r.max)
            return .mul(p, a.index, a.shape, b.index, b.shape, output: out.index, out.shape)
        case .reshape:
            let input = try tensor(0)
            guard input.byteCount == out.byteCount else { throw .unsupported(op, "byte sizes differ") }
            return .copy(input: input.index, output: out.index)
        case .relu, .relu6:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qo = try quant(out)
            let p = ReluParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale,
                               outputZeroPoint: qo.zeroPoint, upperBound: op.kind == .relu6 ? 6 : nil)
            return .relu(p, input: input.index, output: out.index)
        case .quantize:
            let input = try tensor(0)
            try requireInt8(out)
            let qo = try quant(out)
            if input.type == .float32 {
                return .quantize(scale: qo.scale, zeroPoint: qo.zeroPoint, input: input.index, output: out.index)
            }
            try requireInt8(input)
            let qi = try quant(input)
            let p = RequantizeParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .requantize(p, input: input.index, output: out.index)
        case .dequantize:
            let input = try tensor(0)
            try requireInt8(input)
            guard out.type == .float32 else { throw .unsupported(op, "output is \(out.type.name), not float32") }
            let qi = try quant(input)
            return .dequantize(scale: qi.scale, zeroPoint: qi.zeroPoint, input: input.index, output: out.index)
        case .mean:
            let input = try tensor(0), axes = try int32s(try tensor(1))
            try requireInt8(input)
            try requireInt8(out)
            guard input.shape.count == 4, Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [1, 2], axes.count == 2 else {
                throw .unsupported(op, "only the mean over height and width of a 4-D tensor")
            }
            var keepDims = false
            if case .reducer(let k) = op.options { keepDims = k }
            let qi = try quant(input), qo = try quant(out)
            let p = MeanParams(batches: input.shape[0], height: input.shape[1], width: input.shape[2], channels: input.shape[3],
                               keepDims: keepDims, inputScale: qi.scale, inputZeroPoint: qi.zeroPoint,
                               outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .mean(p, input: input.index, output: out.index)
        case .pad:
            let input = try tensor(0), pads = try int32s(try tensor(1))
            try requireInt8(input)
            try requireInt8(out)
            guard input.shape.count <= 4, pads.count == 2 * input.shape.count else { throw .unsupported(op, "paddings shape") }
            if op.input(2) != nil { throw .unsupported(op, "explicit pad value") }
            let qo = try quant(out)
            let paddings = (0..<input.shape.count).map { Paddings(before: pads[2 * $0], after: pads[2 * $0 + 1]) }
            return .pad(input: input.index, shape: input.shape, paddings: paddings, value: Int8(clamping: qo.zeroPoint), output: out.index)
        case .concatenation:
            guard case .concatenation(let axis, let activation) = op.options else { throw .unsupported(op, "options") }
            guard activation == .none else { throw .unsupported(op, "fused activation") }
            try requireInt8(out)
            let qo = try quant(out)
            var inputs = [Int](), shapes = [[Int]]()
            for i in op.inputs where i >= 0 {
                try requireInt8(t[i])
                let q = try quant(t[i])
                guard q.scale == qo.scale, q.zeroPoint == qo.zeroPoint else { throw .unsupported(op, "inputs with rescaling") }
                inputs.append(i)
                shapes.append(t[i].shape)
            }
            return .concat(inputs: inputs, shapes: shapes, axis: axis < 0 ? axis + out.shape.count : axis, output: out.index)
        case .softmax:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qo = try quant(out)
            guard qo.scale == 1.0 / 256, qo.zeroPoint == -128 else { throw .unsupported(op, "output quantization must be 1/256, -128") }
            guard case .softmax(let beta) = op.options, let depth = input.shape.last, depth > 0 else { throw .unsupported(op, "options") }
            let p = SoftmaxParams(beta: beta, inputScale: qi.scale, rows: input.elementCount / depth, depth: depth)
            return .softmax(p, input: input.index, output: out.index)
        case .hardSwish:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qo = try quant(out)
            let p = HardSwishParams(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            guard p.outputExponent <= 0 else { throw .unsupported(op, "output scale too small for the input scale") }
            return .hardSwish(p, input: input.index, output: out.index)
        case .logistic:
            let input = try tensor(0)
            try requireInt8(input)
            try requireInt8(out)
            let qi = try quant(input), qo = try quant(out)
            let p = LookupTableInt8.logistic(inputScale: qi.scale, inputZeroPoint: qi.zeroPoint, outputScale: qo.scale, outputZeroPoint: qo.zeroPoint)
            return .lookup(p, input: input.index, output: out.index)
        case .other:
            throw .unsupported(op)
        }
    }
}

private func withOptional<R>(_ array: [Int32]?, _ body: (UnsafeBufferPointer<Int32>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0) }
}

/// Pins every array of `arrays` and hands their buffers to `body`.
private func withBuffers<R>(_ arrays: [[Int8]], _ body: ([UnsafeBufferPointer<Int8>]) -> R) -> R {
    func go(_ k: Int, _ acc: [UnsafeBufferPointer<Int8>]) -> R {
        if k == arrays.count { return body(acc) }
        return arrays[k].withUnsafeBufferPointer { go(k + 1, acc + [$0]) }
    }
    return go(0, [])
}
