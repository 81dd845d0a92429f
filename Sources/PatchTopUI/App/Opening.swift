import PatchTopModel
import PatchTopPlan

extension AppState {
    /// The state `tui` and `report` open with. With `-p` and `-n` that
    /// plan; without them the sweep's recommendation (see
    /// `ParetoData.recommendation`), with the reason on the status line.
    /// A lone `-p` or `-n` takes the other from the recommendation too.
    public static func opening(model: Model, patches: Int?, patchLayers: Int?, options: MemoryOptions,
                               budget: SRAMBudget?, caching: HaloCache.Mode = .none) throws(PlanError) -> AppState {
        if let patches, let patchLayers {
            // The sweep follows in the background (`start` asks for it).
            return try AppState(model: model, patches: patches, patchLayers: patchLayers, options: options, board: budget,
                                caching: caching)
        }
        let data = ParetoData(Sweep(model: model, options: options), options: options)
        let pick = data.recommendation(budget: budget)
        let p = patches ?? pick?.point.patches ?? 1
        let n = patchLayers ?? pick?.point.patchLayers ?? 0
        var state = try AppState(model: model, patches: p, patchLayers: n, options: options, board: budget, pareto: data,
                                 caching: caching)
        if let pick, patches == nil, patchLayers == nil {
            state.statusMessage = "opened at p=\(p) n=\(n): \(pick.reason)"
        }
        state.paretoCursor = state.frontIndexNearestPlan()
        return state
    }
}
