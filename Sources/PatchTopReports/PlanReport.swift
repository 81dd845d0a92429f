import PatchTopModel
import PatchTopPlan

/// The text `patchtop plan` prints: the summary, the stage op by op with
/// its halo, and the regions of every patch for the stage's first input.
public struct PlanReport: Sendable {
    public var plan: PatchPlan

    public init(plan: PatchPlan) { self.plan = plan }

    public func summaryLines() -> [String] {
        let model = plan.model
        var out: [String] = []
        let mode = plan.isPatched ? "p=\(plan.patches) (\(plan.patches)×\(plan.patches) patches), n=\(plan.patchLayers)" : "layer-by-layer (p=\(plan.patches), n=\(plan.patchLayers))"
        out.append("\(model.name): \(mode) — memory: \(plan.options.summary)")
        let peakOp = model.operators.isEmpty ? "-" : "op \(plan.peakOp) (\(model.operators[plan.peakOp].kind.name))\(plan.isPatched && plan.peakOp < plan.patchLayers ? ", in the patch stage" : "")"
        out.append("peak            \(formatBytes(plan.peakBytes)) (\(formatCount(plan.peakBytes)) B) at \(peakOp)")
        out.append("layer-by-layer  \(formatBytes(plan.layerByLayerPeakBytes)) (\(formatCount(plan.layerByLayerPeakBytes)) B)\(Self.comparison(plan))")
        out.append("MACs            \(formatMACs(plan.macs)) vs \(formatMACs(plan.layerByLayerMacs)) layer-by-layer — overhead \(formatPercentChange(plan.macOverhead))")
        return out
    }

    /// ` — 2.04× lower`, ` — 1.30× higher`, ` — same as layer by layer`
    /// (the words of `Verdicts`); nothing for a layer-by-layer plan, which
    /// is its own reference.
    static func comparison(_ plan: PatchPlan) -> String {
        plan.isPatched ? " — \(Verdicts.peak(plan))" : ""
    }

    public func lines() -> [String] {
        var out = summaryLines()
        let peakTable = [""] + PeakBuffersTable.lines(plan.peakBuffers, model: plan.model)
        guard plan.isPatched else { return out + peakTable }
        let model = plan.model
        let stageMacs = (0..<plan.patchLayers).reduce(0) { $0 + model.macs(of: model.operators[$1]) }
        let patchedStageMacs = plan.macsPerOp[0..<plan.patchLayers].reduce(0, +)
        let stageOverhead = stageMacs == 0 ? 0 : Double(patchedStageMacs - stageMacs) / Double(stageMacs)
        out.append("stage           ops 0..<\(plan.patchLayers), output \(plan.outputGrid.height)×\(plan.outputGrid.width) (tensors \(plan.stageOutputs.map(String.init).joined(separator: ", "))), \(formatPercentChange(stageOverhead)) MACs inside the stage")
        out.append("held whole      \(formatBytes(plan.stageWholeBytes)) during the stage")
        if !plan.caches.isEmpty || plan.haloCaching != .none {
            let bytes = plan.cacheBytes.values.reduce(0, +)
            let columns = plan.caches.filter { $0.direction == .column }.count
            out.append("halo caches     \(plan.haloCaching.name): \(plan.caches.count) (\(columns) column, \(plan.caches.count - columns) row), \(formatBytes(bytes)); save \(formatMACs(plan.cacheMacsSaved)) MACs (\(formatFixed(plan.recomputeRemoved * 100, decimals: 0))% of the recompute)")
        }
        out.append("")
        out.append(" #  op                 kernel  output        largest patch region  recompute  halo    MACs")
        let notes = model.rewrite.notes
        for op in model.operators[0..<plan.patchLayers] {
            let shape = model.tensors[op.output].shape
            if model.rewrite.isDetached(op.index), let note = notes[op.index] {
                out.append([pad("\(op.index)", 2, right: true), pad(op.kind.name, 17), pad("", 6),
                            pad(shape.map(String.init).joined(separator: "×"), 12), note].joined(separator: "  "))
                continue
            }
            let largest = plan.opRegions.map { $0[op.index] }.max { $0.area < $1.area }
            let region = largest.map { "\($0.height)×\($0.width)" } ?? "-"
            out.append([
                pad("\(op.index)", 2, right: true), pad(op.kind.name, 17), pad(model.kernelSummary(of: op), 6),
                pad(shape.map(String.init).joined(separator: "×"), 12), pad(region, 20),
                pad("\(formatFixed(plan.recomputeFactor(op: op.index), decimals: 2))×", 9, right: true),
                pad("\(formatFixed(plan.haloFraction(op: op.index) * 100, decimals: 1))%", 6, right: true),
                formatMACs(plan.macsPerOp[op.index]),
            ].joined(separator: "  "))
        }
        out.append("")
        out.append("patch regions (output → input of the stage):")
        let inputs = Set(model.operators[0..<plan.patchLayers].flatMap(\.inputs)).filter { $0 >= 0 && model.isActivation($0) && (model.producer[$0] ?? Int.max) >= plan.patchLayers }.sorted()
        for (index, patch) in plan.patchRegions.enumerated() {
            let row = index / plan.patches, col = index % plan.patches
            let inputText = inputs.compactMap { tensor in plan.tensorRegions[index][tensor].map { "tensor \(tensor): \($0.height)×\($0.width) at (\($0.rows.lowerBound),\($0.cols.lowerBound))" } }
            out.append("  [\(row),\(col)] \(patch.height)×\(patch.width) at (\(patch.rows.lowerBound),\(patch.cols.lowerBound)) ← \(inputText.joined(separator: "; "))")
        }
        return out + peakTable
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
