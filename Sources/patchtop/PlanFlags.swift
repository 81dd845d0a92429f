import ArgumentParser

/// `-p` and `-n`, shared by the commands that open a plan (`plan`,
/// `report`, `tui`) so their names, defaults and help never drift apart.
struct PlanFlags: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("patches")], help: "Patches per side (p×p grid); 1 is layer-by-layer.")
    var patches = 4

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Number of leading ops in the patch stage; 0 is layer-by-layer.")
    var patchLayers = 0

    func validate() throws {
        try validatePlanNumbers(patches: patches, patchLayers: patchLayers)
    }
}

/// The checks every command makes on `-p` and `-n` before opening a model
/// (whether n crosses an op that mixes positions needs the model, and is
/// the planner's to say).
func validatePlanNumbers(patches: Int, patchLayers: Int?) throws {
    guard patches >= 1 else { throw ValidationError("-p \(patches) is out of range: there is at least 1 patch per side") }
    if let patchLayers, patchLayers < 0 { throw ValidationError("-n \(patchLayers) is out of range: the stage has 0 or more ops") }
}
