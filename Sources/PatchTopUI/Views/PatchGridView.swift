import PatchTopModel
import PatchTopPlan

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
        let factor = formatFixed(plan.recomputeFactor(op: op), decimals: 2), halo = formatFixed(plan.haloFraction(op: op) * 100, decimals: 1)
        let patch = "\(state.selectedPatch + 1)/\(plan.patches * plan.patches)"
        var info = "\(h)×\(w)  recompute \(factor)×  halo \(halo)%  patch \(patch)"
        if info.count > inner.width { info = "\(h)×\(w) recompute \(factor)× halo \(halo)% p\(patch)" }
        if info.count > inner.width { info = "\(h)×\(w) \(factor)× halo \(halo)% p\(patch)" }
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
