import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The selected layer's output map cut into the plan's patches.
///
/// Each patch is drawn as its own tile, tiles separated by lines (the
/// patch boundaries), at a stated scale chosen from the patch size: the
/// largest tile decides how many map pixels one cell stands for. A cell
/// is shaded by how many patches compute its pixels, on average (`·` one, `▒` two, `▓` three,
/// `█` four or more), so the halo bands along the boundaries survive any
/// downsampling; the selected patch's region (its halo included) is drawn
/// reversed (`#` in exports). When the tiles do not fit with lines between
/// them they alternate plain and dim instead.
public enum PatchGridView {
    /// How many patches compute each output position of stage op `op`
    /// (positions a halo cache serves are not computed again).
    public static func coverage(plan: PatchPlan, op: Int) -> [[Int]] {
        let shape = plan.model.tensors[plan.model.operators[op].output].shape
        guard shape.count == 4 else { return [] }
        var counts = Array(repeating: Array(repeating: 0, count: shape[2]), count: shape[1])
        guard let stage = plan.fusedStage(of: op) else { return counts }
        for tile in stage.tileRegions.indices {
            let r = stage.computed(tile: tile, op: op)
            for row in r.rows where row >= 0 && row < shape[1] {
                for col in r.cols where col >= 0 && col < shape[2] { counts[row][col] += 1 }
            }
        }
        return counts
    }

    public static let shades: [Character] = [" ", "·", "▒", "▓", "█"]

    /// Where the tiles go, shared by drawing and the mouse.
    public struct Geometry: Equatable, Sendable {
        /// The op shown, and its map's size.
        public var op: Int
        public var height: Int
        public var width: Int
        /// Map pixels per cell, down and across (across counts a cell pair when `across` is 2).
        public var scale: Int
        /// Cells per map pixel column group (2 when there is room, so squares look square).
        public var across: Int
        public var lines: Bool
        /// Per patch (row-major), the cells of its tile and the map rows and columns it covers.
        public var tiles: [Rect]
        public var rowCuts: [Int]
        public var colCuts: [Int]
        public var infoY: Int
        public var legendY: Int?

        public func patch(atX x: Int, y: Int) -> Int? {
            tiles.firstIndex { x >= $0.x && x < $0.maxX && y >= $0.y && y < $0.maxY }
        }
    }

    /// The geometry for the selected op, or `nil` when there is no patch grid to draw.
    public static func geometry(_ state: AppState, rect: Rect) -> Geometry? {
        let plan = state.plan
        let op = state.selectedLayer
        let inner = rect.inset(1)
        guard op < state.model.operators.count, let stage = plan.fusedStage(of: op), inner.height >= 2 else { return nil }
        let shape = state.model.tensors[state.model.operators[op].output].shape
        guard shape.count == 4, shape[1] > 0, shape[2] > 0 else { return nil }
        // The grid of the selected op's own stage (rows × cols tiles).
        let h = shape[1], w = shape[2], rows = stage.grid.rows, cols = stage.grid.cols
        let rowCuts = (0...rows).map { $0 * h / rows }, colCuts = (0...cols).map { $0 * w / cols }
        func cells(_ cuts: [Int], _ i: Int, _ s: Int) -> Int { max(1, (cuts[i + 1] - cuts[i] + s - 1) / s) }
        func fits(_ s: Int, _ across: Int, _ lines: Bool, _ area: Rect) -> Bool {
            let down = (0..<rows).reduce(0) { $0 + cells(rowCuts, $1, s) } + (lines ? rows - 1 : 0)
            let wide = (0..<cols).reduce(0) { $0 + cells(colCuts, $1, s) * across } + (lines ? cols - 1 : 0)
            return down <= area.height && wide <= area.width
        }
        let largest = max(h, w)
        var choice: (scale: Int, across: Int, lines: Bool)?
        var legendY: Int?
        var area = Rect(x: 0, y: 0, width: 0, height: 0)
        // Boundary lines and the legend if they fit; the lines go first, then the legend.
        search: for (lines, legend) in [(true, true), (false, true), (true, false), (false, false)] {
            legendY = legend && inner.height >= 4 ? inner.maxY - 1 : nil
            area = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1 - (legendY == nil ? 0 : 1))
            for s in 1...largest {
                for across in [2, 1] where fits(s, across, lines, area) { choice = (s, across, lines); break search }
            }
        }
        guard let choice else { return nil }
        var tiles: [Rect] = []
        var y = area.y
        for i in 0..<rows {
            let tileH = cells(rowCuts, i, choice.scale)
            var x = area.x
            for j in 0..<cols {
                let tileW = cells(colCuts, j, choice.scale) * choice.across
                tiles.append(Rect(x: x, y: y, width: tileW, height: tileH))
                x += tileW + (choice.lines ? 1 : 0)
            }
            y += tileH + (choice.lines ? 1 : 0)
        }
        return Geometry(op: op, height: h, width: w, scale: choice.scale, across: choice.across, lines: choice.lines,
                        tiles: tiles, rowCuts: rowCuts, colCuts: colCuts, infoY: inner.y, legendY: legendY)
    }

    public static func draw(_ state: AppState, _ geometry: Geometry?, into grid: inout CellGrid, rect: Rect, focused: Bool = false, exporting: Bool = false) {
        let plan = state.plan
        let op = state.selectedLayer
        grid.box(rect, title: "Patch grid: op \(op)", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty, op < state.model.operators.count else { return }
        guard let g = geometry else {
            let last = plan.patchLayers - 1
            let note: [String] = !plan.isPatched
                ? ["layer by layer: raise p (P) and n (N) to patch", "layer by layer: raise p and n", "layer by layer"]
                : plan.isMultiStage && plan.fusedStage(of: op) == nil
                ? ["op \(op) runs layer by layer, between fused stages; select an op of one", "op \(op) runs layer by layer", "layer by layer"]
                : op >= plan.patchLayers
                ? ["op \(op) is after the patch stage (ops 0–\(last)); select one of those", "op \(op) is after the patch stage (ops 0–\(last))",
                   "op \(op) is after the stage (ops 0–\(last))", "op \(op) is after the stage"]
                : state.model.tensors[state.model.operators[op].output].shape.count == 4
                ? ["\(plan.fusedStage(of: op)?.grid.description ?? "\(plan.patches)×\(plan.patches)") patches need a taller panel: enlarge the terminal", "enlarge the terminal to see the patches", "too small"]
                : ["op \(op) has no spatial map to cut into patches", "no spatial map"]
            grid.text(TextFit.first(note, width: inner.width), x: inner.x, y: inner.y, style: .dim)
            return
        }
        let counts = coverage(plan: plan, op: op)
        guard !counts.isEmpty else { return }
        guard let stage = plan.fusedStage(of: op) else { return }
        let cols = stage.grid.cols, rows = stage.grid.rows
        let factor = formatFixed(plan.recomputeFactor(op: op), decimals: 2), halo = formatFixed(plan.haloFraction(op: op) * 100, decimals: 1)
        let stageText = plan.isMultiStage ? "stage \((plan.fusedStageIndex(of: op) ?? 0) + 1)/\(plan.fusedStages.count) \(stage.grid) " : ""
        let patchText = "\(stageText)patch \(state.selectedPatch + 1)/\(stage.grid.count)"
        let info = TextFit.first([
            "\(g.height)×\(g.width)  recompute \(factor)×  halo \(halo)%  \(patchText)",
            "\(g.height)×\(g.width) recompute \(factor)× halo \(halo)% \(patchText)",
            "\(g.height)×\(g.width) \(factor)× halo \(halo)% \(patchText)",
            "\(patchText) halo \(halo)%",
            patchText,
        ], width: inner.width)
        grid.text(info, x: inner.x, y: g.infoY, style: .bold)
        let selected = state.selectedPatch < stage.opRegions.count ? stage.opRegions[state.selectedPatch][op - stage.firstOp] : nil
        let computedBySelected = state.selectedPatch < stage.tileRegions.count ? stage.computed(tile: state.selectedPatch, op: op) : nil
        let cachesThisOp = plan.caches.contains { $0.tensor == state.model.operators[op].output }
        let lineStyle = CellStyle(dim: true)
        for (index, tile) in g.tiles.enumerated() {
            let i = index / cols, j = index % cols
            let checker = !g.lines && (i + j) % 2 == 1
            for cy in 0..<tile.height {
                let r0 = g.rowCuts[i] + cy * g.scale, r1 = min(g.rowCuts[i + 1], r0 + g.scale)
                for cx in 0..<(tile.width / g.across) {
                    let c0 = g.colCuts[j] + cx * g.scale, c1 = min(g.colCuts[j + 1], c0 + g.scale)
                    // The cell's mean coverage, rounded: a halo band shows where
                    // the cell is mostly halo, and a whole tile in one cell shows
                    // its recompute factor instead of its worst corner.
                    var sum = 0, pixels = 0
                    var inSelection = false, computedHere = false
                    if r0 < r1, c0 < c1 {
                        for r in r0..<r1 { for c in c0..<c1 {
                            sum += counts[r][c]
                            pixels += 1
                            if selected?.contains(row: r, col: c) == true { inSelection = true }
                            if computedBySelected?.contains(row: r, col: c) == true { computedHere = true }
                        } }
                    }
                    let most = pixels == 0 ? 0 : Int((Double(sum) / Double(pixels)).rounded())
                    var ch = shades[min(most, shades.count - 1)]
                    var style = CellStyle(fg: most > 1 ? .yellow : .default, reverse: inSelection, dim: checker)
                    // Part of the selected patch's region its op does not
                    // compute: served from a halo cache.
                    if cachesThisOp, inSelection, !computedHere { ch = "○"; style.fg = .cyan }
                    if exporting, inSelection { ch = "#"; style.reverse = false }
                    for k in 0..<g.across { grid[tile.x + cx * g.across + k, tile.y + cy] = Cell(ch, style: style) }
                }
            }
            if g.lines {
                // The boundary right of and below this tile.
                if j < cols - 1 { for y in tile.y..<tile.maxY { grid[tile.maxX, y] = Cell("│", style: lineStyle) } }
                if i < rows - 1 {
                    for x in tile.x..<tile.maxX { grid[x, tile.maxY] = Cell("─", style: lineStyle) }
                    if j < cols - 1 { grid[tile.maxX, tile.maxY] = Cell("┼", style: lineStyle) }
                }
            }
        }
        if let legendY = g.legendY {
            let unit = g.across == 2 ? "2 cells" : "1 cell"
            let scale = g.scale == 1 ? "\(unit) = 1 px" : "\(unit) = \(g.scale)×\(g.scale) px"
            let mark = exporting ? "# patch \(state.selectedPatch + 1)" : "patch \(state.selectedPatch + 1) reversed"
            let cached = cachesThisOp ? "  ○ from cache" : ""
            let legend = TextFit.first([
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+  \(mark)\(cached)",
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+\(cached)",
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+",
                "\(scale) ·1 ▒2 ▓3 █4+ patches",
                "·1 ▒2 ▓3 █4+ \(g.scale == 1 ? "1 px" : "\(g.scale) px")/cell",
                "·1 ▒2 ▓3 █4+",
            ], width: inner.width)
            grid.text(legend, x: inner.x, y: legendY, style: .dim)
        }
    }
}
