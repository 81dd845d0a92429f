import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
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
func loadModel(_ path: String) throws -> Model {
    do {
        return try TFLiteReader.load(path: path)
    } catch {
        throw CommandFailure(error.description)
    }
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
                  caching: HaloCache.Mode = .none) throws -> AppState {
    if let filed = try stage.filePlan(for: model, options: memory.options) {
        return AppState(model: model, plan: filed, options: filed.options, board: sram, caching: caching)
    }
    if let grid = stage.givenGrid, !grid.isSquare {
        do {
            let plan = try PatchPlan(model: model, grid: grid, patchLayers: stage.givenPatchLayers(for: model) ?? 0, options: memory.options,
                                     haloCaching: caching.caching(budget: sram?.bytes))
            return AppState(model: model, plan: plan, options: memory.options, board: sram, caching: caching)
        } catch let error as PlanError {
            throw CommandFailure("\(model.name): \(error.description)")
        }
    }
    do {
        return try AppState.opening(model: model, patches: stage.givenPatches, patchLayers: stage.givenPatchLayers(for: model), options: memory.options,
                                    budget: sram, caching: caching)
    } catch let failure as CommandFailure {
        throw failure
    } catch let error as PlanError {
        throw CommandFailure("\(model.name): \(error.description)")
    }
}
