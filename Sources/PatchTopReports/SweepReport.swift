import PatchTopModel
import PatchTopPlan

/// The text and JSON of `patchtop sweep`.
public struct SweepReport: Sendable {
    public var sweep: Sweep
    public var sramBytes: Int?
    /// With a target: each plan's predicted instructions (by index in
    /// `sweep.plans`), and the core they are for.
    public var instructions: [Int]?
    public var core: CortexCore?
    /// `--board`'s name (or `SRAM` for `--sram`).
    public var budgetName = "SRAM"
    /// `--engine`: the plans ranked by the SRAM that engine needs, and the
    /// pick (`ParetoData.recommendation`); `nil`, by the plans' own peaks.
    public var engine: InferenceEngine?
    public private(set) var engineData: ParetoData?

    public init(sweep: Sweep, sramBytes: Int?, predictions: CostModel? = nil, budgetName: String = "SRAM", engine: InferenceEngine? = nil) {
        self.sweep = sweep
        self.sramBytes = sramBytes
        self.budgetName = budgetName
        self.engine = engine
        if engine != nil, let first = sweep.plans.first { engineData = ParetoData(sweep, options: first.options) }
        core = predictions?.core
        if case .instructions = sweep.cost {
            instructions = sweep.costs
        } else if let predictions {
            instructions = sweep.plans.map { predictions.instructions($0) }
        }
    }

    /// The engine's pick for the budget (or without one, its smallest
    /// figure at +20% MACs at most), the figure it needs, and why.
    public var enginePick: (point: ParetoPoint, required: EngineFigures.Requirement, reason: String)? {
        guard let engine, let data = engineData, let model = sweep.plans.first?.model else { return nil }
        let tflm = EngineFigures.tflmArena(for: model)
        let budget = sramBytes.map { SRAMBudget(name: budgetName, bytes: $0) }
        guard let pick = data.recommendation(budget: budget, engine: engine, tflm: tflm) else { return nil }
        return (pick.point, pick.point.required(by: engine, tflm: tflm), pick.reason)
    }

    /// The best plan for the budget, or without one the smallest peak.
    public var best: PatchPlan? {
        if let sramBytes { return sweep.best(fitting: sramBytes) }
        return sweep.smallestPeak
    }

    public func lines() -> [String] {
        guard let first = sweep.plans.first else { return ["no valid plan"] }
        var out = ["\(first.model.name): \(sweep.plans.count) valid plans — memory: \(first.options.summary)", ""]
        let against = if case .instructions = sweep.cost { "instructions predicted on \(core?.displayName ?? "the target")" } else { "MACs" }
        out.append("Pareto front (peak memory vs \(against)):")
        let cached = sweep.plans.contains { !$0.caches.isEmpty }
        let teColumn = engine == .tinyengine
        out.append("   p   n        peak    reduction    MACs  overhead" + (instructions != nil ? "  instructions" : "") + (teColumn ? "  TE PEAK_MEM" : "")
                   + (cached ? "  halo caches" : ""))
        let te = Dictionary((engineData?.points ?? []).map { ([$0.patches, $0.patchLayers], $0) }, uniquingKeysWith: { a, _ in a })
        for index in sweep.paretoIndices {
            let plan = sweep.plans[index]
            let point = te[[plan.patches, plan.patchLayers]]
            let teText = point?.tinyEngineBytes.map { formatBytes($0) + (point?.tinyEngineWrong == true ? " !" : "  ") } ?? "–  "
            out.append(String(repeating: " ", count: 0)
                + pad("\(plan.patches)", 4) + pad("\(plan.patchLayers)", 4) + pad(formatBytes(plan.peakBytes), 12)
                + pad("\(formatFixed(plan.peakReduction, decimals: 2))×", 13) + pad(formatMACs(plan.macs), 8)
                + pad(formatPercentChange(plan.macOverhead), 10)
                + (instructions.map { pad(formatInstructions($0[index]), 14) } ?? "")
                + (teColumn ? pad(teText, 14) : "")
                + (cached && !plan.caches.isEmpty ? "  \(plan.haloCaching.name) (\(plan.caches.count), \(formatBytes(plan.cacheBytes.values.reduce(0, +))))" : ""))
        }
        out.append("")
        if let sramBytes {
            if let best = sweep.best(fitting: sramBytes) {
                out.append("best for \(formatBytes(sramBytes)) SRAM: p=\(best.patches) n=\(best.patchLayers), peak \(formatBytes(best.peakBytes)), \(formatPercentChange(best.macOverhead)) MACs"
                    + (sweep.bestIndex(fitting: sramBytes).flatMap { i in instructions.map { ", \(formatInstructions($0[i])) instructions" } } ?? ""))
            } else if let smallest = sweep.smallestPeak {
                out.append("no plan fits \(formatBytes(sramBytes)) SRAM; the smallest peak reachable is \(formatBytes(smallest.peakBytes)) (p=\(smallest.patches) n=\(smallest.patchLayers))")
            }
        } else if let smallest = sweep.smallestPeak {
            out.append("smallest peak: p=\(smallest.patches) n=\(smallest.patchLayers), \(formatBytes(smallest.peakBytes)), \(formatPercentChange(smallest.macOverhead)) MACs")
        }
        if teColumn { out.append("(! TinyEngine computes the plan wrongly: never picked for TinyEngine)") }
        if let engine {
            if let pick = enginePick {
                let figure = pick.required.bytes.map { "\(pick.required.name) \(formatBytes($0))" } ?? "no \(engine.name) figure"
                out.append("best for \(engine.name): p=\(pick.point.patches) n=\(pick.point.patchLayers), \(figure), peak \(formatBytes(pick.point.peakBytes)), \(formatPercentChange(pick.point.macOverhead)) MACs (\(pick.reason))")
            } else {
                out.append("best for \(engine.name): none (no plan has a \(engine.name) figure)")
            }
        }
        return out
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// `patchtop sweep --json`: `plans`, `paretoFront` and `best`.
public struct SweepJSON: Codable, Equatable, Sendable {
    public var plans: [PlanJSON]
    public var paretoFront: [PlanJSON]
    public var best: PlanJSON?
    public var sramBytes: Int?
    public var fits: Bool
    /// What the front and `best` minimise beside peak: `macs` or `instructions`.
    public var cost: String?
    /// With `--target`: the core the plans' `instructions` are predicted for.
    public var target: String?
    /// With `--engine`: `tflm` or `tinyengine`, and its pick.
    public var engine: String?
    public var engineBest: EngineBest?

    /// The engine's pick: the plan, the SRAM the engine needs for it (null
    /// without a figure), whether that fits the budget, and why it was picked.
    public struct EngineBest: Codable, Equatable, Sendable {
        public var patches: Int
        public var patchLayers: Int
        public var requiredBytes: Int?
        public var requiredName: String
        public var fits: Bool?
        public var reason: String
    }

    public init(_ report: SweepReport) {
        let sweep = report.sweep
        func json(_ index: Int) -> PlanJSON {
            var plan = PlanJSON(sweep.plans[index], includeRegions: false)
            plan.instructions = report.instructions?[index]
            return plan
        }
        plans = sweep.plans.indices.map(json)
        paretoFront = sweep.paretoIndices.map(json)
        let bestIndex = report.sramBytes.map { sweep.bestIndex(fitting: $0) } ?? sweep.paretoIndices.first
        best = bestIndex.map(json)
        if case .instructions = sweep.cost { cost = "instructions" } else { cost = "macs" }
        target = report.core?.rawValue
        sramBytes = report.sramBytes
        fits = report.sramBytes.map { report.sweep.best(fitting: $0) != nil } ?? true
        engine = report.engine?.rawValue
        engineBest = report.enginePick.map { pick in
            EngineBest(patches: pick.point.patches, patchLayers: pick.point.patchLayers, requiredBytes: pick.required.bytes,
                       requiredName: pick.required.name,
                       fits: report.sramBytes.flatMap { budget in pick.required.bytes.map { $0 <= budget } }, reason: pick.reason)
        }
    }
}
