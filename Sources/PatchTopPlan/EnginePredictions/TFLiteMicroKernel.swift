import PatchTopModel

/// What TFLite Micro's reference kernel for one op allocates in the arena,
/// in the order it does: when the interpreter parses the op's options, when
/// it calls the kernel's `Init`, and during its `Prepare`.
///
/// Example: a CONV_2D with 16 output channels parses a `TfLiteConvParams`
/// (28 bytes), gets an `OpDataConv` (80 bytes) in `Init`, and in `Prepare`
/// takes three temporary tensors (output, input, filter), two persistent
/// arrays of 16 `int32`s (per-channel multipliers and shifts), then four
/// more temporary tensors (input, filter, bias, output).
///
/// Read from TFLite Micro's kernels (`conv_common.cc`, `reduce_common.cc`,
/// …) and its `flatbuffer_conversions.cc`; PatchTop models the int8 and float32 kernels
/// of the ops its sample models use, and says so for any other op.
struct TFLiteMicroKernel {
    enum Step: Equatable {
        /// `AllocateTempTfLiteTensor` for a tensor: a `TfLiteTensor` and, if
        /// quantized, its quantization struct and zero-point array.
        case tempTensor(Int)
        /// `AllocatePersistentBuffer` from `Prepare` (aligned to 16).
        case persistent(bytes: Int, kind: TFLiteMicroArena.TailKind)
        /// `RequestScratchBufferInArena`: a buffer planned in the head for
        /// the op's step.
        case scratch(bytes: Int)
    }

    /// The parsed builtin options (`Parse*` allocates them even when the
    /// file has no options table), or `nil` for ops whose parser does not.
    var builtinData: (size: Int, alignment: Int)?
    /// The kernel's `OpData` from `Init`, or `nil` for kernels without `Init`.
    var opDataBytes: Int?
    var prepare: [Step] = []
    /// Temporary bytes `Prepare` may take beyond `prepare` in the measured
    /// TFLite Micro build, where PatchTop knows its kernel only to within
    /// that much (0 where the replay is known exact).
    var uncertainTempBytes = 0

    /// The kernel for `op`, or why PatchTop cannot say what it allocates.
    static func of(_ op: Operator, in model: Model) -> Result<TFLiteMicroKernel, TFLiteMicroUnavailable> {
        let name = "op \(op.index) (\(op.kind.name))"
        func unavailable(_ why: String) -> Result<TFLiteMicroKernel, TFLiteMicroUnavailable> {
            .failure(TFLiteMicroUnavailable(reason: "\(name) \(why)"))
        }
        // Activations must be int8 or float32 (the kernels PatchTop models;
        // int16 kernels allocate lookup tables), or int32 where shapes are
        // computed (SHAPE, STRIDED_SLICE, PACK, GATHER, a RESHAPE's target).
        let activations = op.inputs.filter { $0 >= 0 && !model.tensors[$0].isConstant } + op.outputs
        let shapeArithmetic: Set<Int32> = [77, 45, 83, 36]  // SHAPE, STRIDED_SLICE, PACK, GATHER
        for index in activations {
            let type = model.tensors[index].type
            var allowed: Set<ElementType> = [.int8, .float32]
            if shapeArithmetic.contains(op.kind.builtinCode) || (op.kind == .reshape && op.input(1) == index) {
                allowed.insert(.int32)
            }
            guard allowed.contains(type) else {
                let article = type.name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
                return unavailable("has \(article) \(type.name) tensor \(index): PatchTop models TFLite Micro's int8 and float32 kernels only")
            }
        }
        let isInt8 = op.input(0).map { model.tensors[$0].type == .int8 } ?? false
        func input(_ slot: Int) -> Step? { op.input(slot).map(Step.tempTensor) }
        func output(_ slot: Int) -> Step? { slot < op.outputs.count ? .tempTensor(op.outputs[slot]) : nil }
        func perChannel(_ channels: Int) -> [Step] {
            [.persistent(bytes: 4 * channels, kind: .perChannelQuantization),
             .persistent(bytes: 4 * channels, kind: .perChannelQuantization)]
        }
        /// int8 weights for int8 kernels, float32 for float32 ones (int4
        /// weights take a scratch buffer PatchTop does not model).
        func weightsMatch() -> Bool {
            guard let input = op.input(0), let weights = op.input(1) else { return false }
            return model.tensors[weights].type == (model.tensors[input].type == .int8 ? .int8 : .float32)
        }

        var kernel = TFLiteMicroKernel()
        switch op.kind {
        case .conv2D, .depthwiseConv2D:
            guard weightsMatch(), let filter = op.input(1), model.tensors[filter].shape.count == 4 else {
                return unavailable("has no 4-D filter of its input's type (int4 filters take a scratch buffer PatchTop does not model)")
            }
            kernel.builtinData = (28, 4)  // TfLiteConvParams / TfLiteDepthwiseConvParams
            kernel.opDataBytes = 80  // OpDataConv (with the compression build's two scratch indices)
            let channels = model.tensors[filter].shape[op.kind == .conv2D ? 0 : 3]
            kernel.prepare = [output(0), input(0), input(1)].compactMap { $0 } + perChannel(channels)
                + [input(0), input(1), input(2), output(0)].compactMap { $0 }
        case .fullyConnected:
            guard weightsMatch(), let filter = op.input(1) else {
                return unavailable("has no weights of its input's type (int4 weights take a scratch buffer PatchTop does not model)")
            }
            // TfLiteFullyConnectedParams: 16 bytes aligned to 4 in the headers
            // of August 2026, 32 aligned to 8 in the measured wheel (fitted on
            // one-, two- and three-FC models, confirmed on every sample).
            kernel.builtinData = (32, 8)
            kernel.opDataBytes = 72  // OpDataFullyConnected
            let scales = model.tensors[filter].quantization?.scales.count ?? 0
            kernel.prepare = [input(0), input(1), input(2), output(0)].compactMap { $0 }
                + (scales > 1 ? perChannel(scales) : [])
            // The measured wheel's per-channel FULLY_CONNECTED takes 16–48
            // more temporary bytes in Prepare than the source PatchTop read
            // (fitted on one-layer models with 2–8 outputs, where Prepare is
            // what limits the arena); allow a generous bound.
            if scales > 1 { kernel.uncertainTempBytes = 256 + 16 * scales }
        case .averagePool2D, .maxPool2D:
            kernel.builtinData = (40, 4)  // TfLitePoolParams
            kernel.opDataBytes = 32  // OpDataPooling
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .add, .sub:
            kernel.builtinData = (8, 4)  // TfLiteAddParams / TfLiteSubParams
            kernel.opDataBytes = op.kind == .add ? 60 : 52  // OpDataAdd / OpDataSub
            kernel.prepare = [input(0), input(1), output(0)].compactMap { $0 }
        case .mul:
            kernel.builtinData = (4, 4)  // TfLiteMulParams
            kernel.opDataBytes = 36  // OpDataMul
            kernel.prepare = [input(0), input(1), output(0)].compactMap { $0 }
        case .mean:
            guard let source = op.input(0), let axis = op.input(1) else {
                return unavailable("lacks its input or axis tensor")
            }
            guard model.tensors[axis].elementCount <= 1 << 20 else {
                return unavailable("has an axis tensor of \(model.tensors[axis].elementCount) elements")
            }
            kernel.builtinData = (1, 1)  // TfLiteReducerParams
            kernel.opDataBytes = 44  // OpDataReduce
            // The int32 accumulator per output element (int8 only), the input
            // index iterator and the resolved axes, all planned in the head.
            kernel.prepare = [input(0), output(0), input(1)].compactMap { $0 }
                + (isInt8 ? [.scratch(bytes: 4 * model.tensors[op.output].elementCount)] : [])
                + [.scratch(bytes: 4 * model.tensors[source].shape.count), .scratch(bytes: 4 * model.tensors[axis].elementCount)]
                + [input(0), input(1), isInt8 ? output(0) : nil].compactMap { $0 }
        case .reshape:
            kernel.builtinData = (36, 4)  // TfLiteReshapeParams
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .squeeze:
            kernel.builtinData = (36, 4)  // TfLiteSqueezeParams
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .softmax:
            kernel.builtinData = (4, 4)  // TfLiteSoftmaxParams
            kernel.opDataBytes = 80  // SoftmaxParams (int16 lookup tables are not allocated for int8)
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .pad:
            kernel.opDataBytes = 56  // PadParams + output zero point
            kernel.prepare = [input(0), input(1), op.inputs.count == 3 ? input(2) : nil, output(0)].compactMap { $0 }
        case .concatenation:
            guard op.inputs.count <= 10 else { return unavailable("has more than TFLite Micro's 10 inputs") }
            kernel.builtinData = (8, 4)  // TfLiteConcatenationParams
            kernel.opDataBytes = 80  // ConcatenationParams + 10 scratch indices
            kernel.prepare = [input(0), output(0)].compactMap { $0 } + op.inputs.indices.compactMap { input($0) }
        case .hardSwish:
            kernel.opDataBytes = 20  // HardSwishParams
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .quantize:
            kernel.opDataBytes = 32  // OpDataQuantizeReference
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .dequantize:
            kernel.opDataBytes = 32  // DequantizeOpData
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .logistic:
            kernel.opDataBytes = 16  // OpDataLogistic
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .relu:
            kernel.opDataBytes = 28  // ReluOpData
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .relu6:
            kernel.opDataBytes = 8  // Relu6OpData
            kernel.prepare = [input(0)].compactMap { $0 }
        case .leakyRelu:
            kernel.builtinData = (4, 4)  // TfLiteLeakyReluParams
            kernel.opDataBytes = 24  // LeakyReluOpData
            kernel.prepare = [input(0), output(0)].compactMap { $0 }
        case .tanh:
            kernel.opDataBytes = 16  // OpData
            kernel.prepare = [input(0), input(0), output(0)].compactMap { $0 }
        case .maximum, .minimum:
            break  // no options, no Init, no Prepare
        case .resizeNearestNeighbor:
            kernel.builtinData = (2, 1)  // TfLiteResizeNearestNeighborParams
            kernel.prepare = [input(0), input(1), output(0)].compactMap { $0 }
        default:
            // Ops known by their builtin code, whether or not `OperatorKind`
            // has a case for them.
            switch op.kind.builtinCode {
            case 39:  // TRANSPOSE: no options struct, no Init
                kernel.prepare = [input(0), input(1), output(0)].compactMap { $0 }
            case 50:  // LOG_SOFTMAX: its op data comes from Prepare, for int8 only
                kernel.prepare = [input(0), output(0)].compactMap { $0 }
                    + (isInt8 ? [.persistent(bytes: 40, kind: .opData)] : [])  // LogSoftmaxOpData
            case 77:  // SHAPE
                kernel.builtinData = (4, 4)  // TfLiteShapeParams
            case 45:  // STRIDED_SLICE
                kernel.builtinData = (24, 4)  // TfLiteStridedSliceParams
                kernel.opDataBytes = 84  // StridedSliceParams
                kernel.prepare = [input(0), input(1), input(2), input(3), output(0)].compactMap { $0 }
            case 83:  // PACK: no Init, no Prepare
                kernel.builtinData = (8, 4)  // TfLitePackParams
            case 36:  // GATHER
                kernel.builtinData = (8, 4)  // TfLiteGatherParams
                kernel.prepare = [input(0), input(1), output(0)].compactMap { $0 }
            default:
                return unavailable("is an op whose TFLite Micro kernel allocations PatchTop does not model (TFLite Micro may lack it too)")
            }
        }
        return .success(kernel)
    }
}
