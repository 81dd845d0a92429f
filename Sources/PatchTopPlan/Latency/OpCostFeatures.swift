import PatchTopModel

/// What one op of a plan does, in the quantities its exported kernel's
/// instruction count follows: summed over every step that runs it (one
/// step layer by layer, one per patch in the patch stage).
///
/// Kernel features scale with the class's own coefficients
/// (`KernelClass`); data-movement features (halo-cache copies, stores of a
/// patch into the whole stage output, streamed-input loads, in-place
/// staging, a fused residual's adds) share one set of coefficients for
/// every op, because the same copy loops do them.
///
/// Everything here is read off the plan: its ops, computed regions, halo
/// copies and memory schedule (`inplaceOps`, `fusedResiduals`). There is no
/// second planner.
public struct OpCostFeatures: Equatable, Sendable {
    /// The op index in the plan's (rewritten) model.
    public var op: Int
    public var kernel: KernelClass
    /// Kernel features, by `KernelFeature`.
    public var kernelValues: [Double]
    /// Data-movement features, by `MovementFeature`.
    public var movementValues: [Double]

    public func value(_ feature: KernelFeature) -> Double { kernelValues[feature.index] }
    public func value(_ feature: MovementFeature) -> Double { movementValues[feature.index] }

    /// Whether the op runs at all (a folded PAD or a fused-away ADD does not).
    public var runs: Bool { value(.steps) > 0 || value(.copies) > 0 }
}

/// The features each kernel class has a coefficient for.
public enum KernelFeature: String, CaseIterable, Codable, Sendable {
    /// Kernel calls: 1 layer by layer, one per patch in the stage.
    case steps
    /// Multiply-accumulates computed.
    case macs
    /// Output positions (rows × columns) computed.
    case outputPixels
    /// Output rows computed (summed over steps): per-row loop overhead.
    case outputRows
    /// Output elements (positions × channels) computed.
    case outputElements
    /// Filter taps inside the input (padding skipped), summed over output
    /// positions, times output channels: per-tap work of convs, depthwise
    /// convs and pools.
    case taps
    /// Multiply-accumulates over taps inside the input (what the kernel's
    /// inner loops execute; `macs` also counts taps on padding).
    case validMACs
    /// Filter rows inside the input, summed over output elements: the
    /// inner-loop calls of a conv that walks its filter row by row.
    case filterRows
    /// Bytes of activations read (the input regions the computed outputs need).
    case inputBytes
    /// Channels × steps: per-channel setup (per-channel requantization
    /// parameters, depthwise channel loops).
    case channelSteps
    /// The windowed kernels' loop counts (`KernelLoops`, which says what
    /// each counts for a conv and for a depthwise conv): fast-path blocks,
    /// their 4-byte words and leftover bytes; one-pixel-path runs, words
    /// and leftover bytes; taps, bytes and outputs of windows crossing the
    /// image's edge; pixels on the fast path.
    case blockRuns
    case blockWords
    case blockBytes
    case dotRuns
    case dotWords
    case dotBytes
    case edgeTaps
    case edgeBytes
    case edgeElements
    case insidePixels
    /// A two-input elementwise op whose inputs differ in shape from its
    /// output: positions and elements it computes through the broadcasting
    /// path (index arithmetic per position) instead of runs of bytes.
    case broadcastPixels
    case broadcastElements
    /// Conv: filter rows of windows crossing the image's edge × channels.
    case edgeRows
    /// Conv: iterations of the block's word loop (`KernelLoops.wordLoops`).
    case wordLoops
    /// The other kernels' loop counts (`OpLoops`, which says what each
    /// counts): contiguous runs of an element-wise step past its first; byte movers' outer
    /// loop bodies, element-by-element loop bodies, `memcpy` calls and
    /// bytes, `memset` calls and bytes; MEAN's reduced rows and elements;
    /// exponentials, logarithms and `tanhf` calls; float convs' filter-row
    /// and filter-column iterations, conv and depthwise taps, float
    /// multiply-adds; float pools' window taps; taps of a float depthwise
    /// conv in place (on its staged plane).
    case runs
    case loopRows
    case elementLoops
    case memCalls
    case memBytes
    case fillCalls
    case fillBytes
    case reducedRows
    case reducedElements
    case expCalls
    case logCalls
    case tanhCalls
    case rowLoops
    case columnLoops
    case convTaps
    case depthwiseTaps
    case floatMACs
    case windowTaps
    case inPlaceTaps
    /// The paired 1×1 and im2col convs' blocks run by the C loop: their
    /// words, and the outputs requantized in C (`KernelLoops.plainWords`,
    /// `plainOutputs`).
    case plainWords
    case plainOutputs

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// The data-movement features, with coefficients shared by every op.
public enum MovementFeature: String, CaseIterable, Codable, Sendable {
    /// Copies made: halo-cache reads and writes, stores of a patch's output
    /// into the whole stage output, streamed-input loads.
    case copies
    /// Rows those copies move (each row one contiguous run).
    case copyRows
    /// Bytes those copies move.
    case copyBytes
    /// In-place depthwise: channels staged (one staging copy each).
    case stagedChannels
    /// In-place depthwise: bytes staged.
    case stagedBytes
    /// A conv with its residual ADD fused in: elements added.
    case fusedElements
    /// A streamed input quantized as it is loaded (`--stream-input
    /// --int8-io` on a float32 input: `pt_load_quantized`, the QUANTIZE
    /// step itself does not run): rows loaded, chunks of at most
    /// `streamChunkFloats` floats asked for (one `memcpy` or read callback
    /// each), elements quantized.
    case quantizedRows
    case quantizedChunks
    case quantizedElements
    /// Outputs requantized by `pt_requantize` (TFLite's 64-bit double
    /// rounding) rather than the exporter's fast constants: every int8
    /// FULLY_CONNECTED output, and a conv's or depthwise conv's without the
    /// fast constants (`KernelClass.hasFastRequantization`). One C function
    /// for all of them, so one coefficient, pinned by the fully-connected
    /// layers every model has.
    case requantizedOutputs

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// What every step of an op shares (read off the rewritten model once).
struct OpCostFacts {
    var channels: Int
    var window: (height: WindowGeometry, width: WindowGeometry)?
    var inputChannels: Int
    var macsPerPosition: Int
    var activationInputs: [(slot: Int, tensor: Int, pixelBytes: Int, sameShape: Bool)]
    /// Which windowed kernel's loops to count when not in place (int8 only).
    var loops: Loops
    /// The op's class when not in place.
    var kernel: KernelClass
    /// An int8 conv or depthwise conv with the exporter's fast
    /// requantization constants (`KernelClass.hasFastRequantization`).
    var fastRequantization: Bool
    /// Its outputs go through `pt_requantize` (`requantizedOutputs`).
    var plainRequantization: Bool
    /// In place: the input's channels, bytes per element, whole area.
    var staged: (channels: Int, byteSize: Int, area: Int)?
    /// A binary op that broadcasts an input.
    var broadcasts: Bool
    /// The output's activation range is all of int8 (no clamp after the
    /// requantization: the paired 1×1 path's assembly loop).
    var fullRange: Bool

    enum Loops { case none, conv, pairedConv, depthwise }

    /// The other kernels' loops (`OpLoops`), by what the step runs.
    enum Other {
        case none
        /// Element by element in runs (`pt_runs`): lookups, QUANTIZE,
        /// DEQUANTIZE, same-shape binary ops, float activations
        /// (`exp`/`tanh`: LOGISTIC's `pt_expf`, TANH's `tanhf` per element).
        case elementwise(exp: Bool, tanh: Bool)
        case mean(shape: [Int], axes: [Int])
        case softmax(rows: Int, depth: Int, log: Bool, float: Bool)
        case pad(shape: [Int], before: [Int], after: [Int], elementBytes: Int)
        case concatenation(shapes: [[Int]], axis: Int, elementBytes: Int)
        case transpose(outputShape: [Int], elementBytes: Int)
        case stridedSlice(outputShape: [Int], elementBytes: Int)
        case resize(outputShape: [Int], elementBytes: Int)
        case copy(bytes: Int)
        /// An op whose output is known before the model runs (SHAPE,
        /// STRIDED_SLICE, PACK of static shapes): computed at export, it
        /// costs nothing at run time.
        case constant
        case floatConv(depthwise: Bool)
        case floatFullyConnected
        case floatPool
    }
    var other: Other
    /// The class of the op in place (`depthwiseInPlace`, or the float
    /// kernel's own class: `pt_depthwise_inplace_f32` is a float conv).
    var inPlaceKernel: KernelClass
    /// The paired KxK path's filter-row bytes (`kw·ic` rounded up to a
    /// word) when more than `kw·ic`: a window reading its last input row at
    /// the end of the input buffer goes tap by tap (`ConvBufferEnd`).
    var paddedRowBytes: Int?

    init(_ op: Operator, in model: Model) {
        func pixelBytes(_ tensor: Int) -> Int {
            let t = model.tensors[tensor]
            return (t.shape.count == 4 ? t.shape[3] : 1) * (t.type.byteSize ?? 1)
        }
        let shape = model.tensors[op.output].shape
        window = model.windowGeometry(of: op)
        activationInputs = op.inputs.indices.compactMap { slot -> (Int, Int, Int, Bool)? in
            guard let input = op.input(slot), model.isActivation(input) else { return nil }
            return (slot, input, pixelBytes(input), model.tensors[input].shape == shape)
        }
        kernel = KernelClass(op: op, in: model)
        fastRequantization = (op.kind == .depthwiseConv2D || op.kind == .conv2D) && model.tensors[op.output].type == .int8
            ? KernelClass.hasFastRequantization(op, in: model) : true
        plainRequantization = model.tensors[op.output].type == .int8
            && (op.kind == .fullyConnected || ((op.kind == .depthwiseConv2D || op.kind == .conv2D) && !fastRequantization))
        loops = window == nil ? .none
            : kernel == .conv || kernel == .convIm2col ? .conv : kernel == .conv1x1 ? .pairedConv : kernel == .depthwise || kernel == .depthwiseGeneric ? .depthwise : .none
        channels = shape.count == 4 ? shape[3] : (shape.last ?? 1)
        inputChannels = op.input(0).map { model.tensors[$0].shape.last ?? 1 } ?? 1
        macsPerPosition = PatchPlan.macsPerPosition(of: op, in: model)
        fullRange = Self.fullRange(op, in: model)
        broadcasts = kernel == .binary && op.inputs.indices.contains { slot in op.input(slot).map { model.tensors[$0].shape != shape } ?? false }
        if let input = op.input(0) {
            let inputShape = model.tensors[input].shape
            staged = (inputShape.count == 4 ? inputShape[3] : 1, model.tensors[input].type.byteSize ?? 1,
                      inputShape.count == 4 ? inputShape[1] * inputShape[2] : model.tensors[input].elementCount)
        }
        other = Self.other(op, kernel: kernel, in: model)
        inPlaceKernel = model.tensors[op.output].type == .float32 ? .floatWeighted : .depthwiseInPlace
        if kernel == .conv, let window, window.width.dilation == 1 || window.width.filterSize == 1,
           KernelClass.hasFastRequantization(op, in: model),
           !KernelLoops.isIm2col(height: window.height, width: window.width, inputChannels: inputChannels) {
            let run = window.width.filterSize * inputChannels
            paddedRowBytes = run % 4 == 0 ? nil : (run + 3) / 4 * 4
        }
    }

    /// What the exported kernel of `op` loops over, besides the int8 convs.
    static func other(_ op: Operator, kernel: KernelClass, in model: Model) -> Other {
        let output = model.tensors[op.output]
        let e = output.type.byteSize ?? 1
        let inputShape = op.input(0).map { model.tensors[$0].shape } ?? []
        switch kernel {
        case .unary, .quantize, .dequantize: return .elementwise(exp: false, tanh: false)
        case .binary, .floatBinary: return .elementwise(exp: false, tanh: false)
        case .floatUnary: return .elementwise(exp: op.kind == .logistic, tanh: op.kind == .tanh)
        case .mean, .floatMean:
            guard let axes = op.input(1).flatMap({ model.staticValues(of: $0) }) else { return .none }
            return .mean(shape: inputShape, axes: axes)
        case .softmax, .floatSoftmax:
            let depth = max(output.shape.last ?? 1, 1)
            return .softmax(rows: output.elementCount / depth, depth: depth, log: op.kind == .logSoftmax, float: kernel == .floatSoftmax)
        case .copy:
            let input = op.input(0).map { model.tensors[$0].byteCount } ?? output.byteCount
            return .copy(bytes: min(input, output.byteCount))
        case .movement:
            if model.staticValues(of: op.output) != nil { return .constant }
            switch op.kind {
            case .pad:
                guard let pads = op.input(1).flatMap({ model.staticValues(of: $0) }), pads.count == 2 * inputShape.count else { return .none }
                return .pad(shape: inputShape, before: stride(from: 0, to: pads.count, by: 2).map { pads[$0] },
                            after: stride(from: 1, to: pads.count, by: 2).map { pads[$0] }, elementBytes: e)
            case .concatenation:
                guard case .concatenation(let axis, _) = op.options else { return .none }
                let shapes = op.inputs.indices.compactMap { op.input($0).map { model.tensors[$0].shape } }
                return .concatenation(shapes: shapes, axis: axis, elementBytes: e)
            case .transpose: return .transpose(outputShape: output.shape, elementBytes: e)
            case .stridedSlice, .gather, .pack, .shape, .other: return .stridedSlice(outputShape: output.shape, elementBytes: e)
            case .resizeNearestNeighbor: return .resize(outputShape: output.shape, elementBytes: e)
            default: return .none
            }
        case .floatWeighted:
            return op.kind == .fullyConnected ? .floatFullyConnected : .floatConv(depthwise: op.kind == .depthwiseConv2D)
        case .floatPool: return .floatPool
        default: return .none
        }
    }

    /// Whether `op`'s fused activation leaves its int8 output the whole
    /// range −128…127 (none; a RELU or RELU6 whose bounds fall outside it).
    static func fullRange(_ op: Operator, in model: Model) -> Bool {
        guard let q = model.tensors[op.output].quantization else { return false }
        let zero = Int64(q.zeroPoint)
        func bound(_ value: Float) -> Int64 {
            let steps = (value / q.scale).rounded(.toNearestOrAwayFromZero)
            guard steps.isFinite else { return steps > 0 ? Int64.max / 2 : Int64.min / 2 }
            return Int64(max(min(steps, 4e9), -4e9)) + zero
        }
        switch op.options.activation {
        case .none: return true
        case .relu: return bound(0) <= -128
        case .relu6: return bound(0) <= -128 && bound(6) >= 127
        case .reluN1To1: return bound(-1) <= -128 && bound(1) >= 127
        case .tanh, .signBit: return false
        }
    }

    /// The features of one step of `op` computing `region` of its output
    /// (all of it when `nil`), added into `k` and `m` at `kBase`, `mBase`.
    /// `inputBytes: false` leaves that feature 0 (its receptive field is
    /// the costliest part, and a class without its coefficient needs none).
    func addStep(_ op: Operator, region: Region?, inputExtent: Region? = nil, inPlace: Bool, fused: Bool, model: Model, inputBytes wantsInputBytes: Bool = true,
                 k: inout [Double], kBase: Int, m: inout [Double], mBase: Int) {
        if case .constant = other { return }
        let output = model.tensors[op.output]
        let shape = output.shape
        let pixels: Int, rows: Int
        if let region {
            pixels = region.area
            rows = region.height
        } else if shape.count == 4 {
            pixels = shape[1] * shape[2]
            rows = shape[1]
        } else {
            pixels = output.elementCount / max(channels, 1)
            rows = 1
        }
        let elements = shape.count == 4 ? pixels * channels : output.elementCount
        let macs = region == nil ? model.macs(of: op) : macsPerPosition * pixels
        var inputBytes = 0
        for input in activationInputs where wantsInputBytes {
            if let region, let read = ReceptiveField.inputRegion(of: op, slot: input.slot, for: region, in: model) {
                inputBytes += read.area * input.pixelBytes
            } else if region != nil, input.sameShape {
                inputBytes += pixels * input.pixelBytes
            } else {
                inputBytes += model.tensors[input.tensor].byteCount
            }
        }
        // Taps inside the input, separably: Σ over rows of the filter rows
        // inside × Σ over columns of the filter columns inside.
        var validTaps = 0, validRows = 0
        var loops = KernelLoops()
        let counted = (inPlace && inPlaceKernel == .depthwiseInPlace) || (!inPlace && self.loops != .none)
        if let window {
            let rowsRange = region?.rows ?? 0..<window.height.outputSize
            let colsRange = region?.cols ?? 0..<window.width.outputSize
            let rowSide = KernelLoops.Side(window.height, rowsRange), colSide = KernelLoops.Side(window.width, colsRange)
            validTaps = rowSide.taps * colSide.taps
            validRows = rowSide.taps * colsRange.count
            if inPlace && inPlaceKernel == .depthwiseInPlace {
                loops = .inPlace(height: window.height, width: window.width, channels: channels,
                                 whole: region == nil || (rowsRange.count == window.height.outputSize && colsRange.count == window.width.outputSize),
                                 fullRange: fullRange, fast: fastRequantization, rows: rowSide, cols: colSide)
            } else {
                switch self.loops {
                case .none: break
                case .conv:
                    if KernelLoops.isIm2col(height: window.height, width: window.width, inputChannels: inputChannels) {
                        loops = .im2col(height: window.height, width: window.width, inputChannels: inputChannels,
                                        outputChannels: channels, rows: rowSide, cols: colsRange, fullRange: fullRange)
                    } else {
                        loops = .conv(height: window.height, width: window.width, inputChannels: inputChannels,
                                      outputChannels: channels, rows: rowSide, cols: colSide)
                        if let rowBytes = paddedRowBytes {
                            loops.readPastBufferEnd(height: window.height, width: window.width, inputChannels: inputChannels,
                                                    outputChannels: channels, rowBytes: rowBytes, rows: rowsRange, cols: colsRange,
                                                    buffer: inputExtent ?? Region(rows: 0..<window.height.inputSize, cols: 0..<window.width.inputSize))
                        }
                    }
                case .pairedConv:
                    // The whole rectangle is one run of pixels when rows follow one another.
                    let full = colsRange.count == window.width.outputSize
                    loops = .pairedConv(inputChannels: inputChannels, outputChannels: channels, rows: rowsRange.count,
                                        cols: colsRange.count,
                                        oneRun: full && window.height.stride == 1 && window.width.stride == 1 && !fused,
                                        fullRange: fullRange,
                                        wide: KernelLoops.hasWideWeights(height: window.height, width: window.width))
                case .depthwise:
                    loops = .depthwise(height: window.height, width: window.width, inputChannels: inputChannels,
                                       outputChannels: channels, rows: rowSide, cols: colSide, fullRange: fullRange,
                                       fast: fastRequantization)
                }
            }
        }
        let validMACs: Int
        switch op.kind {
        case .conv2D: validMACs = validTaps * channels * inputChannels
        case .depthwiseConv2D: validMACs = validTaps * channels
        default: validMACs = macs
        }
        k[kBase + KernelFeature.validMACs.index] += Double(validMACs)
        k[kBase + KernelFeature.filterRows.index] += Double(validRows * channels)
        k[kBase + KernelFeature.steps.index] += 1
        k[kBase + KernelFeature.macs.index] += Double(macs)
        k[kBase + KernelFeature.outputPixels.index] += Double(pixels)
        k[kBase + KernelFeature.outputRows.index] += Double(rows)
        k[kBase + KernelFeature.outputElements.index] += Double(elements)
        k[kBase + KernelFeature.taps.index] += Double(validTaps * channels)
        k[kBase + KernelFeature.inputBytes.index] += Double(inputBytes)
        k[kBase + KernelFeature.channelSteps.index] += Double(channels)
        if counted {
            k[kBase + KernelFeature.blockRuns.index] += Double(loops.blockRuns)
            k[kBase + KernelFeature.blockWords.index] += Double(loops.blockWords)
            k[kBase + KernelFeature.blockBytes.index] += Double(loops.blockBytes)
            k[kBase + KernelFeature.dotRuns.index] += Double(loops.dotRuns)
            k[kBase + KernelFeature.dotWords.index] += Double(loops.dotWords)
            k[kBase + KernelFeature.dotBytes.index] += Double(loops.dotBytes)
            k[kBase + KernelFeature.edgeTaps.index] += Double(loops.edgeTaps)
            k[kBase + KernelFeature.edgeBytes.index] += Double(loops.edgeBytes)
            k[kBase + KernelFeature.edgeElements.index] += Double(loops.edgeElements)
            k[kBase + KernelFeature.insidePixels.index] += Double(loops.insidePixels)
            k[kBase + KernelFeature.edgeRows.index] += Double(loops.edgeRows)
            k[kBase + KernelFeature.wordLoops.index] += Double(loops.wordLoops)
            k[kBase + KernelFeature.plainWords.index] += Double(loops.plainWords)
            k[kBase + KernelFeature.plainOutputs.index] += Double(loops.plainOutputs)
        }
        if broadcasts {
            k[kBase + KernelFeature.broadcastPixels.index] += Double(pixels)
            k[kBase + KernelFeature.broadcastElements.index] += Double(elements)
        }
        let other = otherLoops(op, region: region, inPlace: inPlace, model: model, elements: elements, macs: macs)
        if other != OpLoops() {
            func add(_ f: KernelFeature, _ v: Int) { k[kBase + f.index] += Double(v) }
            add(.runs, other.runs); add(.loopRows, other.loopRows); add(.elementLoops, other.elementLoops)
            add(.memCalls, other.memCalls); add(.memBytes, other.memBytes); add(.fillCalls, other.fillCalls); add(.fillBytes, other.fillBytes)
            add(.reducedRows, other.reducedRows); add(.reducedElements, other.reducedElements)
            add(.expCalls, other.expCalls); add(.logCalls, other.logCalls); add(.tanhCalls, other.tanhCalls)
            add(.rowLoops, other.rowLoops); add(.columnLoops, other.columnLoops); add(.convTaps, other.convTaps)
            add(.depthwiseTaps, other.depthwiseTaps); add(.floatMACs, other.floatMACs); add(.windowTaps, other.windowTaps)
            add(.inPlaceTaps, other.inPlaceTaps)
        }
        // In place, the staging is in the kernel's own loop counts: int8's
        // planes and regions filled (`KernelLoops.inPlace`: `blockBytes`;
        // `pt_dw_tile4` and the whole-map four-channel paths stage
        // nothing), float32's in `OpLoops.floatInPlace`.
        // (`stagedChannels` and `stagedBytes` stay in the table format, 0.)
        if fused {
            m[mBase + MovementFeature.fusedElements.index] += Double(elements)
        }
        if plainRequantization {
            m[mBase + MovementFeature.requantizedOutputs.index] += Double(elements)
        }
    }

    /// The loops of the kernels other than the int8 convs for one step
    /// (`OpLoops`): a step over `region` (in a patch) or the whole tensor.
    func otherLoops(_ op: Operator, region: Region?, inPlace: Bool, model: Model, elements: Int, macs: Int) -> OpLoops {
        let shape = model.tensors[op.output].shape
        func sides() -> (KernelLoops.Side, KernelLoops.Side)? {
            guard let window else { return nil }
            return (KernelLoops.Side(window.height, region?.rows ?? 0..<window.height.outputSize),
                    KernelLoops.Side(window.width, region?.cols ?? 0..<window.width.outputSize))
        }
        if inPlace && inPlaceKernel == .floatWeighted, let window, let (rows, cols) = sides(), let staged {
            let read = region.flatMap { ReceptiveField.inputRegion(of: op, slot: 0, for: $0, in: model) }
            let plane = read?.area ?? staged.area
            return OpLoops.floatInPlace(height: window.height, width: window.width, channels: channels, plane: plane,
                                        stagingBytes: plane * 4, rows: rows, cols: cols)
        }
        switch other {
        case .none, .constant: return OpLoops()
        case .elementwise(let exp, let tanh):
            var loops = OpLoops()
            loops.runs = region.map { $0.height - 1 } ?? 0
            if exp { loops.expCalls = elements }
            if tanh { loops.tanhCalls = elements }
            return loops
        case .mean(let shape, let axes): return .mean(shape: shape, axes: axes)
        case .softmax(let rows, let depth, let log, let float): return .softmax(rows: rows, depth: depth, log: log, float: float)
        case .pad(let inputShape, let before, let after, let e):
            guard let region, shape.count == 4 else { return .padWhole(inputShape: inputShape, before: before, after: after, elementBytes: e) }
            return .padRegion(inputShape: inputShape, before: before, after: after, elementBytes: e, rows: region.rows, cols: region.cols)
        case .concatenation(let shapes, let axis, let e):
            return .concatenation(shapes: shapes, axis: axis, elementBytes: e, pixels: region?.area)
        case .transpose(let outputShape, let e): return .transpose(outputShape: outputShape, elementBytes: e)
        case .stridedSlice(let outputShape, let e): return .stridedSlice(outputShape: outputShape, elementBytes: e)
        case .resize(let outputShape, let e): return .resizeNearest(outputShape: outputShape, elementBytes: e)
        case .copy(let bytes): return .copy(bytes: bytes)
        case .floatConv(let depthwise):
            guard let window, let (rows, cols) = sides() else { return OpLoops() }
            return .floatConv(height: window.height, width: window.width, inputChannels: inputChannels, outputChannels: channels,
                              depthwise: depthwise, rows: rows, cols: cols)
        case .floatFullyConnected:
            var loops = OpLoops()
            loops.floatMACs = macs
            return loops
        case .floatPool:
            guard let (rows, cols) = sides() else { return OpLoops() }
            return .floatPool(channels: channels, rows: rows, cols: cols)
        }
    }
}

extension PatchPlan {
    /// The cost features of every op, by op index (ops that do not run
    /// have `steps` 0 and all-zero features).
    public func costFeatures() -> [OpCostFeatures] {
        let model = self.model
        let opCount = model.operators.count
        let kCount = KernelFeature.allCases.count, mCount = MovementFeature.allCases.count
        // Flat accumulators (op × feature).
        var k = [Double](repeating: 0, count: opCount * kCount)
        var m = [Double](repeating: 0, count: opCount * mCount)
        let inplace = Set(schedule.inplaceOps.map(\.op))
        let fusedConvs = Set(schedule.fusedResiduals.map(\.conv))
        var facts: [OpCostFacts?] = Array(repeating: nil, count: opCount)
        walkCostSteps(inplace: inplace, fusedConvs: fusedConvs) { op, region, extent in
            let f = facts[op.index] ?? OpCostFacts(op, in: model)
            facts[op.index] = f
            f.addStep(op, region: region, inputExtent: f.paddedRowBytes == nil ? nil : extent(), inPlace: inplace.contains(op.index), fused: fusedConvs.contains(op.index), model: model,
                      k: &k, kBase: op.index * kCount, m: &m, mBase: op.index * mCount)
        } copy: { op, rows, cols, pixelBytes, quantized in
            let mBase = op * mCount
            m[mBase + MovementFeature.copies.index] += 1
            if quantized {
                let q = CostSteps.quantizedLoad(rows: rows, cols: cols, channels: pixelBytes)
                m[mBase + MovementFeature.quantizedRows.index] += Double(q.rows)
                m[mBase + MovementFeature.quantizedChunks.index] += Double(q.chunks)
                m[mBase + MovementFeature.quantizedElements.index] += Double(q.elements)
            } else {
                m[mBase + MovementFeature.copyRows.index] += Double(rows)
                m[mBase + MovementFeature.copyBytes.index] += Double(rows * cols * pixelBytes)
            }
        }
        return model.operators.map { op in
            OpCostFeatures(op: op.index, kernel: inplace.contains(op.index) ? (facts[op.index]?.inPlaceKernel ?? .depthwiseInPlace)
                                                : (facts[op.index]?.kernel ?? KernelClass(op: op, in: model)),
                           kernelValues: Array(k[(op.index * kCount)..<((op.index + 1) * kCount)]),
                           movementValues: Array(m[(op.index * mCount)..<((op.index + 1) * mCount)]))
        }
    }

    /// Every step of the plan as the compiled program runs it (each fused
    /// stage tile by tile, then the other ops whole): `step(op, region,
    /// extent)` for a kernel call (`region` `nil`: the whole output;
    /// `extent()`: the first input's region in the tile's buffer, `nil` when
    /// the kernel reads the whole tensor), `copy(op, rows, cols,
    /// pixelBytes)` for a copy made around op's step (halo-cache reads and
    /// writes, a patch's store into the stage output, a streamed input's
    /// load; `quantized`: a load that quantizes as it goes).
    func walkCostSteps(inplace: Set<Int>, fusedConvs: Set<Int>, step: (Operator, Region?, () -> Region?) -> Void,
                       copy: (Int, Int, Int, Int, Bool) -> Void) {
        let model = self.model
        for stage in fusedStages {
            CostSteps.fused(stage, model: model, schedule: schedule, step: step, copy: copy)
        }
        let fusedAdds = Set(schedule.fusedResiduals.map(\.add))
        let conversions = CostSteps.runningConversions(model: model, options: schedule.options)
        for op in model.operators where CostSteps.runsWhole(op.index, model: model, inFusedStage: fusedStage(of: op.index) != nil,
                                                           fusedAdds: fusedAdds, conversions: conversions) {
            step(op, nil) { nil }
        }
    }

    /// Σ over `outputs` of the filter taps that fall inside the input.
    static func insideTaps(_ g: WindowGeometry, _ outputs: Range<Int>) -> Int {
        var total = 0
        for o in outputs {
            let start = g.inputStart(forOutput: o)
            if start >= 0 && start + g.effectiveFilterSize <= g.inputSize {
                total += g.filterSize
                continue
            }
            for t in 0..<g.filterSize where (0..<g.inputSize).contains(start + t * g.dilation) { total += 1 }
        }
        return total
    }
}

/// The steps of a plan, stage by stage: what the cost features and the
/// cost model walk for a whole plan, and what the multi-stage search walks
/// for one candidate stage (so both price the same steps by one rule).
enum CostSteps {
    /// Every step of fused `stage` tile by tile, with the copies around
    /// them (streamed-input loads, halo-cache reads and writes, stores of a
    /// patch into the stage's whole outputs). `schedule` is the plan's, or
    /// any schedule that agrees with it over the stage's ops (the search's
    /// window).
    /// `steps: false`: only the copies (the search prices the steps apart).
    static func fused(_ stage: FusedStage, model: Model, schedule: MemorySchedule, steps: Bool = true, step: (Operator, Region?, () -> Region?) -> Void,
                      copy: (Int, Int, Int, Int, Bool) -> Void) {
        func pixelBytes(_ tensor: Int) -> Int {
            let t = model.tensors[tensor]
            return (t.shape.count == 4 ? t.shape[3] : 1) * (t.type.byteSize ?? 1)
        }
        func addCopy(_ op: Int, rows: Int, cols: Int, pixelBytes: Int, quantized: Bool = false) {
            guard rows > 0, cols > 0 else { return }
            copy(op, rows, cols, pixelBytes, quantized)
        }
        // Only ops whose output has a cache copy anything around their step.
        let cachedTensors = Set(stage.cacheBytes.keys.map(\.tensor))
        let ops = stage.ops.filter { !model.rewrite.isDetached($0) }
        // What `cacheCopies` reads per call, looked up once per op.
        let copiers: [(bands: TensorBands, tensor: Int, column: Bool, row: Bool)?] = ops.map { index in
            guard let tensor = model.operators[index].outputs.first, cachedTensors.contains(tensor), let bands = stage.bands[tensor] else { return nil }
            let column = stage.cacheBytes[HaloCache(tensor: tensor, direction: .column)] != nil
            let row = stage.cacheBytes[HaloCache(tensor: tensor, direction: .row)] != nil
            return column || row ? (bands, tensor, column, row) : nil
        }
        let noCopies: (reads: [CacheCopy], writes: [CacheCopy]) = ([], [])
        let outputs = ops.map { model.operators[$0].output }
        // Whether a tensor sits in its stage's per-tile buffer in a tile
        // (the runtime compiler's rule, read off the same schedule): a
        // tile buffer the schedule holds, asked once per stage, and a
        // region that is not just the tile for an output of the stage
        // (written in place), asked per tile.
        func buffered(_ tensor: Int) -> Bool { hasTileBuffer(tensor, stage: stage, schedule: schedule) }
        let stores = outputs.map { stage.outputs.contains($0) && buffered($0) }
        let streamed = model.inputs.filter(buffered)
        let quantizedOnLoad = Set(streamed.filter { quantizesOnLoad($0, model: model, options: schedule.options) })
        func inBuffer(_ tensor: Int, patch: Int) -> Region? { regionInTileBuffer(tensor, stage: stage, tile: patch) }
        for patch in stage.tileRegions.indices {
            var loadsPending = !streamed.isEmpty
            let (i, j) = stage.position(ofTile: patch)
            for (position, index) in ops.enumerated() {
                // Copies only: an op that copies nothing around it matters
                // only as the tile's first op to run (the loads go before it).
                if !steps && copiers[position] == nil && !stores[position] && !loadsPending { continue }
                let k = index - stage.firstOp
                let region = Region(rows: stage.rowComputed[i][k], cols: stage.colComputed[j][k])
                let copies = copiers[position].map { c in c.bands.copies(tensor: c.tensor, i: i, j: j, column: c.column, row: c.row) } ?? noCopies
                guard !region.isEmpty || !copies.reads.isEmpty || !copies.writes.isEmpty else { continue }
                if loadsPending {
                    // A streamed input's region is copied in before the tile's first op.
                    loadsPending = false
                    for input in streamed {
                        if let r = inBuffer(input, patch: patch) {
                            addCopy(index, rows: r.height, cols: r.width, pixelBytes: pixelBytes(input), quantized: quantizedOnLoad.contains(input))
                        }
                    }
                }
                // A step whose region the caches hold whole only copies.
                if steps && !region.isEmpty {
                    let op = model.operators[index]
                    step(op, region) { inputExtent(op, stage: stage, schedule: schedule, tile: patch) }
                }
                for copy in copies.reads {
                    addCopy(index, rows: copy.rows.count, cols: copy.cols.count, pixelBytes: pixelBytes(outputs[position]))
                }
                for copy in copies.writes {
                    addCopy(index, rows: copy.rows.count, cols: copy.cols.count, pixelBytes: pixelBytes(outputs[position]))
                }
                if stores[position], inBuffer(outputs[position], patch: patch) != nil {
                    let cell = stage.tileRegions[patch]
                    addCopy(index, rows: cell.height, cols: cell.width, pixelBytes: pixelBytes(outputs[position]))
                }
            }
        }
    }

    /// The region of `op`'s first input held in the tile's buffer (the
    /// runtime compiler's rule, read off `schedule`), or nil when the
    /// kernel reads the whole tensor: what a conv reading past its
    /// buffer's end is priced by (`readPastBufferEnd`).
    static func inputExtent(_ op: Operator, stage: FusedStage, schedule: MemorySchedule, tile: Int) -> Region? {
        guard let tensor = op.input(0), hasTileBuffer(tensor, stage: stage, schedule: schedule) else { return nil }
        return regionInTileBuffer(tensor, stage: stage, tile: tile)
    }

    /// Whether `tensor` has a per-tile buffer in `stage` (a tile buffer the
    /// schedule holds: the runtime compiler's rule).
    static func hasTileBuffer(_ tensor: Int, stage: FusedStage, schedule: MemorySchedule) -> Bool {
        stage.hasTileBuffer(tensor) && schedule.buffer(holding: .patchRegion(tensor)) != nil
    }

    /// The region of `tensor` its tile buffer holds in `tile`, or nil where
    /// it is just the tile of a stage output (written in place).
    static func regionInTileBuffer(_ tensor: Int, stage: FusedStage, tile: Int) -> Region? {
        guard let region = stage.region(of: tensor, tile: tile),
              !(stage.outputs.contains(tensor) && region == stage.tileRegions[tile]) else { return nil }
        return region
    }

    /// Whether the streamed int8 input `tensor` is the image of a float32
    /// graph input that `--int8-io` detached the QUANTIZE of: the export
    /// then quantizes each load as it reads the float input
    /// (`pt_load_quantized`) and the QUANTIZE step does not run
    /// (`ModelEmitter.streamQuantized`).
    static func quantizesOnLoad(_ tensor: Int, model: Model, options: MemoryOptions) -> Bool {
        guard options.streamInput, model.inputs.contains(tensor) else { return false }
        return model.rewrite.detached.values.contains { if case .inputConversion(_, let int8) = $0 { int8 == tensor } else { false } }
    }

    /// The boundary conversions that run as steps: all of them, but a
    /// streamed input's QUANTIZE, which its loads do (`quantizesOnLoad`).
    static func runningConversions(model: Model, options: MemoryOptions) -> Set<Int> {
        var running = Set<Int>()
        for (op, detachment) in model.rewrite.detached {
            switch detachment {
            case .foldedPad: continue
            case .inputConversion(_, let int8): if !quantizesOnLoad(int8, model: model, options: options) { running.insert(op) }
            case .outputConversion: running.insert(op)
            }
        }
        return running
    }

    /// Floats a quantizing load asks for at a time (`PT_STREAM_CHUNK`).
    static let streamChunkFloats = 16

    /// The loops of one quantizing load of `rows` × `cols` pixels of
    /// `channels` channels: per row, chunks of `16 / channels` pixels.
    static func quantizedLoad(rows: Int, cols: Int, channels: Int) -> (rows: Int, chunks: Int, elements: Int) {
        let perCall = max(streamChunkFloats / max(channels, 1), 1)
        return (rows, rows * ((cols + perCall - 1) / perCall), rows * cols * channels)
    }

    /// Whether op `op` is one whole step: an op outside every fused stage
    /// (not detached, not an ADD fused into its conv), or a boundary
    /// conversion wherever it is (the runtime converts as data crosses the
    /// arena's edge, once).
    static func runsWhole(_ op: Int, model: Model, inFusedStage: Bool, fusedAdds: Set<Int>, conversions: Set<Int>) -> Bool {
        guard !inFusedStage || conversions.contains(op) else { return false }
        return (!model.rewrite.isDetached(op) || conversions.contains(op)) && !fusedAdds.contains(op)
    }
}
