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

    public init(core: CortexCore, invoke: Double, betweenSteps: Double = 0, kernels: [KernelClass: [Double]], fallback: [Double], movement: [Double]) {
        self.core = core
        self.invoke = invoke
        self.betweenSteps = betweenSteps
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
        let features = plan.costFeatures()
        return Int(max(features.reduce(invoke) { $0 + instructions($1) + betweenSteps * $1.value(.steps) }, 0).rounded())
    }

    /// Instructions outside every op for `steps` steps.
    func outside(steps: Double) -> Int { Int(max(invoke + betweenSteps * steps, 0).rounded()) }

    /// The prediction of `plan` op by op; `calibration` turns instructions
    /// into cycles, `clockHz` into milliseconds.
    public func predict(_ plan: PatchPlan, calibration: BoardCalibration? = nil, clockHz: Int? = nil) -> LatencyPrediction {
        let features = plan.costFeatures()
        var ops: [LatencyPrediction.Op] = []
        var missing = Set<KernelClass>()
        for f in features where f.runs {
            let op = plan.model.operators[f.op]
            let instructions = Int(instructions(f).rounded())
            if kernels[f.kernel] == nil { missing.insert(f.kernel) }
            ops.append(LatencyPrediction.Op(index: f.op, op: op.kind.name, kernel: f.kernel, steps: Int(f.value(.steps)),
                                            macs: Int(f.value(.macs)), instructions: instructions,
                                            cycles: calibration.map { Int((Double(instructions) * $0.cyclesPerInstruction(f.kernel)).rounded()) }))
        }
        let steps = features.reduce(0) { $0 + $1.value(.steps) }
        return LatencyPrediction(core: core, ops: ops, invokeInstructions: outside(steps: steps), uncalibrated: missing.sorted(),
                                 calibration: calibration, clockHz: clockHz)
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
    /// Instructions outside every op (invoke and the step loop).
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
