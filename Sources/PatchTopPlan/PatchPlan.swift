import PatchTopModel

/// Patch-based inference of one model: a sequence of stages over its op
/// list, each either ops run layer by layer or a fused block of
/// consecutive ops run tile by tile over its own `rows × cols` grid (see
/// `FusedStage`), with halo caches chosen per tensor.
///
/// MCUNetV2's plan is the special case of one fused stage at the head: the
/// first `n` ops (the *patch stage*) run once per patch of a p×p grid over
/// the stage's output; every tensor of the stage is computed only over the
/// region its patch needs, walked back op by op from the patch. The stage's
/// outputs are held whole; the rest of the model runs layer by layer.
/// Neighbouring patches' regions overlap (the halo), and that overlap is
/// computed once per patch that needs it: the MAC overhead.
///
/// `p = 1` or `n = 0` is ordinary layer-by-layer inference.
public struct PatchPlan: Sendable {
    public let model: Model
    /// Patches per side of the head stage as asked (its grid's rows).
    public let patches: Int
    /// Ops in a fused stage at the head of the network (MCUNetV2's n).
    public let patchLayers: Int
    public let options: MemoryOptions
    /// The fused stages, in op order.
    public let fusedStages: [FusedStage]
    /// The fused stage of each op, an index into `fusedStages`.
    let stageOfOp: [Int?]
    /// MACs of each op under this plan (summed over tiles in fused stages).
    public let macsPerOp: [Int]
    /// How halo caches were chosen.
    public let haloCaching: HaloCaching
    /// MACs the plan would do without its caches.
    public let macsWithoutCaches: Int
    /// Every buffer the plan needs, its size and lifetime: the one
    /// description of its memory (see `MemorySchedule`).
    public let schedule: MemorySchedule
    /// The layer-by-layer schedule under the same memory options.
    public let layerByLayer: MemorySchedule
    /// `layout`, once made.
    let layoutCache = LayoutCache()

    /// Live bytes at each op. For stage ops: the bytes held whole plus the
    /// per-tile buffers live at that op, each sized for the largest tile
    /// (one static arena serves every tile, as on the device).
    public var liveBytes: [Int] { schedule.liveBytes }
    public var peakBytes: Int { schedule.peakBytes }
    public var peakOp: Int { schedule.peakOp }
    /// The buffers live at the peak op, largest first, summing to `peakBytes`.
    public var peakBuffers: [MemorySchedule.PeakBuffer] { schedule.peakBuffers }

    /// The fused stage at the head of the network (MCUNetV2's patch stage).
    public var headStage: FusedStage? { fusedStages.first.flatMap { $0.firstOp == 0 ? $0 : nil } }
    /// The head stage's grid (1×1 without one).
    public var grid: TileGrid { headStage?.grid ?? TileGrid(rows: 1, cols: 1) }
    /// Tensors the head stage produces that are read after it (or are
    /// graph outputs): held whole in memory while the stage runs.
    public var stageOutputs: [Int] { headStage?.outputs ?? [] }
    /// Height and width of the head stage's outputs, the grid cut into patches.
    public var outputGrid: (height: Int, width: Int) { headStage?.outputGrid ?? (0, 0) }
    /// The head stage's patches on its output grid, row-major.
    public var patchRegions: [Region] { headStage?.tileRegions ?? [] }
    /// For each patch of the head stage: the region of every stage tensor it computes or reads.
    public var tensorRegions: [[Int: Region]] { headStage?.tensorRegions ?? [] }
    /// For each patch and head-stage op: the output region that op computes.
    public var opRegions: [[Region]] { headStage?.opRegions ?? [] }
    /// For each patch and head-stage op: the part of `opRegions` the op
    /// really computes (less where halo caches hold the rest).
    public var computedRegions: [[Region]] { headStage?.computedRegions ?? [] }
    /// The caches in use with their bytes, over every stage.
    public var cacheBytes: [HaloCache: Int] {
        fusedStages.reduce(into: [:]) { all, stage in all.merge(stage.cacheBytes) { a, _ in a } }
    }

    /// Every op in one stage, in order: fused blocks, and runs of ops
    /// between them layer by layer (grid 1×1).
    public var stages: [PlanStage] {
        var list: [PlanStage] = []
        var op = 0
        let count = model.operators.count
        for (index, stage) in fusedStages.enumerated() {
            if op < stage.firstOp { list.append(PlanStage(firstOp: op, lastOp: stage.firstOp - 1, grid: TileGrid(1), fused: nil)) }
            list.append(PlanStage(firstOp: stage.firstOp, lastOp: stage.lastOp, grid: stage.grid, fused: index))
            op = stage.lastOp + 1
        }
        if op < count { list.append(PlanStage(firstOp: op, lastOp: count - 1, grid: TileGrid(1), fused: nil)) }
        return list
    }

    /// The fused stages as requests that rebuild exactly this plan (each
    /// with the caches it uses).
    public var stageSpecs: [StageSpec] {
        fusedStages.map { StageSpec(firstOp: $0.firstOp, lastOp: $0.lastOp, grid: $0.grid, caching: $0.caching, caches: Set($0.cacheBytes.keys)) }
    }

    /// Whether the plan is more than MCUNetV2's (p, n): a rectangular grid
    /// or stages other than one at the head.
    public var needsStageList: Bool { isMultiStage || !grid.isSquare }

    /// The fused stage running `op`, if any.
    public func fusedStage(of op: Int) -> FusedStage? {
        op >= 0 && op < stageOfOp.count ? stageOfOp[op].map { fusedStages[$0] } : nil
    }

    /// The index in `fusedStages` of the stage running `op`.
    public func fusedStageIndex(of op: Int) -> Int? { op >= 0 && op < stageOfOp.count ? stageOfOp[op] : nil }

    /// Bytes held whole during the head stage (stage outputs, the graph
    /// input unless streamed).
    public var stageWholeBytes: Int {
        guard let head = headStage else { return 0 }
        return schedule.live(at: head.lastOp).reduce(0) { total, live in
            if case .tensor = schedule.buffers[live.index].kind { total + live.bytes } else { total }
        }
    }

    public var isPatched: Bool { !fusedStages.isEmpty }
    /// More than one fused stage, or one not at the head.
    public var isMultiStage: Bool { fusedStages.count > 1 || (fusedStages.first.map { $0.firstOp != 0 } ?? false) }
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
    public init(model original: Model, patches: Int, patchLayers: Int, options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none) throws(PlanError) {
        try self.init(model: original, grid: TileGrid(patches), patchLayers: patchLayers, options: options, haloCaching: haloCaching)
    }

    /// Plans `model` with a `grid` of tiles over its first `patchLayers` ops.
    public init(model original: Model, grid: TileGrid, patchLayers: Int, options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none) throws(PlanError) {
        let model = original.rewritten(for: options)
        let opCount = model.operators.count
        guard patchLayers >= 0, patchLayers <= opCount else {
            throw .patchLayersOutOfRange(patchLayers: patchLayers, opCount: opCount)
        }
        for side in [grid.rows, grid.cols] where side < 1 || side > 64 {
            // The limit the stage's output sets, where there is a stage to ask.
            let limit = patchLayers > 0 ? (try? Self.stage(of: model, patchLayers: patchLayers)).map { min($0.1.height, $0.1.width, 64) } : nil
            throw .patchesOutOfRange(patches: side, limit: limit ?? 64)
        }
        var stages: [FusedStage] = []
        if grid.count > 1 && patchLayers > 0 {
            // A stage that cannot be planned is refused before any memory is.
            let (outputs, map) = try Self.stage(of: model, patchLayers: patchLayers)
            if grid.isSquare {
                guard grid.rows <= min(map.height, map.width) else {
                    throw .patchesOutOfRange(patches: grid.rows, limit: min(map.height, map.width))
                }
            } else if grid.rows > map.height || grid.cols > map.width {
                throw .gridOutOfRange(grid: grid, height: map.height, width: map.width)
            }
            stages = [FusedStage(model: model, first: 0, last: patchLayers - 1, grid: grid, outputs: outputs, outputGrid: map,
                                 caching: haloCaching, options: options)]
        }
        self.init(rewritten: model, stages: stages, options: options, haloCaching: haloCaching,
                  patches: grid.rows, patchLayers: patchLayers)
    }

    /// Plans `model` as `stages` fused blocks (in op order, not
    /// overlapping), every other op layer by layer. A stage that does not
    /// fit the model is refused naming it (`stage 2 (ops 10…17, 4×2): …`).
    /// A stage of one tile is layer by layer.
    public init(model original: Model, stages specs: [StageSpec], options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none) throws(PlanError) {
        let model = original.rewritten(for: options)
        let opCount = model.operators.count
        var stages: [FusedStage] = []
        var next = 0
        for (index, spec) in specs.enumerated() {
            func refuse(_ reason: String) -> PlanError { .invalidStage(index: index, firstOp: spec.firstOp, lastOp: spec.lastOp, reason: reason) }
            guard spec.firstOp >= 0, spec.lastOp >= spec.firstOp, spec.lastOp < opCount else {
                throw refuse("the model has ops 0…\(opCount - 1)")
            }
            guard spec.firstOp >= next else { throw refuse("it overlaps the stage before, which ends at op \(next - 1)") }
            next = spec.lastOp + 1
            guard (1...64).contains(spec.grid.rows), (1...64).contains(spec.grid.cols) else {
                throw refuse("grid \(spec.grid) is out of range: 1…64 tiles per side")
            }
            guard spec.grid.count > 1 else { continue }
            let outputs: [Int], map: (height: Int, width: Int)
            switch FusedStage.outputs(of: model, first: spec.firstOp, last: spec.lastOp) {
            case .success(let found): (outputs, map) = found
            case .failure(.global(let op, let name)): throw refuse("it crosses \(name) at op \(op), which cannot be computed tile by tile")
            case .failure(.outputs(let reason)): throw refuse("it ends where \(reason)")
            }
            guard spec.grid.rows <= map.height, spec.grid.cols <= map.width else {
                throw refuse("grid \(spec.grid) does not fit its \(map.height)×\(map.width) output")
            }
            var stage = FusedStage(model: model, first: spec.firstOp, last: spec.lastOp, grid: spec.grid, outputs: outputs,
                                   outputGrid: map, caching: spec.caches == nil ? spec.caching ?? haloCaching : .all, options: options)
            if let caches = spec.caches {
                let possible = stage.possibleCaches(HaloCache.Direction.allCases)
                if let bad = caches.sorted().first(where: { !possible.contains($0) }) {
                    throw refuse("tensor \(bad.tensor) cannot have a \(bad.direction.rawValue) cache in this stage (\(possible.isEmpty ? "no tensor of it can" : "possible: " + possible.sorted().map { "\($0.tensor) \($0.direction.rawValue)" }.joined(separator: ", ")))")
                }
                stage.explicitCaches = caches
            }
            stages.append(stage)
        }
        let head = stages.first.flatMap { $0.firstOp == 0 ? $0 : nil }
        self.init(rewritten: model, stages: stages, options: options, haloCaching: haloCaching,
                  patches: head?.grid.rows ?? 1, patchLayers: head.map { $0.lastOp + 1 } ?? 0)
    }

    /// Chooses every stage's caches and builds the schedule.
    init(rewritten model: Model, stages planned: [FusedStage], options: MemoryOptions, haloCaching: HaloCaching,
         patches: Int, patchLayers: Int) {
        self.model = model
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
        self.haloCaching = planned.isEmpty ? .none : haloCaching
        var of = [Int?](repeating: nil, count: model.operators.count)
        for (index, stage) in planned.enumerated() { for op in stage.ops { of[op] = index } }
        stageOfOp = of
        let layerByLayer = MemorySchedule(rewritten: model, options: options, stages: [])
        self.layerByLayer = layerByLayer
        guard !planned.isEmpty else {
            fusedStages = []
            macsPerOp = model.operators.map { model.macs(of: $0) }
            macsWithoutCaches = macsPerOp.reduce(0, +)
            schedule = layerByLayer
            return
        }
        let build = { (caches: [Set<HaloCache>]) in Self.cached(model: model, stages: planned, caches: caches, options: options) }
        let plain = build(planned.map { _ in [] })
        macsWithoutCaches = plain.macs.reduce(0, +)
        var fixed: [Set<HaloCache>] = planned.map { stage in
            if let explicit = stage.explicitCaches { return explicit }
            return switch stage.caching {
            case .none, .auto: []
            case .all: stage.possibleCaches(HaloCache.Direction.allCases)
            case .only(let direction): stage.possibleCaches([direction])
            }
        }
        var chosen = fixed.allSatisfy(\.isEmpty) ? plain : build(fixed)
        let autoStages = planned.indices.filter {
            if planned[$0].explicitCaches == nil, case .auto = planned[$0].caching { true } else { false }
        }
        if !autoStages.isEmpty {
            var budget: Int?
            for k in autoStages { if case .auto(let b?) = planned[k].caching { budget = min(budget ?? b, b) } }
            chosen = Self.autoCaches(base: chosen, fixed: &fixed, stages: planned, candidates: autoStages,
                                     budget: budget ?? chosen.schedule.peakBytes * 5 / 4, build: build)
        }
        fusedStages = chosen.stages
        macsPerOp = chosen.macs
        schedule = chosen.schedule
    }

    /// How often each position of a stage op's output is computed, summed
    /// over tiles, divided by its size: 1.0 without overlap (or with every
    /// overlap served from halo caches).
    public func recomputeFactor(op: Int) -> Double {
        guard let stage = fusedStage(of: op) else { return 1 }
        let shape = model.tensors[model.operators[op].output].shape
        guard shape.count == 4 else { return 1 }
        let full = shape[1] * shape[2]
        let k = op - stage.firstOp
        let area = stage.rowComputed.reduce(0) { $0 + $1[k].count } * stage.colComputed.reduce(0) { $0 + $1[k].count }
        return full == 0 ? 1 : Double(area) / Double(full)
    }

    /// Fraction of a stage op's computed positions that another patch also
    /// computes (the halo): 1 − 1 / recompute factor.
    public func haloFraction(op: Int) -> Double { 1 - 1 / recomputeFactor(op: op) }
}

extension PatchPlan {
    /// The head stage of `n` ops: its outputs and their map, or why it
    /// cannot be one (`n=40 crosses MEAN at op 39`).
    static func stage(of model: Model, patchLayers n: Int) throws(PlanError) -> (outputs: [Int], grid: (height: Int, width: Int)) {
        switch FusedStage.outputs(of: model, first: 0, last: n - 1) {
        case .success(let found): return found
        case .failure(.global(let op, let name)): throw .crossesGlobalOp(patchLayers: n, op: op, name: name)
        case .failure(.outputs(let reason)): throw .mismatchedOutputs(patchLayers: n, reason: reason)
        }
    }
}

// MARK: - Halo caches

extension PatchPlan {
    /// The caches in use, in tensor order.
    public var caches: [HaloCache] { fusedStages.flatMap(\.caches).sorted() }

    /// MACs the caches save against recomputing every overlap.
    public var cacheMacsSaved: Int { macsWithoutCaches - macs }

    /// The share of the patching's recompute the caches remove (1 when
    /// they remove all of it, 0 without caches or recompute).
    public var recomputeRemoved: Double {
        let recompute = macsWithoutCaches - layerByLayerMacs
        return recompute <= 0 ? 0 : Double(cacheMacsSaved) / Double(recompute)
    }

    /// MACs `cache` alone saves on its tensor's op.
    public func macsSaved(by cache: HaloCache) -> Int {
        guard let op = model.producer[cache.tensor], let stage = fusedStage(of: op) else { return 0 }
        return stage.macsSaved(by: cache, model: model)
    }

    /// The copies between stage op `op`'s output buffer and its caches for
    /// tile `patch` of its stage: out of the caches before the op runs,
    /// into them after.
    public func cacheCopies(patch: Int, op: Int) -> (reads: [CacheCopy], writes: [CacheCopy]) {
        guard let stage = fusedStage(of: op) else { return ([], []) }
        return stage.cacheCopies(tile: patch, op: op, model: model)
    }

    struct Cached {
        var stages: [FusedStage]
        var macs: [Int]
        var schedule: MemorySchedule
        var totalMacs: Int { macs.reduce(0, +) }
    }

    static func macsPerPosition(of op: Operator, in model: Model) -> Int {
        let shape = model.tensors[op.output].shape
        let positions = shape.count == 4 ? shape[1] * shape[2] : 0
        return positions > 0 ? model.macs(of: op) / positions : 0
    }

    /// MACs, computed regions and memory with `caches` (per stage): an op
    /// whose output is cached computes only what the caches do not hold.
    static func cached(model: Model, stages: [FusedStage], caches: [Set<HaloCache>], options: MemoryOptions) -> Cached {
        let withCaches = zip(stages, caches).map { $0.with(caches: $1, model: model) }
        var macs = model.operators.map { model.macs(of: $0) }
        for stage in withCaches {
            for (k, m) in stage.macs(model: model).enumerated() { macs[stage.firstOp + k] = m }
        }
        return Cached(stages: withCaches, macs: macs,
                      schedule: MemorySchedule(rewritten: model, options: options, stages: withCaches.map(\.scheduleBuffers)))
    }

    /// Greedy over the stages `candidates`: take the cache that saves the
    /// most MACs per byte, keep it if the peak stays within `budget`, until
    /// none is left.
    static func autoCaches(base: Cached, fixed: inout [Set<HaloCache>], stages: [FusedStage], candidates: [Int], budget: Int,
                           build: ([Set<HaloCache>]) -> Cached) -> Cached {
        var best = base
        guard base.schedule.peakBytes <= budget else { return base }
        var found: [(stage: Int, cache: HaloCache, saving: Int, bytes: Int)] = []
        for k in candidates {
            for cache in stages[k].possibleCaches(HaloCache.Direction.allCases) {
                var trial = fixed
                trial[k].insert(cache)
                let built = build(trial)
                let saving = base.totalMacs - built.totalMacs
                if saving > 0 { found.append((k, cache, saving, built.stages[k].cacheBytes[cache] ?? 1)) }
            }
        }
        for candidate in found.sorted(by: { a, b in
            let ra = Double(a.saving) / Double(max(a.bytes, 1)), rb = Double(b.saving) / Double(max(b.bytes, 1))
            return (ra, b.cache) > (rb, a.cache)
        }) {
            var trial = fixed
            trial[candidate.stage].insert(candidate.cache)
            let built = build(trial)
            if built.schedule.peakBytes <= budget && built.totalMacs < best.totalMacs {
                fixed = trial
                best = built
            }
        }
        return best
    }
}
