import PatchTopModel

/// Work `update` asks for but does not do itself, because it is slow or
/// touches the world: running the model, writing a file, stepping the
/// runtime. An `EffectPerformer` does them (off the input thread where
/// they are slow) and answers with messages, so `update` stays pure and
/// tests can check which effects a key asks for.
public enum Effect: Equatable, Sendable {
    /// Run the model in the background with this plan; a newer request
    /// supersedes (and cancels) this one.
    case run(RunRequest)
    /// Write `report` (the header and the screen as text) to a new file
    /// named after `path`: `path` itself if nothing is there, else the
    /// first free `-2`, `-3`… variant. Never overwrites.
    case export(path: String, report: String)
    /// Write the plan of `request` as a C library (`patchtop export`) to a
    /// new folder named after `folder` (`-2`, `-3`… when it exists);
    /// answered by `exported` or `exportFailed`.
    case exportFirmware(RunRequest, folder: String)
    /// Sweep every plan of the model under these memory options in the
    /// background; answered by `swept`.
    case sweep(MemoryOptions)
    /// Search the multi-stage plans of the model under these memory
    /// options in the background (`MultiStageSearch`); answered by
    /// `multiStageSwept`.
    case multiStageSearch(MemoryOptions)
    /// Open a step-through session for this plan (replacing any open one),
    /// positioned just after `resume` when the new schedule has that step.
    case stepStart(RunRequest, resume: StepPoint?)
    /// Move the open session.
    case step(StepCommand)
    /// Close the step-through session.
    case stepStop
}
