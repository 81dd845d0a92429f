import PatchTopModel
import PatchTopPlan

/// The Elm-style update: the new state for a message, and the effects it
/// asks for (a background run after a re-plan, an export, a step). Pure:
/// the same state and message always give the same result.
public func updateWithEffects(_ state: AppState, _ message: Message) -> (state: AppState, effects: [Effect]) {
    var s = state
    var effects: [Effect] = []
    let opCount = s.model.operators.count
    let patchCount = s.patchCount
    func select(_ layer: Int) { s.selectedLayer = max(0, min(max(0, opCount - 1), layer)) }
    /// After a successful re-plan: run the new plan, and restart step mode on it.
    func replanned(_ request: RunRequest?) {
        guard let request else { return }
        effects.append(.run(request))
        if s.step != nil {
            s.step = AppState.StepMode()
            effects.append(.stepStart(request))
        }
    }
    switch message {
    case .start:
        s.run = .running(s.currentRunRequest)
        effects.append(.run(s.currentRunRequest))
    case .resize(let w, let h):
        s.width = max(0, w); s.height = max(0, h)
    case .mouseWheel(let up):
        select(s.selectedLayer + (up ? -3 : 3))
    case .mouseClick(let x, let y):
        guard s.width >= Screen.minWidth, s.height >= Screen.minHeight, !s.showHelp else { break }
        let panes = Screen.layout(width: s.width, height: s.height, stepping: s.step != nil)
        func inside(_ r: Rect) -> Bool { x >= r.x && x < r.maxX && y >= r.y && y < r.maxY }
        if y == 1, let hit = SlidersView.hit(x: x, state: s, width: s.width) {
            switch hit {
            case .patches(let p) where p != s.plan.patches:
                replanned(s.replan(patches: p, patchLayers: s.plan.patchLayers))
            case .patchLayers(let n) where n != s.plan.patchLayers:
                replanned(s.replan(patches: s.plan.patches, patchLayers: n))
            default: break
            }
        } else if inside(panes.layers) {
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
            if s.step == nil, row >= 0, row < visible {
                select(scrollOffset(selected: s.selectedLayer, count: opCount, visible: visible) + row)
            }
        } else if inside(panes.grid) {
            s.focusedPanel = .grid
        }
    case .planRecomputed(let p, let n):
        replanned(s.replan(patches: p, patchLayers: n))
    case .runFinished(let summary):
        if summary.request.generation == s.runGeneration { s.run = .finished(summary) }
    case .runFailed(let request, let reason):
        if request.generation == s.runGeneration { s.run = .failed(request, reason: reason) }
    case .exported(let path):
        s.statusMessage = "exported \(path)"
    case .exportFailed(let path, let reason):
        s.statusMessage = "cannot export \(path): \(reason)"
    case .stepped(let snapshot):
        guard s.step != nil else { break }
        s.step = AppState.StepMode(snapshot: snapshot)
        if let point = snapshot.last ?? snapshot.next {
            select(point.op)
            if let patch = point.patch, patch < patchCount { s.selectedPatch = patch }
        }
    case .stepFailed(let reason):
        guard s.step != nil else { break }
        s.step?.error = reason
    case .key(let key):
        if s.showHelp {
            if key == .escape || key == .char("?") || key == .char("q") { s.showHelp = false }
            if key == .char("q") { s.shouldQuit = true }
            return (s, effects)
        }
        s.statusMessage = ""
        let stepping = s.step != nil
        switch key {
        case .char("q"), .escape: s.shouldQuit = true
        case .char("?"): s.showHelp = true
        case .char("p"): replanned(s.replan(patches: s.plan.patches - 1, patchLayers: s.plan.patchLayers))
        case .char("P"): replanned(s.replan(patches: s.plan.patches + 1, patchLayers: s.plan.patchLayers))
        case .char("n"): replanned(s.replan(patches: s.plan.patches, patchLayers: s.plan.patchLayers - 1))
        case .char("N"): replanned(s.replan(patches: s.plan.patches, patchLayers: s.plan.patchLayers + 1))
        case .char("m"):
            // Memory options change what the plan counts (and how the runtime
            // runs it); p and n stay.
            let previous = s.options
            s.options = previous.next
            if let request = s.replan(patches: s.plan.patches, patchLayers: s.plan.patchLayers) {
                s.statusMessage = "memory: \(s.options.summary)"
                replanned(request)
            } else {
                s.options = previous
            }
        case .char("b"): s.budget = SRAMBudget.cycle(from: s.budget, forward: true)
        case .char("B"): s.budget = SRAMBudget.cycle(from: s.budget, forward: false)
        case .char("e"): effects.append(.export(path: s.exportPath))
        case .char("s"):
            if stepping {
                s.step = nil
                effects.append(.stepStop)
            } else {
                s.step = AppState.StepMode()
                effects.append(.stepStart(s.currentRunRequest))
            }
        case .char(" ") where stepping, .right where stepping:
            if s.step?.snapshot?.isFinished != true { effects.append(.stepNext) }
        case .char("c") where stepping: s.heatmapChannel = stepChannel(s, by: 1)
        case .char("C") where stepping: s.heatmapChannel = stepChannel(s, by: -1)
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
    return (s, effects)
}

/// `updateWithEffects` for callers that only need the state.
public func update(_ state: AppState, _ message: Message) -> AppState {
    updateWithEffects(state, message).state
}

/// The heatmap channel moved by `delta`, wrapping within the shown tensor's channels.
private func stepChannel(_ state: AppState, by delta: Int) -> Int {
    let channels = max(1, state.step?.snapshot?.values?.channels ?? 1)
    let current = ((state.heatmapChannel % channels) + channels) % channels
    return ((current + delta) % channels + channels) % channels
}
