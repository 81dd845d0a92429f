import ArgumentParser
import PatchTopUI

extension InferenceEngine: ExpressibleByArgument {}

/// `--engine tflm|tinyengine`: whose reservation the SRAM budget is
/// compared with in `tui` and `report`.
struct EngineFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Compare the SRAM budget with what this engine reserves: tflm (TFLite Micro's whole tensor_arena; layer by layer only) or tinyengine (TinyEngine's PEAK_MEM for the plan).",
        valueName: "engine"))
    var engine: InferenceEngine = .tflm
}
