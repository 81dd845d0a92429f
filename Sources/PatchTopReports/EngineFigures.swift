import PatchTopModel
import PatchTopPlan

/// The engine whose SRAM a budget verdict is about (`E`, `--engine`):
/// TFLite Micro (its whole `tensor_arena`; it runs layer by layer only) or
/// TinyEngine (its `PEAK_MEM` for the plan).
///
/// The third engine, PatchTop's own exported firmware, joins here once the
/// export exists (the `firmware`/`harness` branches): add its case and name
/// below, give `EngineFigures` its figure (arena plus the firmware's static
/// RAM) and one line in `EngineFigures.required(by:)`; every verdict (top
/// line, memory title, Pareto chart, report header) and the recommendation
/// read it from there and from nowhere else.
public enum InferenceEngine: String, CaseIterable, Equatable, Hashable, Sendable {
    case tflm, tinyengine

    public var name: String {
        switch self {
        case .tflm: "TFLite Micro"
        case .tinyengine: "TinyEngine"
        }
    }

    public var next: InferenceEngine {
        let all = Self.allCases
        return all[((all.firstIndex(of: self) ?? 0) + 1) % all.count]
    }
}

/// What each engine would reserve for the current plan, side by side with
/// what the plan itself needs: `TFLite Micro arena 83.3 KiB (layer by
/// layer) · TinyEngine PEAK_MEM 91.8 KiB · this plan needs 54.0 KiB`.
public struct EngineFigures: Equatable, Sendable {
    /// TFLite Micro's minimum arena for the model (layer by layer), or why not.
    public var tflm: Result<Int, Reason>
    /// TinyEngine's PEAK_MEM for this plan (split index from n), or why not.
    public var tinyEngine: Result<Int, Reason>
    /// Where TinyEngine's own result is wrong for this plan (its patches
    /// miss rows, a residual skip across the split, …), in words.
    public var tinyEngineWarnings: [String]
    /// The plan's own peak.
    public var planNeeds: Int
    public var patched: Bool
    /// The plan keeps halo caches, which neither engine has.
    public var cached: Bool

    public struct Reason: Error, Equatable, Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }

    /// The one figure a budget verdict holds: the SRAM `engine` needs for
    /// the plan, and its name. `bytes` is `nil` where the engine has no
    /// figure for this plan (`why` says so), and then there is no verdict.
    public struct Requirement: Equatable, Sendable {
        public var engine: InferenceEngine
        public var bytes: Int?
        /// `TinyEngine PEAK_MEM`, `TFLite Micro arena`.
        public var name: String
        /// `TE PEAK_MEM`, `TFLM arena`: for narrow places.
        public var shortName: String
        public var why: String?
    }

    /// `tflmArena`: the model's TFLite Micro prediction, computed once per
    /// model (it does not depend on the plan).
    public init(model: Model, plan: PatchPlan, tflmArena: Result<Int, Reason>) {
        tflm = tflmArena
        if plan.needsStageList {
            tinyEngine = .failure(Reason(text: "TinyEngine runs one square patch stage at the head: it has no \(plan.isMultiStage ? "multi-stage plans" : "rectangular grids")"))
            tinyEngineWarnings = []
        } else {
            let estimate = TinyEngineEstimate.of(model: model, patches: plan.patches, patchLayers: plan.isPatched ? plan.patchLayers : 0)
            tinyEngine = estimate.map(\.memory.peakMemBytes).mapError { Reason(text: $0.reason) }
            tinyEngineWarnings = (try? estimate.get())?.memory.patchWarnings ?? []
        }
        planNeeds = plan.peakBytes
        patched = plan.isPatched
        cached = !plan.caches.isEmpty
    }

    /// The model's TFLite Micro arena, or why there is none.
    public static func tflmArena(for model: Model) -> Result<Int, Reason> {
        TFLiteMicroArena.predict(for: model).map(\.arenaBytes).mapError { Reason(text: $0.reason) }
    }

    /// The SRAM `engine` needs for this plan (see `Requirement`).
    public func required(by engine: InferenceEngine) -> Requirement {
        Self.requirement(engine, patched: patched, cached: cached, tflm: tflm, tinyEngine: tinyEngine,
                         tinyEngineWrong: !tinyEngineWarnings.isEmpty)
    }

    /// The same for any plan, from its figures: the plan's own peak is never
    /// a stand-in for an engine's.
    public static func requirement(_ engine: InferenceEngine, patched: Bool, cached: Bool, tflm: Result<Int, Reason>,
                                   tinyEngine: Result<Int, Reason>, tinyEngineWrong: Bool = false) -> Requirement {
        switch engine {
        case .tflm:
            let base = Requirement(engine: engine, bytes: nil, name: "TFLite Micro arena", shortName: "TFLM arena")
            if patched { return with(base, why: "TFLite Micro runs layer by layer only") }
            switch tflm {
            case .success(let bytes): var r = base; r.bytes = bytes; return r
            case .failure(let why): return with(base, why: "no TFLite Micro figure: \(why.text)")
            }
        case .tinyengine:
            let base = Requirement(engine: engine, bytes: nil, name: "TinyEngine PEAK_MEM", shortName: "TE PEAK_MEM")
            if cached { return with(base, why: "TinyEngine has no halo caches") }
            switch tinyEngine {
            case .success(let bytes):
                var r = base
                r.bytes = bytes
                if tinyEngineWrong { r.why = "TinyEngine computes this plan wrongly" }
                return r
            case .failure(let why): return with(base, why: "no TinyEngine figure: \(why.text)")
            }
        }
    }

    private static func with(_ r: Requirement, why: String) -> Requirement {
        var r = r
        r.why = why
        return r
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

extension EngineFigures.Requirement {
    /// The verdict on a budget for what an engine needs, from the fullest
    /// words to the shortest, every one naming the figure it holds:
    /// `TinyEngine PEAK_MEM 517.3 KiB: over by 261.3 KiB` … `TE 517.3 over 261.3`.
    /// `fits` is `nil` when the engine has no figure for the plan: then
    /// there is no verdict, and the words say why.
    public func verdict(_ budget: SRAMBudget) -> (fits: Bool?, candidates: [String]) {
        let required = self
        let tag = required.engine == .tflm ? "TFLM" : "TE"
        guard let bytes = required.bytes else {
            return (nil, ["no verdict: \(required.why ?? "no figure")", "no \(tag) figure", "no verdict"])
        }
        let fits = bytes <= budget.bytes
        let margin = kib(abs(budget.bytes - bytes))
        let wrong = required.why.map { "; \($0)" } ?? ""
        let wrongShort = required.why == nil ? "" : " !"
        return (fits, [
            "\(required.name) \(kib(bytes)) KiB \(fits ? "fits, \(margin) KiB free" : "over by \(margin) KiB")\(wrong)",
            "\(required.name) \(kib(bytes)) KiB \(fits ? "fits, \(margin) KiB free" : "over by \(margin) KiB")\(wrongShort)",
            "\(required.shortName) \(kib(bytes)) \(fits ? "fits, \(margin) free" : "over by \(margin)")\(wrongShort)",
            "\(tag) \(kib(bytes)) \(fits ? "fits" : "over by \(margin)")\(wrongShort)",
        ])
    }
}
