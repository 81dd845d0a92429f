import PatchTopModel
import PatchTopPlan

/// The short table under a summary that answers "why is my peak this
/// high?": every buffer live at the peak op, largest first.
///
/// ```
/// live at the peak (op 3, 1372.0 KiB):
///   kind          tensor                    shape           bytes  ops
///   tensor        6 (block_2_expand)        1×112×112×96  1,204,224  3–5
/// ```
enum PeakBuffersTable {
    static func lines(_ buffers: [MemorySchedule.PeakBuffer], model: Model, title: String? = nil) -> [String] {
        guard !buffers.isEmpty else { return [] }
        let total = buffers.reduce(0) { $0 + $1.bytes }
        var rows: [[String]] = [["kind", "holds", "shape", "bytes", "ops"]]
        for buffer in buffers {
            rows.append([buffer.kind.label, holds(buffer.kind, model: model), shape(buffer, model: model),
                         formatCount(buffer.bytes), buffer.firstOp == buffer.lastOp ? "\(buffer.firstOp)" : "\(buffer.firstOp)–\(buffer.lastOp)"])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let lines = rows.map { row in
            "  " + row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 3 ? pad + cell : (i == row.count - 1 ? cell : cell + pad)
            }.joined(separator: "  ")
        }
        return [title ?? "live at the peak (\(formatBytes(total)) = \(formatCount(total)) bytes):"] + lines
    }

    /// `tensor 6 (block_2_expand)`, `op 7's input` for staging.
    static func holds(_ kind: MemorySchedule.BufferKind, model: Model) -> String {
        if let tensor = kind.tensor {
            let name = model.tensors[tensor].name
            return name.isEmpty ? "tensor \(tensor)" : "tensor \(tensor) (\(shorten(name, to: 28)))"
        }
        switch kind {
        case .inplaceStaging(let op): return "op \(op)'s input channel"
        case .residualScratch(let op): return "op \(op)'s output row"
        default: return ""
        }
    }

    /// The tensor's shape, or `region` for a per-patch buffer.
    static func shape(_ buffer: MemorySchedule.PeakBuffer, model: Model) -> String {
        guard let tensor = buffer.tensor else { return "" }
        let text = model.tensors[tensor].shape.map(String.init).joined(separator: "×")
        return buffer.kind.isPerPatch ? "region of \(text)" : text
    }

    static func shorten(_ text: String, to width: Int) -> String {
        text.count <= width ? text : "…" + text.suffix(width - 1)
    }
}
