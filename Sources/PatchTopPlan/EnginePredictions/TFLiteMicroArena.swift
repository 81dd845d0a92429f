import PatchTopModel

/// The smallest `tensor_arena` TensorFlow Lite Micro needs to allocate and
/// run a model with its reference kernels, and where every byte goes.
///
/// Example: person_detect needs 85,264 bytes = a head of 55,296 bytes (the
/// activations its greedy planner lays out, the same as PatchTop's liveness
/// peak) + a tail of 29,968 bytes of persistent data, 21,920 of them the
/// per-channel multipliers and shifts of its 28 convolutions.
///
/// The figure is what `tflite_micro.runtime.Interpreter.from_bytes(model,
/// arena_size=n)` accepts at the least (Scripts/measure_tflm_arena.py finds
/// it by bisection): a 64-bit host with the Python interpreter's recording
/// allocator, whose own objects sit in the tail. PatchTop replays, byte for
/// byte, what that interpreter allocates: its allocator objects, the
/// `TfLiteEvalTensor` and node arrays, each op's parsed options, each
/// kernel's `Init` and `Prepare` allocations (with their temporary tensors
/// and scratch-buffer requests), the greedy plan of the head with TFLite
/// Micro's 16-byte alignment, and the persistent input and output tensors.
public struct TFLiteMicroArena: Equatable, Sendable {
    /// What a byte of the tail holds.
    public enum TailKind: String, CaseIterable, Codable, Sendable {
        /// The Python interpreter's allocator, planner and builtin-data
        /// allocator objects, and the per-subgraph allocation table.
        case interpreter
        /// One `TfLiteEvalTensor` per tensor of the model.
        case evalTensors
        /// One node-and-registration struct per op.
        case nodes
        /// Each op's parsed builtin options (`TfLiteConvParams`, …).
        case opOptions
        /// Each kernel's `OpData` from its `Init`.
        case opData
        /// Per-channel output multipliers and shifts of conv, depthwise
        /// conv and per-channel fully-connected ops.
        case perChannelQuantization
        /// The interpreter's arrays of input and output tensor pointers.
        case tensorPointers
        /// Persistent `TfLiteTensor` structs of the graph inputs and outputs.
        case ioTensors
        /// Their quantization structs and zero-point arrays.
        case ioQuantization
        /// One handle per scratch buffer kernels requested.
        case scratchHandles
        /// Data of variable tensors, which live outside the plan.
        case variables

        /// Words for reports.
        public var label: String {
            switch self {
            case .interpreter: "interpreter objects"
            case .evalTensors: "eval tensors"
            case .nodes: "nodes"
            case .opOptions: "op options"
            case .opData: "kernel op data"
            case .perChannelQuantization: "per-channel quantization"
            case .tensorPointers: "input/output pointers"
            case .ioTensors: "input/output tensors"
            case .ioQuantization: "input/output quantization"
            case .scratchHandles: "scratch handles"
            case .variables: "variable tensors"
            }
        }
    }

    /// What the figure is for, in words: the interpreter and host whose
    /// allocations PatchTop replays (and on which they were measured).
    public static let basis = "tflite-micro 0.dev20261023182759's Python interpreter, 64-bit host, reference kernels"

    /// The smallest arena that allocates and invokes.
    public let arenaBytes: Int
    /// The planned, non-persistent area: activations and kernel scratch
    /// buffers as the greedy planner lays them out.
    public let headBytes: Int
    /// Persistent allocations, alignment padding included.
    public let tailBytes: Int
    /// Bytes of the tail by kind (padding counted with the allocation that
    /// caused it); they sum to `tailBytes`.
    public let tail: [TailKind: Int]
    /// Scratch buffers kernels requested (MEAN takes three), planned in the
    /// head beside the activations.
    public let scratchBufferCount: Int
    /// The most bytes the head's buffers (16-byte rounded, scratch
    /// included) hold at one step; `headBytes` minus this is what the greedy
    /// placement loses to gaps, and this minus PatchTop's liveness peak is
    /// what rounding and scratch buffers add.
    public let headLiveBytes: Int
    /// Bytes the arena needs beyond head + tail while TFLite Micro prepares
    /// and plans the model (0 when, as on every model measured, the final
    /// layout is what limits it).
    public var planningBytes: Int { arenaBytes - headBytes - tailBytes }

    public init(
        arenaBytes: Int, headBytes: Int, tailBytes: Int, tail: [TailKind: Int], scratchBufferCount: Int,
        headLiveBytes: Int? = nil
    ) {
        self.arenaBytes = arenaBytes
        self.headBytes = headBytes
        self.tailBytes = tailBytes
        self.tail = tail
        self.scratchBufferCount = scratchBufferCount
        self.headLiveBytes = headLiveBytes ?? headBytes
    }

    /// The prediction for `model`, or why there is none (an op PatchTop has
    /// no allocation model for, an int16 kernel, control flow, an offline
    /// memory plan, compressed tensors).
    public static func predict(for model: Model) -> Result<TFLiteMicroArena, TFLiteMicroUnavailable> {
        switch TFLiteMicroAllocationProgram.build(for: model) {
        case .failure(let unavailable):
            return .failure(unavailable)
        case .success(let program):
            guard let arena = program.smallestArena() else {
                return .failure(TFLiteMicroUnavailable(reason: "no arena up to 1 TiB holds the model"))
            }
            guard program.isInsensitiveToUncertainties else {
                let ops = program.uncertainties.map { "op \($0.op) (\(model.operators[$0.op].kind.name))" }
                return .failure(TFLiteMicroUnavailable(reason:
                    "the smallest arena depends on the temporary memory \(ops.joined(separator: ", ")) takes while "
                    + "it prepares, which for per-channel weights PatchTop knows only to within a few dozen bytes "
                    + "in the measured TFLite Micro build"))
            }
            return .success(arena)
        }
    }
}
