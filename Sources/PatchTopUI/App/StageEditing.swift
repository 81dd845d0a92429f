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
                let new = StageSpec(firstOp: op, lastOp: op, grid: TileGrid(2))
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
            guard grid.rows >= 1, grid.cols >= 1, grid.count >= 2 else {
                statusMessage = "stage \(i + 1) needs 2 tiles at least (d runs it layer by layer)"
                return
            }
            guard grid.rows <= 64, grid.cols <= 64 else { statusMessage = "stage \(i + 1): 64 tiles per side at most"; return }
            specs[i].grid = grid
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
        statusMessage = "stage \(number): ops \(changed.firstOp)…\(changed.lastOp), \(changed.grid) tiles (\(plan.fusedStages.count) fused stage\(plan.fusedStages.count == 1 ? "" : "s"))"
    }
}
