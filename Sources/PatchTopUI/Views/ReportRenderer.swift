import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The headless text report: a header naming every assumption, then the
/// screen (or one view) exactly as the TUI draws it.
public struct ReportRenderer: Sendable {
    public enum View: String, CaseIterable, Sendable { case layers, memory, grid, all }

    public var state: AppState
    public var view: View
    public var width: Int
    public var height: Int
    public var date: String
    /// Adds what TinyEngine would reserve for the plan (`TinyEngineLines`) after the header.
    public var showEngines = false

    public init(state: AppState, view: View = .all, width: Int = 120, height: Int = 40, date: String) {
        self.state = state; self.view = view; self.width = width; self.height = height; self.date = date
    }

    public func headerLines() -> [String] {
        let plan = state.plan
        var out = [
            "PatchTop report — \(state.model.name)",
            "date            \(date)",
            plan.needsStageList ? "plan            \(PlanReport.stagesText(plan))"
                : "plan            p=\(plan.patches) n=\(plan.patchLayers)\(plan.isPatched ? "" : " (layer by layer)")",
            "memory options  \(plan.options.summary)",
            plan.isPatched
                ? "peak            \(formatBytes(plan.peakBytes)) (\(formatCount(plan.peakBytes)) B) vs \(formatBytes(plan.layerByLayerPeakBytes)) layer-by-layer, \(Verdicts.peak(plan))"
                : "peak            \(formatBytes(plan.peakBytes)) (\(formatCount(plan.peakBytes)) B), layer by layer",
            "MAC overhead    \(formatPercentChange(plan.macOverhead)) (\(formatMACs(plan.macs)) vs \(formatMACs(plan.layerByLayerMacs)))",
        ]
        out.append("engines         \(state.engines.line)")
        if let budget = state.budget {
            let reserved = state.budgetedBytes
            out.append("SRAM budget     \(formatBytes(budget.bytes))\(budget.name == "SRAM" ? "" : " (\(budget.name))"): \(reserved.label) \(formatBytes(reserved.bytes)) \(Verdicts.budget(reserved.bytes, budget).text)")
        }
        out.append("selected        op \(state.selectedLayer)\(plan.isPatched ? ", patch \(state.selectedPatch + 1)/\(state.patchCount)" : "") (marked » and #)")
        if case .finished(let summary) = state.run {
            let arena = summary.measuredArenaBytes.map { "arena \(formatBytes($0)) measured, \(formatBytes(summary.plannedArenaBytes)) planned" }
                ?? "arena \(formatBytes(summary.plannedArenaBytes)) planned"
            out.append("run             \(summary.identical ? "output identical to layer-by-layer" : "output DIFFERS from layer-by-layer"), \(arena), \(formatFixed(summary.milliseconds, decimals: 1)) ms")
        }
        if showEngines && !plan.needsStageList {
            out += TinyEngineLines.lines(model: state.model, patches: plan.patches, patchLayers: plan.patchLayers)
        }
        return out
    }

    public func body() -> [String] {
        let rect = Rect(x: 0, y: 0, width: width, height: height)
        var grid = CellGrid(width: width, height: height)
        switch view {
        case .all: return Screen.render(state, width: width, height: height, exporting: true).lines()
        case .layers:
            var s = state
            s.width = width; s.height = height
            let inner = rect.inset(1)
            let visible = max(0, inner.height - 1)
            let first = scrollOffset(selected: s.selectedLayer, count: s.model.operators.count, visible: visible)
            let rows = RowWindow(x: inner.x..<inner.maxX, y: inner.y + 1, first: first, count: min(visible, max(0, s.model.operators.count - first)))
            LayersView.draw(s, rows, into: &grid, rect: rect, exporting: true)
        case .memory:
            let inner = rect.inset(1)
            let visible = max(0, inner.height - 1)
            let first = scrollOffset(selected: state.selectedLayer, count: state.model.operators.count, visible: visible)
            let rows = RowWindow(x: inner.x..<inner.maxX, y: inner.y + 1, first: first, count: min(visible, max(0, state.model.operators.count - first)))
            MemoryView.draw(state, rows, into: &grid, rect: rect, exporting: true)
        case .grid: PatchGridView.draw(state, PatchGridView.geometry(state, rect: rect), into: &grid, rect: rect, exporting: true)
        }
        return grid.lines()
    }

    public func render() -> String {
        (headerLines() + [""] + body()).joined(separator: "\n") + "\n"
    }
}
