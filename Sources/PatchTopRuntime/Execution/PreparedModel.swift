import PatchTopModel

/// A model made ready to run: every op checked against what the runtime
/// supports and turned into a step with its parameters (multipliers,
/// clamps, decoded weights) prepared once.
///
/// Where the steps run is decided by an `ArenaProgram` compiled from it for
/// a plan: layer by layer, or patch by patch.
public struct PreparedModel: Sendable {
    public let model: Model
    let steps: [Step]
    /// Constant tensors read as data (not as weights), decoded once.
    let constants: [Int: [Int8]]
    /// The first op the runtime cannot run, when it was kept
    /// (`init(model:keepingUnsupportedOps:)`); nil when every op runs.
    public let firstUnsupported: (op: Int, error: RuntimeError)?

    enum Step: Sendable {
        case conv(Conv2DKernel, input: Int, output: Int)
        case depthwise(DepthwiseConv2DKernel, input: Int, output: Int)
        case fullyConnected(FullyConnectedKernel, input: Int, output: Int)
        case pool(PoolKind, PoolParams, input: Int, output: Int)
        /// ADD, SUB, MUL, MAXIMUM or MINIMUM, tabulated.
        case binary(BinaryTableInt8, Int, [Int], Int, [Int], output: Int, [Int])
        case copy(input: Int, output: Int)
        case quantize(scale: Float, zeroPoint: Int32, input: Int, output: Int)
        case dequantize(scale: Float, zeroPoint: Int32, input: Int, output: Int)
        case mean(MeanParams, input: Int, output: Int)
        case meanFloat(ReductionLoops, input: Int, output: Int)
        /// STRIDED_SLICE of an activation (any element size); whole tensors only.
        case stridedSlice(StridedSliceParams, input: Int, output: Int)
        /// TRANSPOSE (any element size); whole tensors only.
        case transpose(TransposeParams, input: Int, output: Int)
        case logSoftmax(LogSoftmaxParams, input: Int, output: Int)
        /// float32 ops (a float model): TFLite Micro's reference float kernels.
        case floatConv(FloatConv2DKernel, input: Int, output: Int)
        case floatPool(FloatPoolKernel, input: Int, output: Int)
        case floatFullyConnected(FloatFullyConnectedKernel, input: Int, output: Int)
        case floatBinary(FloatBinaryOp, FloatClamp, Int, [Int], Int, [Int], output: Int, [Int])
        case floatUnary(FloatUnaryOp, input: Int, output: Int)
        case softmaxFloat(beta: Float, rows: Int, depth: Int, input: Int, output: Int)
        case logSoftmaxFloat(rows: Int, depth: Int, input: Int, output: Int)
        case padFloat(input: Int, shape: [Int], paddings: [Paddings], output: Int)
        /// An op the runtime cannot run, kept so that the ops before it can
        /// (step-through of a model's patch stage); running it throws.
        case refused(RuntimeError)
        /// An op whose output is known at prepare time (SHAPE and the shape
        /// arithmetic after it): writes these bytes.
        case fill([Int8], output: Int)
        case pad(input: Int, shape: [Int], paddings: [Paddings], value: Int8, output: Int)
        case concat(inputs: [Int], shapes: [[Int]], axis: Int, output: Int)
        case softmax(SoftmaxParams, input: Int, output: Int)
        /// RELU, RELU6, LEAKY_RELU, int8 requantization, HARD_SWISH,
        /// LOGISTIC or TANH, tabulated.
        case lookup(LookupTableInt8, input: Int, output: Int)
        /// RESIZE_NEAREST_NEIGHBOR; whole tensors only.
        case resizeNearest(ResizeNearestParams, input: Int, output: Int)
    }

    struct Paddings: Sendable {
        var before: Int
        var after: Int
    }

    public init(model: Model) throws(RuntimeError) {
        try self.init(model: model, keepingUnsupportedOps: false)
    }

    /// With `keepingUnsupportedOps`, an op the runtime cannot run does not
    /// refuse the model: it becomes a step that throws its refusal when
    /// reached, so everything before it (a patch stage) still runs.
    /// `firstUnsupported` then names it.
    public init(model: Model, keepingUnsupportedOps: Bool) throws(RuntimeError) {
        self.model = model
        var steps = [Step]()
        var constants = [Int: [Int8]]()
        var firstUnsupported: (op: Int, error: RuntimeError)?
        for op in model.operators {
            do throws(RuntimeError) {
                steps.append(try Self.prepare(op, model))
            } catch {
                guard keepingUnsupportedOps else { throw error }
                if firstUnsupported == nil { firstUnsupported = (op.index, error) }
                steps.append(.refused(error))
            }
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
        self.firstUnsupported = firstUnsupported
    }

    private init(model: Model, steps: [Step], constants: [Int: [Int8]], firstUnsupported: (op: Int, error: RuntimeError)?) {
        self.model = model
        self.steps = steps
        self.constants = constants
        self.firstUnsupported = firstUnsupported
    }

    /// This prepared model for `model`, the same graph after memory options
    /// rewrote it (`Model.rewritten(for:)`): the ops whose inputs or options
    /// changed (convs that read a folded PAD's input) are prepared again.
    func adapted(to model: Model) throws(RuntimeError) -> PreparedModel {
        guard model.rewrite != self.model.rewrite else { return self }
        var steps = self.steps
        for op in model.operators {
            let before = self.model.operators[op.index]
            if op.inputs != before.inputs || op.options != before.options {
                steps[op.index] = try Self.prepare(op, model)
            }
        }
        return PreparedModel(model: model, steps: steps, constants: constants, firstUnsupported: firstUnsupported)
    }

    static func weightConsuming(_ kind: OperatorKind) -> Bool {
        switch kind {
        case .conv2D, .depthwiseConv2D, .fullyConnected, .pad, .mean, .reshape, .squeeze, .transpose,
             .shape, .stridedSlice, .pack, .gather: true
        default: false
        }
    }

    /// Runs the model layer by layer in a freshly compiled arena and
    /// returns the raw bytes of its first output. For repeated runs,
    /// compile an `ArenaProgram` once and run that.
    public func run(input: [Int8]) throws(RuntimeError) -> [Int8] {
        guard let result = try ArenaProgram(prepared: self).run(input: input) else {
            throw .stopped
        }
        return result.output
    }

    /// `run(input:)` on unsigned bytes (as read from a `.bin` file).
    public func run(inputBytes: [UInt8]) throws(RuntimeError) -> [UInt8] {
        try run(input: inputBytes.map { Int8(bitPattern: $0) }).map { UInt8(bitPattern: $0) }
    }
}
