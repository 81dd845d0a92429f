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
    public static func coverage(plan: PatchPlan, op: Int) -> Coverage {
        let shape = plan.model.tensors[plan.model.operators[op].output].shape
        guard shape.count == 4 else { return Coverage(height: 0, width: 0, regions: []) }
        guard let stage = plan.fusedStage(of: op) else { return Coverage(height: shape[1], width: shape[2], regions: []) }
        return Coverage(height: shape[1], width: shape[2],
                        regions: stage.tileRegions.indices.map { stage.computed(tile: $0, op: op) })
    }

    /// Per-position patch counts of one map, held as blocks: the map is cut
    /// at every edge of a computed region, so its size follows the number of
    /// patches, not of pixels (a 16384×16384 map at p = 2 is 5×5 blocks).
    public struct Coverage: Equatable, Sendable {
        public let height: Int
        public let width: Int
        /// Block boundaries down and across: 0, …, height (width).
        public let rowCuts: [Int]
        public let colCuts: [Int]
        /// Patches computing block [i][j].
        public let blocks: [[Int]]

        public init(height: Int, width: Int, regions: [Region]) {
            let h = max(0, height), w = max(0, width)
            self.height = h
            self.width = w
            let clipped = regions.map { r in
                Region(rows: r.rows.clamped(to: 0..<h), cols: r.cols.clamped(to: 0..<w))
            }.filter { !$0.isEmpty }
            func cuts(_ edges: [Int], _ size: Int) -> [Int] { Array(Set(edges + [0, size])).sorted() }
            let rowCuts = cuts(clipped.flatMap { [$0.rows.lowerBound, $0.rows.upperBound] }, h)
            let colCuts = cuts(clipped.flatMap { [$0.cols.lowerBound, $0.cols.upperBound] }, w)
            self.rowCuts = rowCuts
            self.colCuts = colCuts
            var blocks = Array(repeating: Array(repeating: 0, count: max(0, colCuts.count - 1)), count: max(0, rowCuts.count - 1))
            for r in clipped {
                let rowBlocks = Self.blocks(r.rows, rowCuts), colBlocks = Self.blocks(r.cols, colCuts)
                for i in rowBlocks { for j in colBlocks { blocks[i][j] += 1 } }
            }
            self.blocks = blocks
        }

        /// The blocks a range of positions lies in.
        private static func blocks(_ range: Range<Int>, _ cuts: [Int]) -> Range<Int> {
            guard !range.isEmpty, cuts.count > 1 else { return 0..<0 }
            return block(range.lowerBound, cuts)..<(block(range.upperBound - 1, cuts) + 1)
        }

        /// The block holding position `x` (binary search over the cuts).
        private static func block(_ x: Int, _ cuts: [Int]) -> Int {
            var lo = 0, hi = cuts.count - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if cuts[mid] <= x { lo = mid } else { hi = mid }
            }
            return lo
        }

        /// Patches computing position (row, col); 0 outside the map.
        public subscript(row row: Int, col col: Int) -> Int {
            guard (0..<height).contains(row), (0..<width).contains(col) else { return 0 }
            return blocks[Self.block(row, rowCuts)][Self.block(col, colCuts)]
        }

        /// Over the positions of `rows × cols` inside the map: the largest
        /// count, the sum of counts and how many positions there are.
        public func summary(rows: Range<Int>, cols: Range<Int>) -> (most: Int, sum: Int, pixels: Int) {
            let rows = rows.clamped(to: 0..<height), cols = cols.clamped(to: 0..<width)
            var most = 0, sum = 0
            for i in Self.blocks(rows, rowCuts) {
                let h = rows.clamped(to: rowCuts[i]..<rowCuts[i + 1]).count
                for j in Self.blocks(cols, colCuts) {
                    let w = cols.clamped(to: colCuts[j]..<colCuts[j + 1]).count
                    most = max(most, blocks[i][j])
                    sum += blocks[i][j] * h * w
                }
            }
            return (most, sum, rows.count * cols.count)
        }

        /// Every position's count added up: the patches' computed area.
        public var total: Int { summary(rows: 0..<height, cols: 0..<width).sum }
        public var isEmpty: Bool { height == 0 || width == 0 }
    }

    public static let shades: [Character] = [" ", "·", "▒", "▓", "█"]

    /// Where the tiles go, shared by drawing and the mouse.
    public struct Geometry: Equatable, Sendable {
        /// The op shown, and its map's size.
        public var op: Int
        public var height: Int
        public var width: Int
        public var lines: Bool
        /// Per patch (row-major), the cells of its tile.
        public var tiles: [Rect]
        public var rowCuts: [Int]
        public var colCuts: [Int]
        /// Per tile row and column, the map rows (columns) each of its cell
        /// rows (columns) stands for: a cell covers one pixel or more, or
        /// (zoomed in, a small map) a pixel covers several cells.
        public var cellRows: [[Range<Int>]]
        public var cellCols: [[Range<Int>]]
        public var infoY: Int?
        public var legendY: Int?

        public func patch(atX x: Int, y: Int) -> Int? {
            tiles.firstIndex { x >= $0.x && x < $0.maxX && y >= $0.y && y < $0.maxY }
        }

        /// Map pixels per cell, down and across (fractional when zoomed).
        public var pixelsPerCell: (rows: Double, cols: Double) {
            let rows = cellRows.reduce(0) { $0 + $1.count }, cols = cellCols.reduce(0) { $0 + $1.count }
            return (Double(height) / Double(max(1, rows)), Double(width) / Double(max(1, cols)))
        }
    }

    /// `total` cells shared among the tiles cut at `cuts` in proportion to
    /// their pixels (largest remainders first), at least one cell a tile.
    static func cells(_ cuts: [Int], total: Int) -> [Int] {
        let sizes = (0..<(cuts.count - 1)).map { cuts[$0 + 1] - cuts[$0] }
        let pixels = max(1, sizes.reduce(0, +))
        let spare = max(0, total - sizes.count)
        let ideal = sizes.map { Double(max(0, $0 - 1)) * Double(spare) / Double(max(1, pixels - sizes.count)) }
        var out = ideal.map { 1 + Int($0) }
        var left = total - out.reduce(0, +)
        for k in ideal.indices.sorted(by: { ideal[$0] - ideal[$0].rounded(.down) > ideal[$1] - ideal[$1].rounded(.down) }) where left > 0 {
            out[k] += 1
            left -= 1
        }
        return out
    }

    /// The pixels of a tile spanning `lower..<upper` shared out over `count` cells.
    static func ranges(_ lower: Int, _ upper: Int, count: Int) -> [Range<Int>] {
        let span = max(0, upper - lower)
        return (0..<count).map { k in
            let a = lower + k * span / max(1, count), b = lower + (k + 1) * span / max(1, count)
            return a..<max(b, min(upper, a + 1))
        }
    }

    /// The geometry for the selected op, or `nil` when there is no patch grid to draw.
    ///
    /// The map fills the panel with its shape kept (a cell is about twice
    /// as tall as wide): zoomed out on large maps, zoomed in on small ones,
    /// so a 25×5 map is drawn tall and narrow. Boundary lines come first,
    /// then the info line, then the legend; without room for lines the
    /// tiles alternate plain and dim.
    public static func geometry(_ state: AppState, rect: Rect) -> Geometry? {
        let plan = state.plan
        let op = state.selectedLayer
        let inner = rect.inset(1)
        guard op < state.model.operators.count, let stage = plan.fusedStage(of: op), inner.height >= 2, inner.width >= 2 else { return nil }
        let shape = state.model.tensors[state.model.operators[op].output].shape
        guard shape.count == 4, shape[1] > 0, shape[2] > 0 else { return nil }
        // The grid of the selected op's own stage (rows × cols tiles).
        let h = shape[1], w = shape[2], rows = stage.grid.rows, cols = stage.grid.cols
        let rowCuts = (0...rows).map { $0 * h / rows }, colCuts = (0...cols).map { $0 * w / cols }
        for (lines, info, legend) in [(true, true, true), (true, true, false), (true, false, false), (false, true, true), (false, true, false), (false, false, false)] {
            let top = inner.y + (info ? 1 : 0)
            let legendY: Int? = legend ? inner.maxY - 1 : nil
            let area = Rect(x: inner.x, y: top, width: inner.width, height: inner.maxY - top - (legend ? 1 : 0))
            let roomH = area.height - (lines ? rows - 1 : 0), roomW = area.width - (lines ? cols - 1 : 0)
            guard roomH >= rows, roomW >= cols else { continue }
            // The panel filled, the map's shape kept: a square pixel is two
            // cells across one down; the width may stretch that to 1.5…2.5
            // to use the panel, never more (a 25×5 map stays tall).
            let shape = Double(w) / Double(h)
            var down = Double(roomH)
            if Double(roomW) < 1.5 * shape * down { down = Double(roomW) / (1.5 * shape) }
            let across = min(Double(roomW), 2.5 * shape * down)
            let totalRows = max(rows, min(roomH, Int(down))), totalCols = max(cols, min(roomW, Int(across)))
            guard totalRows <= roomH, totalCols <= roomW else { continue }
            let rowsPer = cells(rowCuts, total: totalRows), colsPer = cells(colCuts, total: totalCols)
            var tiles: [Rect] = []
            var y = area.y
            for i in 0..<rows {
                var x = area.x
                for j in 0..<cols {
                    tiles.append(Rect(x: x, y: y, width: colsPer[j], height: rowsPer[i]))
                    x += colsPer[j] + (lines ? 1 : 0)
                }
                y += rowsPer[i] + (lines ? 1 : 0)
            }
            return Geometry(op: op, height: h, width: w, lines: lines, tiles: tiles, rowCuts: rowCuts, colCuts: colCuts,
                            cellRows: (0..<rows).map { ranges(rowCuts[$0], rowCuts[$0 + 1], count: rowsPer[$0]) },
                            cellCols: (0..<cols).map { ranges(colCuts[$0], colCuts[$0 + 1], count: colsPer[$0]) },
                            infoY: info ? inner.y : nil, legendY: legendY)
        }
        return nil
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
        if let infoY = g.infoY { grid.text(info, x: inner.x, y: infoY, style: .bold) }
        let selected = state.selectedPatch < stage.opRegions.count ? stage.opRegions[state.selectedPatch][op - stage.firstOp] : nil
        let computedBySelected = state.selectedPatch < stage.tileRegions.count ? stage.computed(tile: state.selectedPatch, op: op) : nil
        let cachesThisOp = plan.caches.contains { $0.tensor == state.model.operators[op].output }
        let lineStyle = CellStyle(dim: true)
        for (index, tile) in g.tiles.enumerated() {
            let i = index / cols, j = index % cols
            let checker = !g.lines && (i + j) % 2 == 1
            for cy in 0..<tile.height {
                let cellRows = g.cellRows[i][cy]
                for cx in 0..<tile.width {
                    let cellCols = g.cellCols[j][cx]
                    // The cell's largest coverage: a halo band shows in
                    // every cell it touches, however thin it is against
                    // the scale (at any p and any map size).
                    let (most, sum, pixels) = counts.summary(rows: cellRows, cols: cellCols)
                    let inMap = Region(rows: cellRows.clamped(to: 0..<counts.height), cols: cellCols.clamped(to: 0..<counts.width))
                    let inSelection = selected.map { inMap.overlaps($0) } ?? false
                    let computedHere = computedBySelected.map { inMap.overlaps($0) } ?? false
                    // The mean coverage, but a cell with any halo is at least `▒`.
                    let mean = pixels == 0 ? 0 : Int((Double(sum) / Double(pixels)).rounded())
                    let shade = max(mean, min(most, 2))
                    var ch = shades[min(shade, shades.count - 1)]
                    var style = CellStyle(fg: most > 1 ? .yellow : .default, reverse: inSelection, dim: checker)
                    // Part of the selected patch's region its op does not
                    // compute: served from a halo cache.
                    if cachesThisOp, inSelection, !computedHere { ch = "○"; style.fg = .cyan }
                    if exporting, inSelection { ch = "#"; style.reverse = false }
                    grid[tile.x + cx, tile.y + cy] = Cell(ch, style: style)
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
            let ppc = g.pixelsPerCell
            func px(_ v: Double) -> String { abs(v - v.rounded()) < 0.05 ? "\(Int(v.rounded()))" : formatFixed(v, decimals: 1) }
            let scale = "cell ≈ \(px(ppc.rows))×\(px(ppc.cols)) px"
            let mark = exporting ? "# patch \(state.selectedPatch + 1)" : "patch \(state.selectedPatch + 1) reversed"
            let cached = cachesThisOp ? "  ○ from cache" : ""
            let legend = TextFit.first([
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+  \(mark)\(cached)",
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+\(cached)",
                "\(scale)  · 1 patch  ▒ 2  ▓ 3  █ 4+",
                "\(scale) ·1 ▒2 ▓3 █4+ patches",
                "·1 ▒2 ▓3 █4+ \(px(ppc.rows))×\(px(ppc.cols)) px",
                "·1 ▒2 ▓3 █4+",
            ], width: inner.width)
            grid.text(legend, x: inner.x, y: legendY, style: .dim)
        }
    }
}
