import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopRuntime
import PatchTopUI

/// A command that could not do its work: printed as `patchtop: message` on
/// standard error with exit status 1 (by `main.swift`, the one place that
/// exits). Mistyped arguments are `ValidationError`s instead, which the
/// parser prints with the usage.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Loads a model, or fails with one line naming the file and the problem.
/// With no model named (the default path), the bundled sample is looked for
/// in the current directory, then beside the binary and up to five folders
/// above it (a build in `.build/debug`, an install next to the sources).
func loadModel(_ path: String) throws -> Model {
    var path = path
    if path == defaultModelPath, !FileManager.default.fileExists(atPath: path) {
        guard let found = bundledModel() else {
            throw CommandFailure("no model given, and the default \(defaultModelPath) is neither in the current directory nor near the patchtop binary: pass a .tflite file (patchtop MODEL.tflite)")
        }
        path = found
    }
    do {
        return try TFLiteReader.load(path: path)
    } catch {
        throw CommandFailure(error.description)
    }
}

/// The bundled default model near the running binary, if there is one.
func bundledModel() -> String? {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
    var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = dir.appendingPathComponent(defaultModelPath).path
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        dir.deleteLastPathComponent()
    }
    return nil
}

/// Prints a value as pretty, key-sorted JSON on standard output (a figure
/// that is not a number prints as `null`).
func printJSON<T: Encodable>(_ value: T) throws {
    do {
        print(try JSONText.encode(value))
    } catch {
        throw CommandFailure("could not encode JSON output: \(error)")
    }
}

/// The TUI's starting state from the shared flags, as `tui` opens it and
/// `report` renders it (the sweep's recommendation without `-p`/`-n`); an
/// invalid (p, n) fails naming the model.
func initialState(_ model: Model, stage: PlanFlags, memory: MemoryFlags, board sram: SRAMBudget?,
                  caching: HaloCache.Mode = .none, engine: InferenceEngine = .tflm, latency: LatencyFlags? = nil) throws -> AppState {
    var state = try openingState(model, stage: stage, memory: memory, board: sram, caching: caching, engine: engine,
                                 latency: try latency?.tuiSetup(board: sram))
    state.paretoCursor = state.frontIndexNearestPlan()
    return state
}

private func openingState(_ model: Model, stage: PlanFlags, memory: MemoryFlags, board sram: SRAMBudget?, caching: HaloCache.Mode, engine: InferenceEngine,
                          latency: (setup: LatencySetup?, follow: @Sendable (SRAMBudget?) -> LatencySetup?)?) throws -> AppState {
    func with(_ state: AppState) -> AppState {
        var state = state
        state.latency = latency?.setup
        state.latencyForBoard = latency?.follow
        return state
    }
    if let filed = try stage.filePlan(for: model, options: memory.options) {
        return with(AppState(model: model, plan: filed, options: filed.options, board: sram, caching: caching, engine: engine))
    }
    if let grid = stage.givenGrid, !grid.isSquare {
        do {
            let plan = try PatchPlan(model: model, grid: grid, patchLayers: stage.givenPatchLayers(for: model) ?? 0, options: memory.options,
                                     haloCaching: caching.caching(budget: sram?.bytes))
            return with(AppState(model: model, plan: plan, options: memory.options, board: sram, caching: caching, engine: engine))
        } catch let error as PlanError {
            throw CommandFailure("\(model.name): \(error.description)")
        }
    }
    do {
        return with(try AppState.opening(model: model, patches: stage.givenPatches, patchLayers: stage.givenPatchLayers(for: model), options: memory.options,
                                         budget: sram, caching: caching, engine: engine, latency: latency?.setup))
    } catch let failure as CommandFailure {
        throw failure
    } catch let error as PlanError {
        throw CommandFailure("\(model.name): \(error.description)")
    }
}

/// The program a command runs or exports: the plan file's plan if one was
/// given, else `grid` over the first `patchLayers` ops, compiled for
/// `prepared` within `arenaLimit`. Any failure is one message naming the model.
func requestedPipeline(_ prepared: PreparedModel, planFile: String?, grid: TileGrid, patchLayers: Int, options: MemoryOptions,
                       caching: HaloCaching, arenaLimit: Int) throws -> Pipeline {
    func failure(_ error: some CustomStringConvertible) -> CommandFailure { CommandFailure("\(prepared.model.name): \(error.description)") }
    let requested: PatchPlan
    if let planFile {
        requested = try readPlanFile(planFile, model: prepared.model, options: options)
    } else {
        do {
            requested = try PatchPlan(model: prepared.model, grid: grid, patchLayers: patchLayers, options: options, haloCaching: caching)
        } catch {
            throw failure(error)
        }
    }
    do {
        return try Pipeline(prepared: prepared, plan: requested, arenaLimit: arenaLimit)
    } catch {
        throw failure(error)
    }
}
