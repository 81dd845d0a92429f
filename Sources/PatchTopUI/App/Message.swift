import PatchTopReports
/// Keys the app understands, independent of the terminal library.
public enum Key: Equatable, Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end, tab, backTab, enter, escape, backspace
}

/// Everything that can happen to the app: input from the terminal, and the
/// results of effects (background runs, exports, steps) coming back.
public enum Message: Equatable, Sendable {
    /// The app opened: start the first background run.
    case start
    case key(Key)
    case resize(width: Int, height: Int)
    /// The left button went down at (x, y); releases are not messages,
    /// so a click acts exactly once, where it was pressed.
    case mouseClick(x: Int, y: Int)
    case mouseWheel(up: Bool)
    /// A plan computed elsewhere (e.g. in the background) replaces the current one.
    case planRecomputed(patches: Int, patchLayers: Int)
    /// A background run finished; ignored unless it is the latest one asked for.
    case runFinished(RunSummary)
    /// A background run could not run the model (e.g. an op the runtime lacks).
    case runFailed(RunRequest, reason: String)
    /// `e` wrote the report to `path`.
    case exported(path: String)
    /// `e` could not write `path`; `reason` says why (e.g. "No such file or directory").
    case exportFailed(path: String, reason: String)
    /// A sweep of every plan finished (for the Pareto chart and the n range).
    case swept(ParetoData)
    /// The multi-stage search finished (for the Pareto chart's `M` front).
    case multiStageSwept(MultiStageFront)
    /// Step mode executed a step (or opened a session); the arena as it is now.
    case stepped(StepSnapshot)
    /// Step mode could not open or advance its session.
    case stepFailed(reason: String)
}
