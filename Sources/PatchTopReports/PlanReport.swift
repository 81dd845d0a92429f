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
        let mode = !plan.isPatched ? "layer-by-layer (p=\(plan.patches), n=\(plan.patchLayers))"
            : plan.isMultiStage ? "\(plan.fusedStages.count) fused stage\(plan.fusedStages.count == 1 ? "" : "s"): \(Self.stagesText(plan))"
            : plan.grid.isSquare ? "p=\(plan.patches) (\(plan.patches)×\(plan.patches) patches), n=\(plan.patchLayers)"
            : "\(plan.grid) tiles (\(plan.grid.count) patches), n=\(plan.patchLayers)"
        out.append("\(model.name): \(mode) — memory: \(plan.options.summary)")
        let peakOp = model.operators.isEmpty ? "-" : "op \(plan.peakOp) (\(model.operators[plan.peakOp].kind.name))\(plan.fusedStage(of: plan.peakOp).map { plan.isMultiStage ? ", in the fused stage of ops \($0.firstOp)…\($0.lastOp)" : ", in the patch stage" } ?? "")"
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
        for stage in plan.fusedStages { out += stageLines(stage) }
        return out + peakTable
    }

    /// `p=4 n=8, 16 patches`, `4×2 tiles n=8, 8 patches`, or the stages.
    public static func planSummary(_ plan: PatchPlan) -> String {
        if !plan.isPatched { return "layer-by-layer" }
        if plan.isMultiStage { return stagesText(plan) }
        return plan.grid.isSquare ? "p=\(plan.patches) n=\(plan.patchLayers), \(plan.grid.count) patches"
            : "\(plan.grid) tiles n=\(plan.patchLayers), \(plan.grid.count) patches"
    }

    /// `ops 0…7 4×4 (all caches); ops 8…12 layer by layer; …`
    public static func stagesText(_ plan: PatchPlan) -> String {
        plan.stages.map { stage in
            guard let index = stage.fused else { return "ops \(stage.firstOp)…\(stage.lastOp) layer by layer" }
            let fused = plan.fusedStages[index]
            return "ops \(stage.firstOp)…\(stage.lastOp) \(stage.grid)\(fused.caches.isEmpty ? "" : " (\(fused.caches.count) cache\(fused.caches.count == 1 ? "" : "s"))")"
        }.joined(separator: "; ")
    }

    /// One fused stage op by op, and its tiles' regions.
    func stageLines(_ stage: FusedStage) -> [String] {
        var out: [String] = []
        let model = plan.model
        let ops = stage.ops
        let single = !plan.isMultiStage
        let stageMacs = ops.reduce(0) { $0 + model.macs(of: model.operators[$1]) }
        let patchedStageMacs = plan.macsPerOp[ops].reduce(0, +)
        let stageOverhead = stageMacs == 0 ? 0 : Double(patchedStageMacs - stageMacs) / Double(stageMacs)
        if !single { out.append("") }
        let range = single ? "ops 0..<\(stage.lastOp + 1)" : "ops \(stage.firstOp)…\(stage.lastOp), \(stage.grid) tiles"
        out.append("stage           \(range), output \(stage.outputGrid.height)×\(stage.outputGrid.width) (tensors \(stage.outputs.map(String.init).joined(separator: ", "))), \(formatPercentChange(stageOverhead)) MACs inside the stage")
        if single { out.append("held whole      \(formatBytes(plan.stageWholeBytes)) during the stage") }
        if single && (!plan.caches.isEmpty || plan.haloCaching != .none) {
            let bytes = plan.cacheBytes.values.reduce(0, +)
            let columns = plan.caches.filter { $0.direction == .column }.count
            out.append("halo caches     \(plan.haloCaching.name): \(plan.caches.count) (\(columns) column, \(plan.caches.count - columns) row), \(formatBytes(bytes)); save \(formatMACs(plan.cacheMacsSaved)) MACs (\(formatFixed(plan.recomputeRemoved * 100, decimals: 0))% of the recompute)")
        }
        out.append("")
        out.append(" #  op                 kernel  output        largest patch region  recompute  halo    MACs")
        let notes = model.rewrite.notes
        if !single && !stage.caches.isEmpty {
            let columns = stage.caches.filter { $0.direction == .column }.count
            out.append("halo caches     \(stage.caches.count) (\(columns) column, \(stage.caches.count - columns) row), \(formatBytes(stage.cacheBytes.values.reduce(0, +)))")
        }
        for op in model.operators[ops] {
            let shape = model.tensors[op.output].shape
            if model.rewrite.isDetached(op.index), let note = notes[op.index] {
                out.append([pad("\(op.index)", 2, right: true), pad(op.kind.name, 17), pad("", 6),
                            pad(shape.map(String.init).joined(separator: "×"), 12), note].joined(separator: "  "))
                continue
            }
            let largest = stage.opRegions.map { $0[op.index - stage.firstOp] }.max { $0.area < $1.area }
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
        let inputs = Set(model.operators[ops].flatMap(\.inputs)).filter { $0 >= 0 && model.isActivation($0) && !((model.producer[$0] ?? Int.max) >= stage.firstOp && (model.producer[$0] ?? Int.max) <= stage.lastOp) }.sorted()
        for (index, patch) in stage.tileRegions.enumerated() {
            let (row, col) = stage.position(ofTile: index)
            let inputText = inputs.compactMap { tensor in stage.tensorRegions[index][tensor].map { "tensor \(tensor): \($0.height)×\($0.width) at (\($0.rows.lowerBound),\($0.cols.lowerBound))" } }
            out.append("  [\(row),\(col)] \(patch.height)×\(patch.width) at (\(patch.rows.lowerBound),\(patch.cols.lowerBound)) ← \(inputText.joined(separator: "; "))")
        }
        return out
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
