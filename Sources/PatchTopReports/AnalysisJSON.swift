import PatchTopModel
import PatchTopPlan

/// The JSON object `patchtop analyze --json` prints. Field names are an
/// interface scripts rely on: add fields, never rename them.
public struct AnalysisJSON: Codable, Equatable, Sendable {
    public struct Op: Codable, Equatable, Sendable {
        public var index: Int
        public var op: String
        public var kernel: String
        public var outputShape: [Int]
        public var outputBytes: Int
        public var liveBytes: Int
        public var macs: Int
    }

    public var model: String
    public var peakBytes: Int
    public var peakOp: Int
    /// The layer-by-layer arena laid out ahead of time (≥ `peakBytes`).
    public var arenaBytes: Int
    public var macs: Int
    public var weightBytes: Int
    public var inplaceDepthwise: Bool
    public var streamInput: Bool
    public var fuseResidual: Bool
    public var foldPad: Bool
    public var int8IO: Bool
    /// With `foldPad`: the PADs folded and those kept, with why.
    public var pads: PadFoldingJSON?
    /// The buffers live at the peak op, summing to `peakBytes`.
    public var peakBuffers: [PeakBufferJSON]
    public var ops: [Op]
    /// What each inference engine would reserve for the model.
    public var engines: EnginesJSON
    /// With `--target`: predicted instructions for one inference.
    public var instructions: Int?
    /// With `--target`: the prediction, per op.
    public var latency: LatencyJSON?

    public init(_ report: AnalysisReport) {
        model = report.model.name
        peakBytes = report.memory.peakBytes
        peakOp = report.memory.peakOp
        arenaBytes = report.arenaBytes
        macs = report.model.macs
        weightBytes = report.model.weightBytes
        inplaceDepthwise = report.memory.options.inplaceDepthwise
        streamInput = report.memory.options.streamInput
        fuseResidual = report.memory.options.fuseResidual
        foldPad = report.memory.options.foldPad
        int8IO = report.memory.options.int8IO
        pads = foldPad ? PadFoldingJSON(report.model.rewrite) : nil
        peakBuffers = PeakBufferJSON.list(report.memory)
        engines = EnginesJSON(tflm: report.tfliteMicro, tinyEngine: TinyEngineEngineJSON(model: report.model, patches: 1, patchLayers: 0))
        ops = LayerRow.rows(of: report.model, memory: report.memory).map {
            Op(index: $0.index, op: $0.op, kernel: $0.kernel, outputShape: $0.outputShape,
               outputBytes: $0.outputBytes, liveBytes: $0.liveBytes, macs: $0.macs)
        }
    }
}
