import ArgumentParser
import Foundation
import PatchTopModel
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
    do {
        print(try JSONText.encode(value))
    } catch {
        fail("could not encode JSON output: \(error)")
    }
}

/// The TUI's starting state from the shared flags, as `tui` opens it and
/// `report` renders it; an invalid (p, n) exits 1 naming the model.
func initialState(_ model: Model, stage: PlanFlags, memory: MemoryFlags, board sram: SRAMBudget?) -> AppState {
    do {
        return try AppState(model: model, patches: stage.patches, patchLayers: stage.patchLayers, options: memory.options, board: sram)
    } catch {
        fail("\(model.name): \(error.description)")
    }
}
