import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// `v`: every plan of the sweep as a point, peak memory (up) against MAC
/// overhead or, with a target, predicted time (across), the Pareto front
/// (no plan beats it on both) joined by a line, the SRAM budget as a
/// horizontal line, the current plan `★` and the front plan the arrows
/// have reached `◉` (Enter takes it). `M` shows the multi-stage plans'
/// front instead. Under TinyEngine (`E`) the height is its PEAK_MEM.
/// This is the trade-off chart the paper's readers draw by hand.
public enum ParetoView {
    /// What the chart's horizontal axis counts.
    public enum XAxis: Equatable, Sendable {
        case macOverhead, instructions, milliseconds
    }

    /// The plot and where each front plan is drawn (for the mouse).
    public struct Geometry: Equatable, Sendable {
        public var plot: Rect
        public var peakRange: ClosedRange<Int>
        /// The horizontal axis: what it counts and its span.
        public var xAxis: XAxis
        public var xRange: ClosedRange<Double>
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

        func cell(peak: Int, x value: Double) -> Point {
            let span = max(1, peakRange.upperBound - peakRange.lowerBound)
            let fy = Double(peak - peakRange.lowerBound) / Double(span)
            let width = xRange.upperBound - xRange.lowerBound
            let fx = width > 0 ? max(0, min(1, (value - xRange.lowerBound) / width)) : 0
            return Point(x: plot.x + Int((fx * Double(plot.width - 1)).rounded()),
                         y: plot.maxY - 1 - Int((max(0, min(1, fy)) * Double(plot.height - 1)).rounded()))
        }

        func contains(peak: Int, x value: Double) -> Bool { peakRange.contains(peak) && xRange.contains(value) }
    }

    static let axisWidth = 7

    /// The panel's title, shortened to fit (never cut by the box): `Pareto:
    /// peak vs MAC overhead (85 plans, 12 on the front)` … `Pareto`.
    public static func title(points: Int, front: Int, width: Int, y: String = "peak", x: String = "MAC overhead", multiStage: Bool = false) -> String {
        let what = multiStage ? "multi-stage " : ""
        return TextFit.first([
            "Pareto: \(y) vs \(x) (\(points) plans, \(front) on the \(what)front)",
            "Pareto: \(y) vs \(x == "MAC overhead" ? "MACs" : x) (\(points) plans, \(front) on the \(what)front)",
            "Pareto (\(points) plans, \(front) on the \(what)front)",
            "Pareto (\(points) plans, \(front) \(what)front)",
            "Pareto: \(y) vs \(x)",
            multiStage ? "Pareto multi-stage" : "Pareto",
            "Pareto",
        ], width: width)
    }

    /// What the horizontal axis counts for `state`: predicted time or
    /// instructions when the sweep was predicted on the current core.
    public static func xAxis(_ state: AppState) -> XAxis {
        guard let setup = state.latency, setup.model != nil, let data = state.pareto, data.core != nil, data.core == setup.core else {
            return .macOverhead
        }
        return setup.isTimed ? .milliseconds : .instructions
    }

    /// A plan's position across (`nil`: no figure on this axis).
    static func xValue(_ point: ParetoPoint, axis: XAxis, state: AppState) -> Double? {
        switch axis {
        case .macOverhead: return point.macOverhead
        case .instructions, .milliseconds: return point.instructions.map { state.latency?.figure(instructions: $0) ?? Double($0) }
        }
    }

    static func currentX(_ state: AppState, axis: XAxis) -> Double? {
        switch axis {
        case .macOverhead: return state.plan.macOverhead
        case .instructions, .milliseconds:
            return state.latency?.model.map { state.latency?.figure(instructions: $0.instructions(state.plan)) ?? 0 }
        }
    }

    /// `MAC overhead`, `predicted ms`, `predicted instructions`.
    static func xName(_ axis: XAxis) -> String {
        switch axis {
        case .macOverhead: "MAC overhead"
        case .instructions: "predicted instructions"
        case .milliseconds: "predicted ms"
        }
    }

    /// `peak`, `TE PEAK_MEM`.
    static func yName(_ state: AppState) -> String { state.chartsEnginePeak ? "TE PEAK_MEM" : "peak" }

    /// Under TFLite Micro (`E`), the figure its budget verdict holds: its
    /// arena, which only the layer-by-layer plan has, where that plan sits
    /// across (`nil` when there is no figure).
    static func tflmMark(_ state: AppState, axis: XAxis) -> (peak: Int, x: Double)? {
        guard state.engine == .tflm, !state.showMultiStage, let arena = try? state.engines.tflm.get(),
              let plain = state.pareto?.points.first(where: { $0.isLayerByLayer && $0.stages == nil }),
              let x = xValue(plain, axis: axis, state: state) else { return nil }
        return (arena, x)
    }

    /// The points drawn: the sweep's plans (and with `M` the multi-stage front).
    static func points(_ state: AppState) -> [ParetoPoint] {
        var all = state.pareto?.points ?? []
        if state.showMultiStage { all += state.paretoFront }
        return all
    }

    public static func geometry(_ state: AppState, rect: Rect) -> Geometry? {
        guard let data = state.pareto, data.options == state.options, !data.points.isEmpty else { return nil }
        let inner = rect.inset(1)
        // Two lines above (the marked plan, the legend), one below (the x axis).
        let plot = Rect(x: inner.x + axisWidth, y: inner.y + 2, width: inner.width - axisWidth, height: inner.height - 3)
        guard plot.width >= 8, plot.height >= 4 else { return nil }
        let axis = xAxis(state)
        let front = state.paretoFront
        // The axes span the front (and the budget and the current plan):
        // a plan above or right of it is beaten on both counts, and a few
        // far-off ones would squash the front into a corner.
        var peaks = front.compactMap { state.chartPeak($0) }
        var xs = front.compactMap { xValue($0, axis: axis, state: state) }
        if let current = state.chartsEnginePeak ? state.required.bytes : state.plan.peakBytes { peaks.append(current) }
        if let x = currentX(state, axis: axis) { xs.append(x) }
        if let mark = tflmMark(state, axis: axis) { peaks.append(mark.peak); xs.append(mark.x) }
        var low = peaks.min() ?? 0, high = peaks.max() ?? 1
        if let budget = state.budget?.bytes { low = min(low, budget); high = max(high, budget) }
        if high == low { high = low + 1 }
        let xRange: ClosedRange<Double>
        if axis == .macOverhead {
            xRange = 0...(max(0.01, xs.max() ?? 0) * 1.05)
        } else {
            let lo = xs.min() ?? 0, hi = xs.max() ?? 1
            let pad = max((hi - lo) * 0.05, max(hi, 1e-9) * 0.01)
            xRange = max(0, lo - pad)...(hi + pad)
        }
        var g = Geometry(plot: plot, peakRange: low...high, xAxis: axis, xRange: xRange, front: [])
        g.front = front.map { point in
            g.cell(peak: state.chartPeak(point) ?? low, x: xValue(point, axis: axis, state: state) ?? xRange.upperBound)
        }
        return g
    }

    /// An axis figure: `+12%`, `192 ms`, `34.8 M`.
    static func axisLabel(_ value: Double, axis: XAxis) -> String {
        switch axis {
        case .macOverhead: return value <= 0 ? "0%" : "+\(formatFixed(value * 100, decimals: 0))%"
        case .instructions: return formatInstructions(Int(value.rounded()))
        case .milliseconds: return formatMilliseconds(value)
        }
    }

    public static func draw(_ state: AppState, _ geometry: Geometry, into grid: inout CellGrid, rect: Rect, exporting: Bool = false) {
        guard state.pareto != nil else { return }
        let front = state.paretoFront
        let g = geometry
        let axis = g.xAxis
        let shownPoints = points(state)
        grid.box(rect, title: title(points: shownPoints.count, front: front.count, width: rect.width - 6, y: yName(state),
                                    x: xName(axis), multiStage: state.showMultiStage),
                 style: CellStyle(fg: .cyan, bold: true))
        let inner = rect.inset(1)
        let cursor = front.indices.contains(state.paretoCursor) ? front[state.paretoCursor] : nil
        if let cursor {
            let peak = state.chartPeak(cursor) ?? cursor.peakBytes
            var figures = "peak \(formatBytes(peak))  MACs \(formatPercentChange(cursor.macOverhead))"
            var short = "\(kib(peak)) KiB \(formatPercentChange(cursor.macOverhead))"
            if axis != .macOverhead, let x = xValue(cursor, axis: axis, state: state) {
                // The predicted figure is the axis: it stays before the MACs.
                figures += "  ≈\(axisLabel(x, axis: axis))"
                short = "\(kib(peak)) KiB ≈\(axisLabel(x, axis: axis))"
            }
            // The verdict holds what the chosen engine needs for the marked plan, named, as the memory title does.
            let verdicts = state.budget.map { cursor.required(by: state.engine, tflm: state.engines.tflm).verdict($0).candidates } ?? [""]
            let short2 = "◉ \(cursor.label) \(short)"
            func joined(_ a: String, _ b: String) -> String { b.isEmpty ? a : a + "  " + b }
            let info = TextFit.first(
                verdicts.map { joined("◉ \(cursor.label)  \(figures)", $0) + "  Enter takes it" } + verdicts.map { joined("◉ \(cursor.label)  \(figures)", $0) }
                    + verdicts.map { joined(short2, $0) } + [short2], width: inner.width)
            grid.text(info, x: inner.x, y: inner.y, style: .bold)
        } else if state.showMultiStage {
            let note = state.multiStageIsCurrent ? "no multi-stage plan for this model" : "searching the multi-stage plans…"
            grid.text(TextFit.first([note, "searching…"], width: inner.width), x: inner.x, y: inner.y, style: .dim)
        }
        let frontMark = state.showMultiStage ? "◆ multi-stage front" : "● front"
        let mark = tflmMark(state, axis: axis)
        let legend = TextFit.first((mark == nil ? [] : [
            "○ plan  \(frontMark)  ★ current  ◉ marked  T TFLM arena (layer by layer)\(state.budget == nil ? "" : "  ┄ budget")  ←→ walk",
            "○ plan  \(frontMark)  ★ current  ◉ marked  T TFLM arena\(state.budget == nil ? "" : "  ┄ budget")",
            "○ plan ● front ★ now ◉ marked T TFLM",
        ]) + [
            "○ plan  \(frontMark)  ★ current  ◉ marked\(state.budget == nil ? "" : "  ┄ budget")  ←→ walk  M \(state.showMultiStage ? "(p, n)" : "multi-stage")",
            "○ plan  \(frontMark)  ★ current  ◉ marked\(state.budget == nil ? "" : "  ┄ budget")  ←→ walk",
            "○ plan \(state.showMultiStage ? "◆" : "●") front ★ now ◉ marked",
        ], width: inner.width)
        grid.text(legend, x: inner.x, y: inner.y + 1, style: .dim)
        // Axes: peak KiB at the top and bottom of the left edge, the x axis along the bottom.
        let top = kib(g.peakRange.upperBound), bottom = kib(g.peakRange.lowerBound)
        grid.text(fit(top, axisWidth - 1, right: true), x: inner.x, y: g.plot.y, style: .dim)
        grid.text(fit(bottom, axisWidth - 1, right: true), x: inner.x, y: g.plot.maxY - 1, style: .dim)
        if g.plot.height >= 5 { grid.text(fit("KiB", axisWidth - 1, right: true), x: inner.x, y: g.plot.y + g.plot.height / 2, style: .dim) }
        if g.plot.height >= 7, state.chartsEnginePeak { grid.text(fit("TE", axisWidth - 1, right: true), x: inner.x, y: g.plot.y + g.plot.height / 2 - 1, style: .dim) }
        for y in g.plot.y..<g.plot.maxY { grid[g.plot.x - 1, y] = Cell("│", style: .dim) }
        let axisY = g.plot.maxY
        if axisY < inner.maxY {
            let left = axisLabel(g.xRange.lowerBound, axis: axis)
            let right = axisLabel(g.xRange.upperBound, axis: axis) + (axis == .macOverhead ? " MACs" : "")
            grid.text(left, x: g.plot.x, y: axisY, style: .dim)
            if g.plot.width > left.count + right.count + 2 { grid.text(right, x: g.plot.maxX - right.count, y: axisY, style: .dim) }
            // Between them, what the axis counts (and what a time assumes).
            let room = g.plot.width - left.count - right.count - 4
            var names: [String] = []
            if axis != .macOverhead, let setup = state.latency {
                let basis = setup.calibration != nil ? "calibrated cycles" : "1 instr/cycle"
                names = axis == .milliseconds
                    ? ["predicted ms, \(setup.target), \(basis)", "predicted ms, \(basis)", "ms (\(basis))", "(\(basis))"]
                    : ["predicted instructions on \(setup.target)", "predicted instructions", "instructions"]
            }
            // Whole or not at all.
            let name = names.first { $0.count <= room } ?? ""
            if !name.isEmpty, room > 0 {
                grid.text(name, x: g.plot.x + left.count + 2 + (room - name.count) / 2, y: axisY, style: .dim)
            }
        }
        // The budget line, under everything else.
        if let budget = state.budget {
            let y = g.cell(peak: budget.bytes, x: g.xRange.lowerBound).y
            for x in g.plot.x..<g.plot.maxX { grid[x, y] = Cell("┄", style: CellStyle(fg: .magenta, dim: true)) }
        }
        // The front joined, segment by segment.
        for (a, b) in zip(g.front, g.front.dropFirst()) {
            for point in line(from: a, to: b) { grid[point.x, point.y] = Cell("·", style: CellStyle(fg: .cyan)) }
        }
        let onFront = Set(front)
        var offChart = 0
        for point in shownPoints where !onFront.contains(point) {
            guard let peak = state.chartPeak(point), let x = xValue(point, axis: axis, state: state), g.contains(peak: peak, x: x) else {
                offChart += 1
                continue
            }
            let c = g.cell(peak: peak, x: x)
            if grid[c.x, c.y].character != "●" { grid[c.x, c.y] = Cell("○", style: .dim) }
        }
        if offChart > 0, g.plot.width > 24 {
            let what = state.chartsEnginePeak ? "plans off the chart (dominated, or no TE figure)" : "dominated plans off the chart"
            let note = TextFit.first(["\(offChart) \(what)", "\(offChart) off the chart"], width: g.plot.width - 2)
            grid.text(note, x: g.plot.maxX - note.count, y: g.plot.y, style: .dim)
        }
        for (index, point) in front.enumerated() {
            let c = g.front[index]
            let over = state.budget.map { (state.chartPeak(point) ?? point.peakBytes) > $0.bytes } ?? false
            grid[c.x, c.y] = Cell(state.showMultiStage ? "◆" : "●", style: CellStyle(fg: over ? .red : .green, bold: true))
        }
        if let mark {
            let c = g.cell(peak: mark.peak, x: mark.x)
            grid[c.x, c.y] = Cell("T", style: CellStyle(fg: .magenta, bold: true))
        }
        if let peak = state.chartsEnginePeak ? state.required.bytes : state.plan.peakBytes, let x = currentX(state, axis: axis),
           g.contains(peak: peak, x: x) || !state.chartsEnginePeak {
            let current = g.cell(peak: peak, x: x)
            grid[current.x, current.y] = Cell("★", style: CellStyle(fg: .yellow, bold: true))
        }
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
