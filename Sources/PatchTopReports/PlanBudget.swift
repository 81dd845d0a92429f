import PatchTopModel
import PatchTopPlan

/// `plan --sram/--board`: the budget and each engine's verdict on it, each
/// holding the SRAM that engine needs for the plan (as the TUI's verdicts).
public struct PlanBudgetJSON: Codable, Equatable, Sendable {
    public struct Verdict: Codable, Equatable, Sendable {
        /// `tflm` or `tinyengine`.
        public var engine: String
        /// `TFLite Micro arena`, `TinyEngine PEAK_MEM`.
        public var name: String
        /// `null` where the engine has no figure for the plan (`why` says so).
        public var requiredBytes: Int?
        public var fits: Bool?
        public var why: String?
    }

    public var name: String
    public var bytes: Int
    public var verdicts: [Verdict]

    public init(budget: SRAMBudget, model: Model, plan: PatchPlan) {
        let figures = EngineFigures(model: model, plan: plan, tflmArena: EngineFigures.tflmArena(for: model))
        name = budget.name
        bytes = budget.bytes
        verdicts = InferenceEngine.allCases.map { engine in
            let required = figures.required(by: engine)
            return Verdict(engine: engine.rawValue, name: required.name, requiredBytes: required.bytes,
                           fits: required.bytes.map { $0 <= budget.bytes }, why: required.why)
        }
    }

    /// `budget          nRF52840 256.0 KiB`, then one line per engine.
    public static func lines(budget: SRAMBudget, model: Model, plan: PatchPlan) -> [String] {
        let figures = EngineFigures(model: model, plan: plan, tflmArena: EngineFigures.tflmArena(for: model))
        return ["budget          \(budget.name) \(formatBytes(budget.bytes))"] + InferenceEngine.allCases.map { engine in
            let label = engine.name.padding(toLength: 14, withPad: " ", startingAt: 0)
            return "  \(label)\(figures.required(by: engine).verdict(budget).candidates[0])"
        }
    }
}
