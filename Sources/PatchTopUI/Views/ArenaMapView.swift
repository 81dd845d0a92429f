import PatchTopReports
import PatchTopModel
import PatchTopPlan

/// Step mode's memory map: the arena as a strip of cells, each cell a
/// slice of bytes, lettered by the buffer that occupies it now (`·` free),
/// and a legend of those buffers by offset.
///
/// ```
/// step 54/168 op 1 patch 5/9  97.8/121.4 KiB
/// AAAAAAAAAAAAAAAAAbbbbbcccc······DD
/// A t0  0.0–60.8 KiB  whole 144×144×3
/// b t108  60.8–77.8 KiB  patch 26×26×16
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

    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        grid.box(rect, title: "Arena map")
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        guard let snapshot = state.step?.snapshot else {
            let text = state.step?.error ?? "opening the session…"
            grid.text(TextFit.words(text, width: inner.width), x: inner.x, y: inner.y, style: state.step?.error == nil ? .dim : CellStyle(fg: .red, bold: true))
            return
        }
        let model = state.model
        let blocks = snapshot.blocks.sorted { ($0.offset, $0.tensor) < ($1.offset, $1.tensor) }
        let live = blocks.reduce(0) { $0 + $1.bytes }
        var position = "step \(snapshot.position)/\(snapshot.stepCount)"
        var short = ""
        if let last = snapshot.last {
            short = "op \(last.op)"
            if let patch = last.patch {
                if state.plan.isMultiStage, let index = state.plan.fusedStageIndex(of: last.op) {
                    short += " stage \(index + 1)/\(state.plan.fusedStages.count) tile \(patch + 1)/\(state.plan.fusedStages[index].grid.count)"
                } else {
                    short += " patch \(patch + 1)/\(state.patchCount)"
                }
            }
            position += " " + short
        }
        var verdict = ""
        var verdictStyle = CellStyle(fg: .green, bold: true)
        if snapshot.isFinished {
            let done = snapshot.stopNote == nil ? "done" : "stopped"
            switch snapshot.identical {
            case true?: verdict = state.plan.isPatched ? "\(done) ✓ identical" : "\(done) (layer by layer)"
            case false?: verdict = "\(done) ✗ DIFFERS"; verdictStyle = CellStyle(fg: .red, bold: true, reverse: true)
            case nil: verdict = done
            }
        } else if state.step?.busy == true {
            verdict = "…"
            verdictStyle = .dim
        }
        let memory = "\(kib(live))/\(kib(snapshot.arenaBytes)) KiB"
        let head = TextFit.first([
            position + "  " + memory, position, short.isEmpty ? position : short,
        ], width: max(0, inner.width - (verdict.isEmpty ? 0 : verdict.count + 2)))
        let x = inner.x + grid.text(head, x: inner.x, y: inner.y, style: .bold)
        if !verdict.isEmpty { grid.text("  " + verdict, x: x, y: inner.y, style: verdictStyle, clip: inner) }
        var y = inner.y + 1
        if let note = snapshot.stopNote, y < inner.maxY {
            grid.text(TextFit.words(note, width: inner.width), x: inner.x, y: y, style: CellStyle(fg: .yellow, bold: true))
            y += 1
        }
        if let error = state.step?.error {
            grid.text(TextFit.words(error, width: inner.width), x: inner.x, y: y, style: CellStyle(fg: .red, bold: true))
            y += 1
        }
        // The strip: up to 3 rows (or a third of the panel), row-major over the arena.
        let mapRows = max(1, min(3, (inner.maxY - y - 1) / 3))
        let mapY = y
        let cells = inner.width * mapRows
        let owner = strip(blocks, arenaBytes: snapshot.arenaBytes, cells: cells)
        let written = snapshot.last.map { model.operators.indices.contains($0.op) ? model.operators[$0.op].output : -1 }
        for (cell, index) in owner.enumerated() {
            let x = inner.x + cell % inner.width, y = mapY + cell / inner.width
            guard y < inner.maxY else { break }
            guard let index else { grid[x, y] = Cell("·", style: .dim); continue }
            let block = blocks[index]
            let style = CellStyle(fg: colors[index % colors.count], reverse: block.tensor == written)
            grid[x, y] = Cell(letter(index, perPatch: block.isPerPatch), style: style)
        }
        // The legend, one buffer per line: a per-patch buffer gives its region, not the tensor's shape.
        y = mapY + mapRows
        let room = inner.maxY - y
        for (index, block) in blocks.enumerated() where y < inner.maxY {
            if index == room - 1, blocks.count > room {
                grid.text(TextFit.first(["+\(blocks.count - index) more buffers", "+\(blocks.count - index) more"], width: inner.width), x: inner.x, y: y, style: .dim)
                break
            }
            let extent = block.isPerPatch ? region(state.plan, tensor: block.tensor, model: model) : shape(block.tensor, model: model)
            // A buffer too small to tell apart in KiB (`0.0–0.0`) is given in bytes.
            let inBytes = kib(block.offset) == kib(block.end)
            let range = inBytes ? "\(formatCount(block.offset))–\(formatCount(block.end))" : kib(block.offset) + "–" + kib(block.end)
            let unit = inBytes ? "B" : "KiB"
            let kind = block.kindLabel
            let letter = String(letter(index, perPatch: block.isPerPatch))
            let text = TextFit.first([
                "\(letter) t\(block.tensor)  \(range) \(unit)  \(kind) \(extent)",
                "\(letter) t\(block.tensor) \(range) \(kind) \(extent)",
                "\(letter) t\(block.tensor) \(kind) \(extent)",
                "\(letter) t\(block.tensor) \(extent)",
                "\(letter) t\(block.tensor)",
            ], width: inner.width)
            let style = CellStyle(fg: colors[index % colors.count], bold: block.tensor == written)
            grid.text(text, x: inner.x, y: y, style: style)
            y += 1
        }
    }

    static func shape(_ tensor: Int, model: Model) -> String {
        guard model.tensors.indices.contains(tensor) else { return "" }
        let dims = model.tensors[tensor].shape
        return (dims.count > 1 && dims[0] == 1 ? Array(dims.dropFirst()) : dims).map(String.init).joined(separator: "×")
    }

    /// A per-patch buffer's extent: the largest region of `tensor` any patch needs, with its channels.
    static func region(_ plan: PatchPlan, tensor: Int, model: Model) -> String {
        guard let largest = plan.tensorRegions.compactMap({ $0[tensor] }).max(by: { $0.area < $1.area }),
              model.tensors.indices.contains(tensor) else { return shape(tensor, model: model) }
        let dims = model.tensors[tensor].shape
        return "\(largest.height)×\(largest.width)" + (dims.count == 4 ? "×\(dims[3])" : "")
    }
}
