import PatchTopReports
import PatchTopModel
import PatchTopPlan

extension AppState {
    /// The state `tui` and `report` open with. With `-p` and `-n` that
    /// plan; without them the sweep's recommendation for the engine and
    /// budget (see `ParetoData.recommendation`), with the reason on the
    /// status line. A lone `-p` or `-n` takes the other from the
    /// recommendation too.
    public static func opening(model: Model, patches: Int?, patchLayers: Int?, options: MemoryOptions,
                               budget: SRAMBudget?, caching: HaloCache.Mode = .none,
                               engine: InferenceEngine = .tflm, latency: LatencySetup? = nil) throws(PlanError) -> AppState {
        if let patches, let patchLayers {
            // The sweep follows in the background (`start` asks for it).
            var state = try AppState(model: model, patches: patches, patchLayers: patchLayers, options: options, board: budget,
                                     caching: caching)
            state.engine = engine
            state.latency = latency
            return state
        }
        // MACs only here (the recommendation needs no more): with a target,
        // `start` asks for the sweep again in the background, each plan's
        // instructions predicted there, off the input thread.
        let data = ParetoData(Sweep(model: model, options: options), options: options)
        let pick = data.recommendation(budget: budget, engine: engine, tflm: EngineFigures.tflmArena(for: model))
        let p = patches ?? pick?.point.patches ?? 1
        let n = patchLayers ?? pick?.point.patchLayers ?? 0
        var state = try AppState(model: model, patches: p, patchLayers: n, options: options, board: budget, pareto: data,
                                 caching: caching)
        state.engine = engine
        state.latency = latency
        if let pick, patches == nil, patchLayers == nil {
            state.statusMessage = "opened at p=\(p) n=\(n): \(pick.reason)"
        }
        state.paretoCursor = state.frontIndexNearestPlan()
        return state
    }

    /// The sweep's recommendation for the current engine and budget, or
    /// `nil` until the sweep for the current memory options is in.
    public var recommendation: (point: ParetoPoint, reason: String)? {
        guard let pareto, pareto.options == options else { return nil }
        return pareto.recommendation(budget: budget, engine: engine, tflm: engines.tflm)
    }

    /// Moves to the recommendation (`r`, and after `b`, `E`, `m` change
    /// what it is); the notice says which plan and why. Waits for the sweep
    /// when it is not in yet (`swept` finishes the job).
    mutating func repick(_ effects: inout [Effect], because: String) {
        guard let pick = recommendation else {
            repickPending = because
            statusMessage = "\(because); re-picking the plan once the sweep is in"
            return
        }
        repickPending = nil
        let point = pick.point
        if point.patches != plan.patches || point.patchLayers != plan.patchLayers || (plan.isPatched != !point.isLayerByLayer) {
            replanned(&effects, replan(patches: point.patches, patchLayers: point.patchLayers))
            statusMessage = "\(because) → p=\(point.patches) n=\(point.patchLayers): \(pick.reason)"
        } else {
            statusMessage = "\(because); p=\(point.patches) n=\(point.patchLayers) stays: \(pick.reason)"
        }
        paretoCursor = frontIndexNearestPlan()
    }
}
