import ArgumentParser
import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// `patchtop plan MODEL -p P -n N`: one patch-based plan in detail.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plan patch-based inference for one (p, n): peak memory, MAC overhead, per-patch regions."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var stage: PlanFlags

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var budget: BudgetFlags

    @OptionGroup var latency: LatencyFlags

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: .hidden)
    var costFeatures = false

    func run() throws {
        let loaded = try loadModel(model)
        let setup = try latency.resolve(board: budget.board)
        let plan: PatchPlan
        var n = try stage.patchLayers(for: loaded)
        var chosen: String?
        // `-p P` alone: not silently layer by layer, but the n with the
        // smallest peak for that grid (then the fewest MACs), said so.
        if stage.planFile == nil, let grid = stage.givenGrid, stage.givenPatchLayers == nil, stage.splitIndex == nil, grid.count > 1 {
            let candidates = (1...max(1, loaded.operators.count)).compactMap {
                try? PatchPlan(model: loaded, grid: grid, patchLayers: $0, options: memory.options,
                               haloCaching: cache.caching(budget: budget.budget?.bytes))
            }
            if let best = candidates.min(by: { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }) {
                n = best.patchLayers
                chosen = "n               \(n) (no -n given: the n with the smallest peak for p=\(grid.isSquare ? "\(grid.rows)" : "\(grid)"))"
            } else {
                throw CommandFailure("\(loaded.name): no n can be planned with p=\(grid.isSquare ? "\(grid.rows)" : "\(grid)") (give -n to see why)")
            }
        }
        if let filed = try stage.filePlan(for: loaded, options: memory.options) {
            plan = filed
        } else { do {
            plan = try PatchPlan(model: loaded, grid: stage.grid, patchLayers: n, options: memory.options,
                                 haloCaching: cache.caching(budget: budget.budget?.bytes))
        } catch {
            // A split index pasted from TinyEngine may be one PatchTop cannot plan: still say TinyEngine's figure.
            let engine = stage.splitIndex == nil ? "" : " (\(TinyEngineLines.summary(model: loaded, patches: stage.patches, patchLayers: n)))"
            throw CommandFailure("\(loaded.name): \(error.description)\(engine)")
        } }
        if json {
            var object = PlanJSON(plan, includeRegions: true)
            let tflm = plan.isPatched
                ? .failure(TFLiteMicroUnavailable(reason: "TFLite Micro runs models layer by layer: it has no patch plans"))
                : TFLiteMicroArena.predict(for: loaded)
            if !plan.isMultiStage && plan.grid.isSquare {
                object.engines = EnginesJSON(tflm: tflm, tinyEngine: TinyEngineEngineJSON(model: loaded, patches: plan.patches, patchLayers: plan.patchLayers))
            }
            object.latency = setup?.json(plan, includeOps: true)
            object.instructions = object.latency?.instructions
            if costFeatures {
                object.costFeatures = CostFeaturesJSON.list(plan)
                object.invokeCopies = InvokeCopiesJSON(InvokeCopies(model: plan.model, options: plan.options))
            }
            object.budget = budget.budget.map { PlanBudgetJSON(budget: $0, model: loaded, plan: plan) }
            try printJSON(object)
        } else {
            let report = PlanReport(plan: plan).lines()
            let engine = plan.isMultiStage || !plan.grid.isSquare ? []
                : TinyEngineLines.lines(model: loaded, patches: plan.patches, patchLayers: plan.patchLayers)
            let summary: [String] = setup?.lines(plan, perOp: false) ?? []
            let perOp: [String] = setup?.predict(plan).map { [""] + LatencyReport(prediction: $0, board: setup?.board).opLines() } ?? []
            let verdicts = budget.budget.map { PlanBudgetJSON.lines(budget: $0, model: loaded, plan: plan) } ?? []
            print((Array(report.prefix(4)) + (chosen.map { [$0] } ?? []) + verdicts + summary + engine + Array(report.dropFirst(4)) + perOp)
                .joined(separator: "\n"))
        }
    }
}

/// `patchtop sweep MODEL`: every valid (p, n), the Pareto front and the
/// cheapest plan that fits the SRAM budget.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Try every valid (p, n): the Pareto front of peak memory against MACs, and the best plan for an SRAM budget."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @Option(help: "Largest p to try.")
    var maxPatches = 8

    @OptionGroup var budgetFlags: BudgetFlags

    @Option(help: ArgumentHelp(
        "Also rank the plans by what this engine needs and pick for it: tflm (TFLite Micro's whole tensor_arena; layer by layer only) or tinyengine (TinyEngine's PEAK_MEM; plans it computes wrongly are never picked).",
        valueName: "engine"))
    var engine: InferenceEngine?
    @Flag(help: "Search multi-stage plans (fused blocks between cut points, each with its own grid and halo caches) for the exact Pareto front of peak against MACs (or, with --cost instructions, predicted instructions).")
    var multiStage = false

    @Option(help: ArgumentHelp("With --multi-stage: the smallest peak whose MACs are at most 1 + F times layer by layer's (P1).", valueName: "F"))
    var maxMacOverhead: Double?

    @Option(help: ArgumentHelp("With --multi-stage: the most tiles per side of square and rectangular grids (strips of rows or columns go up to the map).", valueName: "k"))
    var maxSide = 8

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var latency: LatencyFlags

    enum Cost: String, ExpressibleByArgument, CaseIterable {
        case macs, instructions
    }

    @Option(help: ArgumentHelp("What the Pareto front and the best plan minimise beside peak memory: macs, or instructions (predicted on --target).", valueName: "cost"))
    var cost: Cost = .macs

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...64).contains(maxPatches) else { throw ValidationError("--max-patches \(maxPatches) is out of range 1…64") }
        guard (1...64).contains(maxSide) else { throw ValidationError("--max-side \(maxSide) is out of range 1…64") }
        if let maxMacOverhead, !(maxMacOverhead >= 0 && maxMacOverhead.isFinite) {
            throw ValidationError("--max-mac-overhead \(maxMacOverhead) is not a fraction ≥ 0 (0.1 for +10%)")
        }
        if maxMacOverhead != nil && !multiStage { throw ValidationError("--max-mac-overhead needs --multi-stage") }
        if cost == .instructions, latency.target == nil, latency.calibration == nil {
            throw ValidationError("--cost instructions needs --target (\(CortexCore.names))")
        }
    }

    func run() throws {
        let loaded = try loadModel(model)
        let budget = budgetFlags.budget?.bytes
        if multiStage {
            let setup = try latency.resolve(board: budgetFlags.board)
            let searchCost: SweepCost = if cost == .instructions, let model = setup?.model { .instructions(model) } else { .macs }
            let search = MultiStageSearch(model: loaded, options: memory.options, maxSide: maxSide, cost: searchCost)
            let report = MultiStageReport(search: search, sramBytes: budget, maxMacOverhead: maxMacOverhead, latency: setup)
            if json { try printJSON(MultiStageJSON(report)) } else { print(report.lines().joined(separator: "\n")) }
            return
        }
        let predictions = try latency.resolve(board: budgetFlags.board)?.model
        // With --halo-cache the sweep tries that choice beside plain patching.
        let caching = cache.haloCache == .none ? [HaloCaching.none] : [.none, cache.caching(budget: budget)]
        let sweepCost: SweepCost = if cost == .instructions, let predictions { .instructions(predictions) } else { .macs }
        let sweep = Sweep(model: loaded, maxPatches: maxPatches, options: memory.options, caching: caching, cost: sweepCost)
        let report = SweepReport(sweep: sweep, sramBytes: budget, predictions: predictions,
                                 budgetName: budgetFlags.budget?.name ?? "SRAM", engine: engine)
        if json {
            try printJSON(SweepJSON(report))
        } else {
            print(report.lines().joined(separator: "\n"))
        }
    }
}
