import PatchTopModel
import PatchTopPlan

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
            grid.text("Space runs the next step; its output shows here", x: inner.x, y: inner.y, style: .dim, clip: inner)
            return
        }
        let channel = ((state.heatmapChannel % values.channels) + values.channels) % values.channels
        let header = "t\(values.tensor) ch \(channel)/\(values.channels)  \(values.rows.count)×\(values.cols.count) at (\(values.rows.lowerBound),\(values.cols.lowerBound))"
        guard let stats = values.statistics(channel: channel) else {
            grid.text(header + "  (empty)", x: inner.x, y: inner.y, style: .bold, clip: inner)
            return
        }
        grid.text(header, x: inner.x, y: inner.y, style: .bold, clip: inner)
        grid.text("min \(stats.min)  max \(stats.max)  mean \(formatFixed(stats.mean, decimals: 2))", x: inner.x, y: inner.y + 1, clip: inner)
        let h = values.rows.count, w = values.cols.count
        // Two cells per pixel across when there is room, so squares look square.
        let across = w * 2 <= inner.width ? 2 : 1
        let area = Rect(x: inner.x, y: inner.y + 2, width: min(inner.width / across, w), height: min(inner.height - 2, h))
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
}
