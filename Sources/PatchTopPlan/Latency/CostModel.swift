import PatchTopModel

/// Predicted instructions of a plan's exported C library on one core: a
/// linear model per kernel class over the op's features, plus shared
/// coefficients for data movement and a constant per inference.
///
/// The coefficients come from `CalibrationTable` (QEMU `-icount`
/// measurements of the export, fitted by `Scripts/calibrate_latency.py`).
/// The figure is *instructions executed*; time on a board follows at one
/// instruction per cycle unless a `BoardCalibration` (DWT cycles measured
/// on that board) says how many cycles each kernel class takes per
/// instruction.
public struct CostModel: Equatable, Sendable {
    public var core: CortexCore
    /// Instructions per inference outside every op (invoke, step loop).
    public var invoke: Double
    /// Instructions per step outside its op (the executor's loop between
    /// steps; one step per op layer by layer, one per patch in the stage).
    public var betweenSteps: Double
    /// Coefficients by `KernelFeature`, per kernel class.
    public var kernels: [KernelClass: [Double]]
    /// Coefficients for a class the table has no measurement of.
    public var fallback: [Double]
    /// Coefficients by `MovementFeature`.
    public var movement: [Double]
    /// Instructions per byte `pt_invoke` copies between the caller's
    /// buffers and the arena (inputs held in the arena copied in, arena
    /// outputs copied out: `InvokeCopies`), and per such copy.
    public var ioBytes: Double
    public var ioCopies: Double

    public init(core: CortexCore, invoke: Double, betweenSteps: Double = 0, ioBytes: Double = 0, ioCopies: Double = 0,
                kernels: [KernelClass: [Double]], fallback: [Double], movement: [Double]) {
        self.core = core
        self.invoke = invoke
        self.betweenSteps = betweenSteps
        self.ioBytes = ioBytes
        self.ioCopies = ioCopies
        self.kernels = kernels.mapValues { Self.padded($0, KernelFeature.allCases.count) }
        self.fallback = Self.padded(fallback, KernelFeature.allCases.count)
        self.movement = Self.padded(movement, MovementFeature.allCases.count)
    }

    static func padded(_ values: [Double], _ count: Int) -> [Double] {
        Array((values + Array(repeating: 0, count: max(0, count - values.count))).prefix(count))
    }

    /// Predicted instructions of one op with these features.
    public func instructions(_ features: OpCostFeatures) -> Double {
        guard features.runs else { return 0 }
        let k = kernels[features.kernel] ?? fallback
        var total = 0.0
        for i in 0..<k.count { total += k[i] * features.kernelValues[i] }
        for i in 0..<movement.count { total += movement[i] * features.movementValues[i] }
        return max(total, 0)
    }

    /// Predicted instructions of one inference under `plan` (for sweeps:
    /// no per-op detail).
    public func instructions(_ plan: PatchPlan) -> Int {
        instructions(plan, memo: CostMemo())
    }

    /// The same, with each step's cost kept in `memo` for the next plan: the
    /// plans of a sweep share one rewritten model, and most of their steps
    /// (every op after the patch stage, every tile of the same region)
    /// recur from plan to plan. `memo` must only see plans of one model
    /// under one set of memory options, and this model's coefficients.
    func instructions(_ plan: PatchPlan, memo: CostMemo) -> Int {
        let model = plan.model
        memo.prepare(for: model)
        let inplace = plan.schedule.inplaceOps.isEmpty ? [] : Set(plan.schedule.inplaceOps.map(\.op))
        let fused = plan.schedule.fusedResiduals.isEmpty ? [] : Set(plan.schedule.fusedResiduals.map(\.conv))
        var total = perInference(plan.model, options: plan.options)
        plan.walkCostSteps(inplace: inplace, fusedConvs: fused) { op, region, extent in
            total += stepCost(op, region: region, inPlace: inplace.contains(op.index), fused: fused.contains(op.index), model: model,
                              memo: memo, extent: extent)
        } copy: { _, rows, cols, pixelBytes, quantized in
            total += copyCost(rows: rows, cols: cols, pixelBytes: pixelBytes, quantized: quantized)
        }
        return Int(max(total, 0).rounded())
    }

    /// One kernel call's instructions, with the executor's loop around it
    /// (`betweenSteps`): the one rule every price of a plan, a stage or an
    /// op goes through. Kept in `memo` by op, flags and region.
    func stepCost(_ op: Operator, region: Region?, inPlace: Bool, fused: Bool, model: Model, memo: CostMemo,
                  extent: () -> Region? = { nil }) -> Double {
        let f = memo.facts[op.index] ?? OpCostFacts(op, in: model)
        memo.facts[op.index] = f
        // A conv whose cost depends on its input buffer's extent, not only
        // on its region (`readPastBufferEnd`), is not kept.
        let keep = memo.keepsSteps && (region == nil || f.paddedRowBytes == nil)
        let key = keep ? CostMemo.Key(op: op.index, flags: (inPlace ? 1 : 0) | (fused ? 2 : 0), region: region) : nil
        if let key, let known = memo.steps.value(key.bits) { return known }
        for i in memo.k.indices { memo.k[i] = 0 }
        for i in memo.m.indices { memo.m[i] = 0 }
        let coefficients = kernels[inPlace ? f.inPlaceKernel : f.kernel] ?? fallback
        f.addStep(op, region: region, inputExtent: f.paddedRowBytes == nil ? nil : extent(), inPlace: inPlace, fused: fused, model: model,
                  inputBytes: coefficients[KernelFeature.inputBytes.index] != 0,
                  k: &memo.k, kBase: 0, m: &memo.m, mBase: 0)
        // A step that does not run (an op computed at export) costs nothing, as in `predict`.
        var cost = memo.k[KernelFeature.steps.index] > 0 ? betweenSteps : 0
        for i in coefficients.indices { cost += coefficients[i] * memo.k[i] }
        for i in movement.indices { cost += movement[i] * memo.m[i] }
        if let key { memo.steps.insert(key.bits, cost) }
        return cost
    }

    /// One copy's instructions (halo caches, patch stores, streamed loads;
    /// `quantized`: a streamed load that quantizes the float input).
    func copyCost(rows: Int, cols: Int, pixelBytes: Int, quantized: Bool = false) -> Double {
        if quantized {
            let q = CostSteps.quantizedLoad(rows: rows, cols: cols, channels: pixelBytes)
            return movement[MovementFeature.copies.index] + movement[MovementFeature.quantizedRows.index] * Double(q.rows)
                + movement[MovementFeature.quantizedChunks.index] * Double(q.chunks)
                + movement[MovementFeature.quantizedElements.index] * Double(q.elements)
        }
        return movement[MovementFeature.copies.index] + movement[MovementFeature.copyRows.index] * Double(rows)
            + movement[MovementFeature.copyBytes.index] * Double(rows * cols * pixelBytes)
    }

    /// The instructions of fused `stage`'s steps and copies, and of the
    /// boundary conversions among its ops, under `schedule` (the plan's, or
    /// the search's window over the stage): what the stage adds to
    /// `instructions(plan)` of any plan it is a stage of. Not rounded.
    func instructions(of stage: FusedStage, schedule: MemorySchedule, memo: CostMemo) -> Double {
        instructions(of: stage, schedule: schedule, memo: memo, reusing: nil).total
    }

    /// The same, with each op's steps summed apart (`perOp`, by `op -
    /// stage.firstOp`; copies and conversions not included). `reusing`:
    /// the sums of the same block and grid with other caches, taken as they
    /// are for the ops marked in it (their computed regions and in-place
    /// choice are the same, so are their steps); the search prices a
    /// block's cache choices this way.
    func instructions(of stage: FusedStage, schedule: MemorySchedule, memo: CostMemo,
                      reusing: (perOp: [Double], reuse: [Bool])?) -> (total: Double, perOp: [Double]) {
        let model = schedule.model
        memo.prepare(for: model)
        let inplace = schedule.inplaceOps.isEmpty ? [] : Set(schedule.inplaceOps.map(\.op))
        var total = 0.0
        var perOp = [Double](repeating: 0, count: stage.lastOp - stage.firstOp + 1)
        if let reusing {
            for k in perOp.indices where reusing.reuse[k] { perOp[k] = reusing.perOp[k] }
        }
        // Each op's steps, tile by tile: its regions are its tile rows' row
        // ranges × its tile columns' column ranges, so the sum is kept by
        // those ranges (blocks and grids that walk an op alike share it).
        for index in stage.ops where !model.rewrite.isDetached(index) {
            let k = index - stage.firstOp
            if let reusing, reusing.reuse[k] { continue }
            let inPlace = inplace.contains(index)
            var key: [Int] = [index, inPlace ? 1 : 0, stage.rowComputed.count]
            key.reserveCapacity(3 + 2 * (stage.rowComputed.count + stage.colComputed.count))
            for rows in stage.rowComputed { key.append(rows[k].lowerBound); key.append(rows[k].upperBound) }
            for cols in stage.colComputed { key.append(cols[k].lowerBound); key.append(cols[k].upperBound) }
            if let known = memo.opSums[key] {
                perOp[k] = known
                continue
            }
            let op = model.operators[index]
            // A conv whose cost reads its input buffer's extent is priced
            // tile by tile with it, and its sum not kept by ranges.
            let readsExtent = (memo.facts[index] ?? OpCostFacts(op, in: model)).paddedRowBytes != nil
            var sum = 0.0
            // Tile order, as `CostSteps.fused` walks them.
            for (i, rows) in stage.rowComputed.enumerated() where !rows[k].isEmpty {
                for (j, cols) in stage.colComputed.enumerated() where !cols[k].isEmpty {
                    // Residual ADDs are never fused inside a fused stage.
                    sum += stepCost(op, region: Region(rows: rows[k], cols: cols[k]), inPlace: inPlace, fused: false, model: model, memo: memo) {
                        readsExtent ? CostSteps.inputExtent(op, stage: stage, schedule: schedule, tile: i * stage.grid.cols + j) : nil
                    }
                }
            }
            if !readsExtent { memo.opSums[key] = sum }
            perOp[k] = sum
        }
        CostSteps.fused(stage, model: model, schedule: schedule, steps: false) { _, _, _ in } copy: { _, rows, cols, pixelBytes, quantized in
            total += copyCost(rows: rows, cols: cols, pixelBytes: pixelBytes, quantized: quantized)
        }
        for op in CostSteps.runningConversions(model: model, options: schedule.options).sorted() where stage.contains(op: op) {
            total += stepCost(model.operators[op], region: nil, inPlace: false, fused: false, model: model, memo: memo)
        }
        return (total + perOp.reduce(0, +), perOp)
    }

    /// The instructions of op `op` run layer by layer under `schedule` (0
    /// when it does not run: a folded PAD, an ADD fused into its conv). Not
    /// rounded.
    func instructions(ofWholeOp op: Int, schedule: MemorySchedule, memo: CostMemo) -> Double {
        let model = schedule.model
        memo.prepare(for: model)
        let fusedAdds = Set(schedule.fusedResiduals.map(\.add))
        guard CostSteps.runsWhole(op, model: model, inFusedStage: false, fusedAdds: fusedAdds,
                                  conversions: CostSteps.runningConversions(model: model, options: schedule.options))
        else { return 0 }
        return stepCost(model.operators[op], region: nil, inPlace: schedule.inplaceOps.contains { $0.op == op },
                        fused: schedule.fusedResiduals.contains { $0.conv == op }, model: model, memo: memo)
    }

    /// Instructions once per inference of `model` (rewritten) under
    /// `options`, whatever its stages: `invoke` and `pt_invoke`'s copies.
    public func perInference(_ model: Model, options: MemoryOptions) -> Double {
        let io = InvokeCopies(model: model, options: options)
        return invoke + ioBytes * Double(io.bytes) + ioCopies * Double(io.copies)
    }

    /// The prediction of `plan` op by op; `calibration` turns instructions
    /// into cycles, `clockHz` into milliseconds.
    public func predict(_ plan: PatchPlan, calibration: BoardCalibration? = nil, clockHz: Int? = nil) -> LatencyPrediction {
        let features = plan.costFeatures()
        var ops: [LatencyPrediction.Op] = []
        var missing = Set<KernelClass>()
        for f in features where f.runs {
            let op = plan.model.operators[f.op]
            // Each op carries its steps' share of the executor's loop
            // (`betweenSteps`, as `stepCost` prices it for sweeps), so the
            // total is the same sum in both.
            let instructions = Int(max(instructions(f) + betweenSteps * f.value(.steps), 0).rounded())
            if kernels[f.kernel] == nil { missing.insert(f.kernel) }
            ops.append(LatencyPrediction.Op(index: f.op, op: op.kind.name, kernel: f.kernel, steps: Int(f.value(.steps)),
                                            macs: Int(f.value(.macs)), instructions: instructions,
                                            cycles: calibration.map { Int((Double(instructions) * $0.cyclesPerInstruction(f.kernel)).rounded()) }))
        }
        return LatencyPrediction(core: core, ops: ops, invokeInstructions: Int(max(perInference(plan.model, options: plan.options), 0).rounded()),
                                 uncalibrated: missing.sorted(),
                                 calibration: calibration, clockHz: clockHz)
    }
}

/// Step costs kept from plan to plan by a sweep (`CostModel.instructions(_:memo:)`).
final class CostMemo {
    /// A step: op, in-place/fused flags and region packed in one word
    /// (`nil` when a coordinate does not fit: such a step is not kept).
    struct Key: Hashable {
        var bits: UInt64

        init?(op: Int, flags: Int, region: Region?) {
            // 14 bits of op, 2 of flags, 12 for each bound (4095 for all of the output).
            guard op >= 0, op < (1 << 14) - 1 else { return nil }
            var bits = UInt64(op) << 50 | UInt64(flags & 3) << 48
            if let region {
                let r0 = region.rows.lowerBound, r1 = region.rows.upperBound, c0 = region.cols.lowerBound, c1 = region.cols.upperBound
                guard r0 >= 0, c0 >= 0, r1 < 4095, c1 < 4095 else { return nil }
                bits |= UInt64(r0) << 36 | UInt64(r1) << 24 | UInt64(c0) << 12 | UInt64(c1)
            } else {
                bits |= (1 << 48) - 1
            }
            self.bits = bits
        }
    }

    var facts: [OpCostFacts?] = []
    var steps = StepTable()
    /// An op's steps over a fused stage's tiles, summed, by op, in-place
    /// flag and its tile rows' and columns' ranges (the search's stages).
    var opSums: [[Int]: Double] = [:]
    /// Whether step costs are kept: the multi-stage search prices steps
    /// that seldom recur from one candidate to the next (and reuses the
    /// ones that do itself), where a table of them only costs misses.
    var keepsSteps: Bool

    init(keepsSteps: Bool = true) { self.keepsSteps = keepsSteps }

    /// Empties the memo when it last saw another model.
    func prepare(for model: Model) {
        guard facts.count != model.operators.count else { return }
        facts = Array(repeating: nil, count: model.operators.count)
        steps = StepTable()
        opSums = [:]
    }
    /// Scratch features of one step.
    var k = [Double](repeating: 0, count: KernelFeature.allCases.count)
    var m = [Double](repeating: 0, count: MovementFeature.allCases.count)
}

/// An open-addressing table of step costs by packed key (a sweep looks
/// steps up hundreds of thousands of times; `Dictionary`'s seeded hashing
/// was a third of the lookup).
struct StepTable {
    /// Key and value side by side: a hit touches one cache line.
    private struct Slot {
        var key: UInt64
        var value: Double
    }
    private var slots: [Slot]
    private var count = 0
    private var shift: UInt64

    /// Never a packed key (its op would be 2^14 − 1, which `Key` refuses).
    private static let empty = UInt64.max

    init(capacityLog2: Int = 12) {
        slots = Array(repeating: Slot(key: Self.empty, value: 0), count: 1 << capacityLog2)
        shift = UInt64(64 - capacityLog2)
    }

    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    func value(_ key: UInt64) -> Double? {
        var i = slot(key)
        let mask = slots.count - 1
        while true {
            let k = slots[i].key
            if k == key { return slots[i].value }
            if k == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    mutating func insert(_ key: UInt64, _ value: Double) {
        if (count + 1) * 2 > slots.count { grow() }
        var i = slot(key)
        let mask = slots.count - 1
        while slots[i].key != Self.empty && slots[i].key != key { i = (i + 1) & mask }
        if slots[i].key == Self.empty { count += 1 }
        slots[i] = Slot(key: key, value: value)
    }

    private mutating func grow() {
        let old = slots
        var bigger = StepTable(capacityLog2: 64 - Int(shift) + 1)
        for s in old where s.key != Self.empty { bigger.insert(s.key, s.value) }
        self = bigger
    }
}

/// What `CostModel.predict` says of one plan on one core.
public struct LatencyPrediction: Equatable, Sendable {
    public struct Op: Equatable, Sendable {
        public var index: Int
        public var op: String
        public var kernel: KernelClass
        /// Kernel calls (one per patch in the stage).
        public var steps: Int
        public var macs: Int
        /// Predicted instructions, summed over its steps (copies included).
        public var instructions: Int
        /// With a board calibration: predicted cycles.
        public var cycles: Int?
    }

    public var core: CortexCore
    /// Every op that runs, in op order.
    public var ops: [Op]
    /// Instructions once per inference outside every op (`pt_invoke` and
    /// its copies of the caller's tensors; each op carries its steps' share
    /// of the step loop).
    public var invokeInstructions: Int
    /// Kernel classes the calibration table has not measured on this core
    /// (their ops are predicted from the fallback coefficients).
    public var uncalibrated: [KernelClass]
    public var calibration: BoardCalibration?
    /// The core's clock, if a board or `--clock` gave one.
    public var clockHz: Int?

    /// Predicted instructions for one inference.
    public var instructions: Int { ops.reduce(invokeInstructions) { $0 + $1.instructions } }

    /// Predicted cycles, with a board calibration.
    public var cycles: Int? {
        guard let calibration else { return nil }
        return ops.reduce(Int((Double(invokeInstructions) * calibration.overall).rounded())) { $0 + ($1.cycles ?? 0) }
    }

    /// Milliseconds at `clockHz`: calibrated cycles, or else instructions
    /// at one per cycle (`isCycleCalibrated` says which).
    public var milliseconds: Double? {
        guard let clockHz, clockHz > 0 else { return nil }
        return Double(cycles ?? instructions) / Double(clockHz) * 1000
    }

    /// Milliseconds of one op at `clockHz`.
    public func milliseconds(of op: Op) -> Double? {
        guard let clockHz, clockHz > 0 else { return nil }
        return Double(op.cycles ?? op.instructions) / Double(clockHz) * 1000
    }

    public var isCycleCalibrated: Bool { calibration != nil }

    /// The assumption behind a time, said where the time is shown.
    public var timeBasis: String {
        isCycleCalibrated ? "cycles from the board's DWT calibration"
            : "instructions at one per cycle, not measured cycles"
    }
}

/// What `pt_invoke` copies besides the steps: each caller input the arena
/// holds (a graph input not streamed, not read through an `--int8-io`
/// conversion) copied in, each arena output copied out.
public struct InvokeCopies: Equatable, Sendable {
    public var copies = 0
    public var bytes = 0

    public init(copies: Int, bytes: Int) {
        self.copies = copies
        self.bytes = bytes
    }

    public init(model: Model, options: MemoryOptions) {
        // The caller's tensors: under --int8-io the float ones, outside the
        // arena (the boundary conversions read and write them as steps).
        for tensor in model.callerInputs where model.inputs.contains(tensor) && model.isActivation(tensor) && !options.streamInput {
            copies += 1
            bytes += model.tensors[tensor].byteCount
        }
        for tensor in model.callerOutputs where model.outputs.contains(tensor) && model.isActivation(tensor) && !model.inputs.contains(tensor) {
            copies += 1
            bytes += model.tensors[tensor].byteCount
        }
    }
}
