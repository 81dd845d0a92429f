import PatchTopModel
import PatchTopPlan

/// Step mode's memory map: the arena as a strip of cells, each cell a
/// slice of bytes, lettered by the buffer that occupies it now (`·` free),
/// and a legend of those buffers by offset.
///
/// ```
/// step 54/168 op 1 p5/9  97.8/121.4 KiB
/// AAAAAAAAAAAAAAAAAbbbbbcccc······DD
/// A t0      0.0–  60.8 whole 144×144×3
/// b t108   60.8–  77.8 patch 72×72×16
/// ```
/// (offsets in KiB).
/// Uppercase letters are tensors held whole, lowercase per-patch region
/// buffers; the buffer the last step wrote is drawn reversed.
public enum ArenaMapView {
    static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    static let colors: [TermColor] = [.cyan, .yellow, .green, .magenta, .blue, .red]

    /// The letter of the `index`-th block (by offset): `A`… for whole tensors, `a`… for per-patch buffers.
    public static func letter(_ index: Int, perPatch: Bool) -> Character {
        let ch = letters[((index % letters.count) + letters.count) % letters.count]
        return perPatch ? Character(ch.lowercased()) : ch
    }

    /// One row of `cells` characters for `blocks` in an arena of `arenaBytes`.
    public static func strip(_ blocks: [ArenaBlock], arenaBytes: Int, cells: Int) -> [Int?] {
        guard cells > 0 else { return [] }
        let total = max(1, arenaBytes)
        return (0..<cells).map { cell in
            // The byte range this cell stands for: [lo, hi).
            let lo = Int((Double(cell) / Double(cells) * Double(total)).rounded(.down))
            let hi = max(lo + 1, Int((Double(cell + 1) / Double(cells) * Double(total)).rounded(.down)))
            var best: (index: Int, overlap: Int)?
            for (index, block) in blocks.enumerated() {
                let overlap = min(hi, block.end) - max(lo, block.offset)
                if overlap > 0, overlap > (best?.overlap ?? 0) { best = (index, overlap) }
            }
            return best?.index
        }
    }

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect, focused: Bool = false) {
        grid.box(rect, title: "Arena map", style: focused ? CellStyle(fg: .cyan, bold: true) : .plain)
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        guard let snapshot = state.step?.snapshot else {
            grid.text(state.step?.error ?? "opening the session…", x: inner.x, y: inner.y, style: .dim, clip: inner)
            return
        }
        let model = state.model
        let blocks = snapshot.blocks.sorted { ($0.offset, $0.tensor) < ($1.offset, $1.tensor) }
        let live = blocks.reduce(0) { $0 + $1.bytes }
        var where_ = "step \(snapshot.position)/\(snapshot.stepCount)"
        if let last = snapshot.last {
            where_ += " op \(last.op)"
            if let patch = last.patch { where_ += " p\(patch + 1)/\(state.patchCount)" }
        }
        if snapshot.isFinished {
            where_ += snapshot.identical == false ? " done ✗ DIFFERS" : snapshot.identical == true ? " done ✓ identical" : " done"
        }
        grid.text(where_ + "  \(kib(live))/\(kib(snapshot.arenaBytes)) KiB", x: inner.x, y: inner.y, style: .bold, clip: inner)
        if let error = state.step?.error {
            grid.text(error, x: inner.x, y: inner.y + 1, style: CellStyle(fg: .red, bold: true), clip: inner)
        }
        // The strip: up to 3 rows (or a third of the panel), row-major over the arena.
        let mapRows = max(1, min(3, (inner.height - 2) / 3))
        let mapY = inner.y + 1 + (state.step?.error == nil ? 0 : 1)
        let cells = inner.width * mapRows
        let owner = strip(blocks, arenaBytes: snapshot.arenaBytes, cells: cells)
        let written = snapshot.last.map { model.operators.indices.contains($0.op) ? model.operators[$0.op].output : -1 }
        for (cell, index) in owner.enumerated() {
            let x = inner.x + cell % inner.width, y = mapY + cell / inner.width
            guard let index else { grid[x, y] = Cell("·", style: .dim); continue }
            let block = blocks[index]
            let style = CellStyle(fg: colors[index % colors.count], reverse: block.tensor == written)
            grid[x, y] = Cell(letter(index, perPatch: block.perPatch), style: style)
        }
        // The legend, one buffer per line, as many as fit.
        var y = mapY + mapRows
        for (index, block) in blocks.enumerated() where y < inner.maxY {
            let tensor = model.tensors.indices.contains(block.tensor) ? model.tensors[block.tensor] : nil
            let dims = tensor.map { $0.shape.count == 4 && $0.shape[0] == 1 ? Array($0.shape.dropFirst()) : $0.shape } ?? []
            let shape = dims.map(String.init).joined(separator: "×")
            let range = fit(kib(block.offset), 6, right: true) + "–" + fit(kib(block.end), 6, right: true)
            let kind = block.kindLabel
            let text = "\(letter(index, perPatch: block.perPatch)) " + fit("t\(block.tensor)", 5) + range + " " + kind + " " + shape
            let style = CellStyle(fg: colors[index % colors.count], bold: block.tensor == written)
            grid.text(text, x: inner.x, y: y, style: style, clip: inner)
            y += 1
        }
    }
}
