import PatchTopModel
import PatchTopPlan

/// The panels Tab cycles through.
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
    public var plan: PatchPlan
    public var options: MemoryOptions
    public var selectedLayer: Int = 0
    public var focusedPanel: Panel = .layers
    public var selectedPatch: Int = 0
    public var showHelp = false
    /// A one-off notice (an invalid n, where an export went); cleared by the next key.
    public var statusMessage: String = ""
    /// The SRAM budget line of the memory chart, from `--sram`, `--board` or `b`.
    public var budget: SRAMBudget?
    public var shouldQuit = false
    public var width = 120
    public var height = 40
    /// The latest background run asked for, and where it stands.
    public var run: RunStatus = .idle
    /// Bumped by every plan change; results of older generations are stale.
    public var runGeneration = 0
    /// Where `e` writes its report (`patchtop-<model>-p<P>-n<N>.txt` inside it).
    public var exportDirectory = "."
    /// Step-through mode: `nil` when off; on, the latest snapshot (if one arrived).
    public var step: StepMode?
    /// The channel the step-mode heatmap shows (clamped to the tensor's channels when drawn).
    public var heatmapChannel = 0

    /// Step-through mode as the state holds it.
    public struct StepMode: Equatable, Sendable {
        public var snapshot: StepSnapshot?
        public var error: String?
        public init(snapshot: StepSnapshot? = nil, error: String? = nil) {
            self.snapshot = snapshot
            self.error = error
        }
    }

    public var patches: Int { plan.patches }
    public var patchLayers: Int { plan.patchLayers }
    /// The budget in bytes, for views that only need the line's position.
    public var sramBudget: Int? { budget?.bytes }
    public var patchCount: Int { plan.isPatched ? plan.patches * plan.patches : 1 }

    public init(model: Model, patches: Int = 1, patchLayers: Int = 0, options: MemoryOptions = .tfliteMicro,
                sramBudget: Int? = nil, board: SRAMBudget? = nil) throws(PlanError) {
        self.model = model
        self.options = options
        self.budget = board ?? sramBudget.map { SRAMBudget(name: "SRAM", bytes: $0) }
        self.plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options)
    }

    /// The request that runs the current plan in the current generation.
    public var currentRunRequest: RunRequest {
        RunRequest(generation: runGeneration, patches: plan.patches, patchLayers: plan.patchLayers, options: options)
    }

    /// Re-plans with new (p, n). On success the plan changes and a new run
    /// generation starts (returned, for the caller to run); on failure the
    /// plan stays and the notice says why.
    @discardableResult
    public mutating func replan(patches: Int, patchLayers: Int) -> RunRequest? {
        do {
            plan = try PatchPlan(model: model, patches: patches, patchLayers: patchLayers, options: options)
            if selectedPatch >= patchCount { selectedPatch = 0 }
            runGeneration += 1
            let request = currentRunRequest
            run = .running(request)
            return request
        } catch {
            statusMessage = error.description
            return nil
        }
    }

    /// `./patchtop-mbv2-w0.35-r144-p3-n13.txt`: where `e` writes by default.
    public var exportPath: String {
        let name = "patchtop-\(model.name)-p\(plan.patches)-n\(plan.patchLayers).txt"
        if exportDirectory.isEmpty { return name }
        return exportDirectory.hasSuffix("/") ? exportDirectory + name : exportDirectory + "/" + name
    }
}
