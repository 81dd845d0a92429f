import PatchTopModel
import PatchTopPlan

/// The panels Tab cycles through.
public enum Panel: Int, CaseIterable, Equatable, Sendable {
    case layers, memory, grid
    public var title: String {
        switch self {
        case .layers: "Layers"
        case .memory: "Memory"
        case .grid: "Patch grid"
        }
    }
}

/// Keys the app understands, independent of the terminal library.
public enum Key: Equatable, Hashable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end, tab, backTab, enter, escape
}

/// Everything that can happen to the app.
public enum Message: Equatable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case mouseClick(x: Int, y: Int)
    case mouseWheel(up: Bool)
    /// A plan computed elsewhere (e.g. in the background) replaces the current one.
    case planRecomputed(patches: Int, patchLayers: Int)
}

/// The whole state of the TUI: pure data, changed only by `update`.
public struct AppState: Sendable {
    public var model: Model
    public var plan: PatchPlan
    public var options: MemoryOptions
    public var selectedLayer: Int = 0
    public var focusedPanel: Panel = .layers
    public var selectedPatch: Int = 0
    public var showHelp = false
    public var statusMessage: String = ""
    public var sramBudget: Int?
    public var shouldQuit = false
    public var width = 120
    public var height = 40
    // Later: `runResult` from the runtime's background re-run and step-through mode.

    public var patches: Int { plan.patches }
    public var patchLayers: Int { plan.patchLayers }

    public init(model: Model, patches: Int = 1, patchLayers: Int = 0, options: MemoryOptions = .tfliteMicro, sramBudget: Int? = nil) throws(PlanError) {
        self.model = model
        self.options = options
        self.sramBudget = sramBudget
        self.plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options)
    }

    /// Re-plans with new (p, n); on failure keeps the plan and shows why.
    public mutating func replan(patches: Int, patchLayers: Int) {
        do {
            plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options)
            statusMessage = "p=\(patches) n=\(patchLayers): peak \(formatBytes(plan.peakBytes))"
            let count = plan.isPatched ? plan.patches * plan.patches : 1
            if selectedPatch >= count { selectedPatch = 0 }
        } catch {
            statusMessage = error.description
        }
    }
}

/// One key binding: what it is called in the hint bar and the help overlay.
public struct KeyBinding: Equatable, Sendable {
    public var keys: String
    public var help: String
    public var hint: String
}

public let keyBindings: [KeyBinding] = [
    KeyBinding(keys: "p / P", help: "fewer / more patches per side (p)", hint: "p/P patches"),
    KeyBinding(keys: "n / N", help: "fewer / more ops in the patch stage (n)", hint: "n/N stage"),
    KeyBinding(keys: "↑↓ j k", help: "select layer", hint: "↑↓ layer"),
    KeyBinding(keys: "PgUp PgDn g G", help: "page / first / last layer", hint: ""),
    KeyBinding(keys: "← → h l", help: "select patch", hint: "←→ patch"),
    KeyBinding(keys: "Tab", help: "next panel", hint: "Tab panel"),
    KeyBinding(keys: "?", help: "toggle this help", hint: "? help"),
    KeyBinding(keys: "q Esc", help: "quit (Esc closes help first)", hint: "q quit"),
]

/// The Elm-style update: a new state for a message. Pure.
public func update(_ state: AppState, _ message: Message) -> AppState {
    var s = state
    let opCount = s.model.operators.count
    let patchCount = s.plan.isPatched ? s.plan.patches * s.plan.patches : 1
    func select(_ layer: Int) { s.selectedLayer = max(0, min(max(0, opCount - 1), layer)) }
    switch message {
    case .resize(let w, let h):
        s.width = max(0, w); s.height = max(0, h)
    case .mouseWheel(let up):
        select(s.selectedLayer + (up ? -3 : 3))
    case .mouseClick(let x, let y):
        guard s.width >= Screen.minWidth, s.height >= Screen.minHeight, !s.showHelp else { break }
        let panes = Screen.layout(width: s.width, height: s.height)
        func inside(_ r: Rect) -> Bool { x >= r.x && x < r.maxX && y >= r.y && y < r.maxY }
        if inside(panes.layers) {
            s.focusedPanel = .layers
            let visible = panes.layers.height - 3
            let row = y - panes.layers.y - 2
            if row >= 0, row < visible {
                select(scrollOffset(selected: s.selectedLayer, count: opCount, visible: visible) + row)
            }
        } else if inside(panes.memory) {
            s.focusedPanel = .memory
            let visible = panes.memory.height - 3
            let row = y - panes.memory.y - 2
            if row >= 0, row < visible {
                select(scrollOffset(selected: s.selectedLayer, count: opCount, visible: visible) + row)
            }
        } else if inside(panes.grid) {
            s.focusedPanel = .grid
        }
    case .planRecomputed(let p, let n):
        s.replan(patches: p, patchLayers: n)
    case .key(let key):
        if s.showHelp {
            if key == .escape || key == .char("?") || key == .char("q") { s.showHelp = false }
            if key == .char("q") { s.shouldQuit = true }
            return s
        }
        switch key {
        case .char("q"), .escape: s.shouldQuit = true
        case .char("?"): s.showHelp = true
        case .char("p"): s.replan(patches: s.plan.patches - 1, patchLayers: s.plan.patchLayers)
        case .char("P"): s.replan(patches: s.plan.patches + 1, patchLayers: s.plan.patchLayers)
        case .char("n"): s.replan(patches: s.plan.patches, patchLayers: s.plan.patchLayers - 1)
        case .char("N"): s.replan(patches: s.plan.patches, patchLayers: s.plan.patchLayers + 1)
        case .up, .char("k"): select(s.selectedLayer - 1)
        case .down, .char("j"): select(s.selectedLayer + 1)
        case .pageUp: select(s.selectedLayer - 10)
        case .pageDown: select(s.selectedLayer + 10)
        case .home, .char("g"): select(0)
        case .end, .char("G"): select(opCount - 1)
        case .left, .char("h"): s.selectedPatch = (s.selectedPatch + patchCount - 1) % patchCount
        case .right, .char("l"): s.selectedPatch = (s.selectedPatch + 1) % patchCount
        case .tab: s.focusedPanel = Panel(rawValue: (s.focusedPanel.rawValue + 1) % Panel.allCases.count) ?? .layers
        case .backTab: s.focusedPanel = Panel(rawValue: (s.focusedPanel.rawValue + Panel.allCases.count - 1) % Panel.allCases.count) ?? .layers
        default: break
        }
    }
    return s
}
