import PatchTopModel
import PatchTopPlan

/// The JSON of one plan (`patchtop plan --json`, and each entry of
/// `sweep --json`). Field names are an interface: add, never rename.
public struct PlanJSON: Codable, Equatable, Sendable {
    public struct RegionJSON: Codable, Equatable, Sendable {
        public var rows: [Int]
        public var cols: [Int]
        init(_ r: Region) { rows = [r.rows.lowerBound, r.rows.upperBound]; cols = [r.cols.lowerBound, r.cols.upperBound] }
    }

    public struct PatchJSON: Codable, Equatable, Sendable {
        public var row: Int
        public var col: Int
        public var output: RegionJSON
        /// Region of every stage tensor, keyed by tensor index.
        public var tensors: [String: RegionJSON]
    }

    public struct StageOpJSON: Codable, Equatable, Sendable {
        public var index: Int
        public var op: String
        public var macs: Int
        public var layerByLayerMacs: Int
        public var recomputeFactor: Double
        public var haloFraction: Double
    }

    /// One halo cache in use: what it keeps, its bytes, the stage ops it
    /// lives over and the MACs it saves alone.
    public struct CacheJSON: Codable, Equatable, Sendable {
        public var tensor: Int
        public var direction: String
        public var bytes: Int
        public var firstOp: Int
        public var lastOp: Int
        public var macsSaved: Int
    }

    /// One stage of the plan: a fused block (`grid` of more than one tile)
    /// or ops layer by layer (`[1, 1]`). `--plan FILE` reads these back.
    public struct StageJSON: Codable, Equatable, Sendable {
        public var firstOp: Int
        public var lastOp: Int
        /// `[rows, cols]`.
        public var grid: [Int]
        /// For a fused block: how its caches were asked for, and those in use.
        public var haloCache: String?
        public var caches: [StageCacheJSON]?
        /// The most bytes live at one of its ops, and its MACs.
        public var peakBytes: Int
        public var macs: Int
        /// For a fused block: the tensors it holds whole for later ops.
        public var outputs: [Int]?
    }

    public struct StageCacheJSON: Codable, Equatable, Sendable {
        public var tensor: Int
        public var direction: String
    }

    public var model: String
    /// Every op in one stage, in op order.
    public var stages: [StageJSON]
    public var patches: Int
    public var patchLayers: Int
    public var inplaceDepthwise: Bool
    public var streamInput: Bool
    public var fuseResidual: Bool
    public var foldPad: Bool
    public var int8IO: Bool
    /// With `foldPad`: the PADs folded and those kept, with why.
    public var pads: PadFoldingJSON?
    /// The buffers live at the peak op, summing to `peakBytes`.
    public var peakBuffers: [PeakBufferJSON]
    /// `none`, `all`, `auto`, `columns`, `rows`.
    public var haloCache: String
    public var caches: [CacheJSON]
    /// MACs the caches save (`macsWithoutCaches − macs`).
    public var cacheMacsSaved: Int
    public var macsWithoutCaches: Int
    public var peakBytes: Int
    public var peakOp: Int
    public var layerByLayerPeakBytes: Int
    public var macs: Int
    public var layerByLayerMacs: Int
    public var macOverhead: Double
    public var stageOutputs: [Int]
    public var liveBytes: [Int]
    public var stageOps: [StageOpJSON]
    public var patchRegions: [PatchJSON]?
    /// What engines would reserve for this plan (set by `plan --json`).
    public var engines: EnginesJSON?
    /// With `--target`: predicted instructions for one inference.
    public var instructions: Int?
    /// With `--target`: the prediction (per op in `plan --json`).
    public var latency: LatencyJSON?
    /// With `plan --json --cost-features`: every running op's cost-model
    /// features (for `Scripts/calibrate_latency.py`).
    public var costFeatures: [CostFeaturesJSON]?
    /// With `--cost-features`: what `pt_invoke` copies besides the steps
    /// (`InvokeCopies`: the caller's inputs and outputs the arena holds).
    public var invokeCopies: InvokeCopiesJSON?
    /// With `--sram`/`--board`: the budget and each engine's verdict on it.
    public var budget: PlanBudgetJSON?

    public init(_ plan: PatchPlan, includeRegions: Bool) {
        model = plan.model.name
        stages = plan.stages.map { stage in
            let fused = stage.fused.map { plan.fusedStages[$0] }
            return StageJSON(firstOp: stage.firstOp, lastOp: stage.lastOp, grid: [stage.grid.rows, stage.grid.cols],
                             haloCache: fused.map { $0.explicitCaches == nil ? $0.caching.name : "listed" },
                             caches: fused.map { $0.caches.map { StageCacheJSON(tensor: $0.tensor, direction: $0.direction.rawValue) } },
                             peakBytes: plan.liveBytes[stage.ops].max() ?? 0, macs: plan.macsPerOp[stage.ops].reduce(0, +),
                             outputs: fused?.outputs)
        }
        patches = plan.patches
        patchLayers = plan.patchLayers
        inplaceDepthwise = plan.options.inplaceDepthwise
        streamInput = plan.options.streamInput
        fuseResidual = plan.options.fuseResidual
        foldPad = plan.options.foldPad
        int8IO = plan.options.int8IO
        pads = foldPad ? PadFoldingJSON(plan.model.rewrite) : nil
        peakBuffers = PeakBufferJSON.list(plan.schedule)
        haloCache = plan.haloCaching.name
        caches = plan.caches.map { cache in
            let buffer = plan.schedule.buffer(holding: .haloCache(tensor: cache.tensor, direction: cache.direction)).map { plan.schedule.buffers[$0] }
            return CacheJSON(tensor: cache.tensor, direction: cache.direction.rawValue, bytes: plan.cacheBytes[cache] ?? 0,
                             firstOp: buffer?.firstOp ?? 0, lastOp: buffer?.lastOp ?? 0, macsSaved: plan.macsSaved(by: cache))
        }
        cacheMacsSaved = plan.cacheMacsSaved
        macsWithoutCaches = plan.macsWithoutCaches
        peakBytes = plan.peakBytes
        peakOp = plan.peakOp
        layerByLayerPeakBytes = plan.layerByLayerPeakBytes
        macs = plan.macs
        layerByLayerMacs = plan.layerByLayerMacs
        macOverhead = plan.macOverhead
        stageOutputs = plan.stageOutputs
        liveBytes = plan.liveBytes
        stageOps = plan.isPatched ? (0..<plan.patchLayers).map { i in
            StageOpJSON(index: i, op: plan.model.operators[i].kind.name, macs: plan.macsPerOp[i],
                        layerByLayerMacs: plan.model.macs(of: plan.model.operators[i]),
                        recomputeFactor: plan.recomputeFactor(op: i), haloFraction: plan.haloFraction(op: i))
        } : []
        patchRegions = includeRegions ? plan.patchRegions.enumerated().map { index, region in
            PatchJSON(row: index / plan.grid.cols, col: index % plan.grid.cols, output: RegionJSON(region),
                      tensors: Dictionary(uniqueKeysWithValues: plan.tensorRegions[index].map { (String($0.key), RegionJSON($0.value)) }))
        } : nil
    }
}

/// `InvokeCopies` in `plan --json --cost-features`.
public struct InvokeCopiesJSON: Codable, Equatable, Sendable {
    public var copies: Int
    public var bytes: Int

    public init(_ copies: InvokeCopies) {
        self.copies = copies.copies
        self.bytes = copies.bytes
    }
}
