import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// `v`: every plan of the sweep as a point, peak memory (up) against MAC
/// overhead (across), the Pareto front (no plan beats it on both) joined
/// by a line, the SRAM budget as a horizontal line, the current plan `★`
/// and the front plan the arrows have reached `◉` (Enter takes it).
/// This is the trade-off chart the paper's readers draw by hand.
public enum ParetoView {
    /// The plot and where each front plan is drawn (for the mouse).
    public struct Geometry: Equatable, Sendable {
        public var plot: Rect
        public var peakRange: ClosedRange<Int>
        public var overheadMax: Double
        /// Cell of each front plan, in front order.
        public var front: [Point]

        public struct Point: Equatable, Sendable {
            public var x: Int
            public var y: Int
        }

        /// The front plan drawn at (or right next to) (x, y).
        public func plan(atX x: Int, y: Int) -> Int? {
            var best: (index: Int, distance: Int)?
            for (index, point) in front.enumerated() {
                let d = abs(point.x - x) + abs(point.y - y)
                if d <= 1, d < (best?.distance ?? Int.max) { best = (index, d) }
            }
            return best?.index
        }

        func cell(peak: Int, overhead: Double) -> Point {
            let span = max(1, peakRange.upperBound - peakRange.lowerBound)
            let fy = Double(peak - peakRange.lowerBound) / Double(span)
            let fx = overheadMax > 0 ? max(0, overhead) / overheadMax : 0
            return Point(x: plot.x + Int((fx * Double(plot.width - 1)).rounded()),
                         y: plot.maxY - 1 - Int((fy * Double(plot.height - 1)).rounded()))
        }
    }

    static let axisWidth = 7

    public static func geometry(_ state: AppState, rect: Rect) -> Geometry? {
        guard let data = state.pareto, data.options == state.options, !data.points.isEmpty else { return nil }
        let inner = rect.inset(1)
        // Two lines above (the marked plan, the legend), one below (the overhead axis).
        let plot = Rect(x: inner.x + axisWidth, y: inner.y + 2, width: inner.width - axisWidth, height: inner.height - 3)
        guard plot.width >= 8, plot.height >= 4 else { return nil }
        // The axes span the front (and the budget and the current plan):
        // a plan above or right of it is beaten on both counts, and a few
        // far-off ones would squash the front into a corner.
        let shown = data.front + [ParetoPoint(state.plan)]
        var low = shown.map(\.peakBytes).min() ?? 0, high = shown.map(\.peakBytes).max() ?? 1
        if let budget = state.budget?.bytes { low = min(low, budget); high = max(high, budget) }
        if high == low { high = low + 1 }
        let overheadMax = max(0.01, shown.map(\.macOverhead).max() ?? 0) * 1.05
        var g = Geometry(plot: plot, peakRange: low...high, overheadMax: overheadMax, front: [])
        g.front = data.front.map { g.cell(peak: $0.peakBytes, overhead: $0.macOverhead) }
        return g
    }

    public static func draw(_ state: AppState, _ geometry: Geometry, into grid: inout CellGrid, rect: Rect, exporting: Bool = false) {
        guard let data = state.pareto else { return }
        grid.box(rect, title: "Pareto: peak vs MAC overhead (\(data.points.count) plans, \(data.front.count) on the front)", style: CellStyle(fg: .cyan, bold: true))
        let inner = rect.inset(1)
        let g = geometry
        let cursor = data.front.indices.contains(state.paretoCursor) ? data.front[state.paretoCursor] : nil
        if let cursor {
            var words = "p=\(cursor.patches) n=\(cursor.patchLayers)  peak \(formatBytes(cursor.peakBytes))  MACs \(formatPercentChange(cursor.macOverhead))"
            if let budget = state.budget { words += "  \(Verdicts.budget(cursor.peakBytes, budget).text)" }
            let info = TextFit.first([
                "◉ \(words)  Enter takes it",
                "◉ \(words)",
                "◉ p=\(cursor.patches) n=\(cursor.patchLayers) \(kib(cursor.peakBytes)) KiB \(formatPercentChange(cursor.macOverhead))",
            ], width: inner.width)
            grid.text(info, x: inner.x, y: inner.y, style: .bold)
        }
        let legend = TextFit.first([
            "○ plan  ● front  ★ current  ◉ marked\(state.budget == nil ? "" : "  ┄ budget")  ←→ walk",
            "○ plan ● front ★ now ◉ marked",
        ], width: inner.width)
        grid.text(legend, x: inner.x, y: inner.y + 1, style: .dim)
        // Axes: peak KiB at the top and bottom of the left edge, overhead along the bottom.
        let top = kib(g.peakRange.upperBound), bottom = kib(g.peakRange.lowerBound)
        grid.text(fit(top, axisWidth - 1, right: true), x: inner.x, y: g.plot.y, style: .dim)
        grid.text(fit(bottom, axisWidth - 1, right: true), x: inner.x, y: g.plot.maxY - 1, style: .dim)
        if g.plot.height >= 5 { grid.text(fit("KiB", axisWidth - 1, right: true), x: inner.x, y: g.plot.y + g.plot.height / 2, style: .dim) }
        for y in g.plot.y..<g.plot.maxY { grid[g.plot.x - 1, y] = Cell("│", style: .dim) }
        let axisY = g.plot.maxY
        let right = "+\(formatFixed(g.overheadMax * 100, decimals: 0))% MACs"
        if axisY < inner.maxY {
            grid.text("0%", x: g.plot.x, y: axisY, style: .dim)
            if g.plot.width > right.count + 3 { grid.text(right, x: g.plot.maxX - right.count, y: axisY, style: .dim) }
        }
        // The budget line, under everything else.
        if let budget = state.budget {
            let y = g.cell(peak: budget.bytes, overhead: 0).y
            for x in g.plot.x..<g.plot.maxX { grid[x, y] = Cell("┄", style: CellStyle(fg: .magenta, dim: true)) }
        }
        // The front joined, segment by segment.
        for (a, b) in zip(g.front, g.front.dropFirst()) {
            for point in line(from: a, to: b) { grid[point.x, point.y] = Cell("·", style: CellStyle(fg: .cyan)) }
        }
        let onFront = Set(data.front.map { [$0.patches, $0.patchLayers] })
        var offChart = 0
        for point in data.points where !onFront.contains([point.patches, point.patchLayers]) {
            guard g.peakRange.contains(point.peakBytes), point.macOverhead <= g.overheadMax else { offChart += 1; continue }
            let c = g.cell(peak: point.peakBytes, overhead: point.macOverhead)
            if grid[c.x, c.y].character != "●" { grid[c.x, c.y] = Cell("○", style: .dim) }
        }
        if offChart > 0, g.plot.width > 24 {
            let note = TextFit.first(["\(offChart) dominated plans off the chart", "\(offChart) off the chart"], width: g.plot.width - 2)
            grid.text(note, x: g.plot.maxX - note.count, y: g.plot.y, style: .dim)
        }
        for (index, point) in data.front.enumerated() {
            let c = g.front[index]
            let over = state.budget.map { point.peakBytes > $0.bytes } ?? false
            grid[c.x, c.y] = Cell("●", style: CellStyle(fg: over ? .red : .green, bold: true))
        }
        let current = g.cell(peak: state.plan.peakBytes, overhead: state.plan.macOverhead)
        grid[current.x, current.y] = Cell("★", style: CellStyle(fg: .yellow, bold: true))
        if let cursor = g.front.indices.contains(state.paretoCursor) ? g.front[state.paretoCursor] : nil {
            grid[cursor.x, cursor.y] = Cell("◉", style: CellStyle(fg: .cyan, bold: true, reverse: !exporting))
        }
    }

    /// The cells strictly between `a` and `b` on a straight line.
    static func line(from a: Geometry.Point, to b: Geometry.Point) -> [Geometry.Point] {
        let steps = max(abs(b.x - a.x), abs(b.y - a.y))
        guard steps > 1 else { return [] }
        return (1..<steps).map { i in
            let t = Double(i) / Double(steps)
            return Geometry.Point(x: a.x + Int((Double(b.x - a.x) * t).rounded()), y: a.y + Int((Double(b.y - a.y) * t).rounded()))
        }
    }
}
