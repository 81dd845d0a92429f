import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The Elm-style update: the new state for a message, and the effects it
/// asks for (a background run after a re-plan, an export, a step). Pure:
/// the same state and message always give the same result.
public func updateWithEffects(_ state: AppState, _ message: Message) -> (state: AppState, effects: [Effect]) {
    var s = state
    var effects: [Effect] = []
    switch message {
    case .start:
        s.run = .running(s.currentRunRequest)
        effects.append(.run(s.currentRunRequest))
        if !s.paretoIsCurrent { effects.append(.sweep(s.options)) }
    case .resize(let w, let h):
        s.width = max(0, w); s.height = max(0, h)
    case .mouseWheel(let up):
        guard s.fitsScreen, !s.showHelp else { break }
        s.select(s.selectedLayer + (up ? -3 : 3))
    case .mouseClick(let x, let y):
        guard s.fitsScreen, !s.showHelp else { break }
        s.statusMessage = ""
        // The frame on screen is the one to hit-test.
        let drawn = s.layout ?? Screen.layout(s)
        click(&s, &effects, drawn.hit(x: x, y: y))
    case .planRecomputed(let p, let n):
        s.replanned(&effects, s.replan(patches: p, patchLayers: n))
    case .runFinished(let summary):
        if summary.request.generation == s.runGeneration { s.run = .finished(summary) }
    case .runFailed(let request, let reason):
        if request.generation == s.runGeneration { s.run = .failed(request, reason: reason) }
    case .exported(let path):
        // The file name first: a long directory is what gets dropped.
        let slash = path.lastIndex(of: "/")
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = slash.map { String(path[..<$0]) } ?? "."
        s.statusMessage = "exported \(name) to \(directory.isEmpty ? "/" : directory)"
    case .exportFailed(let path, let reason):
        s.statusMessage = "cannot export \(path): \(reason)"
    case .swept(let data):
        guard data.options == s.options, data.core == s.latency?.core else { break }
        s.pareto = data
        s.paretoCursor = s.frontIndexNearestPlan()
        if let why = s.repickPending { s.repick(&effects, because: why) }
    case .multiStageSwept(let front):
        guard front.options == s.options, front.core == s.latency?.core else { break }
        s.multiStage = front
        if s.showMultiStage {
            s.paretoCursor = s.frontIndexNearestPlan()
            if s.statusMessage.hasPrefix("searching") { s.statusMessage = "\(front.points.count) multi-stage plans on the front" }
        }
    case .stepped(let snapshot):
        guard s.step != nil, snapshot.generation == s.runGeneration else { break }
        s.step = AppState.StepMode(snapshot: snapshot)
        if let point = snapshot.last ?? snapshot.next {
            s.select(point.op)
            if let patch = point.patch, patch < s.patchCount { s.selectedPatch = patch }
        }
    case .stepFailed(let reason):
        guard s.step != nil else { break }
        s.step?.error = reason
        s.step?.busy = false
    case .key(let key):
        // Nothing acts on a screen too small to show what it did.
        guard s.fitsScreen else { break }
        if s.showHelp {
            // ↓ ↑ (and Space, PgDn, PgUp, j, k) page through a help taller than the screen.
            let rows = HelpOverlay.rows(in: Rect(x: 0, y: 2, width: s.width, height: s.height - 4))
            let page = max(1, rows - 1), count = HelpOverlay.lines().count
            switch key {
            case .down, .pageDown, .char(" "), .char("j"): s.helpTop = HelpOverlay.first(top: s.helpTop + page, rows: rows, count: count)
            case .up, .pageUp, .char("k"): s.helpTop = HelpOverlay.first(top: s.helpTop - page, rows: rows, count: count)
            default: break
            }
            if key == .escape || key == .char("?") || key == .char("q") { s.showHelp = false }
            if key == .char("q") { s.shouldQuit = true }
            break
        }
        s.statusMessage = ""
        s.hintRotation += 1
        let stepping = s.step != nil
        if key == .escape, s.showPareto { s.showPareto = false; break }
        guard let act = command(for: key, stepping: stepping, pareto: s.showPareto) else { break }
        perform(act, &s, &effects)
    }
    if s.fitsScreen {
        let layout = Screen.layout(s)
        s.layerTop = layout.layerRows.first
        if layout.memoryRows.count > 0 { s.memoryTop = layout.memoryRows.first }
        s.layout = layout
    } else {
        s.layout = nil
    }
    return (s, effects)
}

/// `updateWithEffects` for callers that only need the state.
public func update(_ state: AppState, _ message: Message) -> AppState {
    updateWithEffects(state, message).state
}

private func perform(_ act: KeyCommand, _ s: inout AppState, _ effects: inout [Effect]) {
    let stepping = s.step != nil
    switch act {
    case .quit: s.shouldQuit = true
    case .help: s.showHelp = true; s.helpTop = 0
    case .fewerPatches: s.replanned(&effects, s.replanHead(patches: s.plan.patches - 1, patchLayers: s.plan.patchLayers))
    case .morePatches: s.replanned(&effects, s.replanHead(patches: s.plan.patches + 1, patchLayers: s.plan.patchLayers))
    case .fewerLayers: s.replanned(&effects, s.replanHead(patches: s.plan.patches, patchLayers: s.plan.patchLayers - 1))
    case .moreLayers: s.replanned(&effects, s.replanHead(patches: s.plan.patches, patchLayers: s.plan.patchLayers + 1))
    case .nextMemory:
        // Memory options change what the plan counts (and how the runtime
        // runs it); p and n stay.
        let previous = s.options
        s.options = previous.next
        if let request = s.replanKeepingStages() {
            s.statusMessage = "memory: \(s.options.summary)"
            s.replanned(&effects, request)
            effects.append(.sweep(s.options))
            if s.showMultiStage { effects.append(.multiStageSearch(s.options)) }
            // The recommendation under these rules comes with their sweep.
            s.repick(&effects, because: "memory: \(s.options.summary)")
        } else {
            s.options = previous
        }
    case .nextCaching:
        // Caches change what the stage computes and keeps; p, n stay.
        let previous = s.caching
        s.caching = previous.next
        if let request = s.replanKeepingStages() {
            s.statusMessage = s.plan.caches.isEmpty && s.caching != .none
                ? "halo caches \(s.caching.rawValue): none fits or saves MACs at this plan"
                : "halo caches \(s.caching.rawValue): \(s.plan.caches.count) caches save \(formatMACs(s.plan.cacheMacsSaved)) MACs"
            s.replanned(&effects, request)
        } else {
            s.caching = previous
        }
    case .nextEngine:
        s.engine = s.engine.next
        s.repick(&effects, because: "engine \(s.engine.name)")
    case .nextBudget, .previousBudget:
        s.budget = SRAMBudget.cycle(from: s.budget, forward: act == .nextBudget)
        // The board's core and clock, when the command line fixed none.
        if let follow = s.latencyForBoard {
            s.latency = follow(s.budget)
            if !s.paretoIsCurrent { effects.append(.sweep(s.options)) }
            if s.showMultiStage, !s.multiStageIsCurrent { effects.append(.multiStageSearch(s.options)) }
        }
        s.repick(&effects, because: "budget " + (s.budget.map { "\($0.name) \(kib($0.bytes)) KiB" } ?? "none"))
    case .recommend:
        s.repick(&effects, because: "recommended")
    case .export:
        effects.append(.export(path: s.exportPath, report: ReportRenderer(state: s, width: s.width, height: s.height,
                                                                       date: s.exportDate.isEmpty ? ReportRenderer.writeTimePlaceholder : s.exportDate).render()))
    case .exportFirmware: effects.append(.exportFirmware(s.currentRunRequest, folder: s.firmwareExportPath))
    case .toggleStep:
        if stepping {
            s.step = nil
            effects.append(.stepStop)
        } else {
            s.showPareto = false
            s.step = AppState.StepMode(busy: true)
            effects.append(.stepStart(s.currentRunRequest, resume: nil))
        }
    case .stepNext: s.stepCommand(&effects, .next)
    case .stepToEndOfOp: s.stepCommand(&effects, .toEndOfOp)
    case .stepToEnd: s.stepCommand(&effects, .toEnd)
    case .stepBack:
        if (s.step?.snapshot?.position ?? 0) > 0 { s.step?.busy = true; effects.append(.step(.back)) }
    case .nextChannel: s.heatmapChannel = stepChannel(s, by: 1)
    case .previousChannel: s.heatmapChannel = stepChannel(s, by: -1)
    case .toggleLive: s.showLive.toggle()
    case .togglePareto:
        s.showPareto.toggle()
        if s.showPareto { s.paretoCursor = s.frontIndexNearestPlan() }
        if s.showPareto, !s.paretoIsCurrent { s.statusMessage = "sweeping every plan…" }
    case .toggleMultiStage:
        s.showMultiStage.toggle()
        if s.showMultiStage {
            s.showPareto = true
            if !s.multiStageIsCurrent {
                effects.append(.multiStageSearch(s.options))
                s.statusMessage = "searching the multi-stage plans (in the background)…"
            }
        }
        s.paretoCursor = s.frontIndexNearestPlan()
    case .stageStart, .stageEnd, .stageRemove, .fewerTileRows, .moreTileRows, .fewerTileCols, .moreTileCols:
        s.editStages(act, &effects)
    case .takePlan:
        let front = s.paretoFront
        guard front.indices.contains(s.paretoCursor) else { break }
        let point = front[s.paretoCursor]
        if let stages = point.stages {
            s.replanned(&effects, s.replan(stages: stages))
        } else {
            s.replanned(&effects, s.replan(patches: point.patches, patchLayers: point.patchLayers))
        }
    case .up, .down, .left, .right:
        arrow(act, &s)
    case .pageUp: s.select(s.selectedLayer - 10)
    case .pageDown: s.select(s.selectedLayer + 10)
    case .first: s.select(0)
    case .last: s.select(s.model.operators.count - 1)
    case .nextPanel: s.focusedPanel = Panel(rawValue: (s.focusedPanel.rawValue + 1) % Panel.allCases.count) ?? .layers
    case .previousPanel: s.focusedPanel = Panel(rawValue: (s.focusedPanel.rawValue + Panel.allCases.count - 1) % Panel.allCases.count) ?? .layers
    }
}

/// The arrow keys act on what has the focus: the Pareto chart's front
/// when it is open, patches (in two dimensions) in the patch grid, layers
/// (↑↓) and patches (←→) in the layer table and the memory chart.
private func arrow(_ act: KeyCommand, _ s: inout AppState) {
    if s.showPareto, case let front = s.paretoFront, !front.isEmpty {
        // The front runs from the smallest peak (the chart's right, most
        // MACs) to the largest (its left): ← and ↑ walk toward fewer MACs
        // and a higher peak, → and ↓ toward a lower peak.
        let delta = (act == .left || act == .up) ? 1 : -1
        s.paretoCursor = max(0, min(front.count - 1, s.paretoCursor + delta))
        return
    }
    let count = s.patchCount, side = max(1, s.plan.isPatched ? s.plan.patches : 1)
    switch (act, s.focusedPanel) {
    case (.left, _): s.selectedPatch = (s.selectedPatch + count - 1) % count
    case (.right, _): s.selectedPatch = (s.selectedPatch + 1) % count
    case (.up, .grid): s.selectedPatch = (s.selectedPatch + count - side) % count
    case (.down, .grid): s.selectedPatch = (s.selectedPatch + side) % count
    case (.up, _): s.select(s.selectedLayer - 1)
    default: s.select(s.selectedLayer + 1)
    }
}

/// What a press of the left button at a hit target does.
private func click(_ s: inout AppState, _ effects: inout [Effect], _ target: HitTarget?) {
    switch target {
    case nil: break
    case .patches(let p)?:
        if p != s.plan.patches { s.replanned(&effects, s.replanHead(patches: p, patchLayers: s.plan.patchLayers)) }
    case .patchLayers(let n)?:
        if n != s.plan.patchLayers { s.replanned(&effects, s.replanHead(patches: s.plan.patches, patchLayers: n)) }
    case .tileRows(let rows)?:
        s.setStageGrid(rows: rows, &effects)
    case .tileCols(let cols)?:
        s.setStageGrid(cols: cols, &effects)
    case .layer(let layer, let panel)?:
        s.focusedPanel = panel
        s.select(layer)
        // In a plan of stages a row (its stage cell, a boundary) selects its stage: the sliders line shows it.
        s.sayStage(of: s.selectedLayer)
    case .patch(let patch)?:
        s.focusedPanel = .grid
        if patch < s.patchCount { s.selectedPatch = patch }
    case .paretoPlan(let index)?:
        s.paretoCursor = index
    case .panel(let panel)?:
        s.focusedPanel = panel
    }
}

extension AppState {
    mutating func select(_ layer: Int) {
        selectedLayer = max(0, min(max(0, model.operators.count - 1), layer))
    }

    /// After a successful re-plan: run the new plan, and reopen step mode
    /// on it at the same step when the new schedule has that step.
    mutating func replanned(_ effects: inout [Effect], _ request: RunRequest?) {
        guard let request else { return }
        effects.append(.run(request))
        if let mode = step {
            step = AppState.StepMode(busy: true)
            effects.append(.stepStart(request, resume: mode.snapshot?.last))
        }
    }

    mutating func stepCommand(_ effects: inout [Effect], _ command: StepCommand) {
        guard let mode = step, mode.snapshot?.isFinished != true else { return }
        step?.busy = true
        effects.append(.step(command))
    }

    /// The index of the front plan equal to (or nearest in peak to) the current plan.
    public func frontIndexNearestPlan() -> Int {
        let front = paretoFront
        guard !front.isEmpty else { return 0 }
        if let exact = front.firstIndex(where: { $0.isPlan(plan) }) { return exact }
        let peak = plan.peakBytes
        return front.indices.min { abs(front[$0].peakBytes - peak) < abs(front[$1].peakBytes - peak) } ?? 0
    }
}

/// The heatmap channel moved by `delta`, wrapping within the shown tensor's channels.
private func stepChannel(_ state: AppState, by delta: Int) -> Int {
    let channels = max(1, state.step?.snapshot?.values?.channels ?? 1)
    let current = ((state.heatmapChannel % channels) + channels) % channels
    return ((current + delta) % channels + channels) % channels
}
