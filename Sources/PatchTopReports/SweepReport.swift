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

    public init(sweep: Sweep, sramBytes: Int?, predictions: CostModel? = nil) {
        self.sweep = sweep
        self.sramBytes = sramBytes
        core = predictions?.core
        if case .instructions = sweep.cost {
            instructions = sweep.costs
        } else if let predictions {
            instructions = sweep.plans.map { predictions.instructions($0) }
        }
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
        out.append("   p   n        peak    reduction    MACs  overhead" + (instructions != nil ? "  instructions" : "") + (cached ? "  halo caches" : ""))
        for index in sweep.paretoIndices {
            let plan = sweep.plans[index]
            out.append(String(repeating: " ", count: 0)
                + pad("\(plan.patches)", 4) + pad("\(plan.patchLayers)", 4) + pad(formatBytes(plan.peakBytes), 12)
                + pad("\(formatFixed(plan.peakReduction, decimals: 2))×", 13) + pad(formatMACs(plan.macs), 8)
                + pad(formatPercentChange(plan.macOverhead), 10)
                + (instructions.map { pad(formatInstructions($0[index]), 14) } ?? "")
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
    }
}
