import PatchTopModel
import PatchTopPlan

/// `engines.tflm` in `patchtop analyze --json`: TFLite Micro's smallest
/// tensor arena for the model and where its bytes go, e.g. for
/// person_detect `{"arenaBytes": 85264, "headBytes": 55296, "tailBytes":
/// 29968, "tail": {"perChannelQuantization": …, …}, …}`. Field names are an
/// interface scripts rely on: add fields, never rename them.
public struct TFLiteMicroJSON: Codable, Equatable, Sendable {
    public var arenaBytes: Int
    /// Planned activations and kernel scratch buffers.
    public var headBytes: Int
    /// The most of those bytes live at one step (16-byte rounded): the
    /// head minus this is what the greedy planner loses to gaps.
    public var headLiveBytes: Int
    /// Persistent data; `tail` breaks it down by kind (every kind present,
    /// 0 where unused).
    public var tailBytes: Int
    public var tail: [String: Int]
    /// Bytes needed beyond head + tail while TFLite Micro prepares the model.
    public var planningBytes: Int
    /// Scratch buffers kernels requested, planned in the head.
    public var scratchBuffers: Int
    /// What the figure is for: the interpreter and host it was measured on.
    public var basis: String

    public init(_ arena: TFLiteMicroArena) {
        arenaBytes = arena.arenaBytes
        headBytes = arena.headBytes
        headLiveBytes = arena.headLiveBytes
        tailBytes = arena.tailBytes
        tail = Dictionary(uniqueKeysWithValues: TFLiteMicroArena.TailKind.allCases.map { ($0.rawValue, arena.tail[$0] ?? 0) })
        planningBytes = arena.planningBytes
        scratchBuffers = arena.scratchBufferCount
        basis = TFLiteMicroArena.basis
    }
}
