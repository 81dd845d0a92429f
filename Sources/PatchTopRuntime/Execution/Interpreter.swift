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
        case conv(Conv2DKernel, input: Int, output: Int)
        case depthwise(DepthwiseConv2DKernel, input: Int, output: Int)
        case fullyConnected(FullyConnectedKernel, input: Int, output: Int)
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
        case let .conv(kernel, input, output):
            let x = try take(input)
            var y = fresh(output)
            let p = kernel.params
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                kernel.run(input: xp, inputRegion: p.fullInput, output: yp, outputRegion: p.fullOutput,
                           outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
            } }
            buffers[output] = y
        case let .depthwise(kernel, input, output):
            let x = try take(input)
            var y = fresh(output)
            let p = kernel.params
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                kernel.run(input: xp, inputRegion: p.fullInput, output: yp, outputRegion: p.fullOutput,
                           outputRows: 0..<p.height.outputSize, outputCols: 0..<p.width.outputSize)
            } }
            buffers[output] = y
        case let .fullyConnected(kernel, input, output):
            let x = try take(input)
            var y = fresh(output)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { kernel.run(input: xp, output: $0) } }
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
}

/// Pins every array of `arrays` and hands their buffers to `body`.
private func withBuffers<R>(_ arrays: [[Int8]], _ body: ([UnsafeBufferPointer<Int8>]) -> R) -> R {
    func go(_ k: Int, _ acc: [UnsafeBufferPointer<Int8>]) -> R {
        if k == arrays.count { return body(acc) }
        return arrays[k].withUnsafeBufferPointer { go(k + 1, acc + [$0]) }
    }
    return go(0, [])
}
