import PatchTopModel
import PatchTopPlan

/// One buffer live at the peak, in `plan --json` and `analyze --json`
/// (`peakBuffers`, summing to `peakBytes`).
public struct PeakBufferJSON: Codable, Equatable, Sendable {
    /// `tensor`, `patch region`, `in-place staging`, `residual scratch`.
    public var kind: String
    /// The tensor it holds (`null` for staging and scratch).
    public var tensor: Int?
    /// The op a staging buffer or scratch row belongs to.
    public var op: Int?
    public var bytes: Int
    public var firstOp: Int
    public var lastOp: Int

    init(_ buffer: MemorySchedule.PeakBuffer) {
        kind = buffer.kind.label
        tensor = buffer.tensor
        op = buffer.kind.op
        bytes = buffer.bytes
        firstOp = buffer.firstOp
        lastOp = buffer.lastOp
    }

    static func list(_ schedule: MemorySchedule) -> [PeakBufferJSON] { schedule.peakBuffers.map(PeakBufferJSON.init) }
}

/// What `--fold-pad` did with each PAD: `foldedPads` (op and the ops it
/// was folded into) and `keptPads` (op and why not).
public struct PadFoldingJSON: Codable, Equatable, Sendable {
    public struct Folded: Codable, Equatable, Sendable {
        public var op: Int
        public var into: [Int]
    }

    public struct Kept: Codable, Equatable, Sendable {
        public var op: Int
        public var reason: String
    }

    public var folded: [Folded]
    public var kept: [Kept]

    init(_ rewrite: GraphRewrite) {
        folded = rewrite.foldedPads.compactMap { op in
            guard case .foldedPad(let into) = rewrite.detached[op] else { return nil }
            return Folded(op: op, into: into)
        }
        kept = rewrite.keptPads.map { Kept(op: $0.op, reason: $0.reason) }
    }
}
