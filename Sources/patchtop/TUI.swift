import ArgumentParser
import PatchTopModel
import PatchTopPlan
import PatchTopTerminal
import PatchTopUI

/// `patchtop tui MODEL`: the interactive terminal UI.
struct TUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Interactive terminal UI: move p and n and watch peak memory, MACs and patch regions."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var stage: PlanFlags

    @OptionGroup var memory: MemoryFlags

    @Option(help: "SRAM budget for activations: bytes, or with a KiB/MiB suffix (e.g. 256KiB).")
    var sram: String?

    func run() throws {
        var budget: Int?
        if let sram {
            guard let bytes = parseByteSize(sram) else { fail("--sram \"\(sram)\" is not a size (try 320KiB or 327680)") }
            budget = bytes
        }
        let loaded = try loadModel(model)
        let state: AppState
        do {
            state = try AppState(model: loaded, patches: stage.patches, patchLayers: stage.patchLayers, options: memory.options, sramBudget: budget)
        } catch {
            fail("\(loaded.name): \(error.description)")
        }
        do {
            _ = try Terminal.run(state)
        } catch {
            fail(error.description)
        }
    }
}
