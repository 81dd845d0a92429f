import PatchTopModel

/// Every buffer a plan needs, what it holds, how big it is and from which
/// op to which: the one description of activation memory that the peak,
/// the arena layout, the program compiler and the views all read.
///
/// For MobileNetV2 at 224 layer by layer with in-place depthwise, the
/// buffers live at the peak (op 3, the first 1×1 expansion of block 2) are
/// `tensor 5` (112×112×16, 196 KiB) and `tensor 6` (112×112×96, 1176 KiB):
/// the paper's 1372 KiB. A patch plan adds `patchRegion` buffers (one
/// patch's region of a stage tensor, sized for the largest patch so one
/// static arena serves every patch); in-place depthwise convs share one
/// buffer between input and output plus an `inplaceStaging` channel; a
/// fused residual ADD writes into its skip's buffer through a
/// `residualScratch` row.
///
/// Steps are ops: a stage op stands for that op in every patch (each patch
/// reuses the same buffers). Buffers are built by the rules in
/// `MemorySchedule+Rules.swift`, one per memory option.
public struct MemorySchedule: Sendable {
    /// What a buffer is, and so what it is called in every view.
    public enum BufferKind: Hashable, Comparable, Sendable {
        /// A tensor held whole.
        case tensor(Int)
        /// One patch's region (all channels) of a stage tensor.
        case patchRegion(Int)
        /// The one-channel staging buffer of depthwise conv `op` computed in place.
        case inplaceStaging(op: Int)
        /// The scratch row of conv `op`, whose residual ADD is fused in.
        case residualScratch(op: Int)
        /// A halo cache of a stage tensor, carried from patch to patch.
        case haloCache(tensor: Int, direction: HaloCache.Direction)

        /// `tensor`, `patch region`, `in-place staging`, `residual scratch`.
        public var label: String {
            switch self {
            case .tensor: "tensor"
            case .patchRegion: "patch region"
            case .inplaceStaging: "in-place staging"
            case .residualScratch: "residual scratch"
            case .haloCache(_, .column): "column cache"
            case .haloCache(_, .row): "row cache"
            }
        }

        /// The tensor whose data it holds, `nil` for staging and scratch.
        public var tensor: Int? {
            switch self {
            case .tensor(let t), .patchRegion(let t), .haloCache(let t, _): t
            case .inplaceStaging, .residualScratch: nil
            }
        }

        /// The op a staging buffer or scratch row belongs to.
        public var op: Int? {
            switch self {
            case .inplaceStaging(let op), .residualScratch(let op): op
            case .tensor, .patchRegion, .haloCache: nil
            }
        }

        /// Whether it is one patch's buffer rather than whole.
        public var isPerPatch: Bool { if case .patchRegion = self { true } else { false } }
    }

    /// One thing a buffer holds, from op `firstOp` through `lastOp`.
    public struct Resident: Equatable, Hashable, Sendable {
        public var kind: BufferKind
        public var bytes: Int
        public var firstOp: Int
        public var lastOp: Int

        public func isLive(at op: Int) -> Bool { op >= firstOp && op <= lastOp }
    }

    /// One region of memory. Usually one resident; an in-place depthwise
    /// conv's output (and a fused residual's sum) moves into its input's
    /// buffer, so a buffer can hold several residents one after another,
    /// and its size at each op is the largest resident live there.
    public struct Buffer: Equatable, Sendable {
        /// What it holds, the first (its identity) first.
        public private(set) var residents: [Resident]
        public var kind: BufferKind { residents[0].kind }
        /// The ops it lives over, and the most bytes it holds at any op
        /// (kept with `residents`: every consumer asks for them).
        public private(set) var firstOp: Int
        public private(set) var lastOp: Int
        public private(set) var bytes: Int

        init(_ resident: Resident) {
            residents = [resident]
            (firstOp, lastOp, bytes) = (resident.firstOp, resident.lastOp, resident.bytes)
        }

        mutating func append(_ resident: Resident) {
            residents.append(resident)
            (firstOp, lastOp, bytes) = (min(firstOp, resident.firstOp), max(lastOp, resident.lastOp), max(bytes, resident.bytes))
        }

        /// Removes the resident at `index`; `false` when none is left.
        mutating func remove(at index: Int) -> Bool {
            residents.remove(at: index)
            guard let first = residents.first else { return false }
            firstOp = residents.reduce(first.firstOp) { min($0, $1.firstOp) }
            lastOp = residents.reduce(first.lastOp) { max($0, $1.lastOp) }
            bytes = residents.reduce(first.bytes) { max($0, $1.bytes) }
            return true
        }

        /// Bytes held at `op` (0 outside its life).
        public func bytes(at op: Int) -> Int {
            residents.reduce(0) { $1.isLive(at: op) ? max($0, $1.bytes) : $0 }
        }

        /// The most bytes held at any op of `ops` (0 when it is not live
        /// there): how much room it needs beside a buffer live over `ops`.
        public func bytes(during ops: ClosedRange<Int>) -> Int {
            residents.reduce(0) { $1.firstOp <= ops.upperBound && ops.lowerBound <= $1.lastOp ? max($0, $1.bytes) : $0 }
        }

        /// Bytes at each op `firstOp...lastOp`.
        public var sizes: [Int] { (firstOp...lastOp).map { bytes(at: $0) } }

        /// The resident that holds most at `op` (the later one on a tie: an
        /// in-place op's output).
        public func resident(at op: Int) -> Resident? {
            residents.filter { $0.isLive(at: op) }.max { ($0.bytes, $0.firstOp) < ($1.bytes, $1.firstOp) }
        }
    }

    /// A buffer live at the peak, for "why is my peak this high?".
    public struct PeakBuffer: Equatable, Hashable, Sendable {
        public var kind: BufferKind
        /// The tensor it holds there (`nil` for staging and scratch).
        public var tensor: Int?
        /// Its bytes at the peak op.
        public var bytes: Int
        /// The ops it lives over.
        public var firstOp: Int
        public var lastOp: Int
    }

    public let model: Model
    public let options: MemoryOptions
    /// The ops of each fused stage, in op order (none layer by layer).
    public let stageRanges: [ClosedRange<Int>]
    /// The op count of a fused stage at the head of the network (MCUNetV2's
    /// patch stage; 0 when none starts at op 0).
    public var patchLayers: Int { stageRanges.first.map { $0.lowerBound == 0 ? $0.upperBound + 1 : 0 } ?? 0 }
    /// The fused stage holding `op`, if any.
    public func stageRange(of op: Int) -> ClosedRange<Int>? { stageRanges.first { $0.contains(op) } }
    public let buffers: [Buffer]
    /// Activation tensors kept outside the arena: a streamed input (its
    /// patches are copied in), the caller's float input and outputs under
    /// `--int8-io`.
    public let external: Set<Int>
    /// Depthwise convs computed in place, in op order.
    public let inplaceOps: [InplaceDepthwise]
    /// Residual ADDs fused into their convs, in op order.
    public let fusedResiduals: [FusedResidual]
    /// Live bytes at each op.
    public let liveBytes: [Int]
    public let peakBytes: Int
    /// The first op that reaches the peak.
    public let peakOp: Int
    /// Buffer index by each kind it holds.
    let home: [BufferKind: Int]

    init(model: Model, options: MemoryOptions, stageRanges: [ClosedRange<Int>], buffers: [Buffer], external: Set<Int>,
         inplaceOps: [InplaceDepthwise], fusedResiduals: [FusedResidual]) {
        self.model = model
        self.options = options
        self.stageRanges = stageRanges
        self.buffers = buffers
        self.external = external
        self.inplaceOps = inplaceOps
        self.fusedResiduals = fusedResiduals
        var home: [BufferKind: Int] = [:]
        for (index, buffer) in buffers.enumerated() {
            for resident in buffer.residents { home[resident.kind] = index }
        }
        self.home = home
        let live = Self.liveBytes(of: buffers, ops: model.operators.count)
        liveBytes = live
        peakBytes = live.max() ?? 0
        peakOp = live.firstIndex(of: peakBytes) ?? 0
    }

    /// Live bytes of `buffers` at each op `0..<ops`.
    static func liveBytes(of buffers: [Buffer], ops: Int) -> [Int] {
        var live = [Int](repeating: 0, count: ops)
        for buffer in buffers where !live.isEmpty && buffer.firstOp < live.count {
            for op in max(buffer.firstOp, 0)...min(buffer.lastOp, live.count - 1) { live[op] += buffer.bytes(at: op) }
        }
        return live
    }

    /// The index in `buffers` of the buffer holding `kind`.
    public func buffer(holding kind: BufferKind) -> Int? { home[kind] }

    /// Buffers live at `op`, with the bytes they hold there.
    public func live(at op: Int) -> [(index: Int, bytes: Int)] {
        buffers.indices.compactMap { i in
            let bytes = buffers[i].bytes(at: op)
            return bytes > 0 ? (i, bytes) : nil
        }
    }

    /// The buffers live at the peak op, largest first; their bytes sum to
    /// `peakBytes`.
    public var peakBuffers: [PeakBuffer] {
        guard !liveBytes.isEmpty else { return [] }
        return live(at: peakOp).map { index, bytes in
            let buffer = buffers[index]
            let kind = buffer.resident(at: peakOp)?.kind ?? buffer.kind
            return PeakBuffer(kind: kind, tensor: kind.tensor, bytes: bytes, firstOp: buffer.firstOp, lastOp: buffer.lastOp)
        }.sorted { ($0.bytes, $1.kind) > ($1.bytes, $0.kind) }
    }

    /// Tensors live at `op` whole or per patch, in tensor order.
    public func liveTensors(at op: Int) -> [Int] {
        buffers.flatMap { buffer in
            buffer.residents.compactMap { resident -> Int? in
                guard resident.isLive(at: op), resident.bytes > 0 else { return nil }
                switch resident.kind {
                case .tensor(let t), .patchRegion(let t): return t
                default: return nil
                }
            }
        }.sorted()
    }
}
