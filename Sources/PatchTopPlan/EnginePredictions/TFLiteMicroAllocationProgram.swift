import PatchTopModel

/// Every arena allocation TFLite Micro's Python interpreter makes for a
/// model, in order, so it can be replayed for any arena size.
///
/// Example: for person_detect the program starts with four persistent
/// allocations of the interpreter's own objects, reserves 192 bytes of head
/// for scratch-buffer requests, allocates 89 eval tensors and 31 nodes, the
/// ops' options and op data, then each op's `Prepare` (temporary tensors,
/// per-channel arrays) followed by a temp reset, then the memory plan, then
/// the input and output tensors. Replaying it against an 85,263-byte arena
/// fails; against 85,264 bytes every allocation succeeds, as in TFLite Micro.
///
/// The order follows `MicroInterpreter::AllocateTensors`: allocator
/// creation, `StartModelAllocation`, parsing options, `Init`, `Prepare`,
/// `FinishModelAllocation` (scratch handles, then `CommitStaticMemoryPlan`),
/// then the persistent input and output tensors. `Invoke` allocates nothing.
struct TFLiteMicroAllocationProgram {
    enum Event: Equatable {
        case persistent(bytes: Int, alignment: Int, kind: TFLiteMicroArena.TailKind)
        case temp(bytes: Int, alignment: Int)
        case resetTemp
        /// Moving the head; `mustFit` is false where TFLite Micro ignores a
        /// failure (`FinishPrepareNodeAllocations`' return value is unused).
        case resizeHead(bytes: Int, alignment: Int, mustFit: Bool)
        /// The planner takes all memory left as working space and needs
        /// `plannerBytesPerBuffer` per buffer of it.
        case plannerWorkspace(buffers: Int)
    }

    let events: [Event]
    let headBytes: Int
    /// The most planned bytes live at one step (`TFLiteMicroGreedyPlanner.liveBytes`).
    let headLiveBytes: Int
    let scratchBufferCount: Int
    /// Where a kernel's `Prepare` may take up to `bytes` more temporary
    /// memory than `events` says: the event index to insert it before.
    var uncertainties: [(event: Int, bytes: Int, op: Int)] = []

    /// The program for `model`, or why PatchTop cannot build one.
    static func build(for model: Model) -> Result<TFLiteMicroAllocationProgram, TFLiteMicroUnavailable> {
        guard model.rewrite == GraphRewrite() else {
            return .failure(TFLiteMicroUnavailable(reason:
                "the graph was rewritten by memory options (--fold-pad, --int8-io); TFLite Micro runs the file's graph"))
        }
        let facts = model.fileFacts ?? TFLiteFileFacts()
        if let problem = unsupportedFile(facts) { return .failure(TFLiteMicroUnavailable(reason: problem)) }
        var kernels: [TFLiteMicroKernel] = []
        for op in model.operators {
            switch TFLiteMicroKernel.of(op, in: model) {
            case .success(let kernel): kernels.append(kernel)
            case .failure(let unavailable): return .failure(unavailable)
            }
        }
        for tensor in model.tensors where !tensor.isConstant {
            if tensor.type.byteSize == nil || tensor.type == .int4 {
                return .failure(TFLiteMicroUnavailable(
                    reason: "tensor \(tensor.index) has type \(tensor.type.name), whose size in TFLite Micro PatchTop does not model"))
            }
            // Keeps every sum below far from overflow, whatever the file says.
            if tensor.byteCount > Self.largestArena {
                return .failure(TFLiteMicroUnavailable(reason: "tensor \(tensor.index) alone needs more than 1 TiB"))
            }
        }
        let unquantized = Set(facts.tensorsWithoutZeroPoints)
        /// Allocations of one `TfLiteTensor` and its quantization, as
        /// `InitializeTfLiteTensorFromFlatbuffer` makes them.
        func tensorStruct(_ index: Int) -> [(bytes: Int, alignment: Int, isQuantization: Bool)] {
            var parts = [(TFLiteMicroHost.tensor.size, TFLiteMicroHost.tensor.alignment, false)]
            if let quantization = model.tensors[index].quantization, !unquantized.contains(index) {
                parts.append((TFLiteMicroHost.affineQuantization.size, TFLiteMicroHost.affineQuantization.alignment, true))
                parts.append((TFLiteMicroHost.intArrayBytes(quantization.scales.count), TFLiteMicroHost.intArrayAlignment, true))
            }
            return parts
        }

        var events: [Event] = TFLiteMicroHost.allocatorObjects.map {
            .persistent(bytes: $0.size, alignment: $0.alignment, kind: .interpreter)
        }
        // StartModelAllocation.
        let request = TFLiteMicroHost.scratchBufferRequest
        events.append(.resizeHead(bytes: request.size * TFLiteMicroHost.maxScratchBuffersPerOp,
                                  alignment: request.alignment, mustFit: true))
        events.append(.persistent(bytes: TFLiteMicroHost.subgraphAllocations.size * facts.subgraphCount,
                                  alignment: TFLiteMicroHost.subgraphAllocations.alignment, kind: .interpreter))
        events.append(.persistent(bytes: TFLiteMicroHost.evalTensor.size * model.tensors.count,
                                  alignment: TFLiteMicroHost.evalTensor.alignment, kind: .evalTensors))
        events.append(.persistent(bytes: TFLiteMicroHost.nodeAndRegistration.size * model.operators.count,
                                  alignment: TFLiteMicroHost.nodeAndRegistration.alignment, kind: .nodes))
        // Parsing each op's options, then each kernel's Init.
        for kernel in kernels {
            if let data = kernel.builtinData {
                events.append(.persistent(bytes: data.size, alignment: data.alignment, kind: .opOptions))
            }
        }
        for kernel in kernels {
            if let bytes = kernel.opDataBytes {
                events.append(.persistent(bytes: bytes, alignment: TFLiteMicroHost.bufferAlignment, kind: .opData))
            }
        }
        // Each kernel's Prepare, then FinishPrepareNodeAllocations.
        var scratch: [(op: Int, bytes: Int)] = []
        var uncertainties: [(event: Int, bytes: Int, op: Int)] = []
        for (op, kernel) in kernels.enumerated() {
            for step in kernel.prepare {
                switch step {
                case .tempTensor(let index):
                    events += tensorStruct(index).map { .temp(bytes: $0.bytes, alignment: $0.alignment) }
                case .persistent(let bytes, let kind):
                    events.append(.persistent(bytes: bytes, alignment: TFLiteMicroHost.bufferAlignment, kind: kind))
                case .scratch(let bytes):
                    scratch.append((op, bytes))
                }
            }
            if kernel.uncertainTempBytes > 0 { uncertainties.append((events.count, kernel.uncertainTempBytes, op)) }
            events.append(.resetTemp)
            events.append(.resizeHead(bytes: request.size * (scratch.count + TFLiteMicroHost.maxScratchBuffersPerOp),
                                      alignment: request.alignment, mustFit: false))
        }
        // FinishModelAllocation: scratch handles, then the static plan.
        if !scratch.isEmpty {
            let handle = TFLiteMicroHost.scratchBufferHandle
            events.append(.persistent(bytes: handle.size * scratch.count, alignment: handle.alignment, kind: .scratchHandles))
        }
        let buffers = plannedBuffers(of: model, scratch: scratch)
        let plan = TFLiteMicroGreedyPlanner(buffers: buffers)
        let info = TFLiteMicroHost.allocationInfo
        events.append(.temp(bytes: 8 * facts.subgraphCount, alignment: 8))  // subgraph offsets (size_t)
        events.append(.temp(bytes: info.size * (model.tensors.count + scratch.count), alignment: info.alignment))
        for tensor in model.tensors where tensor.isVariable {
            events.append(.persistent(bytes: tensor.byteCount, alignment: TFLiteMicroHost.bufferAlignment, kind: .variables))
        }
        events.append(.plannerWorkspace(buffers: buffers.count))
        events.append(.resetTemp)
        events.append(.resizeHead(bytes: 0, alignment: 1, mustFit: true))
        events.append(.resizeHead(bytes: plan.headBytes, alignment: TFLiteMicroHost.bufferAlignment, mustFit: true))
        // The interpreter's persistent input and output tensors.
        for indices in [model.inputs, model.outputs] {
            events.append(.persistent(bytes: TFLiteMicroHost.pointerBytes * indices.count,
                                      alignment: TFLiteMicroHost.bufferAlignment, kind: .tensorPointers))
            for index in indices {
                events += tensorStruct(index).map {
                    .persistent(bytes: $0.bytes, alignment: $0.alignment, kind: $0.isQuantization ? .ioQuantization : .ioTensors)
                }
            }
        }
        return .success(TFLiteMicroAllocationProgram(
            events: events, headBytes: plan.headBytes, headLiveBytes: plan.liveBytes, scratchBufferCount: scratch.count,
            uncertainties: uncertainties))
    }

    /// Why TFLite Micro would allocate differently for this file than its
    /// subgraph 0 implies, or `nil`.
    private static func unsupportedFile(_ facts: TFLiteFileFacts) -> String? {
        if facts.subgraphCount != 1 {
            return "the file has \(facts.subgraphCount) subgraphs (control flow), and PatchTop models one"
        }
        if facts.metadataNames.contains("OfflineMemoryAllocation") {
            return "the file carries an offline memory plan (OfflineMemoryAllocation metadata), which PatchTop does not model"
        }
        if facts.metadataNames.contains("COMPRESSION_METADATA") {
            return "the file has compressed tensors (COMPRESSION_METADATA), whose decompression buffers PatchTop does not model"
        }
        if let tensor = facts.tensorsWithExternalData.first {
            return "tensor \(tensor) keeps its data outside the flatbuffer, which TFLite Micro does not read"
        }
        if let op = facts.operatorsWithIntermediates.first {
            return "op \(op) has intermediate tensors, which PatchTop does not model"
        }
        return nil
    }

    /// The buffers `CommitStaticMemoryPlan` hands the planner, in its order:
    /// every tensor without data that is not a variable and has bytes (even
    /// one no op touches, which keeps lifetime −1…−1), then each scratch
    /// buffer. Step 0 is the graph's start, op i is step i + 1, and graph
    /// outputs live to step `operators.count`.
    static func plannedBuffers(of model: Model, scratch: [(op: Int, bytes: Int)]) -> [TFLiteMicroGreedyPlanner.Buffer] {
        var first = [Int](repeating: -1, count: model.tensors.count)
        var last = [Int](repeating: -1, count: model.tensors.count)
        func created(_ index: Int, _ step: Int) { if first[index] == -1 { first[index] = step } }
        for index in model.inputs {
            created(index, 0)
            last[index] = 0
        }
        for op in model.operators {
            let step = op.index + 1
            for index in op.outputs { created(index, step) }
            for index in op.inputs where index >= 0 { last[index] = step }
            for index in op.outputs { last[index] = step }
        }
        for index in model.outputs {
            created(index, model.operators.count)
            last[index] = model.operators.count
        }
        let alignment = TFLiteMicroHost.bufferAlignment
        var buffers: [TFLiteMicroGreedyPlanner.Buffer] = []
        for tensor in model.tensors where tensor.data == nil && !tensor.isVariable && tensor.byteCount != 0 {
            buffers.append(.init(size: TFLiteMicroArenaAllocator.alignUp(tensor.byteCount, alignment),
                                 firstUsed: first[tensor.index], lastUsed: last[tensor.index]))
        }
        for request in scratch {
            buffers.append(.init(size: TFLiteMicroArenaAllocator.alignUp(request.bytes, alignment),
                                 firstUsed: request.op + 1, lastUsed: request.op + 1))
        }
        return buffers
    }

    /// Replays the program on an arena of `arenaSize` bytes; the tail by
    /// kind when every allocation succeeds, `nil` at the first that fails.
    func replay(arenaSize: Int) -> [TFLiteMicroArena.TailKind: Int]? {
        Self.replay(events, arenaSize: arenaSize)
    }

    /// The events with every uncertain `Prepare` taking its whole margin.
    var eventsWithMargins: [Event] {
        var events = events
        for uncertainty in uncertainties.reversed() {
            events.insert(.temp(bytes: uncertainty.bytes, alignment: 8), at: uncertainty.event)
        }
        return events
    }

    static func replay(_ events: [Event], arenaSize: Int) -> [TFLiteMicroArena.TailKind: Int]? {
        var arena = TFLiteMicroArenaAllocator(arenaSize: arenaSize)
        var tail: [TFLiteMicroArena.TailKind: Int] = [:]
        for event in events {
            switch event {
            case .persistent(let bytes, let alignment, let kind):
                let before = arena.persistentBytes
                guard arena.allocatePersistent(bytes, alignment: alignment) else { return nil }
                tail[kind, default: 0] += arena.persistentBytes - before
            case .temp(let bytes, let alignment):
                guard arena.allocateTemp(bytes, alignment: alignment) else { return nil }
            case .resetTemp:
                arena.resetTemp()
            case .resizeHead(let bytes, let alignment, let mustFit):
                if !arena.resizeHead(bytes, alignment: alignment), mustFit { return nil }
            case .plannerWorkspace(let buffers):
                let remaining = arena.availableMemory(alignment: TFLiteMicroHost.bufferAlignment)
                guard remaining >= 0, arena.allocateTemp(remaining, alignment: TFLiteMicroHost.bufferAlignment),
                      remaining / TFLiteMicroHost.plannerBytesPerBuffer >= buffers
                else { return nil }
            }
        }
        return tail
    }

    /// The smallest arena the replay accepts, searched as
    /// Scripts/measure_tflm_arena.py searches the real interpreter (double
    /// from 1,024 bytes until one works, then bisect), so both agree even
    /// where alignment makes success not quite monotonic in the size.
    func smallestArena() -> TFLiteMicroArena? {
        guard let high = Self.smallestSize(events), let tail = replay(arenaSize: high) else { return nil }
        return TFLiteMicroArena(
            arenaBytes: high, headBytes: headBytes, tailBytes: tail.values.reduce(0, +), tail: tail,
            scratchBufferCount: scratchBufferCount, headLiveBytes: headLiveBytes
        )
    }

    /// Whether the uncertain kernels' margins leave the smallest arena as
    /// it is (true when they are not what limits it).
    var isInsensitiveToUncertainties: Bool {
        uncertainties.isEmpty || Self.smallestSize(events) == Self.smallestSize(eventsWithMargins)
    }

    /// The largest arena PatchTop searches: 1 TiB.
    static let largestArena = 1 << 40

    static func smallestSize(_ events: [Event]) -> Int? {
        var high = 1024
        while replay(events, arenaSize: high) == nil {
            high *= 2
            if high > largestArena { return nil }
        }
        var low = 0
        while high - low > 1 {
            let middle = (low + high) / 2
            if replay(events, arenaSize: middle) != nil { high = middle } else { low = middle }
        }
        return high
    }
}
