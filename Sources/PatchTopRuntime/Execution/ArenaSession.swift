import PatchTopModel
import PatchTopPlan

/// One execution of an `ArenaProgram`, a step at a time: the memory it runs
/// in and how far it has got.
///
/// The step-through view drives one directly; `ArenaProgram.run` drives one
/// to the end. It owns its arena (painted with one byte value when the
/// session is made, so the highest byte the run changed can be measured), a
/// copy of the constants and of the caller's input. A session belongs to
/// one thread at a time.
///
/// `restart(input:)` runs it again on a new input without allocating,
/// painting or copying constants again: what `bench` and `run --repeats`
/// time, so a timing is inference only. Nothing a run reads depends on what
/// the arena held before it (a run on either paint gives the same bytes),
/// so a restarted run gives the bytes a fresh one gives.
public final class ArenaSession: @unchecked Sendable {
    public let program: ArenaProgram
    /// Index of the next step in `program.schedule`.
    public private(set) var position = 0
    let arena: UnsafeMutableRawPointer
    let capacity: Int
    let paint: UInt8
    let constants: UnsafeMutableRawPointer
    /// Buffers outside the arena, by tensor (the schedule's `external`):
    /// the caller's side of the model's edge.
    let externals: [Int: UnsafeMutableRawPointer]
    /// Where the caller's input is copied in.
    let inputSlot: Operand

    /// Bytes allocated past the planned arena, painted too, so that a write
    /// beyond the layout would show in the measured high-water mark.
    static let guardBytes = 64

    public init(program: ArenaProgram, input bytes: [Int8], paint: UInt8 = 0xA5) throws(RuntimeError) {
        let model = program.prepared.model
        guard let inIndex = model.callerInputs.first, model.callerOutputs.first != nil else {
            throw .noInputOrOutput(model: model.name)
        }
        let needed = model.tensors[inIndex].byteCount
        guard bytes.count == needed else {
            throw .inputSize(tensor: inIndex, bytes: bytes.count, needed: needed)
        }
        self.program = program
        self.paint = paint
        capacity = program.layout.arenaBytes + Self.guardBytes
        arena = .allocate(byteCount: capacity, alignment: 16)
        arena.initializeMemory(as: UInt8.self, repeating: paint, count: capacity)
        let constants = UnsafeMutableRawPointer.allocate(byteCount: max(program.constantPool.count, 1), alignment: 16)
        program.constantPool.withUnsafeBytes { if let base = $0.baseAddress { constants.copyMemory(from: base, byteCount: $0.count) } }
        self.constants = constants
        var externals: [Int: UnsafeMutableRawPointer] = [:]
        for tensor in program.plan.schedule.external.sorted() {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(model.tensors[tensor].byteCount, 1), alignment: 16)
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: max(model.tensors[tensor].byteCount, 1))
            externals[tensor] = buffer
        }
        self.externals = externals
        inputSlot = try program.compiler.whole(inIndex)
        copyIn(bytes)
    }

    /// Starts the session over on `bytes`: back to the first step, the
    /// input copied in. The arena is neither allocated nor painted again and
    /// the constants are not copied again, so `highWaterMark()` then covers
    /// every run since the session was made.
    public func restart(input bytes: [Int8]) throws(RuntimeError) {
        let model = program.prepared.model
        if let inIndex = model.callerInputs.first, bytes.count != model.tensors[inIndex].byteCount {
            throw .inputSize(tensor: inIndex, bytes: bytes.count, needed: model.tensors[inIndex].byteCount)
        }
        position = 0
        copyIn(bytes)
    }

    /// The caller's input goes where the schedule keeps it: its arena
    /// buffer, or outside the arena (streamed, or converted on entry).
    private func copyIn(_ bytes: [Int8]) {
        let slot = inputSlot, arena = arena, externals = externals
        bytes.withUnsafeBytes { source in
            guard let base = source.baseAddress, source.count > 0 else { return }
            switch slot.location {
            case .arena(let offset): (arena + offset).copyMemory(from: base, byteCount: source.count)
            case .external(let tensor): externals[tensor]?.copyMemory(from: base, byteCount: source.count)
            case .constant: break
            }
        }
    }

    deinit {
        arena.deallocate()
        constants.deallocate()
        for buffer in externals.values { buffer.deallocate() }
    }

    public var isFinished: Bool { position >= program.instructions.count }

    /// The step `step()` will run next.
    public var next: ScheduledStep? { isFinished ? nil : program.schedule[position] }

    /// The step run last.
    public var last: ScheduledStep? { position == 0 ? nil : program.schedule[position - 1] }

    /// Runs the next step.
    public func step() throws(RuntimeError) {
        guard !isFinished else { return }
        let instruction = program.instructions[position]
        let op = program.prepared.model.operators[instruction.step.op]
        for load in instruction.loads {
            copyRows(from: load.from, to: load.to, rows: load.rows, cols: load.cols, pixelBytes: load.pixelBytes)
        }
        for copy in instruction.cacheReads {
            copyRows(from: copy.from, to: copy.to, rows: copy.rows, cols: copy.cols, pixelBytes: copy.pixelBytes)
        }
        if !instruction.rows.isEmpty && !instruction.cols.isEmpty {
            try perform(program.prepared.steps[instruction.step.op], op: op, instruction)
        }
        for copy in instruction.cacheWrites {
            copyRows(from: copy.from, to: copy.to, rows: copy.rows, cols: copy.cols, pixelBytes: copy.pixelBytes)
        }
        if let store = instruction.store {
            copyRows(from: instruction.output, to: store.to, rows: store.rows, cols: store.cols, pixelBytes: store.pixelBytes)
        }
        position += 1
    }

    /// Runs every step left, checking `shouldStop` between steps; `false`
    /// when stopped before the end.
    public func finish(shouldStop: () -> Bool = { false }) throws(RuntimeError) -> Bool {
        while !isFinished {
            if shouldStop() { return false }
            try step()
        }
        return true
    }

    /// The highest arena byte the session's runs have changed so far, plus
    /// one.
    public func highWaterMark() -> Int {
        let bytes = arena.assumingMemoryBound(to: UInt8.self)
        var top = capacity
        while top > 0 && bytes[top - 1] == paint { top -= 1 }
        return top
    }

    /// The bytes of the model's first output once every step has run.
    public func finalOutput() throws(RuntimeError) -> [Int8] {
        guard let first = try finalOutputs().first else { throw .noInputOrOutput(model: program.prepared.model.name) }
        return first
    }

    /// The bytes of every output the caller reads, in graph order, once
    /// every step has run.
    public func finalOutputs() throws(RuntimeError) -> [[Int8]] {
        guard isFinished else { throw .notFinished }
        var outputs: [[Int8]] = []
        for tensor in program.prepared.model.callerOutputs {
            outputs.append(read(try program.compiler.whole(tensor)))
        }
        return outputs
    }

    /// The output, once every step has run.
    public var output: [Int8]? { try? finalOutput() }

    // MARK: - Looking inside

    /// The buffers live at the step run last (or the first, before any):
    /// what a memory map of the arena draws.
    public func occupancy() -> [ArenaOccupant] {
        let op = (last ?? next)?.op ?? 0
        let model = program.prepared.model
        let schedule = program.plan.schedule
        let live = schedule.live(at: op).sorted { (program.layout.offset(of: $0.index), $0.index) < (program.layout.offset(of: $1.index), $1.index) }
        return live.map { index, bytes in
            let buffer = schedule.buffers[index]
            let kind = buffer.resident(at: op)?.kind ?? buffer.kind
            let tensor = kind.tensor ?? kind.op.flatMap { model.operators[$0].input(0) } ?? 0
            return ArenaOccupant(kind: kind, tensor: tensor, offset: program.layout.offset(of: index), bytes: bytes,
                                 firstOp: buffer.firstOp, lastOp: buffer.lastOp)
        }
    }

    /// What `tensor` holds now, as the step run last sees it (its patch's
    /// region inside the stage); `nil` for tensors that are not int8 or hold
    /// nothing yet.
    public func values(ofTensor tensor: Int) -> TensorValues? {
        let model = program.prepared.model
        guard tensor >= 0, tensor < model.tensors.count, model.tensors[tensor].type == .int8 else { return nil }
        let slot: Operand
        if position > 0, let seen = program.instructions[position - 1].operands[tensor] {
            slot = seen
        } else if let whole = try? program.compiler.whole(tensor), case .arena = whole.location {
            slot = whole
        } else {
            return nil
        }
        let shape = model.tensors[tensor].shape
        return TensorValues(tensor: tensor, region: slot.region, channels: shape.count == 4 ? shape[3] : (shape.last ?? 1),
                            data: read(slot))
    }

    // MARK: - Memory access

    func pointer(_ operand: Operand) -> UnsafeMutableRawPointer {
        switch operand.location {
        case .arena(let offset): arena + offset
        case .constant(let offset): constants + offset
        case .external(let tensor): externals[tensor] ?? constants
        }
    }

    func read(_ operand: Operand) -> [Int8] {
        let start = pointer(operand).assumingMemoryBound(to: Int8.self)
        return Array(UnsafeBufferPointer(start: start, count: operand.bytes))
    }

    /// Copies rows × cols (all channels) between two views of one tensor.
    func copyRows(from source: Operand, to target: Operand, rows: Range<Int>, cols: Range<Int>, pixelBytes: Int) {
        let from = pointer(source), to = pointer(target)
        for row in rows {
            let a = source.region.offset(batch: 0, row: row, col: cols.lowerBound, channels: pixelBytes)
            let b = target.region.offset(batch: 0, row: row, col: cols.lowerBound, channels: pixelBytes)
            (to + b).copyMemory(from: from + a, byteCount: cols.count * pixelBytes)
        }
    }
}

/// A buffer in the arena at one moment.
public struct ArenaOccupant: Equatable, Hashable, Sendable {
    /// What the buffer holds now, as the memory schedule names it.
    public var kind: MemorySchedule.BufferKind
    /// The tensor it holds (for staging and scratch: the op's input).
    public var tensor: Int
    /// A per-patch buffer (reused by every patch) rather than a whole tensor.
    public var isPerPatch: Bool { kind.isPerPatch }
    /// The one-channel staging buffer of an in-place depthwise conv, or a
    /// fused residual's scratch row.
    public var isStaging: Bool { kind.op != nil }
    public var offset: Int
    public var bytes: Int
    public var firstOp: Int
    public var lastOp: Int
    public var end: Int { offset + bytes }
}

/// The int8 values a tensor's buffer holds: `region` of the tensor, NHWC,
/// `channels` per position.
public struct TensorValues: Equatable, Sendable {
    public var tensor: Int
    public var region: Region2D
    public var channels: Int
    public var data: [Int8]

    /// Values of one channel, row-major over `region`.
    public func channel(_ c: Int) -> [Int8] {
        guard c >= 0, c < channels else { return [] }
        return stride(from: c, to: data.count, by: channels).map { data[$0] }
    }
}
