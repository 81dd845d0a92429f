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
    public var runs: Bool { value(.steps) > 0 }
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
    /// Output positions × filter taps (kh × kw): per-window work of convs and pools.
    case taps
    /// Bytes of activations read (the input regions the computed outputs need).
    case inputBytes
    /// Channels × steps: per-channel setup (per-channel requantization
    /// parameters, depthwise channel loops).
    case channelSteps

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
        let stageOps = isPatched ? patchLayers : 0
        let inplace = Set(schedule.inplaceOps.map(\.op))
        let fusedConvs = Set(schedule.fusedResiduals.map(\.conv))
        let fusedAdds = Set(schedule.fusedResiduals.map(\.add))
        var result: [OpCostFeatures] = model.operators.map { op in
            OpCostFeatures(op: op.index, kernel: KernelClass(op: op, in: model),
                           kernelValues: Array(repeating: 0, count: KernelFeature.allCases.count),
                           movementValues: Array(repeating: 0, count: MovementFeature.allCases.count))
        }

        func pixelBytes(_ tensor: Int) -> Int {
            let t = model.tensors[tensor]
            return (t.shape.count == 4 ? t.shape[3] : 1) * (t.type.byteSize ?? 1)
        }

        /// One step of `op` computing `region` of its output (all of it when `nil`).
        func addStep(_ op: Operator, region: Region?) {
            var k = result[op.index].kernelValues
            var m = result[op.index].movementValues
            let output = model.tensors[op.output]
            let shape = output.shape
            let channels = shape.count == 4 ? shape[3] : (shape.last ?? 1)
            let pixels: Int, rows: Int
            if let region {
                pixels = region.area
                rows = region.height
            } else if shape.count == 4 {
                pixels = shape[1] * shape[2]
                rows = shape[1]
            } else {
                pixels = channels == 0 ? 0 : output.elementCount / max(channels, 1)
                rows = 1
            }
            let elements = shape.count == 4 ? pixels * channels : output.elementCount
            let window = model.windowGeometry(of: op)
            let taps = window.map { $0.height.filterSize * $0.width.filterSize } ?? 0
            let perPosition = Self.macsPerPosition(of: op, in: model)
            let macs = region == nil ? model.macs(of: op) : perPosition * pixels
            var inputBytes = 0
            for slot in op.inputs.indices {
                guard let input = op.input(slot), model.isActivation(input) else { continue }
                if let region, let read = ReceptiveField.inputRegion(of: op, slot: slot, for: region, in: model) {
                    inputBytes += read.area * pixelBytes(input)
                } else if region != nil, model.tensors[input].shape.count == 4, model.tensors[input].shape == shape {
                    inputBytes += pixels * pixelBytes(input)
                } else {
                    inputBytes += model.tensors[input].byteCount
                }
            }
            k[KernelFeature.steps.index] += 1
            k[KernelFeature.macs.index] += Double(macs)
            k[KernelFeature.outputPixels.index] += Double(pixels)
            k[KernelFeature.outputRows.index] += Double(rows)
            k[KernelFeature.outputElements.index] += Double(elements)
            k[KernelFeature.taps.index] += Double(pixels * taps)
            k[KernelFeature.inputBytes.index] += Double(inputBytes)
            k[KernelFeature.channelSteps.index] += Double(channels)
            if inplace.contains(op.index), let input = op.input(0) {
                let inputShape = model.tensors[input].shape
                let inputChannels = inputShape.count == 4 ? inputShape[3] : 1
                let read = region.flatMap { ReceptiveField.inputRegion(of: op, slot: 0, for: $0, in: model) }
                let area = read?.area ?? (inputShape.count == 4 ? inputShape[1] * inputShape[2] : model.tensors[input].elementCount)
                m[MovementFeature.stagedChannels.index] += Double(inputChannels)
                m[MovementFeature.stagedBytes.index] += Double(area * inputChannels * (model.tensors[input].type.byteSize ?? 1))
            }
            if fusedConvs.contains(op.index) {
                m[MovementFeature.fusedElements.index] += Double(elements)
            }
            result[op.index].kernelValues = k
            result[op.index].movementValues = m
        }

        func addCopy(_ op: Int, rows: Int, cols: Int, pixelBytes: Int) {
            guard rows > 0, cols > 0 else { return }
            result[op].movementValues[MovementFeature.copies.index] += 1
            result[op].movementValues[MovementFeature.copyRows.index] += Double(rows)
            result[op].movementValues[MovementFeature.copyBytes.index] += Double(rows * cols * pixelBytes)
        }

        // The stage, patch by patch, as the compiled program runs it.
        for patch in patchRegions.indices where stageOps > 0 {
            var loadsPending = true
            for op in model.operators[0..<stageOps] where !model.rewrite.isDetached(op.index) {
                let region = computedRegions[patch][op.index]
                let copies = cacheCopies(patch: patch, op: op.index)
                guard !region.isEmpty || !copies.reads.isEmpty || !copies.writes.isEmpty else { continue }
                if loadsPending {
                    // A streamed input's region is copied in before the patch's first op.
                    loadsPending = false
                    for input in model.inputs where usesPatchBuffer(input, patch: patch) {
                        if let r = tensorRegions[patch][input] { addCopy(op.index, rows: r.height, cols: r.width, pixelBytes: pixelBytes(input)) }
                    }
                }
                addStep(op, region: region)
                for copy in copies.reads + copies.writes {
                    addCopy(op.index, rows: copy.rows.count, cols: copy.cols.count, pixelBytes: pixelBytes(op.output))
                }
                if stageOutputs.contains(op.output), usesPatchBuffer(op.output, patch: patch) {
                    let cell = patchRegions[patch]
                    addCopy(op.index, rows: cell.height, cols: cell.width, pixelBytes: pixelBytes(op.output))
                }
            }
        }
        let conversions = Set(model.rewrite.conversions)
        for op in model.operators where op.index >= stageOps || conversions.contains(op.index) {
            guard !model.rewrite.isDetached(op.index) || conversions.contains(op.index), !fusedAdds.contains(op.index) else { continue }
            addStep(op, region: nil)
        }
        return result
    }

    /// Whether `tensor` sits in its per-patch buffer during `patch` (a
    /// stage output whose region is just the patch is written in place):
    /// the runtime compiler's rule, read off the same schedule.
    func usesPatchBuffer(_ tensor: Int, patch: Int) -> Bool {
        guard schedule.buffer(holding: .patchRegion(tensor)) != nil, let region = tensorRegions[patch][tensor] else { return false }
        return !(stageOutputs.contains(tensor) && region == patchRegions[patch])
    }
}
