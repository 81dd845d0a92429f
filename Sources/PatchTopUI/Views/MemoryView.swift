import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// Live bytes per layer as horizontal bars: layer-by-layer (left) against
/// the plan (right), with the SRAM budget as a dotted line.
///
/// The title says whether the plan's peak fits the budget (and by how
/// much) at every size. A bar or value above the budget is red *and*
/// bold (the budget crossing drawn reversed), so it stands out under
/// `NO_COLOR` too; one under the budget is drawn plainly, the budget line
/// still visible past its end.
public enum MemoryView {
    public static func bar(_ value: Int, scale: Int, width: Int) -> String {
        guard width > 0, scale > 0 else { return "" }
        let eighths = min(width * 8, Int((Double(max(0, value)) / Double(scale) * Double(width * 8)).rounded()))
        let full = eighths / 8, rest = eighths % 8
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: full) + partial[rest]
    }

    /// The panel title: `Memory KiB: layer │ plan`, and with a budget its
    /// verdict, shortened (never dropped) to fit `width`.
    public static func title(_ state: AppState, width: Int) -> String {
        let base = "Memory KiB: layer │ plan"
        guard let budget = state.budget, let verdict = state.budgetVerdict else { return base }
        // The verdict holds what the chosen engine needs (`E`), named.
        let words = verdict.candidates
        return TextFit.first(words.map { "\(base) — \(budget.name): \($0)" } + words.map { "Memory — \(budget.name): \($0)" }
                             + words.map { "Memory — \($0)" } + words, width: width)
    }

    /// `peak 303.8 → 121.4  ┆ STM32F746 320.0`: the two peaks, and the
    /// budget line's board (or "SRAM" for `--sram`) and size, shortened to fit.
    public static func headerLine(_ state: AppState, width: Int) -> String {
        let plan = state.plan
        let peaks = "peak \(kib(plan.layerByLayerPeakBytes)) → \(kib(plan.peakBytes))"
        guard let budget = state.budget else { return TextFit.first([peaks], width: width) }
        return TextFit.first([
            peaks + "  ┆ \(budget.name) \(kib(budget.bytes))",
            "\(kib(plan.layerByLayerPeakBytes))→\(kib(plan.peakBytes)) ┆\(budget.name) \(kib(budget.bytes))",
            "┆ \(kib(budget.bytes))",
        ], width: width)
    }

    static let over = CellStyle(fg: .red, bold: true)

    public static func draw(_ state: AppState, _ rows: RowWindow, into grid: inout CellGrid, rect: Rect, focused: Bool = false, exporting: Bool = false) {
        let plan = state.plan
        let fits = state.budgetVerdict?.fits ?? true
        let titleStyle = fits ? (focused ? CellStyle(fg: .cyan, bold: true) : .plain) : CellStyle(fg: .red, bold: true)
        grid.box(rect, title: title(state, width: rect.width - 6), style: titleStyle)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        let lbl = plan.layerByLayer.liveBytes
        let values = lbl.indices.map { ($0, lbl[$0], $0 < plan.liveBytes.count ? plan.liveBytes[$0] : 0) }
        let scale = max(plan.layerByLayerPeakBytes, plan.peakBytes, state.sramBudget ?? 0, 1)
        // Column widths from the content: the widest op index and value.
        let labelW = String(max(0, lbl.count - 1)).count + 1
        // One cell for the peak's ▲ and one to keep the value off its bar.
        let valueW = (values.map { max(kib($0.1).count, kib($0.2).count) }.max() ?? 5) + 2
        let barW = max(1, (inner.width - labelW - 2 * valueW - 2) / 2)
        grid.text(headerLine(state, width: inner.width), x: inner.x, y: inner.y, style: .bold)
        let budgetCol = state.sramBudget.map { min(barW - 1, Int(Double($0) / Double(scale) * Double(barW))) }
        for i in 0..<rows.count {
            let op = rows.first + i
            guard op < values.count else { break }
            let y = rows.y + i
            let (_, a, b) = values[op]
            var x = inner.x
            let selected = op == state.selectedLayer
            let label = (exporting && selected ? "»" : "") + "\(op)"
            // In a multi-stage plan the ops of fused stages are in cyan,
            // neighbouring stages alternating with blue, so the stage
            // boundaries show beside the bars.
            var labelStyle: CellStyle = selected ? .reverse : .plain
            if plan.isMultiStage, let stage = plan.fusedStageIndex(of: op) { labelStyle.fg = stage % 2 == 0 ? .cyan : .blue }
            grid.text(fit(label, labelW - 1, right: true) + " ", x: x, y: y, style: labelStyle, clip: inner)
            x += labelW
            for (value, isPeak, color) in [(a, op == plan.layerByLayer.peakOp, TermColor.yellow), (b, op == plan.peakOp, TermColor.green)] {
                let isOver = state.sramBudget.map { value > $0 } ?? false
                var style = CellStyle(fg: isOver ? .red : color, bold: isOver)
                if isPeak && !isOver { style.bold = true }
                grid.text(fit(bar(value, scale: scale, width: barW), barW), x: x, y: y, style: style, clip: inner)
                if let col = budgetCol {
                    grid[x + col, y] = isOver ? Cell("┃", style: CellStyle(fg: .red, bold: true, reverse: true)) : Cell("┆", style: CellStyle(fg: .magenta, dim: true))
                }
                x += barW
                let valueText = fit(kib(value) + (isPeak ? "▲" : ""), valueW, right: true)
                grid.text(valueText, x: x, y: y, style: isOver ? CellStyle(fg: .red, bold: true, reverse: true) : style, clip: inner)
                x += valueW + 1
            }
        }
    }
}
