import PatchTopModel
import PatchTopPlan

/// One background run: the plan to run and the generation that asked for it.
///
/// Every successful re-plan bumps the generation; a result whose generation
/// is not the state's current one is stale and dropped.
public struct RunRequest: Equatable, Hashable, Sendable {
    public var generation: Int
    public var patches: Int
    public var patchLayers: Int
    public var options: MemoryOptions
    /// Halo caches, as the plan chose them (`H`).
    public var haloCaching: HaloCaching
    /// The plan's fused stages, for a plan that is not one square patch
    /// stage at the head (a rectangular grid, several stages, a plan file);
    /// `patches` and `patchLayers` are then only its head stage's.
    public var stages: [StageSpec]?

    public init(generation: Int, patches: Int, patchLayers: Int, options: MemoryOptions, haloCaching: HaloCaching = .none,
                stages: [StageSpec]? = nil) {
        self.generation = generation
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
        self.haloCaching = haloCaching
        self.stages = stages
    }

    /// `p=3 n=13`, or the stages of a plan that needs them (`ops 0…12 3×2 + ops 17…20 2×2`).
    public var label: String {
        guard let stages, !stages.isEmpty else { return "p=\(patches) n=\(patchLayers)" }
        return stages.map { "ops \($0.firstOp)…\($0.lastOp) \($0.grid)" }.joined(separator: " + ")
    }

    /// Whether the plan runs any op tile by tile (else there is nothing to compare).
    public var isPatched: Bool {
        if let stages { return stages.contains { !$0.grid.isSingle } }
        return patches > 1 && patchLayers > 0
    }

    /// The plan this request runs on `model`.
    public func plan(for model: Model) throws(PlanError) -> PatchPlan {
        if let stages { return try PatchPlan(model: model, stages: stages, options: options, haloCaching: haloCaching) }
        return try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options, haloCaching: haloCaching)
    }
}
