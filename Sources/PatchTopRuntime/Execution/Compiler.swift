import PatchTopModel
import PatchTopPlan

/// Resolves every step of a plan to memory: each operand is looked up by
/// the kind of buffer the plan's memory schedule gives it.
struct Compiler: Sendable {
    let model: Model
    let plan: PatchPlan
    let constantOffsets: [Int: Int]
    /// Arena offset of every buffer kind the schedule has.
    let offsets: [MemorySchedule.BufferKind: Int]
    let inplace: [Int: InplaceDepthwise]
    let fused: [Int: FusedResidual]
    let fusedAdds: Set<Int>

    var schedule: MemorySchedule { plan.schedule }

    init(model: Model, plan: PatchPlan, layout: ArenaLayout, constantOffsets: [Int: Int]) {
        self.model = model
        self.plan = plan
        self.constantOffsets = constantOffsets
        var offsets: [MemorySchedule.BufferKind: Int] = [:]
        for placement in layout.placements {
            for resident in plan.schedule.buffers[placement.buffer].residents { offsets[resident.kind] = placement.offset }
        }
        self.offsets = offsets
        self.inplace = Dictionary(plan.schedule.inplaceOps.map { ($0.op, $0) }, uniquingKeysWith: { a, _ in a })
        self.fused = Dictionary(plan.schedule.fusedResiduals.map { ($0.conv, $0) }, uniquingKeysWith: { a, _ in a })
        self.fusedAdds = Set(plan.schedule.fusedResiduals.map(\.add))
    }

    /// The arena offset of `kind`, or a refusal naming `op`.
    func offset(_ kind: MemorySchedule.BufferKind, for op: Operator) throws(RuntimeError) -> Int {
        guard let offset = offsets[kind] else {
            throw .inconsistentPlan(op: op.index, kind: op.kind.name, reason: "needs a \(kind.label) buffer the arena does not have")
        }
        return offset
    }

    /// What a conv with a fused residual ADD needs: the ADD's table (from
    /// its prepared step), the skip's buffer and the scratch row.
    func fusion(_ op: Operator, steps: [PreparedModel.Step]) throws(RuntimeError) -> Instruction.Fusion? {
        guard let fusion = fused[op.index] else { return nil }
        guard case .binary(let table, _, _, _, _, _, _) = steps[fusion.add] else {
            throw .inconsistentPlan(op: fusion.add, kind: model.operators[fusion.add].kind.name, reason: "is fused into op \(op.index) but is not an ADD the runtime prepared")
        }
        let scratch = try offset(.residualScratch(op: op.index), for: op)
        return Instruction.Fusion(add: table, convOutputIsFirst: fusion.convOutputIsFirst, skip: try whole(fusion.skip),
                             scratch: Operand(location: .arena(scratch), bytes: fusion.scratchBytes, region: Region2D(height: 1, width: 1)))
    }

    /// The staging buffer of `op` when it runs in place.
    func staging(_ op: Operator) throws(RuntimeError) -> Operand? {
        guard let inplace = inplace[op.index] else { return nil }
        let offset = try offset(.inplaceStaging(op: op.index), for: op)
        return Operand(location: .arena(offset), bytes: inplace.stagingBytes, region: Region2D(height: 1, width: 1))
    }

    func compile(steps: [PreparedModel.Step]) throws(RuntimeError) -> [Instruction] {
        var instructions: [Instruction] = []
        let detached = model.rewrite.detached
        for stage in plan.fusedStages {
            for op in model.operators[stage.ops] where detached[op.index] == nil {
                try checkPatchable(op, steps[op.index])
            }
        }
        // The caller's float input becomes int8 as it enters (`--int8-io`).
        for op in model.rewrite.conversions {
            if case .inputConversion = detached[op] { instructions.append(try wholeInstruction(model.operators[op])) }
        }
        for planStage in plan.stages {
            guard let index = planStage.fused else {
                for op in model.operators[planStage.ops] where detached[op.index] == nil {
                    var instruction = try wholeInstruction(op)
                    instruction.fusion = try fusion(op, steps: steps)
                    instruction.fusedAway = fusedAdds.contains(op.index)
                    instructions.append(instruction)
                }
                continue
            }
            // A fused stage: every op of the block for one tile, tile by tile.
            let stage = plan.fusedStages[index]
            for tile in stage.tileRegions.indices {
                var loads = try streamedLoads(stage, tile: tile)
                for op in model.operators[stage.ops] where detached[op.index] == nil {
                    guard var instruction = try patchInstruction(op, stage, tile: tile) else { continue }
                    instruction.loads = loads
                    loads = []
                    instructions.append(instruction)
                }
            }
        }
        // The int8 outputs become float as they leave.
        for op in model.rewrite.conversions {
            if case .outputConversion = detached[op] { instructions.append(try wholeInstruction(model.operators[op])) }
        }
        return instructions
    }

    // MARK: - Operands

    func fullRegion(_ tensor: Int) -> Region2D {
        let shape = model.tensors[tensor].shape
        return shape.count == 4 ? Region2D(height: shape[1], width: shape[2]) : Region2D(height: 1, width: 1)
    }

    func pixelBytes(_ tensor: Int) -> Int {
        let t = model.tensors[tensor]
        return (t.shape.count == 4 ? t.shape[3] : 1) * (t.type.byteSize ?? 1)
    }

    /// The tensor held whole: a constant, the caller's streamed input, or
    /// its arena buffer.
    func whole(_ tensor: Int) throws(RuntimeError) -> Operand {
        let t = model.tensors[tensor]
        if let offset = constantOffsets[tensor] {
            return Operand(location: .constant(offset), bytes: t.byteCount, region: fullRegion(tensor))
        }
        if schedule.external.contains(tensor) {
            return Operand(location: .external(tensor: tensor), bytes: t.byteCount, region: fullRegion(tensor))
        }
        guard let offset = offsets[.tensor(tensor)] else {
            throw .noMemory(tensor: tensor, name: t.name, reason: "has no place in the arena")
        }
        return Operand(location: .arena(offset), bytes: t.byteCount, region: fullRegion(tensor))
    }

    /// Whether `tensor` sits in its stage's per-tile buffer during `tile`
    /// (an output of the stage whose region is just the tile is written in
    /// place; a tensor written before the stage is read whole).
    func usesPatchBuffer(_ tensor: Int, _ stage: FusedStage, tile: Int) -> Bool {
        guard stage.hasTileBuffer(tensor), offsets[.patchRegion(tensor)] != nil,
              let region = stage.region(of: tensor, tile: tile) else { return false }
        return !(stage.outputs.contains(tensor) && region == stage.tileRegions[tile])
    }

    func operand(_ tensor: Int, _ stage: FusedStage, tile: Int) throws(RuntimeError) -> Operand {
        guard usesPatchBuffer(tensor, stage, tile: tile), let region = stage.region(of: tensor, tile: tile) else {
            return try whole(tensor)
        }
        guard let offset = offsets[.patchRegion(tensor)] else {
            throw .noMemory(tensor: tensor, name: model.tensors[tensor].name, reason: "has no per-patch buffer in the arena")
        }
        return Operand(location: .arena(offset), bytes: region.area * pixelBytes(tensor),
                       region: Region2D(y: region.rows.lowerBound, x: region.cols.lowerBound,
                                        height: region.height, width: region.width))
    }

    // MARK: - Instructions

    func wholeInstruction(_ op: Operator) throws(RuntimeError) -> Instruction {
        var operands: [Int: Operand] = [:]
        // A conv whose residual ADD is fused writes over the skip instead of
        // its own output, which is never stored.
        let unstored = Set(schedule.fusedResiduals.map(\.convOutput))
        for tensor in op.inputs + op.outputs where tensor >= 0 && !unstored.contains(tensor) {
            if model.isActivation(tensor) || constantOffsets[tensor] != nil || schedule.external.contains(tensor) {
                operands[tensor] = try whole(tensor)
            }
        }
        let output: Operand
        if let fusion = fused[op.index] { output = try whole(fusion.skip) } else { output = try whole(op.output) }
        var instruction = Instruction(step: ScheduledStep(op: op.index, patch: nil), operands: operands, output: output,
                            rows: output.region.rows, cols: output.region.cols)
        instruction.staging = try staging(op)
        return instruction
    }

    /// Op `op` of fused `stage` for tile `patch` of its grid.
    func patchInstruction(_ op: Operator, _ stage: FusedStage, tile patch: Int) throws(RuntimeError) -> Instruction? {
        let region = stage.computed(tile: patch, op: op.index)
        let copies = stage.cacheCopies(tile: patch, op: op.index, model: model)
        guard !region.isEmpty || !copies.reads.isEmpty || !copies.writes.isEmpty else { return nil }
        var operands: [Int: Operand] = [:]
        for tensor in op.inputs where tensor >= 0 {
            if model.isActivation(tensor) || constantOffsets[tensor] != nil {
                operands[tensor] = try operand(tensor, stage, tile: patch)
            }
        }
        let output = try operand(op.output, stage, tile: patch)
        operands[op.output] = output
        var instruction = Instruction(step: ScheduledStep(op: op.index, patch: patch), operands: operands, output: output,
                            rows: region.rows, cols: region.cols)
        instruction.staging = try staging(op)
        instruction.cacheReads = try copies.reads.map { copy throws(RuntimeError) in
            Instruction.Copy(from: try cacheOperand(copy, for: op), to: output, rows: copy.rows, cols: copy.cols, pixelBytes: pixelBytes(op.output))
        }
        instruction.cacheWrites = try copies.writes.map { copy throws(RuntimeError) in
            Instruction.Copy(from: output, to: try cacheOperand(copy, for: op), rows: copy.rows, cols: copy.cols, pixelBytes: pixelBytes(op.output))
        }
        if stage.outputs.contains(op.output), usesPatchBuffer(op.output, stage, tile: patch) {
            let cell = stage.tileRegions[patch]
            instruction.store = (try whole(op.output), cell.rows, cell.cols, pixelBytes(op.output))
        }
        return instruction
    }

    /// A halo cache as the copy sees it: its buffer, holding `cacheRegion`.
    func cacheOperand(_ copy: CacheCopy, for op: Operator) throws(RuntimeError) -> Operand {
        let region = copy.cacheRegion
        return Operand(location: .arena(try offset(.haloCache(tensor: copy.cache.tensor, direction: copy.cache.direction), for: op)),
                       bytes: region.area * pixelBytes(copy.cache.tensor),
                       region: Region2D(y: region.rows.lowerBound, x: region.cols.lowerBound, height: region.height, width: region.width))
    }

    /// A streamed input's region for `tile` of `stage`, copied in from the
    /// caller's buffer before the tile's first op.
    func streamedLoads(_ stage: FusedStage, tile patch: Int) throws(RuntimeError) -> [(from: Operand, to: Operand, rows: Range<Int>, cols: Range<Int>, pixelBytes: Int)] {
        var loads: [(from: Operand, to: Operand, rows: Range<Int>, cols: Range<Int>, pixelBytes: Int)] = []
        for input in model.inputs where usesPatchBuffer(input, stage, tile: patch) {
            let to = try operand(input, stage, tile: patch)
            loads.append((try whole(input), to, to.region.rows, to.region.cols, pixelBytes(input)))
        }
        return loads
    }

    /// Refuses, at compile time, a stage op the patch executor cannot run.
    func checkPatchable(_ op: Operator, _ step: PreparedModel.Step) throws(RuntimeError) {
        for tensor in op.inputs + op.outputs where tensor >= 0 && model.isActivation(tensor) {
            let shape = model.tensors[tensor].shape
            guard shape.count == 4, shape[0] == 1 else {
                throw .notPatchable(op: op.index, kind: op.kind.name, reason: "tensor \(tensor) is not a single-batch feature map")
            }
        }
        switch step {
        case .conv, .depthwise, .pool, .binary, .quantize, .dequantize, .lookup, .concat,
             .floatConv, .floatPool, .floatBinary, .floatUnary:
            return
        case let .padFloat(_, _, paddings, _):
            if paddings.count == 4, paddings[0].before == 0, paddings[0].after == 0 { return }
            throw .notPatchable(op: op.index, kind: op.kind.name, reason: "it pads the batch dimension")
        case let .pad(_, _, paddings, _, _):
            if paddings.count == 4, paddings[0].before == 0, paddings[0].after == 0 { return }
            throw .notPatchable(op: op.index, kind: op.kind.name, reason: "it pads the batch dimension")
        case .fullyConnected, .copy, .mean, .meanFloat, .transpose, .stridedSlice, .fill, .softmax, .logSoftmax,
             .floatFullyConnected, .softmaxFloat, .logSoftmaxFloat:
            throw .notPatchable(op: op.index, kind: op.kind.name, reason: "it reads every position")
        case .resizeNearest:
            throw .notPatchable(op: op.index, kind: op.kind.name, reason: "it runs on whole tensors only")
        case .refused(let error):
            throw error
        }
    }
}
