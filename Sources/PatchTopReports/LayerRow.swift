import PatchTopModel
import PatchTopPlan

/// One line of the per-layer table, shared by `analyze`, the TUI's layer
/// panel and the text report so that all three always agree.
public struct LayerRow: Equatable, Sendable {
    public var index: Int
    public var op: String
    public var kernel: String
    public var outputShape: [Int]
    public var outputBytes: Int
    public var liveBytes: Int
    public var macs: Int

    /// One row per op of `model`, with live bytes from `memory`.
    public static func rows(of model: Model, memory: MemorySchedule) -> [LayerRow] {
        model.operators.map { op in
            let output = model.tensors[op.output]
            return LayerRow(
                index: op.index, op: op.kind.name, kernel: model.kernelSummary(of: op),
                outputShape: output.shape, outputBytes: output.byteCount,
                liveBytes: memory.liveBytes[op.index], macs: model.macs(of: op)
            )
        }
    }

    /// `1×56×56×24`
    public var shapeText: String { outputShape.map(String.init).joined(separator: "×") }
}
