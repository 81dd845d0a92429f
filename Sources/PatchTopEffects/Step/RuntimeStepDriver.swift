import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// Step mode on the runtime's `ArenaSession`: the plan compiled into an
/// arena program once, executed one scheduled step (an op, or one patch of
/// a stage op) at a time, on the same seeded input as the background runs.
///
/// Stepping back replays a fresh session from the start to the step
/// before: the arena's earlier contents are gone once overwritten, and
/// replaying is as cheap as the steps themselves. The layer-by-layer
/// reference output is computed only when the session reaches the end.
/// Everything here runs on the effect performer's step worker, never on
/// the input thread.
///
/// A model with an op the runtime cannot run is stepped as far as the
/// runtime goes (see `RunnablePrefix`): the patch stage runs and is
/// checked when it ends before that op, and every snapshot says where the
/// session stops and why.
public struct RuntimeStepDriver: StepDriver {
    public private(set) var session: ArenaSession
    let program: ArenaProgram
    let input: [Int8]
    /// The run generation that opened the session (stamped on every snapshot).
    let generation: Int
    /// Every layer-by-layer output (a detector has several), computed at
    /// the first finished snapshot.
    private var reference: [[Int8]]?

    /// Where the session stops short of the model's end, and why (`nil`: it runs to the end).
    public let stopNote: String?

    public init(model full: Model, request: RunRequest, seed: UInt64 = 0) throws {
        var model = full
        let prepared: PreparedModel
        var note: String?
        do {
            prepared = try PreparedModel(model: full)
        } catch {
            guard let prefix = RunnablePrefix.of(full, failure: error) else { throw error }
            let op = full.operators[prefix.stop]
            guard request.patchLayers <= prefix.stop || request.patches <= 1 else {
                throw StepError("the patch stage (ops 0–\(request.patchLayers - 1)) reaches op \(prefix.stop) (\(op.kind.name)), which the runtime cannot run: \(prefix.reason)")
            }
            if let stage = request.stages?.first(where: { $0.lastOp >= prefix.stop && $0.grid.count > 1 }) {
                throw StepError("the fused stage of ops \(stage.firstOp)–\(stage.lastOp) reaches op \(prefix.stop) (\(op.kind.name)), which the runtime cannot run: \(prefix.reason)")
            }
            model = prefix.model
            prepared = prefix.prepared
            note = "stops before op \(prefix.stop) (\(op.kind.name)): \(prefix.reason)"
        }
        stopNote = note
let plan = try request.plan(for: prepared.model)
        let pipeline = try Pipeline(prepared: prepared, plan: plan)
        guard let inIndex = model.inputs.first else { throw StepError("\(model.name) has no input") }
        // The program (made above) refuses an arena above the limit before
        // the input's bytes are made.
        program = pipeline.program
        input = SeededInput.bytes(for: model.tensors[inIndex], seed: seed)
        session = try ArenaSession(program: program, input: input)
        generation = request.generation
        schedule = program.schedule.map { StepPoint(op: $0.op, patch: $0.patch) }
    }

    public let schedule: [StepPoint]
    public var position: Int { session.position }

    public mutating func step() throws {
        try session.step()
        if session.isFinished, reference == nil {
            reference = try? Pipeline(prepared: program.prepared).program.run(input: input)?.outputs
        }
    }

    public mutating func seek(to target: Int) throws {
        let target = max(0, min(schedule.count, target))
        if target < session.position { session = try ArenaSession(program: program, input: input) }
        while session.position < target { try step() }
    }

    /// A tensor's bytes as the heatmap's values: int8 as they are, float32 decoded.
    static func values(tensor: Int, rows: Range<Int>, cols: Range<Int>, channels: Int, bytes: [Int8], model: Model) -> StepValues {
        guard model.tensors.indices.contains(tensor), model.tensors[tensor].type == .float32 else {
            return StepValues(tensor: tensor, rows: rows, cols: cols, channels: channels, data: bytes)
        }
        let floats = stride(from: 0, to: bytes.count - 3, by: 4).map { i -> Float in
            let b = (0..<4).map { UInt32(UInt8(bitPattern: bytes[i + $0])) }
            return Float(bitPattern: b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24)
        }
        return StepValues(tensor: tensor, rows: rows, cols: cols, channels: channels, floats: floats)
    }

    public func snapshot() -> StepSnapshot {
        let model = program.prepared.model
        let blocks = session.occupancy().map { ArenaBlock(kind: $0.kind, tensor: $0.tensor, offset: $0.offset, bytes: $0.bytes) }
        var values: StepValues?
        if let last = session.last, model.operators.indices.contains(last.op),
           let held = session.values(ofTensor: model.operators[last.op].output) {
            values = Self.values(tensor: held.tensor, rows: held.region.rows, cols: held.region.cols, channels: held.channels,
                                 bytes: held.data, model: model)
            // A stage output is held whole, but a tile step has written only
            // its own tile of it; the rest is still the arena's paint.
            if let patch = last.patch, let stage = program.plan.fusedStage(of: last.op), stage.tileRegions.indices.contains(patch),
               stage.outputs.contains(held.tensor) {
                let own = stage.tileRegions[patch]
                values = values?.cropped(rows: own.rows, cols: own.cols)
            }
        }
        // At the end, a graph output the arena does not hold (written to
        // the caller's buffer) is shown from the outputs themselves.
        if values == nil, session.isFinished, let tensor = model.callerOutputs.first, let bytes = try? session.finalOutputs().first {
            let shape = model.tensors[tensor].shape
            let (rows, cols, channels) = shape.count == 4 ? (shape[1], shape[2], shape[3]) : (1, 1, max(1, shape.last ?? 1))
            values = Self.values(tensor: tensor, rows: 0..<rows, cols: 0..<cols, channels: channels, bytes: bytes, model: model)
        }
        let identical: Bool? = session.isFinished ? (try? session.finalOutputs()).flatMap { outputs in reference.map { $0 == outputs } } : nil
        return StepSnapshot(
            generation: generation, position: session.position, stepCount: schedule.count,
            last: session.last.map { StepPoint(op: $0.op, patch: $0.patch) },
            next: session.next.map { StepPoint(op: $0.op, patch: $0.patch) },
            blocks: blocks, arenaBytes: program.layout.arenaBytes, values: values,
            isFinished: session.isFinished, identical: identical, stopNote: stopNote
        )
    }
}

/// Opens step-through sessions on the runtime for `model`.
public func stepDriverFactory(_ model: Model) -> @Sendable (RunRequest) throws -> any StepDriver {
    { request throws in try RuntimeStepDriver(model: model, request: request) }
}
