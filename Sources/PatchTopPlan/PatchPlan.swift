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
    /// For each patch and stage op: the part of `opRegions` the op really
    /// computes (less where halo caches hold the rest).
    public let computedRegions: [[Region]]
    /// MACs of each op under this plan (summed over patches in the stage).
    public let macsPerOp: [Int]
    /// How halo caches were chosen, and the caches in use with their bytes.
    public let haloCaching: HaloCaching
    public let cacheBytes: [HaloCache: Int]
    /// MACs the plan would do without its caches.
    public let macsWithoutCaches: Int
    /// Geometry of the stage tensors that caches can serve.
    let bands: [Int: TensorBands]
    /// Every buffer the plan needs, its size and lifetime: the one
    /// description of its memory (see `MemorySchedule`).
    public let schedule: MemorySchedule
    /// The layer-by-layer schedule under the same memory options.
    public let layerByLayer: MemorySchedule
    /// `layout`, once made.
    let layoutCache = LayoutCache()

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
            if case .tensor = schedule.buffers[live.index].kind { total + live.bytes } else { total }
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
    public init(model original: Model, patches: Int, patchLayers: Int, options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none) throws(PlanError) {
        let model = original.rewritten(for: options)
        let opCount = model.operators.count
        guard patchLayers >= 0, patchLayers <= opCount else {
            throw .patchLayersOutOfRange(patchLayers: patchLayers, opCount: opCount)
        }
        guard patches >= 1, patches <= 64 else {
            // The limit the stage's output sets, where there is a stage to ask.
            let limit = patchLayers > 0 ? (try? Self.stage(of: model, patchLayers: patchLayers)).map { min($0.grid.height, $0.grid.width, 64) } : nil
            throw .patchesOutOfRange(patches: patches, limit: limit ?? 64)
        }
        self.model = model
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
        // A stage that cannot be planned is refused before any memory is.
        let stage = patches > 1 && patchLayers > 0 ? try Self.stage(of: model, patchLayers: patchLayers) : nil
        let layerByLayer = MemorySchedule(rewritten: model, options: options, stage: nil)
        self.layerByLayer = layerByLayer

        guard let stage else {
            stageOutputs = []
            outputGrid = (0, 0)
            patchRegions = []
            tensorRegions = []
            opRegions = []
            computedRegions = []
            macsPerOp = model.operators.map { model.macs(of: $0) }
            macsWithoutCaches = macsPerOp.reduce(0, +)
            self.haloCaching = .none
            cacheBytes = [:]
            bands = [:]
            schedule = layerByLayer
            return
        }

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

        let buffers = Self.stageBuffers(model: model, stage: stage, patchLayers: patchLayers, grid: grid,
                                        tensorRegions: allTensorRegions, options: options)
        let bands = haloCaching == .none ? [:] : Self.cacheableBands(model: model, patches: patches, patchLayers: patchLayers,
                                                                     tensorRegions: allTensorRegions, perPatch: buffers.regionBytes)
        self.bands = bands
        let build = { (caches: Set<HaloCache>) in
            Self.cached(model: model, patches: patches, patchLayers: patchLayers, opRegions: allOpRegions, bands: bands,
                        caches: caches, options: options, buffers: buffers)
        }
        let plain = build([])
        macsWithoutCaches = plain.macs.reduce(0, +)
        let chosen: Cached
        switch haloCaching {
        case .none:
            chosen = plain
        case .all, .only:
            let directions: [HaloCache.Direction]
            if case .only(let direction) = haloCaching { directions = [direction] } else { directions = HaloCache.Direction.allCases }
            chosen = build(Set(bands.flatMap { tensor, band in
                directions.filter { band.cachedPositions($0) > 0 }.map { HaloCache(tensor: tensor, direction: $0) }
            }))
        case .auto(let budget):
            chosen = Self.autoCaches(plain: plain, bands: bands, budget: budget ?? plain.schedule.peakBytes * 5 / 4, build: build)
        }
        self.haloCaching = haloCaching
        computedRegions = chosen.computed
        macsPerOp = chosen.macs
        cacheBytes = chosen.cacheBytes
        schedule = chosen.schedule
    }

    /// How often each position of a stage op's output is computed, summed
    /// over patches, divided by its size: 1.0 without overlap (or with
    /// every overlap served from halo caches).
    public func recomputeFactor(op: Int) -> Double {
        guard isPatched, op < patchLayers else { return 1 }
        let shape = model.tensors[model.operators[op].output].shape
        let full = shape[1] * shape[2]
        return full == 0 ? 1 : Double(computedRegions.reduce(0) { $0 + $1[op].area }) / Double(full)
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

// MARK: - Halo caches

extension PatchPlan {
    /// The caches in use, in tensor order.
    public var caches: [HaloCache] { cacheBytes.keys.sorted() }

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
        guard let bands = bands[cache.tensor], let op = model.producer[cache.tensor] else { return 0 }
        let perPosition = Self.macsPerPosition(of: model.operators[op], in: model)
        var saved = 0
        for i in 0..<patches {
            for j in 0..<patches {
                let full = bands.computed(i: i, j: j, column: false, row: false).area
                saved += perPosition * (full - bands.computed(i: i, j: j, column: cache.direction == .column, row: cache.direction == .row).area)
            }
        }
        return saved
    }

    /// The copies between stage op `op`'s output buffer and its caches for
    /// `patch`: out of the caches before the op runs, into them after.
    public func cacheCopies(patch: Int, op: Int) -> (reads: [CacheCopy], writes: [CacheCopy]) {
        guard isPatched, op < patchLayers, let tensor = model.operators[op].outputs.first, let bands = bands[tensor] else { return ([], []) }
        let column = cacheBytes[HaloCache(tensor: tensor, direction: .column)] != nil
        let row = cacheBytes[HaloCache(tensor: tensor, direction: .row)] != nil
        guard column || row else { return ([], []) }
        return bands.copies(tensor: tensor, i: patch / patches, j: patch % patches, column: column, row: row)
    }

    struct Cached {
        var computed: [[Region]]
        var macs: [Int]
        var cacheBytes: [HaloCache: Int]
        var schedule: MemorySchedule
    }

    static func macsPerPosition(of op: Operator, in model: Model) -> Int {
        let shape = model.tensors[op.output].shape
        let positions = shape.count == 4 ? shape[1] * shape[2] : 0
        return positions > 0 ? model.macs(of: op) / positions : 0
    }

    /// Stage tensors a cache can serve: written by a stage op (not read in
    /// from outside), held in a per-patch buffer, with regions that move
    /// forward patch by patch.
    static func cacheableBands(model: Model, patches: Int, patchLayers: Int, tensorRegions: [[Int: Region]],
                               perPatch: [Int: Int]) -> [Int: TensorBands] {
        var bands: [Int: TensorBands] = [:]
        for op in model.operators[0..<patchLayers] where !model.rewrite.isDetached(op.index) && op.outputs.count == 1 {
            guard perPatch[op.output] != nil, let band = TensorBands(tensor: op.output, patches: patches, regions: tensorRegions)
            else { continue }
            bands[op.output] = band
        }
        return bands
    }

    /// MACs, computed regions and memory with `caches`: an op whose output
    /// is cached computes only what the caches do not hold.
    static func cached(model: Model, patches p: Int, patchLayers n: Int, opRegions: [[Region]], bands: [Int: TensorBands],
                       caches: Set<HaloCache>, options: MemoryOptions, buffers: StageBuffers) -> Cached {
        var computed = opRegions
        var bytes: [HaloCache: Int] = [:]
        for cache in caches {
            guard let band = bands[cache.tensor] else { continue }
            let t = model.tensors[cache.tensor]
            bytes[cache] = band.cachedPositions(cache.direction) * (t.shape.last ?? 1) * (t.type.byteSize ?? 1)
        }
        for op in model.operators[0..<n] {
            guard let band = bands[op.output] else { continue }
            let column = bytes[HaloCache(tensor: op.output, direction: .column)] != nil
            let row = bytes[HaloCache(tensor: op.output, direction: .row)] != nil
            guard column || row else { continue }
            for patch in 0..<(p * p) {
                computed[patch][op.index] = band.computed(i: patch / p, j: patch % p, column: column, row: row)
            }
        }
        var macs = model.operators.map { model.macs(of: $0) }
        for op in model.operators[0..<n] {
            let perPosition = macsPerPosition(of: op, in: model)
            guard perPosition > 0 || macs[op.index] == 0 else { continue }
            macs[op.index] = computed.reduce(0) { $0 + perPosition * $1[op.index].area }
        }
        var stage = buffers
        stage.cacheBytes = bytes
        return Cached(computed: computed, macs: macs, cacheBytes: bytes,
                      schedule: MemorySchedule(rewritten: model, options: options, stage: stage))
    }

    /// Greedy: take the cache that saves the most MACs per byte, keep it if
    /// the peak stays within `budget`, until none is left.
    static func autoCaches(plain: Cached, bands: [Int: TensorBands], budget: Int, build: (Set<HaloCache>) -> Cached) -> Cached {
        var best = plain
        guard plain.schedule.peakBytes <= budget else { return plain }
        var candidates: [(cache: HaloCache, saving: Int)] = []
        for (tensor, _) in bands {
            for direction in HaloCache.Direction.allCases where bands[tensor]!.cachedPositions(direction) > 0 {
                let cache = HaloCache(tensor: tensor, direction: direction)
                let saving = plain.macs.reduce(0, +) - build([cache]).macs.reduce(0, +)
                if saving > 0 { candidates.append((cache, saving)) }
            }
        }
        var chosen = Set<HaloCache>()
        let single = Dictionary(uniqueKeysWithValues: candidates.map { ($0.cache, build([$0.cache]).cacheBytes[$0.cache] ?? 1) })
        for (cache, _) in candidates.sorted(by: { a, b in
            let ra = Double(a.saving) / Double(max(single[a.cache] ?? 1, 1)), rb = Double(b.saving) / Double(max(single[b.cache] ?? 1, 1))
            return (ra, b.cache) > (rb, a.cache)
        }) {
            let trial = build(chosen.union([cache]))
            if trial.schedule.peakBytes <= budget && trial.macs.reduce(0, +) < best.macs.reduce(0, +) {
                chosen.insert(cache)
                best = trial
            }
        }
        return best
    }
}
