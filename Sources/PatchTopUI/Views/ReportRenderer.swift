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
    /// Adds what TinyEngine would reserve for the plan (`TinyEngineLines`:
    /// split index, PEAK_MEM and its breakdown, its warnings) after the
    /// header: `report` and `e` alike.
    public var showEngines = true

    public init(state: AppState, view: View = .all, width: Int = 120, height: Int = 40, date: String) {
        self.state = state; self.view = view; self.width = width; self.height = height; self.date = date
    }

    /// Stands for the date in a report that is stamped when its file is
    /// written (`e`): the effect that writes it puts the time there.
    public static let writeTimePlaceholder = "{written at}"

    public func headerLines() -> [String] {
        let plan = state.plan
        var out = [
            "PatchTop report — \(state.model.name)",
            "date            \(date)",
            plan.needsStageList ? "plan            \(PlanReport.stagesText(plan))"
                : "plan            p=\(plan.patches) n=\(plan.patchLayers)\(plan.isPatched ? "" : " (layer by layer)")",
            "memory options  \(plan.options.summary)",
            // Caches under the mode `none` were listed by a plan file's stages.
            "halo caches     \(plan.caches.isEmpty || state.caching != .none ? state.caching.rawValue : "the plan file's")" + (plan.caches.isEmpty ? ""
                : ": \(plan.caches.count) caches, \(formatBytes(plan.cacheBytes.values.reduce(0, +))), save \(formatMACs(plan.cacheMacsSaved)) MACs"),
            plan.isPatched
                ? "peak            \(formatBytes(plan.peakBytes)) (\(formatCount(plan.peakBytes)) B) vs \(formatBytes(plan.layerByLayerPeakBytes)) layer-by-layer, \(Verdicts.peak(plan))"
                : "peak            \(formatBytes(plan.peakBytes)) (\(formatCount(plan.peakBytes)) B), layer by layer",
            "MAC overhead    \(formatPercentChange(plan.macOverhead)) (\(formatMACs(plan.macs)) vs \(formatMACs(plan.layerByLayerMacs)))",
        ]
        out.append("engines         \(state.engines.line)")
        let required = state.required
        out.append("engine          " + (required.bytes.map { "\(required.name) \(formatBytes($0)) (\(formatCount($0)) B)\(required.why.map { "; \($0)" } ?? "")" }
            ?? "\(state.engine.name): no figure for this plan (\(required.why ?? ""))"))
        if let latency = state.latency {
            if let prediction = state.prediction {
                // The lines `plan --target` prints.
                out += LatencyReport(prediction: prediction, board: latency.board).summaryLines()
            } else if let note = latency.note {
                out.append("instructions    \(note)")
            }
        }
        if let budget = state.budget {
            let verdict = state.required.verdict(budget)
            out.append("SRAM budget     \(formatBytes(budget.bytes))\(budget.name == "SRAM" ? "" : " (\(budget.name))"): \(verdict.candidates[0])")
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

    /// Every op, as the layer table lists them with all its columns, live
    /// KiB for this plan: the screen shows only the rows that fit.
    public func everyLayer() -> [String] {
        let plan = state.plan
        let (rows, live, stages, times, timeHeader, columns) = LayersView.table(state, width: .max)
        let table = rows.indices.map { i in
            let row = rows[i]
            let stage = plan.fusedStageIndex(of: row.index)
            let mark = (stage.map { $0 % 2 == 0 ? "▌" : "▐" } ?? " ") + (row.index == plan.peakOp ? "▲" : " ")
            return columns.cells(row, live: live[i], mark: mark, stage: i < stages.count ? stages[i] : "", time: i < times.count ? times[i] : "")
        }
        let timeNote = timeHeader.isEmpty ? "" : "; \(timeHeader) predicted on \(state.latency?.target ?? "")" + (state.prediction?.clockHz == nil ? "" : " (\(state.prediction?.timeBasis ?? ""))")
        return ["every layer (\(rows.count) ops; ▌▐ fused stages, ▲ peak; live KiB of this plan\(timeNote))", columns.header()] + table
    }

    public func render() -> String {
        (headerLines() + [""] + body() + [""] + everyLayer()).joined(separator: "\n") + "\n"
    }
}
