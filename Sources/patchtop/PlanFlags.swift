import ArgumentParser

/// `-p` and `-n`, shared by the commands that open a plan (`plan`,
/// `report`, `tui`) so their names, defaults and help never drift apart.
///
/// `tui` and `report` open at the sweep's recommendation when neither is
/// given, so the flags remember whether they were given at all.
struct PlanFlags: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("patches")], help: "Patches per side (p×p grid); 1 is layer-by-layer. Default: 4 for plan; tui and report open at the sweep's recommendation.")
    var givenPatches: Int?

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Number of leading ops in the patch stage; 0 is layer-by-layer. Default: 0 for plan; tui and report open at the sweep's recommendation.")
    var givenPatchLayers: Int?

    var patches: Int { givenPatches ?? 4 }
    var patchLayers: Int { givenPatchLayers ?? 0 }

    func validate() throws {
        try validatePlanNumbers(patches: patches, patchLayers: givenPatchLayers)
    }
}

/// The checks every command makes on `-p` and `-n` before opening a model
/// (whether n crosses an op that mixes positions needs the model, and is
/// the planner's to say).
func validatePlanNumbers(patches: Int, patchLayers: Int?) throws {
    guard patches >= 1 else { throw ValidationError("-p \(patches) is out of range: there is at least 1 patch per side") }
    if let patchLayers, patchLayers < 0 { throw ValidationError("-n \(patchLayers) is out of range: the stage has 0 or more ops") }
}
