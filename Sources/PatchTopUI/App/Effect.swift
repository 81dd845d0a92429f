import PatchTopModel

/// Work `update` asks for but does not do itself, because it is slow or
/// touches the world: running the model, writing a file, stepping the
/// runtime. An `EffectHandler` performs them and answers with messages,
/// so `update` stays pure and tests can check which effects a key asks for.
public enum Effect: Equatable, Sendable {
    /// Run the model in the background with this plan; a newer request
    /// supersedes (and cancels) this one.
    case run(RunRequest)
    /// Write the current screen as a text report to `path`.
    case export(path: String)
    /// Open a step-through session for this plan (replacing any open one).
    case stepStart(RunRequest)
    /// Execute the next step of the open session.
    case stepNext
    /// Close the step-through session.
    case stepStop
}

/// One background run: the plan to run and the generation that asked for it.
///
/// Every successful re-plan bumps the generation; a result whose generation
/// is not the state's current one is stale and dropped.
public struct RunRequest: Equatable, Hashable, Sendable {
    public var generation: Int
    public var patches: Int
    public var patchLayers: Int
    public var options: MemoryOptions

    public init(generation: Int, patches: Int, patchLayers: Int, options: MemoryOptions) {
        self.generation = generation
        self.patches = patches
        self.patchLayers = patchLayers
        self.options = options
    }
}
