import PatchTopModel
import PatchTopPlan

/// The whole screen: title, sliders, the panels, status line and hint bar.
///
/// Outside step mode the right column holds the memory chart over the patch
/// grid; in step mode it holds the patch grid, the arena map and the
/// heatmap. Below 80×24 only the "terminal too small" notice is drawn.
public enum Screen {
    public static let minWidth = 80, minHeight = 24

    /// Where each panel goes; empty rects for panels not shown.
    public struct Panes: Equatable, Sendable {
        public var layers: Rect
        public var memory: Rect
        public var grid: Rect
        public var arena: Rect
        public var heatmap: Rect
    }

    /// The hint bar for this mode, dropping the lowest-priority hints until it fits `width`.
    public static func hintBar(stepping: Bool = false, width: Int = .max) -> String {
        var hints = keyBindings.map { (text: stepping ? $0.stepHint : $0.hint, priority: $0.priority) }.filter { !$0.text.isEmpty }
        func joined() -> String { hints.map(\.text).joined(separator: "  ") }
        while joined().count > width, let lowest = hints.indices.min(by: { hints[$0].priority < hints[$1].priority }) {
            hints.remove(at: lowest)
        }
        return joined()
    }

    public static func tooSmallNotice(width: Int, height: Int) -> String {
        "terminal too small: \(width)×\(height), need \(minWidth)×\(minHeight)"
    }

    /// Where each panel goes on a screen of this size (shared by drawing and mouse clicks).
    public static func layout(width w: Int, height h: Int, stepping: Bool = false) -> Panes {
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        let leftW = w >= 110 ? 81 : w / 2 + 4
        let left = Rect(x: 0, y: body.y, width: leftW, height: body.height)
        let right = Rect(x: leftW, y: body.y, width: w - leftW, height: body.height)
        if stepping {
            let gridH = right.height / 3
            let arenaH = (right.height - gridH) / 2
            return Panes(layers: left, memory: Rect(x: 0, y: 0, width: 0, height: 0),
                         grid: Rect(x: right.x, y: right.y, width: right.width, height: gridH),
                         arena: Rect(x: right.x, y: right.y + gridH, width: right.width, height: arenaH),
                         heatmap: Rect(x: right.x, y: right.y + gridH + arenaH, width: right.width, height: right.height - gridH - arenaH))
        }
        let memH = right.height / 2
        let none = Rect(x: 0, y: 0, width: 0, height: 0)
        return Panes(layers: left,
                     memory: Rect(x: right.x, y: right.y, width: right.width, height: memH),
                     grid: Rect(x: right.x, y: right.y + memH, width: right.width, height: right.height - memH),
                     arena: none, heatmap: none)
    }

    public static func render(_ state: AppState, width: Int, height: Int) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        guard grid.width >= minWidth, grid.height >= minHeight else {
            let notice = tooSmallNotice(width: width, height: height)
            grid.text(notice, x: max(0, (grid.width - notice.count) / 2), y: grid.height / 2)
            return grid
        }
        let w = grid.width, h = grid.height
        let stepping = state.step != nil
        let panes = layout(width: w, height: h, stepping: stepping)
        let title = "PatchTop — \(state.model.name) — \(stepping ? "STEP MODE — " : "")\(state.options.summary)"
        grid.text(title, x: 0, y: 0, style: CellStyle(fg: .cyan, bold: true))
        SlidersView.draw(state, into: &grid, rect: Rect(x: 0, y: 1, width: w, height: 1))
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        LayersView.draw(state, into: &grid, rect: panes.layers, focused: state.focusedPanel == .layers)
        if stepping {
            PatchGridView.draw(state, into: &grid, rect: panes.grid, focused: state.focusedPanel == .grid)
            ArenaMapView.draw(state, into: &grid, rect: panes.arena, focused: state.focusedPanel == .memory)
            HeatmapView.draw(state, into: &grid, rect: panes.heatmap)
        } else {
            MemoryView.draw(state, into: &grid, rect: panes.memory, focused: state.focusedPanel == .memory)
            PatchGridView.draw(state, into: &grid, rect: panes.grid, focused: state.focusedPanel == .grid)
        }
        StatusLine.draw(state, into: &grid, rect: Rect(x: 0, y: h - 2, width: w, height: 1))
        grid.fill(Rect(x: 0, y: h - 1, width: w, height: 1), with: Cell(" ", style: .reverse))
        grid.text(hintBar(stepping: stepping, width: w - 2), x: 1, y: h - 1, style: .reverse)
        if state.showHelp { HelpOverlay.draw(into: &grid, rect: body) }
        return grid
    }
}
