/// Where activation memory goes, op by op.
///
/// An activation tensor is a graph input, a graph output or an op output
/// without constant data; it takes `elements × element size` bytes. It is
/// live from the op that produces it (op 0 for graph inputs) through the last
/// op that reads it (the last op for graph outputs). The live bytes at op `i`
/// are the sum over tensors live at `i`; the peak is their maximum. With no
/// options this is exactly what TFLite Micro's planner reaches on
/// sequential CNNs (person_detect: 55,296 bytes at op 2).
public struct ActivationMemory: Equatable, Sendable {
    /// One activation tensor and the ops during which it occupies memory.
    public struct Lifetime: Equatable, Hashable, Sendable {
        public var tensor: Int
        public var bytes: Int
        /// First and last op (inclusive) during which it is live.
        public var firstOp: Int
        public var lastOp: Int

        public init(tensor: Int, bytes: Int, firstOp: Int, lastOp: Int) {
            self.tensor = tensor
            self.bytes = bytes
            self.firstOp = firstOp
            self.lastOp = lastOp
        }

        public func isLive(at op: Int) -> Bool { op >= firstOp && op <= lastOp }
    }

    public let options: MemoryOptions
    public let lifetimes: [Lifetime]
    /// Live bytes at each op.
    public let liveBytes: [Int]
    /// Bytes saved at each op by in-place depthwise (0 without the option).
    public let inplaceSavings: [Int]
    /// The depthwise convs computed in place, in op order.
    public let inplaceOps: [InplaceDepthwise]
    /// The residual ADDs fused into their convs (with `fuseResidual`).
    public let fusedResiduals: [FusedResidual]
    public let peakBytes: Int
    /// The first op that reaches the peak.
    public let peakOp: Int

    /// `fusionFrom`: only convs from this op on may fuse a residual ADD (a
    /// patch plan's stage runs its ops unfused).
    public init(model: Model, options: MemoryOptions = .tfliteMicro, fusionFrom: Int = 0) {
        self.options = options
        let opCount = model.operators.count
        let lastOp = max(opCount - 1, 0)
        var lifetimes: [Lifetime] = []
        for index in model.tensors.indices where model.isActivation(index) {
            let isInput = model.inputs.contains(index)
            let first = isInput ? 0 : (model.producer[index] ?? 0)
            var last = model.consumers[index].last ?? first
            if model.outputs.contains(index) { last = lastOp }
            let bytes = (isInput && options.streamInput) ? 0 : model.tensors[index].byteCount
            lifetimes.append(Lifetime(tensor: index, bytes: bytes, firstOp: first, lastOp: max(first, last)))
        }
        let fused = options.fuseResidual ? FusedResidual.candidates(in: model, from: fusionFrom) : []
        if !fused.isEmpty {
            // The conv output is never held; the ADD output is the skip's
            // buffer, which therefore lives on until the output's last reader.
            // A skip may itself be an earlier fused ADD's output (residual
            // blocks in a row): the buffer to extend is the one it lives in.
            var position: [Int: Int] = [:]
            for (i, lifetime) in lifetimes.enumerated() { position[lifetime.tensor] = i }
            var home: [Int: Int] = [:]
            for fusion in fused {
                let skipHome = home[fusion.skip] ?? fusion.skip
                guard let x = position[fusion.convOutput], let s = position[skipHome], let o = position[fusion.output] else { continue }
                lifetimes[x].bytes = 0
                lifetimes[s].lastOp = max(lifetimes[s].lastOp, lifetimes[o].lastOp)
                lifetimes[o].bytes = 0
                home[fusion.output] = skipHome
            }
        }
        self.fusedResiduals = fused
        var live = [Int](repeating: 0, count: opCount)
        for lifetime in lifetimes where opCount > 0 {
            for op in lifetime.firstOp...min(lifetime.lastOp, lastOp) { live[op] += lifetime.bytes }
        }
        for fusion in fused { live[fusion.conv] += fusion.scratchBytes }
        var savings = [Int](repeating: 0, count: opCount)
        var inplaceOps: [InplaceDepthwise] = []
        if options.inplaceDepthwise {
            let byTensor = Dictionary(lifetimes.map { ($0.tensor, $0) }, uniquingKeysWith: { a, _ in a })
            for op in model.operators {
                guard let inplace = Self.inplaceSaving(of: op, in: model, lifetimes: byTensor) else { continue }
                savings[op.index] = inplace.saving
                inplaceOps.append(InplaceDepthwise(op: op.index, input: op.inputs[0], output: op.output, stagingBytes: inplace.staging))
                live[op.index] -= inplace.saving
            }
        }
        self.inplaceOps = inplaceOps
        let peak = live.max() ?? 0
        self.lifetimes = lifetimes
        self.liveBytes = live
        self.inplaceSavings = savings
        self.peakBytes = peak
        self.peakOp = live.firstIndex(of: peak) ?? 0
    }

    /// Tensors live at `op`, in tensor order.
    public func liveTensors(at op: Int) -> [Lifetime] { lifetimes.filter { $0.isLive(at: op) } }

    /// What an in-place depthwise conv saves at its own op: input + output
    /// become max(input, output) + one padded input channel. `nil` where the
    /// op cannot run in place (not depthwise with one output channel per
    /// input channel, the input is read later or is a graph input/output, or
    /// it would save nothing).
    static func inplaceSaving(of op: Operator, in model: Model, lifetimes: [Int: Lifetime]) -> (saving: Int, staging: Int)? {
        guard op.kind == .depthwiseConv2D, let input = op.input(0),
              let inLife = lifetimes[input], let outLife = lifetimes[op.output],
              inLife.lastOp == op.index, !model.inputs.contains(input), !model.outputs.contains(input),
              model.tensors[input].shape.last == model.tensors[op.output].shape.last,
              model.tensors[input].type == model.tensors[op.output].type,
              let (h, w) = model.windowGeometry(of: op)
        else { return nil }
        let channelBuffer = (h.inputSize + h.padBefore + h.padAfter) * (w.inputSize + w.padBefore + w.padAfter)
            * (model.tensors[input].type.byteSize ?? 1)
        let saving = inLife.bytes + outLife.bytes - max(inLife.bytes, outLife.bytes) - channelBuffer
        return saving > 0 ? (saving, channelBuffer) : nil
    }
}
