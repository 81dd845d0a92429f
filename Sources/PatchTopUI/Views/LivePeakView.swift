import PatchTopModel
import PatchTopPlan

/// `w`: the buffers live at the plan's peak op — the answer to "why is my
/// peak this high" and "why did patching raise it". One row per buffer:
/// kind, tensor, shape (or a per-patch buffer's region), KiB, and the ops
/// from which to which it is held; then the total against the peak.
public enum LivePeakView {
    public static func draw(_ state: AppState, into grid: inout CellGrid, rect: Rect) {
        let plan = state.plan
        let model = state.model
        let peakOp = plan.peakOp
        let opName = model.operators.indices.contains(peakOp) ? model.operators[peakOp].kind.name : "-"
        grid.box(rect, title: "Live at peak: op \(peakOp) \(opName)", style: CellStyle(fg: .cyan, bold: true))
        let inner = rect.inset(1)
        guard !inner.isEmpty else { return }
        let buffers = LiveBuffer.atPeak(of: plan)
        let total = buffers.reduce(0) { $0 + $1.bytes }
        let where_ = plan.isPatched && peakOp < plan.patchLayers ? "inside the patch stage" : plan.isPatched ? "after the patch stage" : "layer by layer"
        let summary = TextFit.first([
            "\(kib(plan.peakBytes)) KiB at op \(peakOp), \(where_): \(buffers.count) buffers",
            "\(kib(plan.peakBytes)) KiB, \(where_)",
            "\(kib(plan.peakBytes)) KiB",
        ], width: inner.width)
        grid.text(summary, x: inner.x, y: inner.y, style: .bold)
        // Columns sized from the content; too wide, the kinds are shortened
        // first, then the ops column and the shape are dropped.
        var kinds = buffers.map(\.kind)
        let tensors = buffers.map { $0.tensor.map { "t\($0)" } ?? "-" }
        let extents = buffers.map(\.extent), sizes = buffers.map { kib($0.bytes) }
        let spans = buffers.map { $0.firstOp == $0.lastOp ? "\($0.firstOp)" : "\($0.firstOp)–\($0.lastOp)" }
        func widest(_ xs: [String], _ header: String) -> Int { max(header.count, xs.map(\.count).max() ?? 0) }
        let headers = ["kind", "t", "shape", "KiB", "ops"]
        var widths = [widest(kinds, "kind"), widest(tensors, "t"), widest(extents, "shape"), widest(sizes, "KiB"), widest(spans, "ops")]
        var shown = [true, true, true, true, true]
        func tableWidth() -> Int { zip(widths, shown).filter(\.1).map(\.0).reduce(0, +) + shown.filter { $0 }.count - 1 }
        if tableWidth() > inner.width {
            let short = ["patch region": "region", "in-place staging": "staging", "residual scratch": "scratch", "column cache": "col cache"]
            kinds = kinds.map { short[$0] ?? $0 }
            widths[0] = widest(kinds, "kind")
        }
        for drop in [4, 2, 1] where tableWidth() > inner.width { shown[drop] = false }
        func row(_ cells: [String]) -> String {
            cells.indices.filter { shown[$0] }.map { fit(cells[$0], widths[$0], right: $0 == 3) }.joined(separator: " ")
        }
        guard inner.height > 1 else { return }
        grid.text(row(headers), x: inner.x, y: inner.y + 1, style: .dim)
        // What removes the float tensors, and the model's own floor: under
        // the rows, each line shortened by words; kept before extra rows.
        let causes = PeakCause.floatNotes(plan) + [PeakCause.floor(state)].compactMap { $0 }
        let spare = max(0, inner.height - 4 - buffers.count)
        let wrapped = causes.flatMap { PeakCause.wrap($0, width: inner.width) }
        let notes = wrapped.count <= spare ? wrapped
            : Array(causes.map { TextFit.words($0, width: inner.width) }.prefix(max(0, inner.height - 4)))
        for (i, note) in notes.reversed().enumerated() {
            grid.text(note, x: inner.x, y: inner.maxY - 2 - i, style: CellStyle(fg: .yellow))
        }
        let room = inner.height - 3 - notes.count
        for (i, buffer) in buffers.prefix(max(0, room)).enumerated() {
            let style = buffer.kind == "tensor" ? CellStyle.plain : CellStyle(fg: .cyan)
            grid.text(row([kinds[i], tensors[i], extents[i], sizes[i], spans[i]]), x: inner.x, y: inner.y + 2 + i, style: style)
        }
        let hidden = buffers.count - max(0, min(room, buffers.count))
        let footer = TextFit.first([
            "total \(kib(total)) KiB of the \(kib(plan.peakBytes)) KiB peak" + (hidden > 0 ? " (\(hidden) more not shown)" : ""),
            "total \(kib(total))/\(kib(plan.peakBytes)) KiB" + (hidden > 0 ? " +\(hidden) more" : ""),
        ], width: inner.width)
        if inner.height >= 3 { grid.text(footer, x: inner.x, y: inner.maxY - 1, style: .bold) }
    }
}
