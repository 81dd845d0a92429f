import PatchTopModel
import PatchTopPlan

/// Every plan of a sweep as the Pareto chart needs it: small values, so
/// that the state stays cheap to copy.
public struct ParetoPoint: Equatable, Hashable, Sendable {
    public var patches: Int
    public var patchLayers: Int
    public var peakBytes: Int
    public var macs: Int
    public var macOverhead: Double
    /// TinyEngine's PEAK_MEM for the plan (`nil`: TinyEngine has no figure for it).
    public var tinyEngineBytes: Int?
    /// TinyEngine's own result is wrong for this plan (see `TinyEngineMemory.warnings`).
    public var tinyEngineWrong: Bool
    /// Predicted instructions on the sweep's core (`nil`: no target).
    public var instructions: Int?
    /// The plan's fused stages when it is more than one square stage at the
    /// head (a multi-stage plan); `nil` for MCUNetV2's (p, n).
    public var stages: [StageSpec]?

    public init(patches: Int, patchLayers: Int, peakBytes: Int, macs: Int, macOverhead: Double,
                tinyEngineBytes: Int? = nil, tinyEngineWrong: Bool = false) {
        self.patches = patches
        self.patchLayers = patchLayers
        self.peakBytes = peakBytes
        self.macs = macs
        self.macOverhead = macOverhead
        self.tinyEngineBytes = tinyEngineBytes
        self.tinyEngineWrong = tinyEngineWrong
    }

    public init(_ plan: PatchPlan, instructions: Int? = nil) {
        self.init(patches: plan.patches, patchLayers: plan.patchLayers, peakBytes: plan.peakBytes, macs: plan.macs, macOverhead: plan.macOverhead)
        self.instructions = instructions
        if plan.needsStageList { stages = plan.stageSpecs }
    }

    /// `p=3 n=13`, or the stages of a multi-stage plan (`ops 0…12 3×3 + ops 20…30 2×1`).
    public var label: String {
        guard let stages else { return "p=\(patches) n=\(patchLayers)" }
        if stages.allSatisfy(\.grid.isSingle) { return "layer by layer" }
        return stages.map { "\($0.firstOp)…\($0.lastOp) \($0.grid)" }.joined(separator: " + ")
    }

    /// Whether this point is the plan `plan` (same stages, or same p and n).
    public func isPlan(_ plan: PatchPlan) -> Bool {
        if let stages { return plan.stageSpecs.map(\.bare) == stages.map(\.bare) }
        return !plan.needsStageList && patches == plan.patches && patchLayers == plan.patchLayers
    }

    /// Layer by layer (p = 1 or n = 0).
    public var isLayerByLayer: Bool { patches <= 1 || patchLayers == 0 }

    /// The SRAM `engine` needs for this plan (`tflm`: the model's arena,
    /// which only a layer-by-layer plan has).
    public func required(by engine: InferenceEngine, tflm: Result<Int, EngineFigures.Reason>) -> EngineFigures.Requirement {
        EngineFigures.requirement(engine, patched: !isLayerByLayer, cached: false, tflm: tflm,
                                  tinyEngine: tinyEngineBytes.map { .success($0) } ?? .failure(.init(text: "none for this plan")),
                                  tinyEngineWrong: tinyEngineWrong)
    }
}

extension StageSpec {
    /// The stage's ops and grid, without its cache choice (to compare plans).
    public var bare: [Int] { [firstOp, lastOp, grid.rows, grid.cols] }
}
