import PatchTopModel
import PatchTopPlan

/// First row to show so that `selected` is visible in a window of `visible` rows.
func scrollOffset(selected: Int, count: Int, visible: Int) -> Int {
    guard visible > 0, count > visible else { return 0 }
    return max(0, min(count - visible, selected - visible / 2))
}

func kib(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }

/// The table of ops: stage ops marked `▌`, the peak op `▲`, the selected row reversed.
public enum LayersView {
    public static let header = "  " + fit("#", 3, right: true) + "  " + fit("op", 17) + " " + fit("kernel", 6) + " " + fit("output", 13)
        + fit("out B", 9, right: true) + " " + fit("live KiB", 10, right: true) + " " + fit("MACs", 10, right: true)

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect, focused: Bool = false) {
        grid.box(rect, title: "Layers (\(state.model.operators.count) ops)", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        grid.text(header, x: inner.x, y: inner.y, style: .bold, clip: inner)
        let rows = LayerRow.rows(of: state.model, memory: state.plan.layerByLayer)
        let visible = inner.height - 1
        let start = scrollOffset(selected: state.selectedLayer, count: rows.count, visible: visible)
        let plan = state.plan
        for (i, row) in rows.dropFirst(start).prefix(max(0, visible)).enumerated() {
            let y = inner.y + 1 + i
            let inStage = plan.isPatched && row.index < plan.patchLayers
            let live = row.index < plan.liveBytes.count ? plan.liveBytes[row.index] : row.liveBytes
            let mark = (inStage ? "▌" : " ") + (row.index == plan.peakOp ? "▲" : " ")
            let text = mark + fit("\(row.index)", 3, right: true) + "  " + fit(row.op, 17) + " " + fit(row.kernel, 6) + " "
                + fit(row.shapeText, 13) + fit(formatCount(row.outputBytes), 9, right: true) + " " + fit(kib(live), 10, right: true)
                + " " + fit(formatMACs(row.macs), 10, right: true)
            var style = CellStyle.plain
            if inStage { style.fg = .cyan }
            if row.index == plan.peakOp { style.fg = .red; style.bold = true }
            if row.index == state.selectedLayer { style.reverse = true }
            grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), with: Cell(" ", style: style))
            grid.text(text, x: inner.x, y: y, style: style, clip: inner)
        }
    }
}

/// Live bytes per layer as horizontal bars: layer-by-layer (left) against the plan (right).
public enum MemoryView {
    public static func bar(_ value: Int, scale: Int, width: Int) -> String {
        guard width > 0, scale > 0 else { return "" }
        let eighths = min(width * 8, Int((Double(max(0, value)) / Double(scale) * Double(width * 8)).rounded()))
        let full = eighths / 8, rest = eighths % 8
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: full) + partial[rest]
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect, focused: Bool = false) {
        let plan = state.plan
        grid.box(rect, title: "Memory KiB: layer │ plan", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        let lbl = plan.layerByLayer.liveBytes
        let scale = max(plan.layerByLayerPeakBytes, plan.peakBytes, state.sramBudget ?? 0, 1)
        let labelW = 4, valueW = 7
        let barW = max(1, (inner.width - labelW - 2 * valueW - 3) / 2)
        var headerText = "peak \(kib(plan.layerByLayerPeakBytes)) → \(kib(plan.peakBytes))"
        if let budget = state.sramBudget { headerText += "  SRAM \(kib(budget)) ┆" }
        grid.text(headerText, x: inner.x, y: inner.y, style: .bold, clip: inner)
        let visible = inner.height - 1
        let start = scrollOffset(selected: state.selectedLayer, count: lbl.count, visible: visible)
        let budgetCol = state.sramBudget.map { min(barW - 1, Int(Double($0) / Double(scale) * Double(barW))) }
        for (i, op) in (start..<lbl.count).prefix(max(0, visible)).enumerated() {
            let y = inner.y + 1 + i
            let a = lbl[op], b = op < plan.liveBytes.count ? plan.liveBytes[op] : 0
            var x = inner.x
            let sel = op == state.selectedLayer
            grid.text(fit("\(op)", labelW - 1, right: true) + " ", x: x, y: y, style: sel ? .reverse : .plain, clip: inner)
            x += labelW
            for (value, isPeak, color) in [(a, op == plan.layerByLayer.peakOp, TermColor.yellow), (b, op == plan.peakOp, TermColor.green)] {
                let barStyle = CellStyle(fg: isPeak ? .red : color, bold: isPeak)
                grid.text(fit(bar(value, scale: scale, width: barW), barW), x: x, y: y, style: barStyle, clip: inner)
                if let col = budgetCol, grid[x + col, y].character == " " { grid[x + col, y] = Cell("┆", style: CellStyle(fg: .magenta)) }
                x += barW
                grid.text(fit(kib(value) + (isPeak ? "▲" : ""), valueW, right: true), x: x, y: y, style: barStyle, clip: inner)
                x += valueW + 1
            }
        }
    }
}

/// The selected layer's feature map with patch regions: cells computed by more
/// than one patch are shaded by count, the selected patch's region reversed.
public enum PatchGridView {
    /// How many patches compute each output position of stage op `op`.
    public static func coverage(plan: PatchPlan, op: Int) -> [[Int]] {
        let shape = plan.model.tensors[plan.model.operators[op].output].shape
        guard shape.count == 4 else { return [] }
        var counts = Array(repeating: Array(repeating: 0, count: shape[2]), count: shape[1])
        for regions in plan.opRegions where op < regions.count {
            let r = regions[op]
            for row in r.rows where row >= 0 && row < shape[1] {
                for col in r.cols where col >= 0 && col < shape[2] { counts[row][col] += 1 }
            }
        }
        return counts
    }

    public static let shades: [Character] = [" ", "·", "▒", "▓", "█"]

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect, focused: Bool = false) {
        let plan = state.plan
        let op = state.selectedLayer
        grid.box(rect, title: "Patch grid: op \(op)", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty, op < state.model.operators.count else { return }
        guard plan.isPatched, op < plan.patchLayers else {
            grid.text(plan.isPatched ? "op \(op) is outside the patch stage (ops 0..<\(plan.patchLayers))" : "layer-by-layer: raise p (P) and n (N) to patch",
                      x: inner.x, y: inner.y, style: .dim, clip: inner)
            return
        }
        let shape = state.model.tensors[state.model.operators[op].output].shape
        let counts = coverage(plan: plan, op: op)
        guard shape.count == 4, !counts.isEmpty else { return }
        let h = shape[1], w = shape[2]
        let info = "\(h)×\(w)  recompute \(formatFixed(plan.recomputeFactor(op: op), decimals: 2))×  halo \(formatFixed(plan.haloFraction(op: op) * 100, decimals: 1))%  patch \(state.selectedPatch + 1)/\(plan.patches * plan.patches)"
        grid.text(info, x: inner.x, y: inner.y, style: .bold, clip: inner)
        let area = Rect(x: inner.x, y: inner.y + 1, width: min(inner.width, w), height: min(inner.height - 1, h))
        guard !area.isEmpty else { return }
        let selected = state.selectedPatch < plan.opRegions.count ? plan.opRegions[state.selectedPatch][op] : nil
        for gy in 0..<area.height {
            for gx in 0..<area.width {
                let r0 = gy * h / area.height, r1 = max(r0 + 1, (gy + 1) * h / area.height)
                let c0 = gx * w / area.width, c1 = max(c0 + 1, (gx + 1) * w / area.width)
                var most = 0
                var inSel = false
                for r in r0..<r1 { for c in c0..<c1 {
                    most = max(most, counts[r][c])
                    if selected?.contains(row: r, col: c) == true { inSel = true }
                } }
                let ch = shades[min(most, shades.count - 1)]
                let style = CellStyle(fg: most > 1 ? .yellow : .default, reverse: inSel)
                grid[area.x + gx, area.y + gy] = Cell(ch, style: style)
            }
        }
    }
}

/// p and n as sliders plus the plan's headline numbers.
public enum SlidersView {
    public static func slider(_ value: Int, range: ClosedRange<Int>, width: Int) -> String {
        guard width > 0 else { return "" }
        let span = max(1, range.upperBound - range.lowerBound)
        let filled = max(0, min(width, Int((Double(value - range.lowerBound) / Double(span) * Double(width)).rounded())))
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    public static func line(_ state: AppState, width: Int) -> String {
        let plan = state.plan
        let p = "p \(slider(plan.patches, range: 1...8, width: 8)) \(plan.patches)"
        let n = "n \(slider(plan.patchLayers, range: 0...max(1, state.model.operators.count), width: 12)) \(plan.patchLayers)/\(state.model.operators.count)"
        let peak = "peak \(formatBytes(plan.peakBytes)) vs \(formatBytes(plan.layerByLayerPeakBytes)) (\(formatFixed(plan.peakReduction, decimals: 2))× lower)"
        let macs = "MACs +\(formatFixed(plan.macOverhead * 100, decimals: 1))%"
        let full = [p, n, peak, macs].joined(separator: "  ")
        if full.count <= width { return full }
        let shortPeak = "peak \(formatBytes(plan.peakBytes))/\(formatBytes(plan.layerByLayerPeakBytes)) \(formatFixed(plan.peakReduction, decimals: 2))×"
        return [p, n, shortPeak, macs].joined(separator: " ")
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        grid.text(line(state, width: rect.width), x: rect.x, y: rect.y, style: .bold, clip: rect)
    }
}

/// The `?` overlay, generated from `keyBindings`.
public enum HelpOverlay {
    public static func lines() -> [String] {
        keyBindings.map { fit($0.keys, 14) + $0.help }
    }

    public static func draw(into grid: inout CellGrid, rect: Rect) {
        let body = lines()
        let w = min(rect.width, (body.map(\.count).max() ?? 0) + 4)
        let h = min(rect.height, body.count + 2)
        let box = Rect(x: rect.x + (rect.width - w) / 2, y: rect.y + (rect.height - h) / 2, width: w, height: h)
        grid.fill(box)
        grid.box(box, title: "Help", style: CellStyle(fg: .cyan, bold: true))
        for (i, line) in body.enumerated() {
            grid.text(line, x: box.x + 2, y: box.y + 1 + i, clip: box.inset(1))
        }
    }
}

/// The whole screen: title, sliders, the three panels, status and hint bar.
public enum Screen {
    public static let minWidth = 80, minHeight = 24

    public static func hintBar() -> String {
        keyBindings.map(\.hint).filter { !$0.isEmpty }.joined(separator: "  ")
    }

    public static func tooSmallNotice(width: Int, height: Int) -> String {
        "terminal too small: \(width)×\(height), need \(minWidth)×\(minHeight)"
    }

    /// Where each panel goes on a screen of this size (shared by drawing and mouse clicks).
    public static func layout(width w: Int, height h: Int) -> (layers: Rect, memory: Rect, grid: Rect) {
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        let leftW = w >= 110 ? 81 : w / 2 + 4
        let right = Rect(x: leftW, y: body.y, width: w - leftW, height: body.height)
        let memH = right.height / 2
        return (Rect(x: 0, y: body.y, width: leftW, height: body.height),
                Rect(x: right.x, y: right.y, width: right.width, height: memH),
                Rect(x: right.x, y: right.y + memH, width: right.width, height: right.height - memH))
    }

    public static func render(_ state: AppState, width: Int, height: Int) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        guard grid.width >= minWidth, grid.height >= minHeight else {
            let notice = tooSmallNotice(width: width, height: height)
            grid.text(notice, x: max(0, (grid.width - notice.count) / 2), y: grid.height / 2)
            return grid
        }
        let w = grid.width, h = grid.height
        let panes = layout(width: w, height: h)
        let title = "PatchTop — \(state.model.name) — \(state.options.summary)"
        grid.text(title, x: 0, y: 0, style: CellStyle(fg: .cyan, bold: true))
        SlidersView.draw(state, into: &grid, rect: Rect(x: 0, y: 1, width: w, height: 1))
        let body = Rect(x: 0, y: 2, width: w, height: h - 4)
        LayersView.draw(state, into: &grid, rect: panes.layers, focused: state.focusedPanel == .layers)
        MemoryView.draw(state, into: &grid, rect: panes.memory, focused: state.focusedPanel == .memory)
        PatchGridView.draw(state, into: &grid, rect: panes.grid, focused: state.focusedPanel == .grid)
        grid.text(state.statusMessage, x: 0, y: h - 2, style: CellStyle(fg: .yellow))
        grid.fill(Rect(x: 0, y: h - 1, width: w, height: 1), with: Cell(" ", style: .reverse))
        grid.text(hintBar(), x: 1, y: h - 1, style: .reverse)
        if state.showHelp { HelpOverlay.draw(into: &grid, rect: body) }
        return grid
    }
}
