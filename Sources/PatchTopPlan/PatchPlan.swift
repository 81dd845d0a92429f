import PatchTopModel

/// MCUNetV2's patch-based inference of one model for one (p, n).
///
/// The first `n` ops (the *patch stage*) run once per patch of a p×p grid
/// over the stage's output; every tensor of the stage is computed only over
/// the region its patch needs, walked back op by op from the patch. The
/// stage's outputs are held whole; the rest of the model runs layer by
/// layer. Neighbouring patches' regions overlap (the halo), and that
/// overlap is computed once per patch that needs it: the MAC overhead.
///
/// `p = 1` or `n = 0` is ordinary layer-by-layer inference.
public struct PatchPlan: Sendable {
    public let model: Model
    public let patches: Int
    public let patchLayers: Int
    public let options: MemoryOptions
    /// Tensors the stage produces that are read after it (or are graph
    /// outputs): held whole in memory while the stage runs.
    public let stageOutputs: [Int]
    /// Height and width of the stage outputs, the grid cut into patches.
    public let outputGrid: (height: Int, width: Int)
    /// The p×p patches on the output grid, row-major.
    public let patchRegions: [Region]
    /// For each patch: the region of every stage tensor it computes or reads.
    public let tensorRegions: [[Int: Region]]
    /// For each patch and stage op: the output region that op computes.
    public let opRegions: [[Region]]
    /// MACs of each op under this plan (summed over patches in the stage).
    public let macsPerOp: [Int]
    /// Every buffer the plan needs, its size and lifetime: the one
    /// description of its memory (see `MemorySchedule`).
    public let schedule: MemorySchedule
    /// The layer-by-layer schedule under the same memory options.
    public let layerByLayer: MemorySchedule

    /// Live bytes at each op. For stage ops: the bytes held whole plus the
    /// per-patch buffers live at that op, each sized for the largest patch
    /// (one static arena serves every patch, as on the device).
    public var liveBytes: [Int] { schedule.liveBytes }
    public var peakBytes: Int { schedule.peakBytes }
    public var peakOp: Int { schedule.peakOp }
    /// The buffers live at the peak op, largest first, summing to `peakBytes`.
    public var peakBuffers: [MemorySchedule.PeakBuffer] { schedule.peakBuffers }

    /// Bytes held whole during the stage (stage outputs, the graph input
    /// unless streamed).
    public var stageWholeBytes: Int {
        guard isPatched else { return 0 }
        return schedule.live(at: patchLayers - 1).reduce(0) { total, live in
            schedule.buffers[live.index].kind.tensor != nil && !schedule.buffers[live.index].kind.isPerPatch
                ? total + live.bytes : total
        }
    }

    public var isPatched: Bool { patches > 1 && patchLayers > 0 }
    public var macs: Int { macsPerOp.reduce(0, +) }
    public var layerByLayerMacs: Int { model.macs }
    public var layerByLayerPeakBytes: Int { layerByLayer.peakBytes }
    /// Extra MACs over layer-by-layer, as a fraction (0.10 for +10%).
    public var macOverhead: Double {
        layerByLayerMacs == 0 ? 0 : Double(macs - layerByLayerMacs) / Double(layerByLayerMacs)
    }
    /// Peak reduction over layer-by-layer (8.0 for "8× lower").
    public var peakReduction: Double { peakBytes == 0 ? 1 : Double(layerByLayerPeakBytes) / Double(peakBytes) }

    /// Plans `model` with `patches` per side over its first `patchLayers` ops.
    ///
    /// The plan is made on `model.rewritten(for: options)` (folded PADs,
    /// int8 boundary), which is what `plan.model` is.
    public init(model original: Model, patches: Int, patchLayers: Int, options: MemoryOptions = .tfliteMicro) throws(PlanError) {
        let model = original.rewritten(for: options)
        let opCount = model.operators.count
        guard patchLayers >= 0, patchLayers <= opCount else {
            throw .patchLayersOutOfRange(patchLayers: patchLayers, opCount: opCount)
        }
        guard patches >= 1, patches <= 64 else { throw .patchesOutOfRange(patches: patches, limit: 64) }
        self.model = model
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
        let layerByLayer = MemorySchedule(rewritten: model, options: options, stage: nil)
        self.layerByLayer = layerByLayer

        guard patches > 1, patchLayers > 0 else {
            stageOutputs = []
            outputGrid = (0, 0)
            patchRegions = []
            tensorRegions = []
            opRegions = []
            macsPerOp = model.operators.map { model.macs(of: $0) }
            schedule = layerByLayer
            return
        }

        let stage = try Self.stage(of: model, patchLayers: patchLayers)
        stageOutputs = stage.outputs
        outputGrid = stage.grid
        guard patches <= min(stage.grid.height, stage.grid.width) else {
            throw .patchesOutOfRange(patches: patches, limit: min(stage.grid.height, stage.grid.width))
        }
        let cuts = { (size: Int) in (0..<patches).map { ($0 * size / patches)..<(($0 + 1) * size / patches) } }
        var grid: [Region] = []
        for rows in cuts(stage.grid.height) { for cols in cuts(stage.grid.width) { grid.append(Region(rows: rows, cols: cols)) } }
        patchRegions = grid

        // Walk every patch back through the stage.
        var allTensorRegions: [[Int: Region]] = []
        var allOpRegions: [[Region]] = []
        for patch in grid {
            var need: [Int: Region] = [:]
            for output in stage.outputs { need[output] = patch }
            var ops = [Region](repeating: Region(rows: 0..<0, cols: 0..<0), count: patchLayers)
            for op in model.operators[0..<patchLayers].reversed() where !model.rewrite.isDetached(op.index) {
                let region = op.outputs.compactMap { need[$0] }.reduce(Region(rows: 0..<0, cols: 0..<0)) { $0.union($1) }
                ops[op.index] = region
                guard !region.isEmpty else { continue }
                for slot in op.inputs.indices {
                    guard let input = op.input(slot),
                          let inputRegion = ReceptiveField.inputRegion(of: op, slot: slot, for: region, in: model)
                    else { continue }
                    need[input] = (need[input] ?? Region(rows: 0..<0, cols: 0..<0)).union(inputRegion)
                }
            }
            allTensorRegions.append(need)
            allOpRegions.append(ops)
        }
        tensorRegions = allTensorRegions
        opRegions = allOpRegions

        // MACs: each stage op computes only its region, once per patch.
        var macs = model.operators.map { model.macs(of: $0) }
        for op in model.operators[0..<patchLayers] {
            let shape = model.tensors[op.output].shape
            let positions = shape.count == 4 ? shape[1] * shape[2] : 0
            guard positions > 0 else { continue }
            let perPosition = macs[op.index] / positions
            macs[op.index] = allOpRegions.reduce(0) { $0 + perPosition * $1[op.index].area }
        }
        macsPerOp = macs

        schedule = MemorySchedule(rewritten: model, options: options,
                                  stage: Self.stageBuffers(model: model, stage: stage, patchLayers: patchLayers, grid: grid,
                                                           tensorRegions: allTensorRegions, options: options))
    }

    /// How often each position of a stage op's output is computed, summed
    /// over patches, divided by its size: 1.0 without overlap.
    public func recomputeFactor(op: Int) -> Double {
        guard isPatched, op < patchLayers else { return 1 }
        let shape = model.tensors[model.operators[op].output].shape
        let full = shape[1] * shape[2]
        return full == 0 ? 1 : Double(opRegions.reduce(0) { $0 + $1[op].area }) / Double(full)
    }

    /// Fraction of a stage op's computed positions that another patch also
    /// computes (the halo): 1 − 1 / recompute factor.
    public func haloFraction(op: Int) -> Double { 1 - 1 / recomputeFactor(op: op) }
}

extension PatchPlan {
    struct Stage {
        var outputs: [Int]
        var grid: (height: Int, width: Int)
    }

    static func stage(of model: Model, patchLayers n: Int) throws(PlanError) -> Stage {
        for op in model.operators[0..<n] where !model.rewrite.isDetached(op.index) && !ReceptiveField.isLocal(op, in: model) {
            throw .crossesGlobalOp(patchLayers: n, op: op.index, name: op.kind.name)
        }
        var outputs: [Int] = []
        for op in model.operators[0..<n] where !model.rewrite.isDetached(op.index) {
            for tensor in op.outputs where model.outputs.contains(tensor) || model.consumers[tensor].contains(where: { $0 >= n }) {
                outputs.append(tensor)
            }
        }
        guard let first = outputs.first else {
            throw .mismatchedOutputs(patchLayers: n, reason: "nothing after the stage reads its results")
        }
        let shape = model.tensors[first].shape
        guard shape.count == 4 else {
            throw .mismatchedOutputs(patchLayers: n, reason: "its output tensor \(first) is not a 4-D feature map")
        }
        for tensor in outputs.dropFirst() {
            let other = model.tensors[tensor].shape
            guard other.count == 4, other[1] == shape[1], other[2] == shape[2] else {
                throw .mismatchedOutputs(patchLayers: n, reason: "its outputs differ in size (\(shape[1])×\(shape[2]) and \(other.count == 4 ? "\(other[1])×\(other[2])" : "\(other)"))")
            }
        }
        return Stage(outputs: outputs, grid: (shape[1], shape[2]))
    }

    /// What the stage needs per patch: a buffer for each stage tensor's
    /// region (all channels), as large as its largest patch, except where
    /// the tensor is read in place whole (an input held in SRAM) or a stage
    /// output's region is just the patch (written straight into the whole
    /// tensor); and each depthwise conv's largest one-channel input region.
    static func stageBuffers(model: Model, stage: Stage, patchLayers n: Int, grid: [Region],
                             tensorRegions: [[Int: Region]], options: MemoryOptions) -> StageBuffers {
        var regionBytes: [Int: Int] = [:]
        var staging: [Int: Int] = [:]
        for (patch, regions) in zip(grid, tensorRegions) {
            for (tensor, region) in regions {
                let shape = model.tensors[tensor].shape
                guard shape.count == 4, model.isActivation(tensor) else { continue }
                if model.inputs.contains(tensor) && !options.streamInput { continue }
                if stage.outputs.contains(tensor) && region == patch { continue }
                let bytes = region.area * shape[3] * (model.tensors[tensor].type.byteSize ?? 1)
                regionBytes[tensor] = max(regionBytes[tensor] ?? 0, bytes)
            }
            for op in model.operators[0..<n] where op.kind == .depthwiseConv2D {
                guard let input = op.input(0), let region = regions[input] else { continue }
                staging[op.index] = max(staging[op.index] ?? 0, region.area * (model.tensors[input].type.byteSize ?? 1))
            }
        }
        return StageBuffers(patchLayers: n, outputs: stage.outputs, regionBytes: regionBytes, stagingBytes: staging)
    }
}
