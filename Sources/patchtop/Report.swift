import ArgumentParser
import Foundation
import PatchTopEffects
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

    @OptionGroup var engine: EngineFlags

    @OptionGroup var budget: BudgetFlags

    @OptionGroup var latency: LatencyFlags

    @Option(help: "Which view.")
    var view: ReportRenderer.View = .all

    @Option(help: "Width in cells.") var width = 120
    @Option(help: "Height in cells.") var height = 40

    @Flag(name: .customLong("run"), help: "Run the plan once with the runtime first, so the status line and header show the run (arena, time, identical).")
    var withRun = false

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the report to this file instead of standard output.")
    var output: String?

    @OptionGroup var arena: ArenaFlags

    func validate() throws {
        guard (1...1000).contains(width), (1...1000).contains(height) else { throw ValidationError("--width and --height must be within 1…1000") }
    }

    func run() throws {
        let loaded = try loadModel(model)
        var state = try initialState(loaded, stage: stage, memory: memory, board: budget.budget, caching: cache.tuiMode, engine: engine.engine, latency: latency)
        if withRun {
            // The TUI's own loop, headless: the same update, the same background run.
            let loop = AppLoop(state: state, backend: HeadlessBackend(width: width, height: height),
                               effects: EffectHandler(planRunner: ArenaPlanRunner(model: loaded, arenaLimit: arena.maxArena.bytes)))
            loop.open()
            loop.settle(timeout: 600) { if case .running = $0.run { false } else { true } }
            loop.effects.stop()
            state = loop.state
        }
        let date = ISO8601DateFormatter().string(from: Date())
        var renderer = ReportRenderer(state: state, view: view, width: width, height: height, date: date)
        renderer.showEngines = true
        let text = renderer.render()
        if let output {
            if case .failure(let error) = ReportFile.write(text, to: output) { throw CommandFailure(error.description) }
        } else {
            print(text, terminator: "")
        }
    }
}
