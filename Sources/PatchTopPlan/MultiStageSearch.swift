import PatchTopModel

/// The Pareto front of peak memory against MACs over multi-stage plans
/// (msf-CNN's search): every plan is a path over the op list's *cut
/// points*, each step either one op layer by layer or a fused block
/// between two cut points with a grid and a choice of halo caches.
///
/// A cut point is a position between two ops where at most one tensor is
/// live across it (outside residual blocks and branches). Between cut
/// points a plan's memory decomposes: the bytes live at an op depend only
/// on the stage it belongs to (the block's input held whole, its per-tile
/// buffers and caches, its outputs filling; or the layer-by-layer buffers),
/// so the plan's peak is the largest of its stages' peaks and its MACs the
/// sum of theirs. Each candidate stage's peak and MACs come from the memory
/// schedule itself (the same rules as any plan). The front is then exact
/// over the candidates: for every distinct stage peak T, a shortest path
/// over stages whose peak is at most T gives the fewest MACs within T.
/// Each plan on the front is rebuilt whole and its peak and MACs checked
/// against the path's (`verified`).
///
/// With `cost: .instructions(model)` each candidate is also priced in the
/// instructions the cost model predicts for its steps (the same step rule
/// as `CostModel.instructions(plan)`, walked over the stage alone), and the
/// front is peak against predicted instructions. A plan's instructions are
/// the constant per inference plus the sum of its stages': every step
/// belongs to one stage, and the in-place and fused-residual choices that
/// set a step's price are made inside its stage. `verified` then also
/// checks the path's total against the ordinary predictor on the built plan.
public struct MultiStageSearch: Sendable {
    /// One plan of the front: its stages, and the peak and MACs the search
    /// predicted for it (equal to the built plan's when `verified`).
    public struct Point: Sendable {
        public var stages: [StageSpec]
        public var peakBytes: Int
        public var macs: Int
        public var plan: PatchPlan
        /// With an instruction cost: the path's predicted instructions (the
        /// constant per inference plus its stages' sums, rounded).
        public var instructions: Int?
        /// With an instruction cost: the ordinary predictor's figure for the
        /// built plan (`CostModel.instructions(plan)`).
        public var planInstructions: Int?
        /// What the front minimised: predicted instructions, or else MACs.
        public var cost: Int { instructions ?? macs }
        /// The built plan's peak and MACs (and predicted instructions)
        /// equal the search's.
        public var verified: Bool { plan.peakBytes == peakBytes && plan.macs == macs && instructions == planInstructions }
    }

    /// A candidate step of a path.
    struct Edge {
        var from: Int
        var to: Int
        var peak: Int
        var macs: Int
        /// Predicted instructions (0 without a cost model).
        var instructions: Double
        var spec: StageSpec?
    }

    public let model: Model
    public let options: MemoryOptions
    /// Whether the front is on predicted instructions.
    public var isInstructionSearch: Bool { if case .instructions = cost { true } else { false } }
    /// The core instructions are predicted for, if any.
    public var core: CortexCore? { if case .instructions(let m) = cost { m.core } else { nil } }
    /// Cut points (op positions) fused blocks may start and end at.
    public let cutPoints: [Int]
    /// Candidate fused stages evaluated, and how many survived pruning.
    public let candidatesEvaluated: Int
    public let candidatesKept: Int
    /// What the front minimises beside peak.
    public let cost: SweepCost
    /// Plans no other beats on both peak and `cost` (MACs or predicted
    /// instructions), by ascending peak.
    public let front: [Point]
    /// Plans no other beats on both peak and MACs (`front` itself when the
    /// cost is MACs): P1 (`--max-mac-overhead`) is read off it.
    public let macFront: [Point]

    /// The grids tried for a block whose output is `height × width`: every
    /// square and rectangular grid of sides 1…`maxSide`, and strips of rows
    /// (k×1) and of columns (1×k) for every divisor k of the side.
    public static func grids(height: Int, width: Int, maxSide: Int) -> [TileGrid] {
        func sides(_ n: Int) -> [Int] {
            let small = Array(1...max(1, min(n, maxSide)))
            let divisors = (1...max(1, min(n, 64))).filter { n % $0 == 0 }
            return Array(Set(small + divisors)).sorted()
        }
        var grids = Set<TileGrid>()
        for r in sides(height) where r <= min(maxSide, height) {
            for c in sides(width) where c <= min(maxSide, width) { grids.insert(TileGrid(rows: r, cols: c)) }
        }
        for r in sides(height) { grids.insert(TileGrid(rows: r, cols: 1)) }
        for c in sides(width) { grids.insert(TileGrid(rows: 1, cols: c)) }
        grids.remove(TileGrid(1))
        return grids.sorted()
    }

    /// The cache choices tried for each block and grid.
    static let cachings: [HaloCaching] = [.none, .only(.row), .only(.column), .all]

    /// Searches `model` under `options`: blocks of at most `maxBlockOps`
    /// ops, grids of at most `maxSide` tiles per side (strips up to the
    /// map's size).
    public init(model original: Model, options: MemoryOptions = .tfliteMicro, maxSide: Int = 8, maxBlockOps: Int = 64,
                cost: SweepCost = .macs) {
        let model = original.rewritten(for: options)
        self.model = model
        self.options = options
        let count = model.operators.count
        let layerByLayer = MemorySchedule(rewritten: model, options: options, stages: [])
        let cuts = Self.cutPoints(of: model, options: options)
        cutPoints = cuts
        self.cost = cost
        let costModel: CostModel? = if case .instructions(let m) = cost { m } else { nil }
        let memo = CostMemo()
        var edges: [Edge] = []
        for op in 0..<count {
            let instructions = costModel?.instructions(ofWholeOp: op, schedule: layerByLayer, memo: memo) ?? 0
            edges.append(Edge(from: op, to: op + 1, peak: layerByLayer.liveBytes[op], macs: model.macs(of: model.operators[op]),
                              instructions: instructions, spec: nil))
        }
        var evaluated = 0, kept = 0
        for (i, a) in cuts.enumerated() where a < count {
            for b in cuts[(i + 1)...] where b - a >= 2 && b - a <= maxBlockOps {
                let first = a, last = b - 1
                guard case .success(let found) = FusedStage.outputs(of: model, first: first, last: last) else {
                    // A block crossing a global op only grows by going further.
                    if case .failure(.global) = FusedStage.outputs(of: model, first: first, last: last) { break }
                    continue
                }
                var candidates: [Edge] = []
                // Walks depend on a grid's rows or its columns only: shared.
                var rowWalks: [Int: [FusedStage.Walk]] = [:], colWalks: [Int: [FusedStage.Walk]] = [:]
                for grid in Self.grids(height: found.grid.height, width: found.grid.width, maxSide: maxSide) {
                    let rows = rowWalks[grid.rows] ?? FusedStage.rowWalks(model: model, first: first, last: last, outputs: found.outputs,
                                                                          outputGrid: found.grid, rows: grid.rows)
                    let cols = colWalks[grid.cols] ?? FusedStage.colWalks(model: model, first: first, last: last, outputs: found.outputs,
                                                                          outputGrid: found.grid, cols: grid.cols)
                    rowWalks[grid.rows] = rows
                    colWalks[grid.cols] = cols
                    let stage = FusedStage(model: model, first: first, last: last, grid: grid, outputs: found.outputs,
                                           outputGrid: found.grid, caching: .all, options: options, materialize: false,
                                           walks: (rows, cols))
                    let all = stage.possibleCaches(HaloCache.Direction.allCases)
                    var seen = Set<Set<HaloCache>>()
                    // The grid's steps without caches: the cache choices after it reprice only the ops their caches change.
                    var base: (perOp: [Double], inplace: Set<Int>)?
                    for caching in Self.cachings {
                        let caches: Set<HaloCache>
                        switch caching {
                        case .all: caches = all
                        case .only(let d): caches = all.filter { $0.direction == d }
                        default: caches = []
                        }
                        guard seen.insert(caches).inserted else { continue }
                        evaluated += 1
                        let (peak, macs, instructions) = Self.cost(of: stage, caches: caches, model: model, options: options,
                                                                   costModel: costModel, memo: memo, base: &base)
                        candidates.append(Edge(from: a, to: b, peak: peak, macs: macs, instructions: instructions,
                                               spec: StageSpec(firstOp: first, lastOp: last, grid: grid, caching: caching)))
                    }
                }
                // Within one block only its Pareto-optimal choices matter
                // (on MACs, and on instructions when they are the cost).
                candidates.sort { ($0.peak, $0.macs, $0.instructions) < ($1.peak, $1.macs, $1.instructions) }
                var onFront = Set<Int>()
                var best = Int.max
                for (i, edge) in candidates.enumerated() where edge.macs < best {
                    best = edge.macs
                    onFront.insert(i)
                }
                if costModel != nil {
                    let order = candidates.indices.sorted { (candidates[$0].peak, candidates[$0].instructions) < (candidates[$1].peak, candidates[$1].instructions) }
                    var least = Double.infinity
                    for i in order where candidates[i].instructions < least {
                        least = candidates[i].instructions
                        onFront.insert(i)
                    }
                }
                for i in onFront.sorted() {
                    edges.append(candidates[i])
                    kept += 1
                }
            }
        }
        candidatesEvaluated = evaluated
        candidatesKept = kept
        func point(_ path: Path) -> Point? {
            let specs = path.edges.compactMap(\.spec)
            guard let plan = try? PatchPlan(model: original, stages: specs, options: options) else { return nil }
            return Point(stages: specs, peakBytes: path.peak, macs: path.macs, plan: plan,
                         instructions: costModel.map { Int(max($0.perInference(model, options: options) + path.instructions, 0).rounded()) },
                         planInstructions: costModel.map { $0.instructions(plan) })
        }
        let macFront = Self.front(edges: edges, count: count) { Double($0.macs) }.compactMap(point)
        self.macFront = macFront
        if let costModel {
            // Fronts compare rounded instructions: a sum that differs only
            // in float noise is not a better plan.
            front = Self.front(edges: edges, count: count, rounding: costModel.perInference(model, options: options)) { $0.instructions }
                .compactMap(point)
        } else {
            front = macFront
        }
    }

    /// A fused stage's peak (the most bytes live at one of its ops) and
    /// MACs with `caches`, from the memory schedule's rules applied to the
    /// buffers live in its ops only (the rest cannot change them).
    /// With `costModel`, also its predicted instructions (its steps priced
    /// under the same windowed schedule, which agrees with any whole plan's
    /// inside the stage).
    ///
    /// `base`: the per-op step sums of the same block and grid without
    /// caches (set when `caches` is empty); with caches, every op whose
    /// output has no cache and whose in-place choice is the same keeps its
    /// sum from `base` (its computed regions are the same tile by tile).
    static func cost(of stage: FusedStage, caches: Set<HaloCache>, model: Model, options: MemoryOptions,
                     costModel: CostModel? = nil, memo: CostMemo? = nil,
                     base: inout (perOp: [Double], inplace: Set<Int>)?) -> (peak: Int, macs: Int, instructions: Double) {
        let cached = stage.with(caches: caches, model: model)
        let schedule = MemorySchedule(rewritten: model, options: options, stages: [cached.scheduleBuffers], window: stage.ops)
        var instructions = 0.0
        if let costModel {
            let inplace = Set(schedule.inplaceOps.map(\.op))
            var reusing: (perOp: [Double], reuse: [Bool])?
            if !caches.isEmpty, let base {
                let cachedTensors = Set(caches.map(\.tensor))
                let reuse = stage.ops.map { op in
                    !(model.operators[op].outputs.first.map(cachedTensors.contains) ?? false)
                        && inplace.contains(op) == base.inplace.contains(op)
                }
                reusing = (base.perOp, reuse)
            }
            let priced = costModel.instructions(of: cached, schedule: schedule, memo: memo ?? CostMemo(), reusing: reusing)
            if caches.isEmpty { base = (priced.perOp, inplace) }
            instructions = priced.total
        }
        return (schedule.liveBytes[stage.ops].max() ?? 0, cached.macs(model: model).reduce(0, +), instructions)
    }

    /// The same without a cost model (peak and MACs).
    static func cost(of stage: FusedStage, caches: Set<HaloCache>, model: Model, options: MemoryOptions) -> (peak: Int, macs: Int, instructions: Double) {
        var base: (perOp: [Double], inplace: Set<Int>)?
        return cost(of: stage, caches: caches, model: model, options: options, base: &base)
    }

    /// Positions 0…count where at most one tensor of the arena is live
    /// across: every tensor written before (or a graph input held in SRAM)
    /// and read at or after it (graph outputs are read at the end).
    public static func cutPoints(of model: Model, options: MemoryOptions) -> [Int] {
        let count = model.operators.count
        var crossing = [Int](repeating: 0, count: count + 1)
        for tensor in model.tensors.indices where model.isActivation(tensor) {
            if model.inputs.contains(tensor) && options.streamInput { continue }
            let start = model.inputs.contains(tensor) ? 0 : (model.producer[tensor].map { $0 + 1 } ?? 0)
            let end = model.outputs.contains(tensor) ? count : (model.consumers[tensor].last ?? -1)
            guard start <= end else { continue }
            for c in start...end where c <= count { crossing[c] += 1 }
        }
        return (0...count).filter { $0 == 0 || $0 == count || crossing[$0] <= 1 }
    }

    struct Path {
        var peak: Int
        var macs: Int
        var instructions: Double
        var edges: [Edge]
    }

    /// For each distinct edge peak T, ascending: the least total `weight`
    /// (MACs, or instructions) over paths 0 → count whose edges all peak
    /// at most T. Keeps the paths whose total falls as T grows. With
    /// `rounding` (the constant added to every path), a total must fall by
    /// a whole unit once that constant is added and the sum rounded.
    static func front(edges: [Edge], count: Int, rounding: Double? = nil, weight: (Edge) -> Double) -> [Path] {
        let thresholds = Array(Set(edges.map(\.peak))).sorted()
        let byTarget = Dictionary(grouping: edges, by: \.to)
        let weights = Dictionary(grouping: edges.indices, by: { edges[$0].to }).mapValues { $0.map { weight(edges[$0]) } }
        var front: [Path] = []
        var best = Double.infinity
        for threshold in thresholds {
            var dist = [Double](repeating: .infinity, count: count + 1)
            var via = [Edge?](repeating: nil, count: count + 1)
            dist[0] = 0
            for node in 1...max(count, 1) where node <= count {
                guard let into = byTarget[node], let w = weights[node] else { continue }
                for (i, edge) in into.enumerated() where edge.peak <= threshold && dist[edge.from] < .infinity {
                    let d = dist[edge.from] + w[i]
                    if d < dist[node] { dist[node] = d; via[node] = edge }
                }
            }
            let total = rounding.map { max($0 + dist[count], 0).rounded() } ?? dist[count]
            guard total < best else { continue }
            best = total
            var path: [Edge] = []
            var node = count
            while node > 0, let edge = via[node] { path.append(edge); node = edge.from }
            path.reverse()
            front.append(Path(peak: path.map(\.peak).max() ?? 0, macs: path.reduce(0) { $0 + $1.macs },
                              instructions: path.reduce(0) { $0 + $1.instructions }, edges: path))
        }
        return front
    }

    /// P1: the smallest peak whose MACs are at most `1 + overhead` times
    /// layer by layer's (the fewer MACs on a tie), read off the MAC front.
    public func smallestPeak(maxMacOverhead overhead: Double) -> Point? {
        let limit = Double(model.macs) * (1 + overhead)
        return macFront.filter { Double($0.macs) <= limit + 1e-9 }.min { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }
    }

    /// P2: the fewest MACs whose peak fits `sramBytes`.
    public func fewestMacs(fitting sramBytes: Int) -> Point? {
        macFront.filter { $0.peakBytes <= sramBytes }.min { ($0.macs, $0.peakBytes) < ($1.macs, $1.peakBytes) }
    }

    /// P2 on the cost: the fewest MACs, or the fewest predicted
    /// instructions, whose peak fits `sramBytes`.
    public func cheapest(fitting sramBytes: Int) -> Point? {
        front.filter { $0.peakBytes <= sramBytes }.min { ($0.cost, $0.peakBytes) < ($1.cost, $1.peakBytes) }
    }
}
