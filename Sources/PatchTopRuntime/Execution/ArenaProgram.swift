import PatchTopModel
import PatchTopPlan

/// A model compiled for one plan: the arena layout, the order of work, and
/// for every piece of work where each of its tensors sits in memory.
///
/// This is what a microcontroller runtime fixes ahead of time. Every
/// activation lives at a planned offset of one contiguous arena; a patch
/// plan adds per-patch buffers (one offset each, reused by every patch) for
/// the stage's tensors. Compiling resolves all of it once, so running only
/// calls kernels on pointers.
///
/// `p = 1` or `n = 0` compiles ordinary layer-by-layer inference.
public struct ArenaProgram: Sendable {
    public let prepared: PreparedModel
    public let plan: PatchPlan
    /// The offset of every buffer of the plan's memory schedule
    /// (`plan.layout`).
    public let layout: ArenaLayout
    /// Every piece of work in execution order.
    public let schedule: [ScheduledStep]
    let instructions: [Instruction]
    /// Constant tensors read as data (not weights), packed end to end.
    let constantPool: [Int8]
    /// Where every tensor sits, kept for sessions that look tensors up
    /// (the input to copy in, the output to read, step-through's values).
    let compiler: Compiler

    /// The largest arena a program may plan unless its caller says
    /// otherwise (`--max-arena`): 1 GiB, far above any microcontroller, far
    /// below what would exhaust the machine running PatchTop.
    public static let defaultArenaLimit = 1 << 30

    /// Compiles layer-by-layer inference.
    init(prepared: PreparedModel, options: MemoryOptions = .tfliteMicro,
                arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: prepared.model, patches: 1, patchLayers: 0, options: options)
        } catch {
            throw .plan(error)
        }
        try self.init(prepared: prepared, plan: plan, arenaLimit: arenaLimit)
    }

    /// Compiles `plan`, which must have been made for `prepared.model`.
    /// An arena above `arenaLimit` bytes is refused here, before any
    /// session allocates it.
    init(prepared: PreparedModel, plan: PatchPlan, arenaLimit: Int = ArenaProgram.defaultArenaLimit) throws(RuntimeError) {
        guard plan.model.tensors.count == prepared.model.tensors.count,
              plan.model.operators.count == prepared.model.operators.count else {
            throw .planForOtherModel(plan: plan.model.name, model: prepared.model.name)
        }
        // Folded PADs change the convs that read them: those are prepared
        // again for the plan's graph.
        let prepared = try prepared.adapted(to: plan.model)
        let model = prepared.model
        self.prepared = prepared
        self.plan = plan
        let layout = plan.layout
        guard layout.arenaBytes <= arenaLimit else {
            throw .arenaTooLarge(model: model.name, bytes: layout.arenaBytes, limit: arenaLimit)
        }
        self.layout = layout
        var pool: [Int8] = []
        var constantOffsets: [Int: Int] = [:]
        for (tensor, bytes) in prepared.constants.sorted(by: { $0.key < $1.key }) {
            constantOffsets[tensor] = pool.count
            pool += bytes
        }
        constantPool = pool
        let compiler = Compiler(model: model, plan: plan, layout: layout, constantOffsets: constantOffsets)
        self.compiler = compiler
        instructions = try compiler.compile(steps: prepared.steps)
        schedule = instructions.map(\.step)
    }

    /// Runs the program once on the raw bytes of the model's input, checking
    /// `shouldStop` between steps (a stale run in the TUI gives up early).
    ///
    /// The arena is painted before the run and the highest byte that changed
    /// is the measured arena, independent of the layout's own figure. Every
    /// call allocates and paints an arena and scans it afterwards: to time
    /// inference, restart one `ArenaSession` (as `timeInference` does).
    /// Returns `nil` when stopped.
    public func run(input: [Int8], shouldStop: () -> Bool = { false }) throws(RuntimeError) -> ArenaRunResult? {
        var measured = 0
        var outputs: [[Int8]] = []
        // A byte the run wrote with the paint value looks untouched; a second
        // paint settles it, and is only needed when the first falls short.
        for paint: UInt8 in [0xA5, 0x5A] {
            let session = try ArenaSession(program: self, input: input, paint: paint)
            guard try session.finish(shouldStop: shouldStop) else { return nil }
            measured = max(measured, session.highWaterMark())
            outputs = try session.finalOutputs()
            if measured >= layout.arenaBytes { break }
        }
        return ArenaRunResult(outputs: outputs, measuredArenaBytes: measured, plannedArenaBytes: layout.arenaBytes,
                              peakBytes: plan.peakBytes)
    }

    /// `run(input:)` on unsigned bytes (as read from a `.bin` file).
    public func run(inputBytes: [UInt8]) throws(RuntimeError) -> [UInt8] {
        guard let result = try run(input: inputBytes.map { Int8(bitPattern: $0) }) else { return [] }
        return result.output.map { UInt8(bitPattern: $0) }
    }
}

/// One piece of work: a whole op (layer by layer), or one patch of a stage op.
public struct ScheduledStep: Equatable, Hashable, Sendable {
    public var op: Int
    /// For an op of a fused stage: the tile of its stage's grid (an index
    /// into `plan.fusedStage(of: op).tileRegions`).
    public var patch: Int?

    public init(op: Int, patch: Int?) {
        self.op = op
        self.patch = patch
    }
}

/// What one run measured.
public struct ArenaRunResult: Equatable, Sendable {
    /// The bytes of every output the caller reads, in graph order.
    public var outputs: [[Int8]]
    /// The bytes of the model's first output.
    public var output: [Int8] { outputs.first ?? [] }
    /// The highest arena byte the run wrote, plus one.
    public var measuredArenaBytes: Int
    /// The arena the layout planned.
    public var plannedArenaBytes: Int
    /// The plan's liveness peak: no layout can be smaller.
    public var peakBytes: Int
}
