import PatchTopModel
import PatchTopPlan

extension AppState {
    /// The p and n sliders: MCUNetV2's head stage of `patchLayers` ops on a
    /// p×p grid. In a plan of several stages the other stages stay (the
    /// head stage's end may not reach into the next one: the notice says so).
    mutating func replanHead(patches: Int, patchLayers: Int) -> RunRequest? {
        guard plan.isMultiStage, patches >= 1, patchLayers >= 0 else { return replan(patches: patches, patchLayers: patchLayers) }
        var specs = plan.stageSpecs.filter { $0.firstOp != 0 }
        if patches > 1, patchLayers > 0 {
            specs.insert(StageSpec(firstOp: 0, lastOp: patchLayers - 1, grid: TileGrid(patches)), at: 0)
        }
        return replan(stages: specs)
    }

    /// Re-plans the same stages under the current memory options and halo
    /// caches (`m`, `H`): a plan of several stages or a rectangular grid
    /// keeps them (its caches chosen anew), MCUNetV2's keeps p and n.
    mutating func replanKeepingStages() -> RunRequest? {
        guard plan.needsStageList else { return replan(patches: plan.patches, patchLayers: plan.patchLayers) }
        return replan(stages: plan.stageSpecs.map { StageSpec(firstOp: $0.firstOp, lastOp: $0.lastOp, grid: $0.grid) })
    }

    /// The stage keys on the selected op (`[`, `]`, `d`, `-`/`+`, `<`/`>`):
    /// the plan's fused stages changed, the plan re-made and re-run as the
    /// p and n sliders do; a change the model does not allow leaves the
    /// plan as it was and says why.
    mutating func editStages(_ act: KeyCommand, _ effects: inout [Effect]) {
        let op = selectedLayer
        var specs = plan.stageSpecs
        let index = specs.firstIndex { $0.firstOp <= op && op <= $0.lastOp }
        var changed: StageSpec?
        switch act {
        case .stageStart:
            if let i = index {
                guard specs[i].firstOp != op else { statusMessage = "stage \(i + 1) already starts at op \(op)"; return }
                specs[i].firstOp = op
                changed = specs[i]
            } else {
                let new = StageSpec(firstOp: op, lastOp: op, grid: newStageGrid(at: op))
                specs.append(new)
                changed = new
            }
        case .stageEnd:
            if let i = index {
                guard specs[i].lastOp != op else { statusMessage = "stage \(i + 1) already ends at op \(op)"; return }
                specs[i].lastOp = op
                changed = specs[i]
            } else if let i = specs.lastIndex(where: { $0.lastOp < op }) {
                specs[i].lastOp = op
                changed = specs[i]
            } else {
                statusMessage = "no fused stage before op \(op): [ starts one here"
                return
            }
        case .stageRemove:
            guard let i = index else { statusMessage = "op \(op) runs layer by layer already"; return }
            let removed = specs.remove(at: i)
            if let request = replan(stages: specs) {
                replanned(&effects, request)
                statusMessage = "ops \(removed.firstOp)…\(removed.lastOp) run layer by layer"
            }
            return
        case .fewerTileRows, .moreTileRows, .fewerTileCols, .moreTileCols:
            guard let i = index else { statusMessage = "op \(op) is in no fused stage: [ starts one here"; return }
            var grid = specs[i].grid
            switch act {
            case .fewerTileRows: grid.rows -= 1
            case .moreTileRows: grid.rows += 1
            case .fewerTileCols: grid.cols -= 1
            default: grid.cols += 1
            }
            guard let resized = resized(specs[i], number: i + 1, to: grid) else { return }
            specs[i] = resized
            changed = specs[i]
        default:
            return
        }
        // The changed stage's caches are chosen anew (`H`); the others keep theirs.
        specs = specs.map { spec in
            guard let changed, spec == changed else { return spec }
            return StageSpec(firstOp: spec.firstOp, lastOp: spec.lastOp, grid: spec.grid)
        }.sorted { $0.firstOp < $1.firstOp }
        guard let request = replan(stages: specs), let changed else { return }
        replanned(&effects, request)
        let number = (plan.fusedStages.firstIndex { $0.firstOp == changed.firstOp } ?? 0) + 1
        let inherited = act == .stageStart && index == nil ? (previousStageGrid(before: op) == changed.grid ? ", the grid of the stage before" : ", no stage before it") : ""
        statusMessage = "stage \(number): ops \(changed.firstOp)…\(changed.lastOp), \(changed.grid) tiles\(inherited) (\(plan.fusedStages.count) fused stage\(plan.fusedStages.count == 1 ? "" : "s"))"
    }

    /// `spec` with `grid`, or `nil` (and the notice says why) when the
    /// grid has fewer than two tiles or more than 64 a side.
    mutating func resized(_ spec: StageSpec, number: Int, to grid: TileGrid) -> StageSpec? {
        guard grid.rows >= 1, grid.cols >= 1, grid.count >= 2 else {
            statusMessage = "stage \(number) needs 2 tiles at least (d runs it layer by layer)"
            return nil
        }
        guard grid.rows <= 64, grid.cols <= 64 else { statusMessage = "stage \(number): 64 tiles per side at most"; return nil }
        return StageSpec(firstOp: spec.firstOp, lastOp: spec.lastOp, grid: grid)
    }

    /// The mouse on the sliders line of a plan of stages: the selected
    /// op's stage takes `rows` (or `cols`) tiles, re-planned and re-run as
    /// the keys do.
    mutating func setStageGrid(rows: Int? = nil, cols: Int? = nil, _ effects: inout [Effect]) {
        let op = selectedLayer
        var specs = plan.stageSpecs
        guard let i = specs.firstIndex(where: { $0.firstOp <= op && op <= $0.lastOp }) else { return }
        let grid = TileGrid(rows: rows ?? specs[i].grid.rows, cols: cols ?? specs[i].grid.cols)
        guard grid != specs[i].grid, let spec = resized(specs[i], number: i + 1, to: grid) else { return }
        specs[i] = spec
        guard let request = replan(stages: specs) else { return }
        replanned(&effects, request)
        statusMessage = "stage \(i + 1): ops \(spec.firstOp)…\(spec.lastOp), \(grid) tiles"
    }

    /// The grid of the nearest fused stage before `op`, if any.
    func previousStageGrid(before op: Int) -> TileGrid? {
        plan.fusedStages.last { $0.lastOp < op }?.grid
    }

    /// The grid `[` gives a new stage at `op`: the stage before it's (the
    /// block after it usually has a map as large or smaller, so a grid that
    /// served there is a sensible start), cut to the op's output map; 2×2
    /// with no stage before or a map too small for it.
    func newStageGrid(at op: Int) -> TileGrid {
        let fallback = TileGrid(2)
        guard let grid = previousStageGrid(before: op) else { return fallback }
        let model = plan.model
        guard op >= 0, op < model.operators.count, let output = model.operators[op].outputs.first else { return fallback }
        let shape = model.tensors[output].shape
        guard shape.count == 4 else { return fallback }
        let cut = TileGrid(rows: max(1, min(grid.rows, shape[1])), cols: max(1, min(grid.cols, shape[2])))
        return cut.count >= 2 ? cut : fallback
    }

    /// What a click on op `op`'s row says in a plan of stages: the stage
    /// it selects, or that the op runs layer by layer.
    mutating func sayStage(of op: Int) {
        guard plan.needsStageList else { return }
        if let i = plan.fusedStageIndex(of: op) {
            let stage = plan.fusedStages[i]
            statusMessage = "stage \(i + 1)/\(plan.fusedStages.count): ops \(stage.firstOp)…\(stage.lastOp), \(stage.grid) tiles — click rows/cols above or -+ <> to change, d to remove"
        } else {
            statusMessage = "op \(op) runs layer by layer — [ starts a \(newStageGrid(at: op)) stage here"
        }
    }
}
