import PatchTopModel
import PatchTopPlan

/// The text and JSON of `patchtop sweep`.
public struct SweepReport: Sendable {
    public var sweep: Sweep
    public var sramBytes: Int?

    public init(sweep: Sweep, sramBytes: Int?) {
        self.sweep = sweep
        self.sramBytes = sramBytes
    }

    /// The best plan for the budget, or without one the smallest peak.
    public var best: PatchPlan? {
        if let sramBytes { return sweep.best(fitting: sramBytes) }
        return sweep.smallestPeak
    }

    public func lines() -> [String] {
        guard let first = sweep.plans.first else { return ["no valid plan"] }
        var out = ["\(first.model.name): \(sweep.plans.count) valid plans — memory: \(first.options.summary)", ""]
        out.append("Pareto front (peak memory vs MACs):")
        let cached = sweep.plans.contains { !$0.caches.isEmpty }
        out.append("   p   n        peak    reduction    MACs  overhead" + (cached ? "  halo caches" : ""))
        for plan in sweep.paretoFront {
            out.append(String(repeating: " ", count: 0)
                + pad("\(plan.patches)", 4) + pad("\(plan.patchLayers)", 4) + pad(formatBytes(plan.peakBytes), 12)
                + pad("\(formatFixed(plan.peakReduction, decimals: 2))×", 13) + pad(formatMACs(plan.macs), 8)
                + pad(formatPercentChange(plan.macOverhead), 10)
                + (cached && !plan.caches.isEmpty ? "  \(plan.haloCaching.name) (\(plan.caches.count), \(formatBytes(plan.cacheBytes.values.reduce(0, +))))" : ""))
        }
        out.append("")
        if let sramBytes {
            if let best = sweep.best(fitting: sramBytes) {
                out.append("best for \(formatBytes(sramBytes)) SRAM: p=\(best.patches) n=\(best.patchLayers), peak \(formatBytes(best.peakBytes)), \(formatPercentChange(best.macOverhead)) MACs")
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

    public init(_ report: SweepReport) {
        plans = report.sweep.plans.map { PlanJSON($0, includeRegions: false) }
        paretoFront = report.sweep.paretoFront.map { PlanJSON($0, includeRegions: false) }
        best = report.best.map { PlanJSON($0, includeRegions: false) }
        sramBytes = report.sramBytes
        fits = report.sramBytes.map { report.sweep.best(fitting: $0) != nil } ?? true
    }
}
