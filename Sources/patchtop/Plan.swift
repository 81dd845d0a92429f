import ArgumentParser
import PatchTopModel
import PatchTopPlan
import PatchTopUI

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

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let loaded = try loadModel(model)
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: loaded, patches: stage.patches, patchLayers: stage.patchLayers, options: memory.options,
                                 haloCaching: cache.caching(budget: budget.budget?.bytes))
        } catch {
            throw CommandFailure("\(loaded.name): \(error.description)")
        }
        if json {
            try printJSON(PlanJSON(plan, includeRegions: true))
        } else {
            print(PlanReport(plan: plan).lines().joined(separator: "\n"))
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

    @Option(help: ArgumentHelp("SRAM budget for activations: bytes, or with a KiB/MiB suffix (e.g. 256KiB).", valueName: "size"))
    var sram: ByteSize?

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (1...64).contains(maxPatches) else { throw ValidationError("--max-patches \(maxPatches) is out of range 1…64") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        let budget = sram?.bytes
        // With --halo-cache the sweep tries that choice beside plain patching.
        let caching = cache.haloCache == .none ? [HaloCaching.none] : [.none, cache.caching(budget: budget)]
        let sweep = Sweep(model: loaded, maxPatches: maxPatches, options: memory.options, caching: caching)
        let report = SweepReport(sweep: sweep, sramBytes: budget)
        if json {
            try printJSON(SweepJSON(report))
        } else {
            print(report.lines().joined(separator: "\n"))
        }
    }
}
