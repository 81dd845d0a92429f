import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// Step mode's heatmap: one channel of the output the last step wrote,
/// as the arena holds it (a patch's region inside the stage, the whole map
/// after it), shaded from its min to its max, with min/max/mean.
public enum HeatmapView {
    public static let shades: [Character] = [" ", "░", "▒", "▓", "█"]

    /// The shade for `value` between `lo` and `hi`.
    public static func shade(_ value: Int, lo: Int, hi: Int) -> Character {
        guard hi > lo else { return shades[shades.count / 2] }
        let t = Double(value - lo) / Double(hi - lo)
        return shades[max(0, min(shades.count - 1, Int((t * Double(shades.count - 1)).rounded())))]
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        grid.box(rect, title: "Output heatmap")
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        guard let values = state.step?.snapshot?.values else {
            grid.text(TextFit.first(["Space runs the next step; its output shows here", "Space: next step"], width: inner.width), x: inner.x, y: inner.y, style: .dim)
            return
        }
        // A 1×1 map (a classifier's 1×1000 output) shows its channels instead.
        if values.rows.count * values.cols.count == 1, values.channels > 1 {
            drawChannels(values, into: &grid, inner: inner)
            return
        }
        let channel = ((state.heatmapChannel % values.channels) + values.channels) % values.channels
        let h = values.rows.count, w = values.cols.count
        // Two cells per pixel across when there is room, so squares look square.
        let across = w * 2 <= inner.width ? 2 : 1
        let area = Rect(x: inner.x, y: inner.y + 2, width: min(inner.width / across, w), height: min(inner.height - 2, h))
        let scaleDown = max((h + max(1, area.height) - 1) / max(1, area.height), (w + max(1, area.width) - 1) / max(1, area.width))
        let scale = scaleDown > 1 ? " 1:\(scaleDown)" : ""
        let header = TextFit.first([
            "t\(values.tensor) ch \(channel)/\(values.channels)  \(h)×\(w) at (\(values.rows.lowerBound),\(values.cols.lowerBound))\(scale)",
            "t\(values.tensor) ch \(channel)/\(values.channels) \(h)×\(w)\(scale)",
            "ch \(channel)/\(values.channels)",
        ], width: inner.width)
        guard let stats = values.statistics(channel: channel) else {
            grid.text(TextFit.first([header + "  (empty)", header], width: inner.width), x: inner.x, y: inner.y, style: .bold)
            return
        }
        grid.text(header, x: inner.x, y: inner.y, style: .bold)
        if inner.height > 1 {
            grid.text(TextFit.first(["min \(stats.min)  max \(stats.max)  mean \(formatFixed(stats.mean, decimals: 2))", "\(stats.min)…\(stats.max)"], width: inner.width), x: inner.x, y: inner.y + 1)
        }
        guard !area.isEmpty, h > 0, w > 0 else { return }
        for gy in 0..<area.height {
            for gx in 0..<area.width {
                // Each cell shows the mean of the pixels it covers.
                let r0 = gy * h / area.height, r1 = max(r0 + 1, (gy + 1) * h / area.height)
                let c0 = gx * w / area.width, c1 = max(c0 + 1, (gx + 1) * w / area.width)
                var sum = 0, count = 0
                for r in r0..<r1 { for c in c0..<c1 {
                    if let v = values.value(row: values.rows.lowerBound + r, col: values.cols.lowerBound + c, channel: channel) { sum += Int(v); count += 1 }
                } }
                let ch = count == 0 ? Character(" ") : shade(sum / count, lo: stats.min, hi: stats.max)
                for k in 0..<across { grid[area.x + gx * across + k, area.y + gy] = Cell(ch, style: CellStyle(fg: .yellow)) }
            }
        }
    }

    /// Every channel of a 1×1 map as one cell each, row after row (averaged when they do not fit).
    static func drawChannels(_ values: StepValues, into grid: inout CellGrid, inner: Rect) {
        let data = (0..<values.channels).map { Int(values.value(row: values.rows.lowerBound, col: values.cols.lowerBound, channel: $0) ?? 0) }
        let lo = data.min() ?? 0, hi = data.max() ?? 0
        let best = data.indices.max { data[$0] < data[$1] } ?? 0
        let cells = max(1, inner.width * max(1, inner.height - 2))
        let per = (data.count + cells - 1) / cells
        let header = TextFit.first([
            "t\(values.tensor): \(values.channels) values, 1 cell = \(per)  min \(lo) max \(hi) at \(best)",
            "t\(values.tensor) \(values.channels) values max \(hi) at \(best)",
            "max \(hi) at \(best)",
        ], width: inner.width)
        grid.text(header, x: inner.x, y: inner.y, style: .bold)
        for cell in 0..<((data.count + per - 1) / per) {
            let slice = data[(cell * per)..<min(data.count, (cell + 1) * per)]
            let value = slice.max() ?? lo
            let x = inner.x + cell % inner.width, y = inner.y + 2 + cell / inner.width
            guard y < inner.maxY else { break }
            grid[x, y] = Cell(shade(value, lo: lo, hi: hi), style: CellStyle(fg: .yellow, bold: slice.indices.contains(best)))
        }
    }
}
