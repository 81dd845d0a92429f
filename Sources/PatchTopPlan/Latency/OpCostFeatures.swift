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

    public var index: Int { Self.allCases.firstIndex(of: self)! }
}

extension PatchPlan {
    /// The cost features of every op, by op index (ops that do not run
    /// have `steps` 0 and all-zero features).
    public func costFeatures() -> [OpCostFeatures] {
        let model = self.model
        let opCount = model.operators.count
        let kCount = KernelFeature.allCases.count, mCount = MovementFeature.allCases.count
        // Flat accumulators (op × feature): a sweep predicts hundreds of plans.
        var k = [Double](repeating: 0, count: opCount * kCount)
        var m = [Double](repeating: 0, count: opCount * mCount)
        let inplace = Set(schedule.inplaceOps.map(\.op))
        let fusedConvs = Set(schedule.fusedResiduals.map(\.conv))
        let fusedAdds = Set(schedule.fusedResiduals.map(\.add))

        func pixelBytes(_ tensor: Int) -> Int {
            let t = model.tensors[tensor]
            return (t.shape.count == 4 ? t.shape[3] : 1) * (t.type.byteSize ?? 1)
        }

        /// What every step of an op shares.
        struct OpFacts {
            var channels: Int
            var taps: Int
            var window: (height: WindowGeometry, width: WindowGeometry)?
            var inputChannels: Int
            var macsPerPosition: Int
            var activationInputs: [(slot: Int, tensor: Int, pixelBytes: Int, sameShape: Bool)]
            /// Which windowed kernel's loops to count (int8 only).
            var loops: LoopKind
        }
        enum LoopKind { case none, conv, depthwise, inPlace }
        var facts: [OpFacts?] = Array(repeating: nil, count: opCount)
        func opFacts(_ op: Operator) -> OpFacts {
            if let known = facts[op.index] { return known }
            let shape = model.tensors[op.output].shape
            let window = model.windowGeometry(of: op)
            let inputs = op.inputs.indices.compactMap { slot -> (Int, Int, Int, Bool)? in
                guard let input = op.input(slot), model.isActivation(input) else { return nil }
                return (slot, input, pixelBytes(input), model.tensors[input].shape == shape)
            }
            let int8 = model.tensors[op.output].type != .float32
            let loops: LoopKind = window == nil || !int8 ? .none
                : inplace.contains(op.index) ? .inPlace
                : op.kind == .conv2D ? .conv : op.kind == .depthwiseConv2D ? .depthwise : .none
            let made = OpFacts(channels: shape.count == 4 ? shape[3] : (shape.last ?? 1),
                               taps: window.map { $0.height.filterSize * $0.width.filterSize } ?? 0, window: window,
                               inputChannels: op.input(0).map { model.tensors[$0].shape.last ?? 1 } ?? 1,
                               macsPerPosition: Self.macsPerPosition(of: op, in: model), activationInputs: inputs,
                               loops: loops)
            facts[op.index] = made
            return made
        }

        /// One step of `op` computing `region` of its output (all of it when `nil`).
        func addStep(_ op: Operator, region: Region?) {
            let f = opFacts(op)
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
                pixels = output.elementCount / max(f.channels, 1)
                rows = 1
            }
            let elements = shape.count == 4 ? pixels * f.channels : output.elementCount
            let macs = region == nil ? model.macs(of: op) : f.macsPerPosition * pixels
            var inputBytes = 0
            for input in f.activationInputs {
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
            if let window = f.window {
                let rowsRange = region?.rows ?? 0..<window.height.outputSize
                let colsRange = region?.cols ?? 0..<window.width.outputSize
                let rowSide = KernelLoops.Side(window.height, rowsRange), colSide = KernelLoops.Side(window.width, colsRange)
                validTaps = rowSide.taps * colSide.taps
                validRows = rowSide.taps * colsRange.count
                switch f.loops {
                case .none: break
                case .conv:
                    loops = .conv(height: window.height, width: window.width, inputChannels: f.inputChannels,
                                  outputChannels: f.channels, rows: rowSide, cols: colSide)
                case .depthwise:
                    loops = .depthwise(height: window.height, width: window.width, inputChannels: f.inputChannels,
                                       outputChannels: f.channels, rows: rowSide, cols: colSide)
                case .inPlace:
                    loops = .inPlace(height: window.height, width: window.width, channels: f.channels,
                                     whole: region == nil || region == Region(rows: 0..<window.height.outputSize, cols: 0..<window.width.outputSize),
                                     rows: rowSide, cols: colSide)
                }
            }
            let validMACs: Int
            switch op.kind {
            case .conv2D: validMACs = validTaps * f.channels * f.inputChannels
            case .depthwiseConv2D: validMACs = validTaps * f.channels
            default: validMACs = macs
            }
            let base = op.index * kCount
            k[base + KernelFeature.validMACs.index] += Double(validMACs)
            k[base + KernelFeature.filterRows.index] += Double(validRows * f.channels)
            k[base + KernelFeature.steps.index] += 1
            k[base + KernelFeature.macs.index] += Double(macs)
            k[base + KernelFeature.outputPixels.index] += Double(pixels)
            k[base + KernelFeature.outputRows.index] += Double(rows)
            k[base + KernelFeature.outputElements.index] += Double(elements)
            k[base + KernelFeature.taps.index] += Double(validTaps * f.channels)
            k[base + KernelFeature.inputBytes.index] += Double(inputBytes)
            k[base + KernelFeature.channelSteps.index] += Double(f.channels)
            if f.loops != .none {
                k[base + KernelFeature.blockRuns.index] += Double(loops.blockRuns)
                k[base + KernelFeature.blockWords.index] += Double(loops.blockWords)
                k[base + KernelFeature.blockBytes.index] += Double(loops.blockBytes)
                k[base + KernelFeature.dotRuns.index] += Double(loops.dotRuns)
                k[base + KernelFeature.dotWords.index] += Double(loops.dotWords)
                k[base + KernelFeature.dotBytes.index] += Double(loops.dotBytes)
                k[base + KernelFeature.edgeTaps.index] += Double(loops.edgeTaps)
                k[base + KernelFeature.edgeBytes.index] += Double(loops.edgeBytes)
                k[base + KernelFeature.edgeElements.index] += Double(loops.edgeElements)
                k[base + KernelFeature.insidePixels.index] += Double(loops.insidePixels)
            }
            let mBase = op.index * mCount
            if inplace.contains(op.index), let input = op.input(0) {
                let inputShape = model.tensors[input].shape
                let inputChannels = inputShape.count == 4 ? inputShape[3] : 1
                let read = region.flatMap { ReceptiveField.inputRegion(of: op, slot: 0, for: $0, in: model) }
                let area = read?.area ?? (inputShape.count == 4 ? inputShape[1] * inputShape[2] : model.tensors[input].elementCount)
                m[mBase + MovementFeature.stagedChannels.index] += Double(inputChannels)
                m[mBase + MovementFeature.stagedBytes.index] += Double(area * inputChannels * (model.tensors[input].type.byteSize ?? 1))
            }
            if fusedConvs.contains(op.index) {
                m[mBase + MovementFeature.fusedElements.index] += Double(elements)
            }
        }

        func addCopy(_ op: Int, rows: Int, cols: Int, pixelBytes: Int) {
            guard rows > 0, cols > 0 else { return }
            let mBase = op * mCount
            m[mBase + MovementFeature.copies.index] += 1
            m[mBase + MovementFeature.copyRows.index] += Double(rows)
            m[mBase + MovementFeature.copyBytes.index] += Double(rows * cols * pixelBytes)
        }

        // Each fused stage, tile by tile, as the compiled program runs it.
        let hasCaches = !cacheBytes.isEmpty
        for stage in fusedStages {
            for patch in stage.tileRegions.indices {
                var loadsPending = true
                for op in model.operators[stage.ops] where !model.rewrite.isDetached(op.index) {
                    let region = stage.computed(tile: patch, op: op.index)
                    let copies: (reads: [CacheCopy], writes: [CacheCopy]) = hasCaches ? stage.cacheCopies(tile: patch, op: op.index, model: model) : ([], [])
                    guard !region.isEmpty || !copies.reads.isEmpty || !copies.writes.isEmpty else { continue }
                    if loadsPending {
                        // A streamed input's region is copied in before the tile's first op.
                        loadsPending = false
                        for input in model.inputs where usesPatchBuffer(input, stage, patch: patch) {
                            if let r = stage.region(of: input, tile: patch) { addCopy(op.index, rows: r.height, cols: r.width, pixelBytes: pixelBytes(input)) }
                        }
                    }
                    // A step whose region the caches hold whole only copies.
                    if !region.isEmpty { addStep(op, region: region) }
                    for copy in copies.reads + copies.writes {
                        addCopy(op.index, rows: copy.rows.count, cols: copy.cols.count, pixelBytes: pixelBytes(op.output))
                    }
                    if stage.outputs.contains(op.output), usesPatchBuffer(op.output, stage, patch: patch) {
                        let cell = stage.tileRegions[patch]
                        addCopy(op.index, rows: cell.height, cols: cell.width, pixelBytes: pixelBytes(op.output))
                    }
                }
            }
        }
        let conversions = Set(model.rewrite.conversions)
        for op in model.operators where fusedStage(of: op.index) == nil || conversions.contains(op.index) {
            guard !model.rewrite.isDetached(op.index) || conversions.contains(op.index), !fusedAdds.contains(op.index) else { continue }
            addStep(op, region: nil)
        }
        return model.operators.map { op in
            OpCostFeatures(op: op.index, kernel: inplace.contains(op.index) ? .depthwiseInPlace : KernelClass(op: op, in: model),
                           kernelValues: Array(k[(op.index * kCount)..<((op.index + 1) * kCount)]),
                           movementValues: Array(m[(op.index * mCount)..<((op.index + 1) * mCount)]))
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

    /// Whether `tensor` sits in its stage's per-tile buffer during tile
    /// `patch` (an output of the stage whose region is just the tile is
    /// written in place): the runtime compiler's rule, read off the same
    /// schedule.
    func usesPatchBuffer(_ tensor: Int, _ stage: FusedStage, patch: Int) -> Bool {
        guard stage.hasTileBuffer(tensor), schedule.buffer(holding: .patchRegion(tensor)) != nil,
              let region = stage.region(of: tensor, tile: patch) else { return false }
        return !(stage.outputs.contains(tensor) && region == stage.tileRegions[patch])
    }
}
