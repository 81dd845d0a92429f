import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopUI

/// `patchtop report MODEL`: the TUI's screen rendered as UTF-8 text, headless.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the TUI's views as a UTF-8 text report (no terminal needed)."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var stage: PlanFlags

    @OptionGroup var memory: MemoryFlags

    @Option(help: "SRAM budget for activations: bytes, or with a KiB/MiB suffix.")
    var sram: String?

    @Option(help: "Which view: layers, memory, grid or all.")
    var view: String = "all"

    @Option(help: "Width in cells.") var width = 120
    @Option(help: "Height in cells.") var height = 40

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the report to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard let which = ReportRenderer.View(rawValue: view) else { fail("--view \"\(view)\" is not one of layers, memory, grid, all") }
        guard (1...1000).contains(width), (1...1000).contains(height) else { fail("--width and --height must be within 1…1000") }
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
        let date = ISO8601DateFormatter().string(from: Date())
        let text = ReportRenderer(state: state, view: which, width: width, height: height, date: date).render()
        if let output {
            guard let file = fopen(output, "w") else { fail("cannot write \(output): \(String(cString: strerror(errno)))") }
            let bytes = Array(text.utf8)
            let written = fwrite(bytes, 1, bytes.count, file)
            let closed = fclose(file)
            guard written == bytes.count, closed == 0 else { fail("cannot write \(output): \(String(cString: strerror(errno)))") }
        } else {
            print(text, terminator: "")
        }
    }
}
