import ArgumentParser
import Foundation
import PatchTopEngines
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

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var budget: BudgetFlags

    @Option(help: "Which view: layers, memory, grid or all.")
    var view: String = "all"

    @Option(help: "Width in cells.") var width = 120
    @Option(help: "Height in cells.") var height = 40

    @Flag(name: .customLong("run"), help: "Run the plan once with the runtime first, so the status line and header show the run (arena, time, identical).")
    var withRun = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the report to this file instead of standard output.")
    var output: String?

    func run() throws {
        guard let which = ReportRenderer.View(rawValue: view) else { fail("--view \"\(view)\" is not one of layers, memory, grid, all") }
        guard (1...1000).contains(width), (1...1000).contains(height) else { fail("--width and --height must be within 1…1000") }
        let sram = budget.budget()
        let loaded = try loadModel(model)
        var state = initialState(loaded, stage: stage, memory: memory, board: sram, caching: cache.tuiMode)
        if withRun {
            // The TUI's own loop, headless: the same update, the same background run.
            let loop = AppLoop(state: state, backend: HeadlessBackend(width: width, height: height),
                               effects: EffectHandler(engine: PatchedRunEngine(model: loaded)))
            loop.open()
            loop.settle(timeout: 600) { if case .running = $0.run { false } else { true } }
            loop.effects.stop()
            state = loop.state
        }
        let date = ISO8601DateFormatter().string(from: Date())
        var renderer = ReportRenderer(state: state, view: which, width: width, height: height, date: date)
        renderer.showEngines = true
        let text = renderer.render()
        if let output {
            if case .failure(let error) = ReportFile.write(text, to: output) { fail(error.description) }
        } else {
            print(text, terminator: "")
        }
    }
}
