import PatchTopModel
import PatchTopPlan

/// Where an operand's bytes sit while a step runs.
enum Location: Equatable, Sendable {
    /// At this offset of the arena.
    case arena(Int)
    /// At this offset of the program's constant pool.
    case constant(Int)
    /// Outside the arena, in a buffer of the caller's side: a streamed
    /// input (read the way a camera or decoder would hand it over), or
    /// under `--int8-io` the float input and outputs.
    case external(tensor: Int)
}

/// One tensor as one step sees it: where it is and which part it holds.
struct Operand: Equatable, Sendable {
    var location: Location
    var bytes: Int
    /// The rows and columns held (the whole tensor, or one patch's region;
    /// 1×1 for tensors that are not feature maps).
    var region: Region2D
}

/// A step with every operand resolved to memory.
struct Instruction: Sendable {
    var step: ScheduledStep
    /// Every tensor the op reads or writes.
    var operands: [Int: Operand]
    var output: Operand
    /// Output positions this step computes, in full-tensor coordinates.
    var rows: Range<Int>
    var cols: Range<Int>
    /// Copies to make before the op: a streamed input's patch region into
    /// its per-patch buffer.
    var loads: [(from: Operand, to: Operand, rows: Range<Int>, cols: Range<Int>, pixelBytes: Int)] = []
    /// The staging channel of a depthwise conv computed in place (its input
    /// and output then share one buffer).
    var staging: Operand?
    /// A conv with a residual ADD fused in: it writes `skip + conv` over the
    /// skip, a row at a time through the scratch row, and never its own
    /// output.
    var fusion: Fusion?
    /// A residual ADD already done by its conv: nothing left to run.
    var fusedAway = false

    struct Fusion: Sendable {
        var add: BinaryTableInt8
        var convOutputIsFirst: Bool
        var skip: Operand
        var scratch: Operand
    }
    /// After the op: the whole stage output that receives this patch's part
    /// of a per-patch output.
    var store: (to: Operand, rows: Range<Int>, cols: Range<Int>, pixelBytes: Int)?
    /// Halo caches: what is copied out of them into the output's buffer
    /// before the op (it computes only the rest), and into them after.
    var cacheReads: [Copy] = []
    var cacheWrites: [Copy] = []

    /// Rows × cols (all channels) of one tensor between two of its buffers.
    struct Copy: Sendable {
        var from: Operand
        var to: Operand
        var rows: Range<Int>
        var cols: Range<Int>
        var pixelBytes: Int
    }
}
