/// What a key asks for. `update` dispatches on these, found through
/// `keyBindings`, so the table below is the single place where a key is
/// given a meaning: the dispatch, the hint bar and the `?` overlay all
/// read it.
public enum KeyCommand: Equatable, Sendable {
    case fewerPatches, morePatches, fewerLayers, moreLayers
    /// The arrow keys and their vi twins act on the focused panel.
    case up, down, left, right
    case pageUp, pageDown, first, last
    case toggleStep, stepNext, stepToEndOfOp, stepToEnd, stepBack
    case nextChannel, previousChannel
    case nextMemory, nextCaching, nextEngine, nextBudget, previousBudget, recommend
    case export, toggleLive, togglePareto, takePlan
    /// `x`: the plan as a C library for a microcontroller (a new folder).
    case exportFirmware
    /// Stage editing on the selected op: start / end a fused stage there,
    /// run its stage layer by layer again, fewer / more tile rows and columns.
    case stageStart, stageEnd, stageRemove, fewerTileRows, moreTileRows, fewerTileCols, moreTileCols
    /// `M`: the Pareto chart's multi-stage front (opens the chart).
    case toggleMultiStage
    case nextPanel, previousPanel
    case help, quit
}
