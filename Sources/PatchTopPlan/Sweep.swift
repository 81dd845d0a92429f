import PatchTopModel

/// What a sweep minimises beside peak memory: MACs (the default), or the
/// instructions a cost model predicts on a core.
public enum SweepCost: Sendable {
    case macs
    case instructions(CostModel)

    /// `MACs`, `instructions`.
    public var name: String {
        switch self {
        case .macs: "MACs"
        case .instructions: "instructions"
        }
    }

    public func cost(of plan: PatchPlan) -> Int {
        switch self {
        case .macs: plan.macs
        case .instructions(let model): model.instructions(plan)
        }
    }
}

/// Every valid (p, n) of a model, the Pareto front of peak memory against
/// MACs (or predicted instructions), and the cheapest plan that fits an
/// SRAM budget.
public struct Sweep: Sendable {
    public let plans: [PatchPlan]
    /// What `costs` count.
    public let cost: SweepCost
    /// Each plan's cost, by index in `plans`.
    public let costs: [Int]
    /// Indices in `plans` of the Pareto front, by ascending peak.
    public let paretoIndices: [Int]
    /// Plans no other plan beats on both peak and cost, by ascending peak.
    public var paretoFront: [PatchPlan] { paretoIndices.map { plans[$0] } }

    /// `caching`: the halo-cache choices tried for every patched (p, n)
    /// (each a plan of its own, so the front can mix them).
    public init(model: Model, maxPatches: Int = 8, options: MemoryOptions = .tfliteMicro, caching: [HaloCaching] = [.none],
                cost: SweepCost = .macs) {
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
        self.cost = cost
        let costs: [Int]
        switch cost {
        case .macs: costs = plans.map(\.macs)
        case .instructions(let model):
            // The plans share one rewritten model: steps recur from plan to plan.
            let memo = CostMemo()
            costs = plans.map { model.instructions($0, memo: memo) }
        }
        self.costs = costs
        let sorted = plans.indices.sorted { (plans[$0].peakBytes, costs[$0], $0) < (plans[$1].peakBytes, costs[$1], $1) }
        var front: [Int] = []
        for index in sorted where front.last.map({ costs[index] < costs[$0] }) ?? true { front.append(index) }
        paretoIndices = front
    }

    private static func error(model: Model, n: Int) -> PlanError? {
        do { _ = try PatchPlan.stage(of: model, patchLayers: n); return nil } catch { return error }
    }

    /// The plan with the lowest cost whose peak fits `sramBytes` (the
    /// smaller peak on a tie), or `nil` when none fits.
    public func best(fitting sramBytes: Int) -> PatchPlan? {
        bestIndex(fitting: sramBytes).map { plans[$0] }
    }

    /// The index of `best(fitting:)` in `plans`.
    public func bestIndex(fitting sramBytes: Int) -> Int? {
        plans.indices.filter { plans[$0].peakBytes <= sramBytes }
            .min { (costs[$0], plans[$0].peakBytes) < (costs[$1], plans[$1].peakBytes) }
    }

    /// The plan with the smallest peak (the lower cost on a tie).
    public var smallestPeak: PatchPlan? { paretoIndices.first.map { plans[$0] } }
}
