import ArgumentParser
import Foundation
import PatchTopEffects
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

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var engine: EngineFlags

    @OptionGroup var budget: BudgetFlags

    @OptionGroup var latency: LatencyFlags

    @Option(help: ArgumentHelp("Directory `e` writes its report into.", valueName: "dir"))
    var exportDir = "."

    @Option(help: ArgumentHelp("Log frame (update + render) and background run times to this file.", valueName: "file"))
    var profile: String?

    @OptionGroup var arena: ArenaFlags

    func run() throws {
        Backtracer.relaunchIfNeeded()
        let loaded = try loadModel(model)
        var state = try initialState(loaded, stage: stage, memory: memory, board: budget.budget, caching: cache.tuiMode, engine: engine.engine, latency: latency)
        state.exportDirectory = exportDir
        var log: ProfileLog?
        if let profile {
            switch ProfileLog.open(path: profile) {
            case .success(let opened): log = opened
            case .failure(let error): throw CommandFailure(error.description)
            }
        }
        let effects = EffectHandler(planRunner: ArenaPlanRunner(model: loaded, arenaLimit: arena.maxArena.bytes), makeStepDriver: stepDriverFactory(loaded),
                                    sweepModel: loaded, profile: log)
        do {
            let terminal = try Terminal()
            defer { terminal.close() }
            AppLoop(state: state, backend: terminal, effects: effects, log: log.map { log in { log.log($0) } }).run()
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
