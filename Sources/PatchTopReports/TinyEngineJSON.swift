import PatchTopModel
import PatchTopPlan

/// `engines.tinyEngine` of `plan --json` and `analyze --json`: what
/// TinyEngine's code generator would reserve (`PEAK_MEM`) and why it is more
/// than the plan needs. Field names are an interface: add, never rename.
public struct TinyEngineJSON: Codable, Equatable, Sendable {
    /// PEAK_MEM = the sum of these (see `TinyEngineEstimate`).
    public struct Overheads: Codable, Equatable, Sendable {
        /// PatchTop's peak for the same plan under TinyEngine's assumptions.
        public var planBytes: Int
        /// TinyEngine's own tensor sizes against PatchTop's (may be negative).
        public var sizingBytes: Int
        public var heldPastLastUseBytes: Int
        public var allocatorGapBytes: Int
        public var im2colBytes: Int
        public var kernelBufferBytes: Int
    }

    public struct HeldTensor: Codable, Equatable, Sendable {
        /// The TFLite tensor index (TinyEngine's name for it is `name`).
        public var tensor: Int?
        public var name: String
        public var bytes: Int
        public var freeableAfterLayer: Int
        public var heldUntilLayer: Int
        public var reason: String
    }

    public var peakMemBytes: Int
    public var arenaBytes: Int
    public var im2colBytes: Int
    public var kernelBufferBytes: Int
    /// TinyEngine's `split_index`; `null` for layer by layer.
    public var splitIndex: Int?
    public var patches: Int
    public var layerCount: Int
    public var overheads: Overheads?
    public var heldTensors: [HeldTensor]
    public var warnings: [String]

    public init(_ estimate: TinyEngineEstimate) {
        let memory = estimate.memory
        peakMemBytes = memory.peakMemBytes
        arenaBytes = memory.arenaBytes
        im2colBytes = memory.im2colBytes
        kernelBufferBytes = memory.kernelBufferBytes
        splitIndex = estimate.splitIndex
        patches = memory.patches
        layerCount = estimate.layerCount
        overheads = estimate.overheads.map {
            Overheads(planBytes: $0.planBytes, sizingBytes: $0.sizingBytes, heldPastLastUseBytes: $0.heldPastLastUseBytes,
                      allocatorGapBytes: $0.allocatorGapBytes, im2colBytes: $0.im2colBytes, kernelBufferBytes: $0.kernelBufferBytes)
        }
        heldTensors = memory.heldTensors.map {
            HeldTensor(tensor: $0.tensor, name: $0.name, bytes: $0.bytes, freeableAfterLayer: $0.freeableAfterLayer, heldUntilLayer: $0.heldUntilLayer, reason: $0.reason)
        }
        warnings = estimate.warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(peakMemBytes, forKey: .peakMemBytes)
        try c.encode(arenaBytes, forKey: .arenaBytes)
        try c.encode(im2colBytes, forKey: .im2colBytes)
        try c.encode(kernelBufferBytes, forKey: .kernelBufferBytes)
        try c.encode(splitIndex, forKey: .splitIndex)  // null, not absent, for layer by layer
        try c.encode(patches, forKey: .patches)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(overheads, forKey: .overheads)
        try c.encode(heldTensors, forKey: .heldTensors)
        try c.encode(warnings, forKey: .warnings)
    }
}

/// TinyEngine's part of the `engines` object: the estimate, or `null` and
/// the reason there is none.
public struct TinyEngineEngineJSON: Codable, Equatable, Sendable {
    public var tinyEngine: TinyEngineJSON?
    public var tinyEngineUnavailable: String?

    public init(model: Model, patches: Int, patchLayers: Int) {
        switch TinyEngineEstimate.of(model: model, patches: patches, patchLayers: patchLayers) {
        case .success(let estimate):
            tinyEngine = TinyEngineJSON(estimate)
            tinyEngineUnavailable = nil
        case .failure(let why):
            tinyEngine = nil
            tinyEngineUnavailable = why.reason
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tinyEngine, forKey: .tinyEngine)
        try c.encodeIfPresent(tinyEngineUnavailable, forKey: .tinyEngineUnavailable)
    }
}
