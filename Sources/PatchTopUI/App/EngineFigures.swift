import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// The engine whose reservation a board budget is compared with (`E`,
/// `--engine`): TFLite Micro's whole `tensor_arena` (layer by layer; it
/// has no patch-based inference) or TinyEngine's `PEAK_MEM`.
public enum InferenceEngine: String, CaseIterable, Equatable, Hashable, Sendable {
    case tflm, tinyengine

    public var name: String {
        switch self {
        case .tflm: "TFLite Micro"
        case .tinyengine: "TinyEngine"
        }
    }

    public var next: InferenceEngine { self == .tflm ? .tinyengine : .tflm }
}

/// What each engine would reserve for the current plan, side by side with
/// what the plan itself needs: `TFLite Micro arena 83.3 KiB (layer by
/// layer) · TinyEngine PEAK_MEM 91.8 KiB · this plan needs 54.0 KiB`.
public struct EngineFigures: Equatable, Sendable {
    /// TFLite Micro's minimum arena for the model (layer by layer), or why not.
    public var tflm: Result<Int, Reason>
    /// TinyEngine's PEAK_MEM for this plan (split index from n), or why not.
    public var tinyEngine: Result<Int, Reason>
    /// The plan's own peak.
    public var planNeeds: Int
    public var patched: Bool

    public struct Reason: Error, Equatable, Sendable {
        public var text: String
    }

    /// `tflmArena`: the model's TFLite Micro prediction, computed once per
    /// model (it does not depend on the plan).
    public init(model: Model, plan: PatchPlan, tflmArena: Result<Int, Reason>) {
        tflm = tflmArena
        tinyEngine = plan.needsStageList
            ? .failure(Reason(text: "TinyEngine runs one square patch stage at the head: it has no \(plan.isMultiStage ? "multi-stage plans" : "rectangular grids")"))
            : TinyEngineEstimate.of(model: model, patches: plan.patches, patchLayers: plan.isPatched ? plan.patchLayers : 0)
                .map(\.memory.peakMemBytes).mapError { Reason(text: $0.reason) }
        planNeeds = plan.peakBytes
        patched = plan.isPatched
    }

    /// The model's TFLite Micro arena, or why there is none.
    public static func tflmArena(for model: Model) -> Result<Int, Reason> {
        TFLiteMicroArena.predict(for: model).map(\.arenaBytes).mapError { Reason(text: $0.reason) }
    }

    /// The figure a budget is compared with under `engine`, and what it is
    /// called; where the engine has none for this plan, the plan's own
    /// peak, saying why.
    public func reserved(by engine: InferenceEngine) -> (bytes: Int, label: String) {
        switch engine {
        case .tflm:
            if patched { return (planNeeds, "plan (TFLite Micro has no patch-based inference)") }
            if case .success(let bytes) = tflm { return (bytes, "TFLite Micro arena") }
            return (planNeeds, "plan (no TFLite Micro figure)")
        case .tinyengine:
            if case .success(let bytes) = tinyEngine { return (bytes, "TinyEngine PEAK_MEM") }
            return (planNeeds, "plan (no TinyEngine figure)")
        }
    }

    /// The three figures in one line, in KiB.
    public var line: String {
        let tflmText: String
        switch tflm {
        case .success(let bytes): tflmText = "TFLite Micro arena \(formatBytes(bytes)) (\(formatCount(bytes)) B) (layer by layer)"
        case .failure: tflmText = "TFLite Micro: no figure"
        }
        let teText: String
        switch tinyEngine {
        case .success(let bytes): teText = "TinyEngine PEAK_MEM \(formatBytes(bytes)) (\(formatCount(bytes)) B)"
        case .failure: teText = "TinyEngine: no figure"
        }
        return "\(tflmText) · \(teText) · this plan needs \(formatBytes(planNeeds))"
    }

    /// The short form for the status line: `TFLM 83.3 · TE 91.8 KiB`.
    public var short: String {
        let a = (try? tflm.get()).map { "TFLM \(kib($0))" } ?? "TFLM –"
        let b = (try? tinyEngine.get()).map { "TE \(kib($0))" } ?? "TE –"
        return "\(a) · \(b) KiB"
    }
}
