/// One key binding: the keys, the command, when it applies, and how the
/// hint bar and the help overlay call it.
public struct KeyBinding: Equatable, Sendable {
    /// When a binding applies: always, only in step mode, or only outside it.
    public enum Mode: Equatable, Sendable { case always, stepping, notStepping, pareto }

    public var keys: [Key]
    public var command: KeyCommand
    public var mode: Mode
    /// How the help overlay writes the keys (`p / P`).
    public var label: String
    public var help: String
    /// The hint-bar label outside step mode (empty: not in the bar).
    public var hint: String
    /// The hint-bar label in step mode.
    public var stepHint: String
    /// Higher stays longer when the hint bar is too narrow for every hint.
    public var priority: Int

    public init(_ keys: [Key], _ command: KeyCommand, mode: Mode = .always, label: String, help: String, hint: String = "", stepHint: String? = nil, priority: Int = 0) {
        self.keys = keys
        self.command = command
        self.mode = mode
        self.label = label
        self.help = help
        self.hint = hint
        self.stepHint = stepHint ?? hint
        self.priority = priority
    }

    public func applies(stepping: Bool, pareto: Bool) -> Bool {
        switch mode {
        case .always: true
        case .stepping: stepping
        case .notStepping: !stepping
        case .pareto: pareto
        }
    }
}

/// Every key the TUI understands, in the order the help overlay lists
/// them. The first binding of a key that applies in the current mode wins
/// (so the step-mode meaning of `→` comes before the general one).
public let keyBindings: [KeyBinding] = [
    KeyBinding([.char("p")], .fewerPatches, label: "p / P", help: "fewer / more patches per side (p)", hint: "p/P patches", priority: 8),
    KeyBinding([.char("P")], .morePatches, label: "", help: ""),
    KeyBinding([.char("n")], .fewerLayers, label: "n / N", help: "fewer / more ops in the patch stage (n)", hint: "n/N stage", priority: 8),
    KeyBinding([.char("N")], .moreLayers, label: "", help: ""),
    KeyBinding([.enter], .takePlan, mode: .pareto, label: "Enter", help: "Pareto chart: take the marked plan", hint: "", priority: 0),
    KeyBinding([.char(" "), .right], .stepNext, mode: .stepping, label: "Space →", help: "step mode: run the next step (an op, or one patch of it)", stepHint: "Space next", priority: 9),
    KeyBinding([.char("F")], .stepToEndOfOp, mode: .stepping, label: "F", help: "step mode: finish the current patch (in the stage) or op", stepHint: "F patch/op", priority: 7),
    KeyBinding([.char("f")], .stepToEnd, mode: .stepping, label: "f", help: "step mode: run to the end of the model", stepHint: "f end", priority: 7),
    KeyBinding([.backspace, .left], .stepBack, mode: .stepping, label: "⌫ ←", help: "step mode: back one step (replays from the start)", stepHint: "⌫ back", priority: 6),
    KeyBinding([.char("c")], .nextChannel, mode: .stepping, label: "c / C", help: "step mode: next / previous heatmap channel", stepHint: "c/C channel", priority: 5),
    KeyBinding([.char("C")], .previousChannel, mode: .stepping, label: "", help: ""),
    KeyBinding([.up, .char("k")], .up, label: "↑↓ j k", help: "select layer (patch in the grid, plan in the Pareto chart)", hint: "↑↓ layer", stepHint: "", priority: 3),
    KeyBinding([.down, .char("j")], .down, label: "", help: ""),
    KeyBinding([.left, .char("h")], .left, label: "← → h l", help: "select patch (plan in the Pareto chart)", hint: "←→ patch", stepHint: "", priority: 2),
    KeyBinding([.right, .char("l")], .right, label: "", help: ""),
    KeyBinding([.pageUp], .pageUp, label: "PgUp PgDn g G", help: "page / first / last layer"),
    KeyBinding([.pageDown], .pageDown, label: "", help: ""),
    KeyBinding([.home, .char("g")], .first, label: "", help: ""),
    KeyBinding([.end, .char("G")], .last, label: "", help: ""),
    KeyBinding([.char("s")], .toggleStep, label: "s", help: "enter / leave step-through mode", hint: "s step", stepHint: "s leave", priority: 7),
    KeyBinding([.char("w")], .toggleLive, mode: .notStepping, label: "w", help: "what is live at the peak (why the peak is this high)", hint: "w why", priority: 6),
    KeyBinding([.char("v")], .togglePareto, mode: .notStepping, label: "v", help: "Pareto chart of every plan: peak vs MAC overhead (vs predicted time with a target)", hint: "v Pareto", priority: 6),
    KeyBinding([.char("M")], .toggleMultiStage, mode: .notStepping, label: "M", help: "Pareto chart: the multi-stage plans' front (searched in the background) or the (p, n) one", hint: "M multi", priority: 4),
    KeyBinding([.char("[")], .stageStart, mode: .notStepping, label: "[ / ]", help: "start / end a fused stage at the selected op (new: the grid of the stage before, else 2×2)", hint: "[] stage", priority: 5),
    KeyBinding([.char("]")], .stageEnd, mode: .notStepping, label: "", help: ""),
    KeyBinding([.char("-")], .fewerTileRows, mode: .notStepping, label: "- / +", help: "fewer / more tile rows in the selected op's stage", hint: "-+ rows", priority: 4),
    KeyBinding([.char("+"), .char("=")], .moreTileRows, mode: .notStepping, label: "", help: ""),
    KeyBinding([.char("<"), .char(",")], .fewerTileCols, mode: .notStepping, label: "< / >", help: "fewer / more tile columns in the selected op's stage", hint: "<> cols", priority: 4),
    KeyBinding([.char(">"), .char(".")], .moreTileCols, mode: .notStepping, label: "", help: ""),
    KeyBinding([.char("d")], .stageRemove, mode: .notStepping, label: "d", help: "run the selected op's fused stage layer by layer again", hint: "d unfuse", priority: 2),
    KeyBinding([.char("m")], .nextMemory, label: "m", help: "next memory options (in-place dw, streamed input, fused ADD, …; re-picks)", hint: "m memory", priority: 4),
    KeyBinding([.char("r")], .recommend, label: "r", help: "back to the recommended plan (engine, budget, memory options)", hint: "r recommend", priority: 3),
    KeyBinding([.char("H")], .nextCaching, label: "H", help: "halo caches: none → auto → all (keep the overlap a patch computed instead of recomputing it)", hint: "H cache", priority: 1),
    KeyBinding([.char("E")], .nextEngine, label: "E", help: "engine of the verdict: TFLite Micro's arena or TinyEngine's PEAK_MEM (re-picks)", hint: "E engine", priority: 1),
    KeyBinding([.char("b")], .nextBudget, label: "b / B", help: "next / previous SRAM budget (board preset; re-picks)", hint: "b board", priority: 4),
    KeyBinding([.char("B")], .previousBudget, label: "", help: ""),
    KeyBinding([.char("e")], .export, label: "e / x", help: "export the screen as a text report / the plan as a C library (new file / folder)", hint: "e export", priority: 5),
    KeyBinding([.char("x")], .exportFirmware, label: "", help: ""),
    KeyBinding([.tab], .nextPanel, label: "Tab", help: "focus the next panel (the arrows act on it)", hint: "Tab focus", priority: 1),
    KeyBinding([.backTab], .previousPanel, label: "", help: ""),
    KeyBinding([.char("?")], .help, label: "?", help: "toggle this help", hint: "? help", priority: 10),
    KeyBinding([.char("q"), .escape], .quit, label: "q Esc", help: "quit (Esc closes help and the Pareto chart first)", hint: "q quit", priority: 10),
]

/// The command `key` means in the current mode, if any.
public func command(for key: Key, stepping: Bool, pareto: Bool) -> KeyCommand? {
    keyBindings.first { $0.keys.contains(key) && $0.applies(stepping: stepping, pareto: pareto) }?.command
}
