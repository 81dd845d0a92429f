import PatchTopModel
import PatchTopPlan

/// The text `patchtop analyze` prints: a per-layer table with a bar of live
/// bytes, then a summary of peak, MACs and flash.
public struct AnalysisReport: Sendable {
    /// The model as the memory options see it (folded PADs, int8 boundary).
    public var model: Model
    /// The layer-by-layer memory schedule.
    public var memory: MemorySchedule
    /// The tensor arena laid out ahead of time for layer-by-layer inference,
    /// as a microcontroller runtime plans it: what to give TFLite Micro's
    /// `tensor_arena` for activations (it is never below the peak).
    public var arenaBytes: Int
    /// TFLite Micro's whole `tensor_arena` (activations and persistent
    /// data), or why PatchTop cannot say; independent of the memory options.
    public var tfliteMicro: Result<TFLiteMicroArena, TFLiteMicroUnavailable>
    /// The liveness peak of the file's graph without memory options, which
    /// TFLite Micro's head is explained against.
    public var tfliteMicroLivenessPeak: Int

    public init(model: Model, options: MemoryOptions = .tfliteMicro) {
        let memory = MemorySchedule(model: model, options: options)
        self.model = memory.model
        self.memory = memory
        self.arenaBytes = ArenaLayout(schedule: memory).arenaBytes
        // The file's graph as TFLite Micro runs it, not the rewritten one.
        self.tfliteMicro = TFLiteMicroArena.predict(for: model)
        self.tfliteMicroLivenessPeak = options == .tfliteMicro
            ? memory.peakBytes : MemorySchedule(model: model, options: .tfliteMicro).peakBytes
    }

    /// The report as lines; `barWidth` cells for the largest live bytes.
    public func lines(barWidth: Int = 24) -> [String] {
        let rows = LayerRow.rows(of: model, memory: memory)
        let notes = model.rewrite.notes
        let header = ["#", "op", "kernel", "output", "out bytes", "live", "MACs", "live bytes"]
        var table: [[String]] = [header]
        for row in rows {
            let filled = memory.peakBytes > 0 ? (row.liveBytes * barWidth + memory.peakBytes - 1) / memory.peakBytes : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, barWidth - filled))
            table.append([
                "\(row.index)", row.op, row.kernel, row.shapeText, formatBytes(row.outputBytes),
                formatBytes(row.liveBytes), formatMACs(row.macs),
                bar + (row.index == memory.peakOp ? " ◀ peak" : "") + (notes[row.index].map { "  (\($0))" } ?? ""),
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in table { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        let rightAligned: Set<Int> = [0, 4, 5, 6]
        var out = ["\(model.name): \(model.operators.count) ops, \(model.tensors.count) tensors — memory: \(memory.options.summary)", ""]
        for line in table {
            let cells = line.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == line.count - 1 ? cell : (rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            out.append(cells.joined(separator: "  "))
        }
        let peakOp = model.operators.isEmpty ? "-" : "op \(memory.peakOp) (\(model.operators[memory.peakOp].kind.name))"
        out.append("")
        out.append("peak activation memory  \(formatBytes(memory.peakBytes)) (\(formatCount(memory.peakBytes)) bytes) at \(peakOp)")
        let arenaNote = arenaBytes == memory.peakBytes ? "laid out ahead of time, equal to the peak" : "laid out ahead of time, above the peak"
        out.append("activation arena        \(formatBytes(arenaBytes)) (\(formatCount(arenaBytes)) bytes), \(arenaNote)")
        out.append("total MACs              \(formatMACs(model.macs)) (\(formatCount(model.macs)))")
        out.append("weights (flash)         \(formatBytes(model.weightBytes)) (\(formatCount(model.weightBytes)) bytes)")
        out += TFLiteMicroText.lines(tfliteMicro, livenessPeak: tfliteMicroLivenessPeak)
        out.append("")
        out += PeakBuffersTable.lines(memory.peakBuffers, model: model)
        return out
    }
}
