import PatchTopModel
import PatchTopPlan

/// A sweep of one model under one set of memory options: every valid plan
/// and its Pareto front (peak memory against MACs), plus the largest n
/// any plan reaches (the n slider's range).
public struct ParetoData: Equatable, Sendable {
    public var options: MemoryOptions
    public var points: [ParetoPoint]
    /// The front, by ascending peak (so by descending MACs).
    public var front: [ParetoPoint]
    /// The core the points' `instructions` are predicted on (the front is
    /// then peak against instructions); `nil`: MACs.
    public var core: CortexCore?

    public init(options: MemoryOptions, points: [ParetoPoint], front: [ParetoPoint], core: CortexCore? = nil) {
        self.options = options
        self.points = points
        self.front = front
        self.core = core
    }

    /// Every plan of `sweep`, each with TinyEngine's PEAK_MEM for it and
    /// whether TinyEngine computes it wrongly.
    public init(_ sweep: Sweep, options: MemoryOptions) {
        let list = sweep.plans.first.flatMap { try? TinyEngineLayerList(model: $0.model) }
        var known: [[Int]: (bytes: Int, wrong: Bool)?] = [:]
        var core: CortexCore?
        var instructions: [Int] = []
        if case .instructions(let model) = sweep.cost { core = model.core; instructions = sweep.costs }
        func point(_ index: Int) -> ParetoPoint {
            let plan = sweep.plans[index]
            var point = ParetoPoint(plan, instructions: index < instructions.count ? instructions[index] : nil)
            let key = [plan.patches, plan.isPatched ? plan.patchLayers : 0]
            if known[key] == nil, let list { known[key] = .some(Self.tinyEngine(list, patches: key[0], patchLayers: key[1])) }
            if let figure = known[key] ?? nil {
                point.tinyEngineBytes = figure.bytes
                point.tinyEngineWrong = figure.wrong
            }
            return point
        }
        self.init(options: options, points: sweep.plans.indices.map(point), front: sweep.paretoIndices.map(point), core: core)
    }

    /// TinyEngine's PEAK_MEM for (p, n) and whether its result is wrong; `nil`
    /// where it has no figure (no split index for n, an op it lacks, …).
    static func tinyEngine(_ list: TinyEngineLayerList, patches: Int, patchLayers: Int) -> (bytes: Int, wrong: Bool)? {
        let patched = patches > 1 && patchLayers > 0
        var split: Int?
        if patched {
            guard case .success(let s) = list.splitIndex(forPatchLayers: patchLayers) else { return nil }
            split = s
        }
        guard let memory = try? TinyEngineMemory(layers: list, patches: patched ? patches : 1, splitIndex: split) else { return nil }
        return (memory.peakMemBytes, !memory.patchWarnings.isEmpty)
    }

    /// The largest n of any valid plan: the n slider's upper end.
    public var maxPatchLayers: Int { points.map(\.patchLayers).max() ?? 0 }

    /// The plan PatchTop opens at when no `-p`/`-n` is given, and why.
    ///
    /// With a budget: the plan with the fewest MACs that fits it (as
    /// `sweep --sram` picks). Without: the smallest peak whose MAC overhead
    /// is at most `maxOverhead`. Layer by layer when nothing qualifies.
    ///
    /// Under an engine (`engine`), plans are ranked by the SRAM that engine
    /// needs for them (`ParetoPoint.required`), and a plan it has no figure
    /// for or computes wrongly is never picked: TinyEngine's PEAK_MEM, or
    /// TFLite Micro's arena (`tflm`, layer by layer only; where it does not
    /// fit, the plans' own peaks decide, and the reason says so).
    public func recommendation(budget: SRAMBudget?, engine: InferenceEngine, tflm: Result<Int, EngineFigures.Reason>,
                               maxOverhead: Double = 0.2) -> (point: ParetoPoint, reason: String)? {
        func need(_ point: ParetoPoint) -> Int? {
            let required = point.required(by: engine, tflm: tflm)
            return required.why == nil ? required.bytes : nil
        }
        let named = points.compactMap { point in need(point).map { (point, $0) } }
        let figure = engine == .tflm ? "TFLite Micro's arena" : "TinyEngine PEAK_MEM"
        if let budget {
            let fitting = named.filter { $0.1 <= budget.bytes }
            if let best = fitting.min(by: { ($0.0.macs, $0.1) < ($1.0.macs, $1.1) }) {
                return (best.0, "fewest MACs whose \(figure) fits \(budget.name) \(kib(budget.bytes)) KiB")
            }
            if engine == .tinyengine, let smallest = named.min(by: { ($0.1, $0.0.macs) < ($1.1, $1.0.macs) }) {
                return (smallest.0, "no TinyEngine PEAK_MEM fits \(budget.name) \(kib(budget.bytes)) KiB; smallest PEAK_MEM")
            }
            if engine == .tflm, let plain = recommendation(budget: budget, maxOverhead: maxOverhead) {
                return (plain.point, "TFLite Micro's arena is over; by plan peak, \(plain.reason)")
            }
            return recommendation(budget: budget, maxOverhead: maxOverhead)
        }
        if engine == .tinyengine {
            let cheap = named.filter { $0.0.macOverhead <= maxOverhead + 1e-12 }
            if let best = cheap.min(by: { ($0.1, $0.0.macs) < ($1.1, $1.0.macs) }) {
                return (best.0, "smallest TinyEngine PEAK_MEM with MACs +\(formatFixed(maxOverhead * 100, decimals: 0))% at most")
            }
        }
        return recommendation(budget: nil, maxOverhead: maxOverhead)
    }

    /// The same by the plans' own peaks, with no engine.
    public func recommendation(budget: SRAMBudget?, maxOverhead: Double = 0.2) -> (point: ParetoPoint, reason: String)? {
        if let budget {
            let fitting = points.filter { $0.peakBytes <= budget.bytes }
            if let best = fitting.min(by: { ($0.macs, $0.peakBytes) < ($1.macs, $1.peakBytes) }) {
                return (best, "fewest MACs that fits \(budget.name) \(kib(budget.bytes)) KiB")
            }
            if let smallest = front.first {
                return (smallest, "nothing fits \(budget.name) \(kib(budget.bytes)) KiB; smallest peak")
            }
            return nil
        }
        let cheap = points.filter { $0.macOverhead <= maxOverhead + 1e-12 }
        guard let best = cheap.min(by: { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }) else { return nil }
        return (best, "smallest peak with MACs +\(formatFixed(maxOverhead * 100, decimals: 0))% at most")
    }
}

/// The front of multi-stage plans (`MultiStageSearch`, msf-CNN's search)
/// as the Pareto chart draws it beside the (p, n) sweep's: each plan's
/// stages, peak and MACs, and with a cost model its predicted
/// instructions (the front then kept over peak against instructions;
/// a search on instructions gives that front itself).
public struct MultiStageFront: Equatable, Sendable {
    public var options: MemoryOptions
    public var core: CortexCore?
    /// By ascending peak.
    public var points: [ParetoPoint]

    public init(options: MemoryOptions, core: CortexCore?, points: [ParetoPoint]) {
        self.options = options
        self.core = core
        self.points = points
    }

    public init(_ search: MultiStageSearch, cost: CostModel?) {
        var points = search.front.map { found -> ParetoPoint in
            var point = ParetoPoint(found.plan, instructions: found.instructions ?? cost?.instructions(found.plan))
            // A one-stage plan at the head is still shown by its stages: it came from this search.
            point.stages = found.plan.stageSpecs
            return point
        }
        if cost != nil {
            points.sort { ($0.peakBytes, $0.instructions ?? 0) < ($1.peakBytes, $1.instructions ?? 0) }
            var kept: [ParetoPoint] = []
            for point in points where kept.last.map({ (point.instructions ?? 0) < ($0.instructions ?? 0) }) ?? true { kept.append(point) }
            points = kept
        }
        self.init(options: search.options, core: cost?.core, points: points)
    }
}
