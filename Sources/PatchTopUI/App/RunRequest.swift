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

    public init(generation: Int, patches: Int, patchLayers: Int, options: MemoryOptions, haloCaching: HaloCaching = .none) {
        self.generation = generation
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
        self.haloCaching = haloCaching
    }
}
