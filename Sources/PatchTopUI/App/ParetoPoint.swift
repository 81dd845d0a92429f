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

    public init(patches: Int, patchLayers: Int, peakBytes: Int, macs: Int, macOverhead: Double) {
        self.patches = patches
        self.patchLayers = patchLayers
        self.peakBytes = peakBytes
        self.macs = macs
        self.macOverhead = macOverhead
    }

    public init(_ plan: PatchPlan) {
        self.init(patches: plan.patches, patchLayers: plan.patchLayers, peakBytes: plan.peakBytes, macs: plan.macs, macOverhead: plan.macOverhead)
    }

    /// Layer by layer (p = 1 or n = 0).
    public var isLayerByLayer: Bool { patches <= 1 || patchLayers == 0 }
}
