import PatchTopModel
import PatchTopPlan

/// Live bytes per layer as horizontal bars: layer-by-layer (left) against the plan (right).
public enum MemoryView {
    public static func bar(_ value: Int, scale: Int, width: Int) -> String {
        guard width > 0, scale > 0 else { return "" }
        let eighths = min(width * 8, Int((Double(max(0, value)) / Double(scale) * Double(width * 8)).rounded()))
        let full = eighths / 8, rest = eighths % 8
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: full) + partial[rest]
    }

    /// `peak 303.8 → 121.4  ┆ STM32F746 320.0`: the two peaks, and the
    /// budget line's board (or "SRAM" for `--sram`) and size, shortened to fit.
    public static func headerLine(_ state: AppState, width: Int) -> String {
        let plan = state.plan
        let peaks = "peak \(kib(plan.layerByLayerPeakBytes)) → \(kib(plan.peakBytes))"
        guard let budget = state.budget else { return peaks }
        let fits = plan.peakBytes <= budget.bytes ? "fits" : "over"
        let full = peaks + "  ┆ \(budget.name) \(kib(budget.bytes)) \(fits)"
        if full.count <= width { return full }
        let noVerdict = peaks + "  ┆ \(budget.name) \(kib(budget.bytes))"
        if noVerdict.count <= width { return noVerdict }
        let short = "\(kib(plan.layerByLayerPeakBytes))→\(kib(plan.peakBytes)) ┆\(budget.name) \(kib(budget.bytes))"
        return short.count <= width ? short : "┆\(budget.name) \(kib(budget.bytes)) \(fits)"
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
        grid.text(headerLine(state, width: inner.width), x: inner.x, y: inner.y, style: .bold, clip: inner)
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
