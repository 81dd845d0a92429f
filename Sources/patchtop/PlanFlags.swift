import ArgumentParser

/// `-p` and `-n`, shared by the commands that open a plan (`plan`,
/// `report`, `tui`) so their names, defaults and help never drift apart.
struct PlanFlags: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("patches")], help: "Patches per side (p×p grid); 1 is layer-by-layer.")
    var patches = 4

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Number of leading ops in the patch stage; 0 is layer-by-layer.")
    var patchLayers = 0
}
