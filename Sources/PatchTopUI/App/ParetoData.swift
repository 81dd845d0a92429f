import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// A sweep of one model under one set of memory options: every valid plan
/// and its Pareto front (peak memory against MACs), plus the largest n
/// any plan reaches (the n slider's range).
public struct ParetoData: Equatable, Sendable {
    public var options: MemoryOptions
    public var points: [ParetoPoint]
    /// The front, by ascending peak (so by descending MACs).
    public var front: [ParetoPoint]

    public init(options: MemoryOptions, points: [ParetoPoint], front: [ParetoPoint]) {
        self.options = options
        self.points = points
        self.front = front
    }

    public init(_ sweep: Sweep, options: MemoryOptions) {
        self.init(options: options, points: sweep.plans.map(ParetoPoint.init), front: sweep.paretoFront.map(ParetoPoint.init))
    }

    /// The largest n of any valid plan: the n slider's upper end.
    public var maxPatchLayers: Int { points.map(\.patchLayers).max() ?? 0 }

    /// The plan PatchTop opens at when no `-p`/`-n` is given, and why.
    ///
    /// With a budget: the plan with the fewest MACs that fits it (as
    /// `sweep --sram` picks). Without: the smallest peak whose MAC overhead
    /// is at most `maxOverhead`. Layer by layer when nothing qualifies.
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
