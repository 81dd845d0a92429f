import PatchTopModel
import PatchTopPlan

/// A model made executable for one plan: the model prepared for the
/// runtime, planned, and compiled into an arena program. `patchtop run`,
/// `bench`, the TUI's background runs and step mode all build one, so a
/// plan means the same thing wherever it runs.
///
/// ```swift
/// let pipeline = try Pipeline(model: model, patches: 4, patchLayers: 13,
///                             options: MemoryOptions(inplaceDepthwise: true))
/// pipeline.plan.peakBytes              // what the plan needs
/// pipeline.program.layout.arenaBytes   // the arena it is laid out in
/// try pipeline.program.run(input: bytes)
/// ```
///
/// The stages, in order: the model is prepared (`PreparedModel`: every op
/// checked and its parameters computed once); it is planned (`PatchPlan`,
/// on the model as the memory options rewrite it: folded PADs, int8
/// boundary); the plan is compiled (`ArenaProgram`, refused above
/// `arenaLimit`). The first stage that cannot be done names the problem.
public struct Pipeline: Sendable {
    /// The prepared model for `plan.model` (ops that memory options
    /// changed, like convs reading a folded PAD, prepared again).
    public var prepared: PreparedModel { program.prepared }
    /// The plan: its memory schedule and arena layout.
    public var plan: PatchPlan { program.plan }
    /// The compiled program: what runs.
    public let program: ArenaProgram

    /// Prepares, plans and compiles `model`. `patches` 1 or `patchLayers`
    /// 0 is layer-by-layer inference.
    public init(model: Model, patches: Int = 1, patchLayers: Int = 0, options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none, arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        try self.init(prepared: try PreparedModel(model: model), patches: patches, patchLayers: patchLayers, options: options,
                      haloCaching: haloCaching, arenaLimit: arenaLimit)
    }

    /// Plans and compiles a model already prepared, for callers that run
    /// one model under many plans (the TUI prepares once per model).
    public init(prepared: PreparedModel, patches: Int = 1, patchLayers: Int = 0, options: MemoryOptions = .tfliteMicro,
                haloCaching: HaloCaching = .none, arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: prepared.model, patches: patches, patchLayers: patchLayers, options: options,
                                 haloCaching: haloCaching)
        } catch {
            throw .plan(error)
        }
        program = try ArenaProgram(prepared: prepared, plan: plan, arenaLimit: arenaLimit)
    }

    /// Compiles a plan already made for `prepared.model` (a list of
    /// stages, a rectangular grid, a plan file).
    public init(prepared: PreparedModel, plan: PatchPlan, arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        program = try ArenaProgram(prepared: prepared, plan: plan, arenaLimit: arenaLimit)
    }

    /// Prepares `model` and compiles `plan`, made for it.
    public init(model: Model, plan: PatchPlan, arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        try self.init(prepared: try PreparedModel(model: model), plan: plan, arenaLimit: arenaLimit)
    }
}
