import PatchTopModel
import PatchTopPlan
import PatchTopRuntime

/// Step mode on the runtime's `ArenaSession`: the plan compiled into an
/// arena program, executed one scheduled step (an op, or one patch of a
/// stage op) per `step()`, on the same seeded input as the background runs.
public struct RuntimeStepDriver: StepDriver {
    public let session: ArenaSession
    /// The layer-by-layer output, to say at the end whether the patched one is identical.
    let reference: [Int8]?

    public init(model: Model, request: RunRequest, seed: UInt64 = 0) throws(RuntimeError) {
        let interpreter = try Interpreter(model: model)
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: model, patches: request.patches, patchLayers: request.patchLayers, options: request.options)
        } catch {
            throw .plan(error)
        }
        guard let inIndex = model.inputs.first else { throw .noInputOrOutput(model: model.name) }
        let input = SeededInput.bytes(for: model.tensors[inIndex], seed: seed)
        let program = try ArenaProgram(interpreter: interpreter, plan: plan)
        session = try ArenaSession(program: program, input: input)
        reference = try? interpreter.run(input: input)
    }

    public func snapshot() -> StepSnapshot {
        let program = session.program
        let model = program.interpreter.model
        let blocks = session.occupancy().map {
            ArenaBlock(tensor: $0.tensor, perPatch: $0.isPerPatch, staging: $0.kind == .inplaceStaging(op: $0.kind.op ?? -1),
                       scratch: $0.kind == .residualScratch(op: $0.kind.op ?? -1), offset: $0.offset, bytes: $0.bytes)
        }
        var values: StepValues?
        if let last = session.last, model.operators.indices.contains(last.op),
           let held = session.values(ofTensor: model.operators[last.op].output) {
            values = StepValues(tensor: held.tensor, rows: held.region.rows, cols: held.region.cols, channels: held.channels, data: held.data)
            // A stage output is held whole, but a patch step has written only
            // its own patch of it; the rest is still the arena's paint.
            if let patch = last.patch, program.plan.patchRegions.indices.contains(patch), program.plan.stageOutputs.contains(held.tensor) {
                let own = program.plan.patchRegions[patch]
                values = values?.cropped(rows: own.rows, cols: own.cols)
            }
        }
        let identical: Bool? = session.isFinished ? session.output.flatMap { output in reference.map { $0 == output } } : nil
        return StepSnapshot(
            position: session.position, stepCount: program.schedule.count,
            last: session.last.map { StepPoint(op: $0.op, patch: $0.patch) },
            next: session.next.map { StepPoint(op: $0.op, patch: $0.patch) },
            blocks: blocks, arenaBytes: program.layout.arenaBytes, values: values,
            isFinished: session.isFinished, identical: identical
        )
    }

    public mutating func step() throws(RuntimeError) -> StepSnapshot {
        try session.step()
        return snapshot()
    }
}

/// Opens step-through sessions on the runtime for `model`.
public func stepDriverFactory(_ model: Model) -> ((RunRequest) throws(RuntimeError) -> any StepDriver)? {
    { request throws(RuntimeError) in try RuntimeStepDriver(model: model, request: request) }
}
