/// One key binding: what it is called in the hint bar and the help overlay.
///
/// The hint bar and the `?` overlay are generated from `keyBindings`, so
/// they never drift from what `update` does.
public struct KeyBinding: Equatable, Sendable {
    public var keys: String
    public var help: String
    /// The hint-bar label outside step mode (empty: not in the bar).
    public var hint: String
    /// The hint-bar label in step mode.
    public var stepHint: String
    /// Higher stays longer when the hint bar is too narrow for every hint.
    public var priority: Int

    public init(keys: String, help: String, hint: String, stepHint: String? = nil, priority: Int) {
        self.keys = keys
        self.help = help
        self.hint = hint
        self.stepHint = stepHint ?? hint
        self.priority = priority
    }
}

public let keyBindings: [KeyBinding] = [
    KeyBinding(keys: "p / P", help: "fewer / more patches per side (p)", hint: "p/P patches", priority: 8),
    KeyBinding(keys: "n / N", help: "fewer / more ops in the patch stage (n)", hint: "n/N stage", priority: 8),
    KeyBinding(keys: "↑↓ j k", help: "select layer", hint: "↑↓ layer", stepHint: "", priority: 3),
    KeyBinding(keys: "PgUp PgDn g G", help: "page / first / last layer", hint: "", priority: 0),
    KeyBinding(keys: "← → h l", help: "select patch (→ steps in step mode)", hint: "←→ patch", stepHint: "", priority: 2),
    KeyBinding(keys: "s", help: "enter / leave step-through mode", hint: "s step", stepHint: "s leave", priority: 7),
    KeyBinding(keys: "Space →", help: "step mode: run the next op (the next patch inside the stage)", hint: "", stepHint: "Space next", priority: 9),
    KeyBinding(keys: "c / C", help: "step mode: next / previous heatmap channel", hint: "", stepHint: "c/C channel", priority: 6),
    KeyBinding(keys: "m", help: "next memory options (in-place dw, streamed input, fused ADD)", hint: "m memory", priority: 4),
    KeyBinding(keys: "b / B", help: "next / previous SRAM budget (board preset)", hint: "b board", priority: 4),
    KeyBinding(keys: "e", help: "export the screen as a text report", hint: "e export", priority: 5),
    KeyBinding(keys: "Tab", help: "next panel", hint: "Tab panel", priority: 1),
    KeyBinding(keys: "?", help: "toggle this help", hint: "? help", priority: 10),
    KeyBinding(keys: "q Esc", help: "quit (Esc closes help first)", hint: "q quit", priority: 10),
]
