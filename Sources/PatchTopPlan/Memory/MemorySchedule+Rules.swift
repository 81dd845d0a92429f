import PatchTopModel

/// What a plan tells the schedule about one fused stage.
struct StageBuffers {
    var firstOp: Int
    var lastOp: Int
    /// Tensors of the stage read after it (or graph outputs): held whole.
    var outputs: [Int]
    /// Bytes of each stage tensor's per-tile buffer, sized for its largest
    /// tile; only tensors some tile needs one for.
    var regionBytes: [Int: Int]
    /// For each depthwise conv of the stage, one channel of its largest
    /// input region: its staging buffer when it runs in place.
    var stagingBytes: [Int: Int]
    /// Bytes of each halo cache in use.
    var cacheBytes: [HaloCache: Int] = [:]

    func contains(_ op: Int) -> Bool { op >= firstOp && op <= lastOp }
}

extension MemorySchedule {
    /// The layer-by-layer schedule of `model` under `options` (what
    /// `analyze` prints): every activation whole, live from the op that
    /// writes it (op 0 for graph inputs) to the last op that reads it (the
    /// last op for graph outputs). With no options this is exactly what
    /// TFLite Micro's planner reaches on sequential CNNs (person_detect:
    /// 55,296 bytes at op 2).
    public init(model: Model, options: MemoryOptions = .tfliteMicro) {
        self.init(rewritten: model.rewritten(for: options), options: options, stages: [])
    }

    /// Builds the schedule of an already rewritten model, rule by rule.
    init(rewritten model: Model, options: MemoryOptions, stages: [StageBuffers], window: ClosedRange<Int>? = nil) {
        var builder = Builder(model: model, options: options, stages: stages, window: window)
        builder.wholeTensors()
        builder.patchRegions()
        builder.haloCaches()
        let fused = options.fuseResidual ? builder.fuseResiduals() : []
        let inplace = options.inplaceDepthwise ? builder.computeDepthwiseInPlace() : []
        self.init(model: model, options: options, stageRanges: stages.map { $0.firstOp...$0.lastOp },
                  buffers: builder.buffers.compactMap { $0 }, external: builder.external,
                  inplaceOps: inplace, fusedResiduals: fused)
    }
}

/// The rules, one per kind of buffer or memory option. Each adds buffers,
/// or moves a resident into another buffer (aliasing).
private struct Builder {
    let model: Model
    let options: MemoryOptions
    let stages: [StageBuffers]
    var buffers: [MemorySchedule.Buffer?] = []
    var home: [MemorySchedule.BufferKind: Int] = [:]
    var external = Set<Int>()

    var lastOp: Int { max(model.operators.count - 1, 0) }
    /// The fused stage of each op (`nil`: layer by layer).
    let stageOfOp: [Int?]

    /// Only the buffers live somewhere in these ops (the multi-stage
    /// search prices one stage with them); `nil`: every op.
    let window: ClosedRange<Int>?

    init(model: Model, options: MemoryOptions, stages: [StageBuffers], window: ClosedRange<Int>?) {
        self.model = model
        self.options = options
        self.stages = stages
        self.window = window
        var of = [Int?](repeating: nil, count: model.operators.count)
        for (index, stage) in stages.enumerated() {
            for op in stage.firstOp...stage.lastOp where op < of.count { of[op] = index }
        }
        stageOfOp = of
    }

    func fusedStage(of op: Int) -> StageBuffers? {
        op >= 0 && op < stageOfOp.count ? stageOfOp[op].map { stages[$0] } : nil
    }

    func inWindow(_ op: Int) -> Bool { window?.contains(op) ?? true }

    mutating func add(_ kind: MemorySchedule.BufferKind, bytes: Int, from first: Int, to last: Int) {
        if let window, max(first, last) < window.lowerBound || first > window.upperBound { return }
        home[kind] = buffers.count
        buffers.append(MemorySchedule.Buffer(.init(kind: kind, bytes: bytes, firstOp: first, lastOp: max(first, last))))
    }

    func resident(_ kind: MemorySchedule.BufferKind) -> MemorySchedule.Resident? {
        home[kind].flatMap { buffers[$0]?.residents.first { $0.kind == kind } }
    }

    /// Takes `kind` out of its buffer; a buffer left empty disappears.
    mutating func remove(_ kind: MemorySchedule.BufferKind) -> MemorySchedule.Resident? {
        guard let index = home[kind], var buffer = buffers[index],
              let at = buffer.residents.firstIndex(where: { $0.kind == kind }) else { return nil }
        let resident = buffer.residents[at]
        buffers[index] = buffer.remove(at: at) ? buffer : nil
        home[kind] = nil
        return resident
    }

    /// Moves `kind` into the buffer holding `target`: from then on the two
    /// share memory, one after the other.
    mutating func move(_ kind: MemorySchedule.BufferKind, into target: MemorySchedule.BufferKind, lastOp: Int? = nil) {
        guard let destination = home[target], destination != home[kind], var resident = remove(kind) else { return }
        if let lastOp { resident.lastOp = max(resident.lastOp, lastOp) }
        buffers[destination]?.append(resident)
        home[kind] = destination
    }

    // MARK: - Whole tensors

    /// Every activation held whole over its life. In a plan with fused
    /// stages, tensors a stage computes are whole only if read after it
    /// (stage outputs), and then from the stage's first op, since tiles fill
    /// them throughout the stage; a tensor a stage reads whole (written
    /// before it, or an input held in SRAM) stays until the stage ends. A
    /// streamed input, and the caller's float tensors under `--int8-io`, are
    /// outside the arena.
    mutating func wholeTensors() {
        for tensor in model.callerInputs + model.callerOutputs where !model.isActivation(tensor) {
            external.insert(tensor)
        }
        for tensor in model.tensors.indices where model.isActivation(tensor) {
            let isInput = model.inputs.contains(tensor)
            if isInput && options.streamInput {
                external.insert(tensor)
                continue
            }
            let producer = model.producer[tensor]
            let home = producer.flatMap { stageOfOp[$0] }
            if let home, !stages[home].outputs.contains(tensor) { continue }
            let first = home.map { stages[$0].firstOp } ?? (isInput ? 0 : (producer ?? 0))
            var last = model.outputs.contains(tensor) ? lastOp : (model.consumers[tensor].last ?? first)
            for consumer in model.consumers[tensor] {
                if let reader = stageOfOp[consumer], reader != home { last = max(last, stages[reader].lastOp) }
            }
            // An input held in SRAM stays until a stage at the head of the
            // network ends, as MCUNetV2's single stage always had it.
            if isInput, let head = stages.first, head.firstOp == 0 { last = max(last, head.lastOp) }
            add(.tensor(tensor), bytes: model.tensors[tensor].byteCount, from: first, to: last)
        }
    }

    // MARK: - Patch regions

    /// One per-tile buffer per stage tensor that needs one, live over the
    /// stage's ops from the one that writes it (the stage's first op for a
    /// streamed input) to the last op of the stage that reads it.
    mutating func patchRegions() {
        for stage in stages {
            for (tensor, bytes) in stage.regionBytes.sorted(by: { $0.key < $1.key }) {
                let producer = model.producer[tensor].flatMap { stage.contains($0) ? $0 : nil }
                let first = producer ?? stage.firstOp
                let last = model.consumers[tensor].filter { stage.contains($0) }.last ?? first
                add(.patchRegion(tensor), bytes: bytes, from: first, to: last)
            }
        }
    }

    // MARK: - Halo caches (`--halo-cache`)

    /// Each cache carries data from one tile to the next, so it lives over
    /// every op of its stage.
    mutating func haloCaches() {
        for stage in stages {
            for (cache, bytes) in stage.cacheBytes.sorted(by: { $0.key < $1.key }) {
                add(.haloCache(tensor: cache.tensor, direction: cache.direction), bytes: bytes, from: stage.firstOp, to: stage.lastOp)
            }
        }
    }

    // MARK: - Fused residual (`--fuse-residual`)

    /// A residual ADD fused into its conv (outside fused stages: they run
    /// their ops unfused): the conv's output is never held, the sum lives in
    /// the skip's buffer (which therefore lives on), and the conv needs one
    /// scratch row.
    mutating func fuseResiduals() -> [FusedResidual] {
        let fused = FusedResidual.candidates(in: model) { stageOfOp[$0] == nil && inWindow($0) }
        for fusion in fused {
            _ = remove(.tensor(fusion.convOutput))
            move(.tensor(fusion.output), into: .tensor(fusion.skip))
            add(.residualScratch(op: fusion.conv), bytes: fusion.scratchBytes, from: fusion.conv, to: fusion.conv)
        }
        return fused
    }

    // MARK: - In-place depthwise (`--inplace-depthwise`)

    /// A depthwise conv with one output channel per input channel whose
    /// input dies at it writes its output over the input, channel by
    /// channel through a one-channel staging buffer: input and output share
    /// one buffer (the larger of the two at the op). Applied only where it
    /// saves memory. Inside the stage it applies to per-patch buffers,
    /// after it to whole tensors that are not graph inputs or outputs.
    mutating func computeDepthwiseInPlace() -> [InplaceDepthwise] {
        var found: [InplaceDepthwise] = []
        // A cached tensor's buffer is filled partly from its cache: it
        // cannot also be overwritten channel by channel.
        let cached = Set(stages.flatMap { $0.cacheBytes.keys.map(\.tensor) })
        for op in model.operators where op.kind == .depthwiseConv2D && !model.rewrite.isDetached(op.index) && inWindow(op.index) {
            guard let input = op.input(0),
                  model.tensors[input].shape.last == model.tensors[op.output].shape.last,
                  model.tensors[input].type == model.tensors[op.output].type
            else { continue }
            let inKind: MemorySchedule.BufferKind, outKind: MemorySchedule.BufferKind, staging: Int
            if let stage = fusedStage(of: op.index) {
                guard let bytes = stage.stagingBytes[op.index], !cached.contains(input), !cached.contains(op.output) else { continue }
                (inKind, outKind, staging) = (.patchRegion(input), .patchRegion(op.output), bytes)
            } else {
                guard !model.inputs.contains(input), !model.outputs.contains(input),
                      let (h, w) = model.windowGeometry(of: op) else { continue }
                let plane = (h.inputSize + h.padBefore + h.padAfter) * (w.inputSize + w.padBefore + w.padAfter)
                (inKind, outKind, staging) = (.tensor(input), .tensor(op.output), plane * (model.tensors[input].type.byteSize ?? 1))
            }
            guard let x = resident(inKind), let y = resident(outKind), x.lastOp == op.index else { continue }
            let saving = x.bytes + y.bytes - max(x.bytes, y.bytes) - staging
            guard saving > 0 else { continue }
            move(outKind, into: inKind)
            add(.inplaceStaging(op: op.index), bytes: staging, from: op.index, to: op.index)
            found.append(InplaceDepthwise(op: op.index, input: input, output: op.output, stagingBytes: staging))
        }
        return found
    }
}
