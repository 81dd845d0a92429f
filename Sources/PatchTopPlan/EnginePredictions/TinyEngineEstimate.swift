import PatchTopModel

/// TinyEngine's PEAK_MEM for one of PatchTop's plans, and where every byte
/// of it goes beyond what the plan needs:
///
///     PEAK_MEM = plan + sizing + held past last use + allocator gaps + im2col + kernel buffer
///
/// - plan: PatchTop's own peak for the same (p, n) under TinyEngine's
///   assumptions (`TinyEngineEstimate.assumptions`);
/// - sizing: TinyEngine's tensor sizes against PatchTop's (4-byte rounding,
///   per-patch buffers for the unclipped receptive field, stage ops it does
///   not resize), counted with every tensor freed after its last reader;
/// - held past last use: tensors TinyEngine frees late (in patch mode the
///   last stage layer's per-patch output is never freed);
/// - allocator gaps: arena above the most bytes live at once (first fit by
///   decreasing size);
/// - im2col and kernel buffer: the largest `sbuf` and `kbuf`, static regions
///   after the arena.
public struct TinyEngineEstimate: Sendable {
    public struct Overheads: Equatable, Sendable {
        public var planBytes: Int
        public var sizingBytes: Int
        public var heldPastLastUseBytes: Int
        public var allocatorGapBytes: Int
        public var im2colBytes: Int
        public var kernelBufferBytes: Int

        public var total: Int {
            planBytes + sizingBytes + heldPastLastUseBytes + allocatorGapBytes + im2colBytes + kernelBufferBytes
        }
    }

    public let memory: TinyEngineMemory
    public let splitIndex: Int?
    /// Layers in TinyEngine's list for the model (split indices run 1…count − 1).
    public let layerCount: Int
    /// `nil` when PatchTop cannot plan the same (p, n) (the reason is in `warnings`).
    public let overheads: Overheads?
    public let warnings: [String]

    /// PatchTop's memory options closest to TinyEngine's: depthwise convs in
    /// place; the input image outside SRAM for patch plans (each patch is
    /// copied in from the caller's buffer).
    public static func assumptions(patched: Bool) -> MemoryOptions {
        MemoryOptions(inplaceDepthwise: true, streamInput: patched, foldPad: true, int8IO: true)
    }

    /// TinyEngine's figures for `patches` × `patches` patches over the first
    /// `patchLayers` TFLite ops (PatchTop's n); layer by layer for n = 0 or p = 1.
    public init(model: Model, patches: Int, patchLayers: Int) throws(TinyEngineUnavailable) {
        let list = try TinyEngineLayerList(model: model)
        let patched = patches > 1 && patchLayers > 0
        var split: Int?
        if patched {
            switch list.splitIndex(forPatchLayers: patchLayers) {
            case .success(let s): split = s
            case .failure(let why): throw why
            }
        }
        try self.init(list: list, patches: patched ? patches : 1, splitIndex: split, patchLayers: patched ? patchLayers : 0)
    }

    /// The same from TinyEngine's own numbering.
    public init(model: Model, patches: Int, splitIndex: Int) throws(TinyEngineUnavailable) {
        let list = try TinyEngineLayerList(model: model)
        let n = try list.patchLayers(forSplitIndex: splitIndex)
        let patched = patches > 1 && splitIndex > 0
        try self.init(list: list, patches: patched ? patches : 1, splitIndex: patched ? splitIndex : nil, patchLayers: patched ? n : 0)
    }

    init(list: TinyEngineLayerList, patches: Int, splitIndex: Int?, patchLayers: Int) throws(TinyEngineUnavailable) {
        let memory = try TinyEngineMemory(layers: list, patches: patches, splitIndex: splitIndex)
        self.memory = memory
        self.splitIndex = memory.splitIndex
        layerCount = list.layers.count
        var warnings = memory.warnings
        let patched = memory.splitIndex != nil
        do {
            let plan = try PatchPlan(model: list.model, patches: patched ? patches : 1, patchLayers: patched ? patchLayers : 0,
                                     options: Self.assumptions(patched: patched))
            overheads = Overheads(
                planBytes: plan.peakBytes,
                sizingBytes: memory.tightLivenessBytes - plan.peakBytes,
                heldPastLastUseBytes: memory.livenessBytes - memory.tightLivenessBytes,
                allocatorGapBytes: memory.arenaBytes - memory.livenessBytes,
                im2colBytes: memory.im2colBytes,
                kernelBufferBytes: memory.kernelBufferBytes)
        } catch {
            overheads = nil
            warnings.append("PatchTop cannot plan p=\(patches), n=\(patchLayers) to compare: \(error.description)")
        }
        self.warnings = warnings
    }

    /// The whole estimate for a plan, or why there is none, as reports show it.
    public static func of(model: Model, patches: Int, patchLayers: Int) -> Result<TinyEngineEstimate, TinyEngineUnavailable> {
        do {
            return .success(try TinyEngineEstimate(model: model, patches: patches, patchLayers: patchLayers))
        } catch {
            return .failure(error)
        }
    }
}
