import PatchTopModel
import PatchTopPlan

/// The whole screen: title, sliders, the panels, status line and hint bar.
///
/// Outside step mode the right column holds the memory chart over the
/// patch grid (or, with `w`, the buffers live at the peak), or with `v`
/// the Pareto chart; in step mode it holds the patch grid, the arena map
/// and the heatmap. Below 80×24 only the "terminal too small" notice is
/// drawn (and keys do nothing).
public enum Screen {
    public static let minWidth = 80, minHeight = 24

    /// Where each panel goes; empty rects for panels not shown.
    public struct Panes: Equatable, Sendable {
        public var layers: Rect
        public var memory: Rect
        public var grid: Rect
        public var live: Rect
        public var pareto: Rect
        public var arena: Rect
        public var heatmap: Rect
    }

    /// The hint bar for this mode, fitted to `width` without dropping a
    /// key: the lowest-priority hints are shortened first to their key
    /// alone (`m memory` → `m`), then the separators narrow; only when even
    /// that does not fit are some keys left out, and the bar then ends
    /// with `? more` (the `?` overlay lists every key). Which keys are left
    /// out turns with `rotation` (the app passes its key count), so every
    /// key comes round: the lowest-priority ones first, then the next.
    public static func hintBar(stepping: Bool = false, width: Int = .max, rotation: Int = 0) -> String {
        // Only keys that act in this mode (no `w` or `v` in step mode).
        var hints = keyBindings.filter { $0.mode == .always || $0.applies(stepping: stepping, pareto: false) }
            .map { (text: stepping ? $0.stepHint : $0.hint, priority: $0.priority) }.filter { !$0.text.isEmpty }
        var separator = "  "
        func joined() -> String { hints.map(\.text).joined(separator: separator) }
        func key(_ text: String) -> String { String(text.prefix { $0 != " " }) }
        // Shorten, lowest priority first (the last of equals first, so the bar's start stays whole).
        let order = hints.indices.sorted { (hints[$0].priority, -$0) < (hints[$1].priority, -$1) }
        for index in order where joined().count > width && hints[index].priority < 10 {
            hints[index].text = key(hints[index].text)
        }
        if joined().count > width { separator = " " }
        var dropped = false
        if joined().count > width {
            // Left out: a window of the optional keys (lowest priority
            // first), as wide as needed, moved along by `rotation`.
            let optional = order.filter { hints[$0].priority < 10 }
            let all = hints
            var count = 1
            while count <= optional.count {
                let start = optional.isEmpty ? 0 : (max(0, rotation) * count) % optional.count
                let out = Set((0..<count).map { optional[(start + $0) % optional.count] })
                hints = all.indices.filter { !out.contains($0) }.map { all[$0] }
                if joined().count <= width { break }
                count += 1
            }
            dropped = true
        }
        if dropped, let help = hints.firstIndex(where: { $0.text.hasPrefix("?") }) { hints[help].text = "? more" }
        return joined()
    }

    public static func tooSmallNotice(width: Int, height: Int) -> String {
        "terminal too small: \(width)×\(height), need \(minWidth)×\(minHeight)"
    }

    /// Where each panel goes on a screen of this size.
    public static func panes(width w: Int, height h: Int, stepping: Bool = false, live: Bool = false, pareto: Bool = false) -> Panes {
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        let leftW = w >= 110 ? 81 : w / 2 + 4
        let left = Rect(x: 0, y: body.y, width: leftW, height: body.height)
        let right = Rect(x: leftW, y: body.y, width: w - leftW, height: body.height)
        let none = Rect(x: 0, y: 0, width: 0, height: 0)
        if stepping {
            let gridH = right.height / 3
            let arenaH = (right.height - gridH) / 2
            return Panes(layers: left, memory: none,
                         grid: Rect(x: right.x, y: right.y, width: right.width, height: gridH), live: none, pareto: none,
                         arena: Rect(x: right.x, y: right.y + gridH, width: right.width, height: arenaH),
                         heatmap: Rect(x: right.x, y: right.y + gridH + arenaH, width: right.width, height: right.height - gridH - arenaH))
        }
        if pareto {
            return Panes(layers: left, memory: none, grid: none, live: none, pareto: right, arena: none, heatmap: none)
        }
        // Short screens give the patch grid the larger half: its boundary lines need rows.
        let memH = h < 32 ? right.height * 2 / 5 : right.height / 2
        let bottom = Rect(x: right.x, y: right.y + memH, width: right.width, height: right.height - memH)
        return Panes(layers: left,
                     memory: Rect(x: right.x, y: right.y, width: right.width, height: memH),
                     grid: live ? none : bottom, live: live ? bottom : none, pareto: none,
                     arena: none, heatmap: none)
    }

    /// The frame's layout, shared by `render` and the mouse.
    public static func layout(_ state: AppState) -> ScreenLayout {
        let w = state.width, h = state.height
        let panes = panes(width: w, height: h, stepping: state.step != nil, live: state.showLive, pareto: state.showPareto && state.step == nil)
        let count = state.model.operators.count
        func window(_ rect: Rect, headerRows: Int, top: Int) -> RowWindow {
            let inner = rect.inset(1)
            let visible = max(0, inner.height - headerRows)
            let first = scrollWindow(top: top, selected: state.selectedLayer, count: count, visible: visible)
            return RowWindow(x: inner.x..<inner.maxX, y: inner.y + headerRows, first: first, count: min(visible, max(0, count - first)))
        }
        let noRows = RowWindow(x: 0..<0, y: 0, first: 0, count: 0)
        return ScreenLayout(
            panes: panes,
            sliders: SlidersView.geometry(state, width: w, y: 1),
            layerRows: window(panes.layers, headerRows: 1, top: state.layerTop),
            memoryRows: panes.memory.isEmpty ? noRows : window(panes.memory, headerRows: 1, top: state.memoryTop),
            patchGrid: panes.grid.isEmpty ? nil : PatchGridView.geometry(state, rect: panes.grid),
            pareto: panes.pareto.isEmpty ? nil : ParetoView.geometry(state, rect: panes.pareto)
        )
    }

    /// The screen as cells. `exporting` draws it for a text report: the
    /// selected row and patch marked with characters (styles are lost in
    /// text) and no key-hint bar.
    ///
    /// `layout` is the frame's layout when the caller has it (the loop
    /// passes the one `update` computed); otherwise it is computed here.
    public static func render(_ state: AppState, width: Int, height: Int, exporting: Bool = false, layout given: ScreenLayout? = nil) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        guard grid.width >= minWidth, grid.height >= minHeight else {
            let notice = TextFit.first([tooSmallNotice(width: width, height: height), "too small: need \(minWidth)×\(minHeight)", "too small"], width: grid.width)
            grid.text(notice, x: max(0, (grid.width - notice.count) / 2), y: grid.height / 2)
            return grid
        }
        var state = state
        state.width = grid.width
        state.height = grid.height
        let layout = given ?? layout(state)
        let w = grid.width, h = grid.height
        let stepping = state.step != nil
        let panes = layout.panes
        let name = state.model.name + (PeakCause.floatTag(state.model).map { " (\($0))" } ?? "")
        let title = PredictionText.title(state, name: name, stepping: stepping, width: w)
        grid.text(title, x: 0, y: 0, style: CellStyle(fg: .cyan, bold: true))
        SlidersView.draw(state, layout.sliders, into: &grid)
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        LayersView.draw(state, layout.layerRows, into: &grid, rect: panes.layers, focused: state.focusedPanel == .layers, exporting: exporting)
        if stepping {
            PatchGridView.draw(state, layout.patchGrid, into: &grid, rect: panes.grid, focused: state.focusedPanel == .grid, exporting: exporting)
            ArenaMapView.draw(state, into: &grid, rect: panes.arena)
            HeatmapView.draw(state, into: &grid, rect: panes.heatmap)
        } else if !panes.pareto.isEmpty {
            if let pareto = layout.pareto {
                ParetoView.draw(state, pareto, into: &grid, rect: panes.pareto, exporting: exporting)
            } else {
                // The sweep for these memory options is still running (or the panel is too small).
                grid.box(panes.pareto, title: "Pareto: peak vs MAC overhead", style: CellStyle(fg: .cyan, bold: true))
                let inner = panes.pareto.inset(1)
                let note = state.pareto?.options == state.options ? ["the chart needs a larger terminal", "too small"] : ["sweeping every plan for these memory options…", "sweeping…"]
                grid.text(TextFit.first(note, width: inner.width), x: inner.x, y: inner.y, style: .dim)
            }
        } else {
            MemoryView.draw(state, layout.memoryRows, into: &grid, rect: panes.memory, focused: state.focusedPanel == .memory, exporting: exporting)
            if state.showLive {
                LivePeakView.draw(state, into: &grid, rect: panes.live)
            } else {
                PatchGridView.draw(state, layout.patchGrid, into: &grid, rect: panes.grid, focused: state.focusedPanel == .grid, exporting: exporting)
            }
        }
        StatusLine.draw(state, into: &grid, rect: Rect(x: 0, y: h - 2, width: w, height: 1))
        if !exporting {
            grid.fill(Rect(x: 0, y: h - 1, width: w, height: 1), with: Cell(" ", style: .reverse))
            grid.text(hintBar(stepping: stepping, width: w - 2, rotation: state.hintRotation), x: 1, y: h - 1, style: .reverse)
        }
        if state.showHelp { HelpOverlay.draw(into: &grid, rect: body, top: state.helpTop) }
        return grid
    }
}
