import ArgumentParser
import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopUI

/// Loads a model or exits 1 with one line naming the file and the problem.
func loadModel(_ path: String) throws -> Model {
    do {
        return try TFLiteReader.load(path: path)
    } catch {
        fail(error.description)
    }
}

/// Prints `patchtop: message` to standard error and exits with status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("patchtop: \(message)\n".utf8))
    exit(1)
}

/// Prints a value as pretty, key-sorted JSON on standard output.
func printJSON<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { fail("could not encode JSON output") }
    print(String(decoding: data, as: UTF8.self))
}

/// The TUI's starting state from the shared flags, as `tui` opens it and
/// `report` renders it (the sweep's recommendation without `-p`/`-n`); an
/// invalid (p, n) exits 1 naming the model.
func initialState(_ model: Model, stage: PlanFlags, memory: MemoryFlags, board sram: SRAMBudget?,
                  caching: HaloCache.Mode = .none) -> AppState {
    do {
        return try AppState.opening(model: model, patches: stage.givenPatches, patchLayers: stage.givenPatchLayers(for: model), options: memory.options,
                                    budget: sram, caching: caching)
    } catch {
        fail("\(model.name): \(error.description)")
    }
}
