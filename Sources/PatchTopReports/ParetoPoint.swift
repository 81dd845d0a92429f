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

    public init(_ plan: PatchPlan) {
        self.init(patches: plan.patches, patchLayers: plan.patchLayers, peakBytes: plan.peakBytes, macs: plan.macs, macOverhead: plan.macOverhead)
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
