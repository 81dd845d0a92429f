import PatchTopReports
import PatchTopModel
import PatchTopPlan

/// The panels Tab moves the focus through; the arrow keys act on the
/// focused one (rows in the layer table and the memory chart, patches in
/// the patch grid, plans in the Pareto chart).
public enum Panel: Int, CaseIterable, Equatable, Sendable {
    case layers, memory, grid
    public var title: String {
        switch self {
        case .layers: "Layers"
        case .memory: "Memory"
        case .grid: "Patch grid"
        }
    }
}

/// The whole state of the TUI: pure data, changed only by `update`.
public struct AppState: Sendable {
    public var model: Model
    public var plan: PatchPlan {
        didSet {
            engines = EngineFigures(model: model, plan: plan, tflmArena: engines.tflm)
            prediction = latency?.predict(plan)
        }
    }
    /// What the plan's instructions and time are predicted with (`--target`,
    /// `--clock`, a board with a core), or a note why there is no prediction.
    public var latency: LatencySetup? {
        didSet { prediction = latency?.predict(plan) }
    }
    /// The plan's predicted instructions (and time) op by op; kept in step
    /// with `plan` and `latency` (well under a millisecond a plan).
    public private(set) var prediction: LatencyPrediction?
    /// The setup for a board `b` picks (its core and clock), when the
    /// command line did not fix them; `nil` keeps `latency` as it is.
    public var latencyForBoard: (@Sendable (SRAMBudget?) -> LatencySetup?)?
    /// The multi-stage plans' front (`MultiStageSearch`, from the
    /// background) for the Pareto chart, once asked for with `M`.
    public var multiStage: MultiStageFront?
    /// `M`: the Pareto chart walks the multi-stage front instead of the (p, n) sweep's.
    public var showMultiStage = false
    /// Turns of the hint bar: when the keys do not all fit, each key press
    /// shows the next of the keys left out.
    public var hintRotation = 0
    /// What TFLite Micro and TinyEngine would reserve for the plan, beside
    /// what it needs; kept in step with `plan`.
    public private(set) var engines: EngineFigures
    /// The engine a board budget is compared with (`E`).
    public var engine: InferenceEngine = .tflm
    /// The SRAM the chosen engine needs for the plan, and its name: the one
    /// figure every budget verdict holds.
    public var required: EngineFigures.Requirement { engines.required(by: engine) }
    /// The budget verdict on `required`, fullest words first (`nil` fits: no verdict).
    public var budgetVerdict: (fits: Bool?, candidates: [String])? { budget.map { required.verdict($0) } }
    public var options: MemoryOptions
    /// Halo caches: none, auto (within the budget, or +25%) or all (`H`).
    public var caching: HaloCache.Mode = .none
    public var selectedLayer: Int = 0
    /// The first row the layer table and the memory chart show (kept by
    /// `update` from the last layout, so the tables scroll only when the
    /// selection leaves them).
    public var layerTop = 0
    public var memoryTop = 0
    public var focusedPanel: Panel = .layers
    public var selectedPatch: Int = 0
    public var showHelp = false
    /// The first line of the help overlay shown (it pages when the screen is short).
    public var helpTop = 0
    /// `w`: the "live at peak" panel in place of the patch grid.
    public var showLive = false
    /// `v`: the Pareto chart in place of the memory chart and patch grid.
    public var showPareto = false
    /// The plan of the Pareto front the chart's cursor is on.
    public var paretoCursor = 0
    /// Every plan of the sweep for `options` (the Pareto chart, the n
    /// slider's range); `nil` until one is given.
    public var pareto: ParetoData?
    /// A one-off notice (an invalid n, where an export went); cleared by the next key.
    public var statusMessage: String = ""
    /// The SRAM budget line of the memory chart, from `--sram`, `--board` or `b`.
    public var budget: SRAMBudget?
    /// A key changed what the recommendation is (`m`) before the sweep it
    /// needs was in: the words to say when it arrives and the plan is re-picked.
    public var repickPending: String?
    public var shouldQuit = false
    public var width = 120
    public var height = 40
    /// The latest background run asked for, and where it stands.
    public var run: RunStatus = .idle
    /// Bumped by every plan change; results of older generations are stale.
    public var runGeneration = 0
    /// Where `e` writes its report (`patchtop-<model>-p<P>-n<N>-<memory>.txt` inside it).
    public var exportDirectory = "."
    /// The date exports are stamped with when set (fixed in tests); empty,
    /// each export is stamped when its file is written.
    public var exportDate = ""
    /// Step-through mode: `nil` when off; on, the latest snapshot (if one arrived).
    public var step: StepMode?
    /// The channel the step-mode heatmap shows (clamped to the tensor's channels when drawn).
    public var heatmapChannel = 0
    /// The layout of the frame this state is drawn as, computed once by
    /// `update`: the loop draws with it and the next mouse press is tested
    /// against it, so a click lands on what was on screen.
    public internal(set) var layout: ScreenLayout?

    /// Step-through mode as the state holds it.
    public struct StepMode: Equatable, Sendable {
        public var snapshot: StepSnapshot?
        public var error: String?
        /// A step command is on its way to the step worker.
        public var busy = false
        public init(snapshot: StepSnapshot? = nil, error: String? = nil, busy: Bool = false) {
            self.snapshot = snapshot
            self.error = error
            self.busy = busy
        }
    }

    public var patches: Int { plan.patches }
    public var patchLayers: Int { plan.patchLayers }
    /// The budget in bytes, for views that only need the line's position.
    public var sramBudget: Int? { budget?.bytes }
    public var patchCount: Int { plan.headStage?.grid.count ?? 1 }
    /// Whether the screen is large enough to draw (and for keys to act).
    public var fitsScreen: Bool { width >= Screen.minWidth && height >= Screen.minHeight }

    public init(model: Model, patches: Int = 1, patchLayers: Int = 0, options: MemoryOptions = .tfliteMicro,
                sramBudget: Int? = nil, board: SRAMBudget? = nil, pareto: ParetoData? = nil,
                caching: HaloCache.Mode = .none) throws(PlanError) {
        self.model = model
        self.options = options
        self.caching = caching
        self.budget = board ?? sramBudget.map { SRAMBudget(name: "SRAM", bytes: $0) }
        let plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options,
                                 haloCaching: caching.caching(budget: budget?.bytes))
        self.plan = plan
        self.engines = EngineFigures(model: model, plan: plan, tflmArena: EngineFigures.tflmArena(for: model))
        self.pareto = pareto
        patchLimit = Self.patchLimit(model: model, patchLayers: patchLayers, options: options, plan: plan)
    }

    /// The state opened at a given plan (a plan file, a rectangular grid,
    /// several stages), made for `model` under `options`.
    public init(model: Model, plan: PatchPlan, options: MemoryOptions, board: SRAMBudget? = nil, pareto: ParetoData? = nil,
                caching: HaloCache.Mode = .none, engine: InferenceEngine = .tflm) {
        self.engine = engine
        self.model = model
        self.options = options
        self.caching = caching
        self.budget = board
        self.plan = plan
        self.engines = EngineFigures(model: model, plan: plan, tflmArena: EngineFigures.tflmArena(for: model))
        self.pareto = pareto
        patchLimit = Self.patchLimit(model: model, patchLayers: plan.patchLayers, options: options, plan: plan)
    }

    /// The request that runs the current plan in the current generation.
    public var currentRunRequest: RunRequest {
        RunRequest(generation: runGeneration, patches: plan.patches, patchLayers: plan.patchLayers, options: options,
                   haloCaching: plan.haloCaching, stages: plan.needsStageList ? plan.stageSpecs : nil)
    }

    /// The sweep in hand is the one for the current memory options and core.
    public var paretoIsCurrent: Bool { pareto?.options == options && pareto?.core == latency?.core }
    /// The multi-stage front in hand is the one for the current memory options and core.
    public var multiStageIsCurrent: Bool { multiStage?.options == options && multiStage?.core == latency?.core }

    /// The front the Pareto chart's cursor walks: the multi-stage plans'
    /// (`M`) or the (p, n) sweep's.
    public var paretoFront: [ParetoPoint] {
        if showMultiStage { return multiStageIsCurrent ? multiStage?.points ?? [] : [] }
        guard let data = pareto else { return [] }
        guard chartsEnginePeak else { return data.front }
        // The front over the engine's own figure (TinyEngine's PEAK_MEM) against the same cost.
        let known = data.points.compactMap { point in chartPeak(point).map { (point, $0) } }
            .sorted { ($0.1, cost($0.0)) < ($1.1, cost($1.0)) }
        var front: [ParetoPoint] = []
        for (point, _) in known where front.last.map({ cost(point) < cost($0) }) ?? true { front.append(point) }
        return front
    }

    /// The Pareto chart's peak is TinyEngine's PEAK_MEM (the figure `E`
    /// compares) when TinyEngine is the engine on the (p, n) sweep; else
    /// the plan's own peak (TFLite Micro runs layer by layer only, and
    /// TinyEngine has no multi-stage plans).
    public var chartsEnginePeak: Bool { engine == .tinyengine && !showMultiStage }

    /// A plan's height in the Pareto chart: the engine's figure when
    /// `chartsEnginePeak` (`nil`: the engine has no right figure for it), else its peak.
    public func chartPeak(_ point: ParetoPoint) -> Int? {
        guard chartsEnginePeak else { return point.peakBytes }
        return point.tinyEngineWrong ? nil : point.tinyEngineBytes
    }

    /// What the front minimises beside the peak: predicted instructions
    /// when the sweep has them for the current core, else MACs.
    public func cost(_ point: ParetoPoint) -> Int {
        if pareto?.core != nil, pareto?.core == latency?.core, let instructions = point.instructions { return instructions }
        return point.macs
    }

    /// Re-plans as these fused stages (every other op layer by layer), as
    /// the stage keys and a multi-stage Pareto plan ask; like `replan`,
    /// the plan stays and the notice says why when they do not fit.
    @discardableResult
    public mutating func replan(stages: [StageSpec]) -> RunRequest? {
        do {
            plan = try PatchPlan(model: model, stages: stages, options: options, haloCaching: caching.caching(budget: sramBudget))
        } catch {
            statusMessage = error.description
            return nil
        }
        if selectedPatch >= patchCount { selectedPatch = 0 }
        patchLimit = Self.patchLimit(model: model, patchLayers: plan.patchLayers, options: options, plan: plan)
        runGeneration += 1
        let request = currentRunRequest
        run = .running(request)
        return request
    }

    /// The n slider's range: 0 up to the largest n any valid plan has
    /// (past it the stage would cross a global op), from the sweep.
    public var layerRange: ClosedRange<Int> {
        0...max(1, pareto?.maxPatchLayers ?? model.operators.count)
    }

    /// The p slider's range for the current n: 1 up to the stage output's
    /// smaller side (p patches per side need at least one row and column each).
    public var patchRange: ClosedRange<Int> { 1...max(2, patchLimit) }

    /// The largest p for the current n, kept with the plan (so drawing never plans).
    public private(set) var patchLimit = 64

    /// The largest p for a stage of `n` ops (64, PatchPlan's own limit, when n = 0).
    static func patchLimit(model: Model, patchLayers n: Int, options: MemoryOptions, plan: PatchPlan? = nil) -> Int {
        if let plan, plan.isPatched, plan.patchLayers == n { return min(plan.outputGrid.height, plan.outputGrid.width) }
        guard n > 0 else { return 64 }
        do {
            let probe = try PatchPlan(model: model, patches: 2, patchLayers: n, options: options)
            return min(probe.outputGrid.height, probe.outputGrid.width)
        } catch {
            if case .patchesOutOfRange(_, let limit) = error { return limit }
            return 1
        }
    }

    /// Re-plans with new (p, n). On success the plan changes and a new run
    /// generation starts (returned, for the caller to run); on failure the
    /// plan stays and the notice says why, in terms of the value that moved.
    @discardableResult
    public mutating func replan(patches: Int, patchLayers: Int) -> RunRequest? {
        if patches < 1 {
            let limit = patchLayers == plan.patchLayers ? patchLimit : Self.patchLimit(model: model, patchLayers: patchLayers, options: options)
            statusMessage = "p=\(patches) is out of range: the stage output allows 1…\(limit) patches per side"
            return nil
        }
        do {
            plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options,
                                 haloCaching: caching.caching(budget: sramBudget))
        } catch {
            if case .patchesOutOfRange(_, let limit) = error, patchLayers != plan.patchLayers {
                statusMessage = "n=\(patchLayers) leaves a stage output too small for p=\(patches) (p ≤ \(limit) there): lower p first"
            } else {
                statusMessage = error.description
            }
            return nil
        }
        if selectedPatch >= patchCount { selectedPatch = 0 }
        patchLimit = Self.patchLimit(model: model, patchLayers: patchLayers, options: options, plan: plan)
        runGeneration += 1
        let request = currentRunRequest
        run = .running(request)
        return request
    }

    /// `./patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt`: where `e` writes by
    /// default (a `-2`… suffix is added when the file exists).
    public var exportPath: String {
        let cache = caching == .none ? "" : "-cache-\(caching.rawValue)"
        // A plan of several stages (or a rectangular grid) is named by its stages: `s0-12x3x3-s17-20x2x2`.
        let shape = plan.needsStageList
            ? plan.stageSpecs.map { "s\($0.firstOp)-\($0.lastOp)x\($0.grid.rows)x\($0.grid.cols)" }.joined(separator: "-")
            : "p\(plan.patches)-n\(plan.patchLayers)"
        let name = "patchtop-\(model.name)-\(shape)-\(Self.optionsTag(options))\(cache).txt"
        if exportDirectory.isEmpty { return name }
        return exportDirectory.hasSuffix("/") ? exportDirectory + name : exportDirectory + "/" + name
    }

    /// `tflm`, or the memory options joined: `inplace-stream-fuse-foldpad-int8io`.
    public static func optionsTag(_ options: MemoryOptions) -> String {
        var parts: [String] = []
        if options.inplaceDepthwise { parts.append("inplace") }
        if options.streamInput { parts.append("stream") }
        if options.fuseResidual { parts.append("fuse") }
        if options.foldPad { parts.append("foldpad") }
        if options.int8IO { parts.append("int8io") }
        return parts.isEmpty ? "tflm" : parts.joined(separator: "-")
    }
}
