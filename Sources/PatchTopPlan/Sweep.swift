import PatchTopModel

/// Every valid (p, n) of a model, the Pareto front of peak memory against
/// MACs, and the cheapest plan that fits an SRAM budget.
public struct Sweep: Sendable {
    public let plans: [PatchPlan]
    /// Plans no other plan beats on both peak and MACs, by ascending peak.
    public let paretoFront: [PatchPlan]

    /// `caching`: the halo-cache choices tried for every patched (p, n)
    /// (each a plan of its own, so the front can mix them).
    public init(model: Model, maxPatches: Int = 8, options: MemoryOptions = .tfliteMicro, caching: [HaloCaching] = [.none]) {
        var plans: [PatchPlan] = []
        if let layerByLayer = try? PatchPlan(model: model, patches: 1, patchLayers: 0, options: options) {
            plans.append(layerByLayer)
        }
        for n in 1...max(1, model.operators.count) where n <= model.operators.count {
            // Once the stage crosses a global op every longer stage does too.
            if case .crossesGlobalOp? = Self.error(model: model, n: n) { break }
            for p in 2...max(2, maxPatches) where p <= maxPatches {
                for choice in caching {
                    guard let plan = try? PatchPlan(model: model, patches: p, patchLayers: n, options: options, haloCaching: choice)
                    else { break }
                    // A cache choice that keeps no cache is the plain plan again.
                    if choice != .none && plan.caches.isEmpty { continue }
                    plans.append(plan)
                }
            }
        }
        self.plans = plans
        let sorted = plans.sorted { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }
        var front: [PatchPlan] = []
        for plan in sorted where front.last.map({ plan.macs < $0.macs }) ?? true { front.append(plan) }
        paretoFront = front
    }

    private static func error(model: Model, n: Int) -> PlanError? {
        do { _ = try PatchPlan.stage(of: model, patchLayers: n); return nil } catch { return error }
    }

    /// The plan with the fewest MACs whose peak fits `sramBytes` (the
    /// smaller peak on a tie), or `nil` when none fits.
    public func best(fitting sramBytes: Int) -> PatchPlan? {
        plans.filter { $0.peakBytes <= sramBytes }.min { ($0.macs, $0.peakBytes) < ($1.macs, $1.peakBytes) }
    }

    /// The plan with the smallest peak (the fewer MACs on a tie).
    public var smallestPeak: PatchPlan? { paretoFront.first }
}
