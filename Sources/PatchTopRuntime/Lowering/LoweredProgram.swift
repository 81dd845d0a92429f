import PatchTopModel
import PatchTopPlan

/// A compiled program in plain data: every instruction the runtime executes,
/// in order, with its kernel's parameters (quantized multipliers and shifts,
/// offsets, clamps, weights and bias, lookup and binary tables, shapes), the
/// memory of each operand (an arena offset, a constant, or a caller's buffer)
/// and the copies around it (streamed-input loads, halo-cache reads and
/// writes, stage-output stores).
///
/// It is read from the `ArenaProgram` the runtime runs, never planned again:
/// an emitter that prints it (the firmware export) runs what `run` runs. It
/// holds nothing but values, so a printer needs no other runtime type.
public struct LoweredProgram: Sendable {
    public var modelName: String
    /// The plan's arena, exactly (`ArenaProgram.layout.arenaBytes`).
    public var arenaBytes: Int
    /// Constant tensors read as data (not weights), packed end to end; a
    /// `.constant(offset)` operand points into it.
    public var constantPool: [Int8]
    /// The caller's inputs and outputs, in graph order.
    public var inputs: [Boundary]
    public var outputs: [Boundary]
    public var instructions: [LoweredInstruction]

    /// A tensor at the model's edge, as the caller passes or reads it.
    public struct Boundary: Sendable, Equatable {
        public var tensor: Int
        public var name: String
        public var shape: [Int]
        public var isFloat: Bool
        public var bytes: Int
        /// Where the program keeps it: an arena buffer the caller's bytes
        /// are copied into (or out of), or the caller's own buffer.
        public var location: LoweredLocation
    }
}

/// Where an operand's bytes are while an instruction runs.
public enum LoweredLocation: Sendable, Equatable {
    case arena(Int)
    case constant(Int)
    /// The caller's buffer of this tensor (a streamed input, or a float
    /// input or output under `--int8-io`).
    case external(tensor: Int)
}

/// One tensor as one instruction sees it: where, how many bytes, and which
/// rows and columns of the tensor the buffer holds (1×1 for tensors that are
/// not feature maps).
public struct LoweredOperand: Sendable, Equatable {
    public var location: LoweredLocation
    public var bytes: Int
    public var region: Region2D
}

/// Rows × cols (all channels, `pixelBytes` each) copied between two buffers
/// of one tensor; both regions are in full-tensor coordinates.
public struct LoweredCopy: Sendable, Equatable {
    public var from: LoweredOperand
    public var to: LoweredOperand
    public var rows: Range<Int>
    public var cols: Range<Int>
    public var pixelBytes: Int
}

/// One instruction: an op over the whole tensor or over one patch's region.
public struct LoweredInstruction: Sendable {
    /// The TFLite op index and its name (`CONV_2D`).
    public var op: Int
    public var opName: String
    /// The patch, for a stage op of a patched plan.
    public var patch: Int?
    /// Output positions computed, full-tensor coordinates (empty: only the
    /// copies run).
    public var rows: Range<Int>
    public var cols: Range<Int>
    public var kernel: LoweredKernel
    /// The operands the kernel reads, in the kernel's order (see
    /// `LoweredKernel`).
    public var inputs: [LoweredOperand]
    public var output: LoweredOperand
    /// Elements and channels of the output tensor (elementwise ops walk runs
    /// of them).
    public var outputElements: Int
    public var outputChannels: Int
    /// Before the op, in order: streamed-input loads, then halo-cache reads.
    public var loads: [LoweredCopy]
    public var cacheReads: [LoweredCopy]
    /// After the op, in order: halo-cache writes, then the stage-output store.
    public var cacheWrites: [LoweredCopy]
    public var store: LoweredCopy?
    /// An in-place depthwise conv's staging buffer (its input and output
    /// then share one buffer).
    public var staging: LoweredOperand?
    /// A conv that writes `ADD(conv, skip)` over the skip a row at a time.
    public var fusion: Fusion?
    /// A residual ADD its conv already did: nothing runs.
    public var fusedAway: Bool

    public struct Fusion: Sendable {
        /// The ADD, as `BinaryArithmeticInt8` defines it.
        public var add: BinaryArithmeticInt8
        /// Whether the conv's output is the ADD's first operand.
        public var convOutputIsFirst: Bool
        public var skip: LoweredOperand
        public var scratch: LoweredOperand
        /// The ADD's op index.
        public var addOp: Int
    }

    /// Whether this instruction computes a whole tensor (layer by layer).
    public var isWhole: Bool { patch == nil }
}

/// What an instruction computes, with its parameters in plain form.
/// Operands (`LoweredInstruction.inputs`) are listed per case.
public enum LoweredKernel: Sendable {
    /// int8 CONV_2D (inputs: [x]).
    case conv(LoweredConv)
    /// int8 DEPTHWISE_CONV_2D (inputs: [x]).
    case depthwise(LoweredConv)
    /// int8 FULLY_CONNECTED (inputs: [x]).
    case fullyConnected(LoweredFullyConnected)
    /// int8 AVERAGE_POOL_2D / MAX_POOL_2D (inputs: [x]).
    case pool(LoweredPool)
    /// ADD, SUB, MUL, MAXIMUM, MINIMUM tabulated (inputs: [a, b]); shapes as
    /// in the model (any rank ≤ 4).
    case binary(BinaryArithmeticInt8, shapeA: [Int], shapeB: [Int], shapeOut: [Int])
    /// Any int8 → int8 function (inputs: [x]), `table[UInt8(x)]`.
    case lookup(table: [Int8])
    /// Bytes copied as they are (inputs: [x]): RESHAPE, SQUEEZE.
    case copy
    /// Bytes known when the model was prepared (inputs: []).
    case fill([Int8])
    /// float32 → int8 (inputs: [x]).
    case quantize(scale: Float, zeroPoint: Int32)
    /// int8 → float32 (inputs: [x]).
    case dequantize(scale: Float, zeroPoint: Int32)
    /// PAD (inputs: [x]) of `elementBytes` elements with the repeated byte
    /// `fill`; `paddings` per dimension of `shape` (the input's).
    case pad(shape: [Int], paddings: [PadAmount], fill: UInt8, elementBytes: Int)
    /// CONCATENATION (inputs: one per tensor joined).
    case concatenation(shapes: [[Int]], axis: Int, elementBytes: Int)
    /// int8 MEAN (inputs: [x]).
    case mean(LoweredMean)
    /// float32 MEAN (inputs: [x]): each output sums its inputs in order, then divides.
    case meanFloat(LoweredReduction)
    /// int8 SOFTMAX / LOG_SOFTMAX (inputs: [x]).
    case softmax(LoweredSoftmax)
    case logSoftmax(LoweredLogSoftmax)
    /// Element moves, whole tensors (inputs: [x]).
    case transpose(LoweredTranspose)
    case stridedSlice(LoweredStridedSlice)
    case resizeNearest(LoweredResizeNearest)
    /// float32 CONV_2D / DEPTHWISE_CONV_2D (inputs: [x]); with a staging
    /// buffer, a depthwise conv written over its input.
    case floatConv(LoweredFloatConv)
    /// float32 AVERAGE_POOL_2D / MAX_POOL_2D (inputs: [x]).
    case floatPool(LoweredFloatPool)
    /// float32 FULLY_CONNECTED (inputs: [x]).
    case floatFullyConnected(LoweredFloatFullyConnected)
    /// float32 activations (inputs: [x]).
    case floatUnary(LoweredFloatUnary)
    /// float32 ADD/SUB/MUL/MAXIMUM/MINIMUM (inputs: [a, b]); shapes as in
    /// the model (any rank ≤ 4), the clamp applies to ADD, SUB and MUL.
    case floatBinary(LoweredFloatBinary, clamp: LoweredFloatClamp, shapeA: [Int], shapeB: [Int], shapeOut: [Int])
    /// float32 SOFTMAX over the last axis (inputs: [x]): `expf((x − max)·beta)`
    /// summed in order, each divided by the sum.
    case softmaxFloat(beta: Float, rows: Int, depth: Int)
    /// float32 LOG_SOFTMAX over the last axis (inputs: [x]):
    /// `x − max − logf(Σ expf(x − max))`.
    case logSoftmaxFloat(rows: Int, depth: Int)
    /// An op this lowering has no plain form for, or one the runtime
    /// refused: an emitter must refuse the program, naming it.
    case unsupported(reason: String)

    /// Whether the kernel needs the C library's float maths (`tanhf`),
    /// whose last bit may differ between C libraries.
    public var callsLibm: Bool {
        if case .floatUnary(let u) = self { return u.callsLibm }
        return false
    }

    /// Rows/columns padded before and after, one dimension.
    public struct PadAmount: Sendable, Equatable {
        public var before: Int
        public var after: Int
    }
}

extension ArenaProgram {
    /// This program as plain data, instruction by instruction, in the order
    /// `run` executes them.
    public func lowered() throws(RuntimeError) -> LoweredProgram {
        let model = prepared.model
        var lowered: [LoweredInstruction] = []
        lowered.reserveCapacity(instructions.count)
        for action in instructions {
            lowered.append(try lower(action, model: model))
        }
        func boundary(_ tensor: Int) throws(RuntimeError) -> LoweredProgram.Boundary {
            let t = model.tensors[tensor]
            return LoweredProgram.Boundary(tensor: tensor, name: t.name, shape: t.shape, isFloat: t.type == .float32,
                                           bytes: t.byteCount, location: Self.lower(try compiler.whole(tensor).location))
        }
        var inputs: [LoweredProgram.Boundary] = [], outputs: [LoweredProgram.Boundary] = []
        for tensor in model.callerInputs { inputs.append(try boundary(tensor)) }
        for tensor in model.callerOutputs { outputs.append(try boundary(tensor)) }
        return LoweredProgram(modelName: model.name, arenaBytes: layout.arenaBytes, constantPool: constantPool,
                              inputs: inputs, outputs: outputs, instructions: lowered)
    }

    static func lower(_ location: Location) -> LoweredLocation {
        switch location {
        case .arena(let offset): .arena(offset)
        case .constant(let offset): .constant(offset)
        case .external(let tensor): .external(tensor: tensor)
        }
    }

    static func lower(_ operand: Operand) -> LoweredOperand {
        LoweredOperand(location: lower(operand.location), bytes: operand.bytes, region: operand.region)
    }

    static func lower(_ copy: Instruction.Copy) -> LoweredCopy {
        LoweredCopy(from: lower(copy.from), to: lower(copy.to), rows: copy.rows, cols: copy.cols, pixelBytes: copy.pixelBytes)
    }

    private func lower(_ action: Instruction, model: Model) throws(RuntimeError) -> LoweredInstruction {
        let op = model.operators[action.step.op]
        func slot(_ tensor: Int) throws(RuntimeError) -> LoweredOperand {
            guard let operand = action.operands[tensor] else {
                throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "reads tensor \(tensor), which has no place in memory")
            }
            return Self.lower(operand)
        }
        func pads(_ p: [PreparedModel.Paddings]) -> [LoweredKernel.PadAmount] {
            p.map { LoweredKernel.PadAmount(before: $0.before, after: $0.after) }
        }
        let kernel: LoweredKernel
        var inputs: [LoweredOperand] = []
        if action.fusedAway {
            kernel = .copy
        } else {
            switch prepared.steps[op.index] {
            case let .conv(k, input, _):
                kernel = .conv(LoweredConv(k.params, filter: k.filter, bias: k.bias)); inputs = [try slot(input)]
            case let .depthwise(k, input, _):
                kernel = .depthwise(LoweredConv(k.params, filter: k.filter, bias: k.bias)); inputs = [try slot(input)]
            case let .fullyConnected(k, input, _):
                kernel = k.params.singleRounding
                    ? .unsupported(reason: "single-rounding requantization is not TFLite Micro's")
                    : .fullyConnected(LoweredFullyConnected(k.params, filter: k.filter, bias: k.bias))
                inputs = [try slot(input)]
            case let .pool(kind, p, input, _):
                kernel = .pool(LoweredPool(average: kind == .average, batches: p.batches, channels: p.channels, height: p.height,
                                           width: p.width, activationMin: p.activationMin, activationMax: p.activationMax))
                inputs = [try slot(input)]
            case let .binary(table, a, sa, b, sb, _, so):
                kernel = .binary(table.arithmetic, shapeA: sa, shapeB: sb, shapeOut: so)
                inputs = [try slot(a), try slot(b)]
            case let .copy(input, _):
                kernel = .copy; inputs = [try slot(input)]
            case let .lookup(table, input, _):
                kernel = .lookup(table: table.table); inputs = [try slot(input)]
            case let .quantize(scale, zeroPoint, input, _):
                kernel = .quantize(scale: scale, zeroPoint: zeroPoint); inputs = [try slot(input)]
            case let .dequantize(scale, zeroPoint, input, _):
                kernel = .dequantize(scale: scale, zeroPoint: zeroPoint); inputs = [try slot(input)]
            case let .mean(p, input, _):
                kernel = .mean(LoweredMean(loops: LoweredReduction(p.loops), inputZeroPoint: p.inputZeroPoint,
                                           outputZeroPoint: p.outputZeroPoint, meanMultiplier: p.meanMultiplier,
                                           meanShift: p.meanShift, multiplier: p.multiplier, shift: p.shift))
                inputs = [try slot(input)]
            case let .meanFloat(loops, input, _):
                kernel = .meanFloat(LoweredReduction(loops)); inputs = [try slot(input)]
            case let .stridedSlice(p, input, _):
                kernel = .stridedSlice(LoweredStridedSlice(start: p.start, step: p.step, count: p.count, inputStrides: p.inputStrides,
                                                           elementBytes: p.elementBytes))
                inputs = [try slot(input)]
            case let .transpose(p, input, _):
                kernel = .transpose(LoweredTranspose(outputShape: p.outputShape, inputStrides: p.inputStrides, elementBytes: p.elementBytes))
                inputs = [try slot(input)]
            case let .logSoftmax(p, input, _):
                kernel = .logSoftmax(LoweredLogSoftmax(rows: p.rows, depth: p.depth, inputMultiplier: p.inputMultiplier,
                                                       inputLeftShift: p.inputLeftShift, reverseScalingDivisor: p.reverseScalingDivisor,
                                                       reverseScalingShift: p.reverseScalingShift, diffMin: p.diffMin))
                inputs = [try slot(input)]
            case let .softmax(p, input, _):
                kernel = .softmax(LoweredSoftmax(rows: p.rows, depth: p.depth, inputMultiplier: p.inputMultiplier,
                                                 inputLeftShift: p.inputLeftShift, diffMin: p.diffMin))
                inputs = [try slot(input)]
            case let .resizeNearest(p, input, _):
                kernel = .resizeNearest(LoweredResizeNearest(batches: p.batches, inputHeight: p.inputHeight, inputWidth: p.inputWidth,
                                                             channels: p.channels, sourceRows: p.sourceRows, sourceCols: p.sourceCols))
                inputs = [try slot(input)]
            case let .fill(values, _):
                kernel = .fill(values)
            case let .pad(input, shape, paddings, value, _):
                kernel = .pad(shape: shape, paddings: pads(paddings), fill: UInt8(bitPattern: value), elementBytes: 1)
                inputs = [try slot(input)]
            case let .padFloat(input, shape, paddings, _):
                kernel = .pad(shape: shape, paddings: pads(paddings), fill: 0, elementBytes: 4)
                inputs = [try slot(input)]
            case let .concat(tensors, shapes, axis, _):
                kernel = .concatenation(shapes: shapes, axis: axis, elementBytes: 1)
                for tensor in tensors { inputs.append(try slot(tensor)) }
            case let .floatConv(k, input, _):
                kernel = .floatConv(LoweredFloatConv(k)); inputs = [try slot(input)]
            case let .floatPool(k, input, _):
                kernel = .floatPool(LoweredFloatPool(average: k.kind == .average, batches: k.batches, channels: k.channels,
                                                     height: k.height, width: k.width, clamp: LoweredFloatClamp(k.clamp)))
                inputs = [try slot(input)]
            case let .floatFullyConnected(k, input, _):
                kernel = .floatFullyConnected(LoweredFloatFullyConnected(batches: k.batches, inputDepth: k.inputDepth,
                                                                         outputDepth: k.outputDepth, clamp: LoweredFloatClamp(k.clamp),
                                                                         weights: k.weights, bias: k.bias))
                inputs = [try slot(input)]
            case let .floatUnary(u, input, _):
                kernel = .floatUnary(LoweredFloatUnary(u)); inputs = [try slot(input)]
            case let .floatBinary(kind, clamp, a, sa, b, sb, _, so):
                kernel = .floatBinary(LoweredFloatBinary(kind), clamp: LoweredFloatClamp(clamp), shapeA: sa, shapeB: sb, shapeOut: so)
                inputs = [try slot(a), try slot(b)]
            case let .softmaxFloat(beta, rows, depth, input, _):
                kernel = .softmaxFloat(beta: beta, rows: rows, depth: depth); inputs = [try slot(input)]
            case let .logSoftmaxFloat(rows, depth, input, _):
                kernel = .logSoftmaxFloat(rows: rows, depth: depth); inputs = [try slot(input)]
            case .refused(let error):
                kernel = .unsupported(reason: error.description)
            }
        }
        var fusion: LoweredInstruction.Fusion?
        if let f = action.fusion {
            let add = plan.schedule.fusedResiduals.first { $0.conv == op.index }?.add ?? -1
            fusion = LoweredInstruction.Fusion(add: f.add.arithmetic, convOutputIsFirst: f.convOutputIsFirst,
                                               skip: Self.lower(f.skip), scratch: Self.lower(f.scratch), addOp: add)
        }
        let out = model.tensors[op.output]
        var loads: [LoweredCopy] = []
        for load in action.loads {
            loads.append(LoweredCopy(from: Self.lower(load.from), to: Self.lower(load.to), rows: load.rows, cols: load.cols,
                                     pixelBytes: load.pixelBytes))
        }
        let store = action.store.map {
            LoweredCopy(from: Self.lower(action.output), to: Self.lower($0.to), rows: $0.rows, cols: $0.cols, pixelBytes: $0.pixelBytes)
        }
        return LoweredInstruction(
            op: op.index, opName: op.kind.name, patch: action.step.patch, rows: action.rows, cols: action.cols,
            kernel: kernel, inputs: inputs, output: Self.lower(action.output),
            outputElements: out.elementCount, outputChannels: out.shape.count == 4 ? out.shape[3] : 1,
            loads: loads, cacheReads: action.cacheReads.map(Self.lower), cacheWrites: action.cacheWrites.map(Self.lower),
            store: store, staging: action.staging.map(Self.lower), fusion: fusion, fusedAway: action.fusedAway)
    }
}
