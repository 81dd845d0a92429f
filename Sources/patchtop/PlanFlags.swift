import ArgumentParser
import PatchTopModel
import PatchTopPlan

/// `-p` and `-n` (or `--split-index`), shared by the commands that open a
/// plan (`plan`, `report`, `tui`) so their names, defaults and help never drift apart.
///
/// `tui` and `report` open at the sweep's recommendation when neither is
/// given, so the flags remember whether they were given at all.
struct PlanFlags: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("patches")], help: ArgumentHelp("Patches per side (p×p grid), or ROWSxCOLS tiles (4x2; 4x1 and 1x4 are strips); 1 is layer-by-layer. Default: 4 for plan; tui and report open at the sweep's recommendation.", valueName: "p"))
    var givenGrid: TileGrid?

    @Option(name: .customLong("plan"), help: ArgumentHelp("A plan file (`plan --json`, or one of `sweep --json`'s plans): its `stages` instead of -p/-n.", valueName: "file"))
    var planFile: String?

    /// `-p` as given (its rows for a rectangular grid).
    var givenPatches: Int? { givenGrid?.rows }
    var grid: TileGrid { givenGrid ?? TileGrid(4) }

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Number of leading ops in the patch stage; 0 is layer-by-layer. Default: 0 for plan; tui and report open at the sweep's recommendation.")
    var givenPatchLayers: Int?

    var patches: Int { grid.rows }
    var patchLayers: Int { givenPatchLayers ?? 0 }

    @Option(name: .customLong("split-index"), help: "The patch stage in TinyEngine's numbering (its split_index: layers of its list), instead of -n.")
    var splitIndex: Int?

    func validate() throws {
        try validateStage(patchLayers: givenPatchLayers, splitIndex: splitIndex)
        try validatePlanNumbers(grid: grid, patchLayers: givenPatchLayers)
        if planFile != nil, givenGrid != nil || givenPatchLayers != nil || splitIndex != nil {
            throw ValidationError("--plan gives the stages: drop -p, -n and --split-index")
        }
    }

    /// The plan file's plan for `model`, if `--plan` was given.
    func filePlan(for model: Model, options: MemoryOptions) throws -> PatchPlan? {
        guard let planFile else { return nil }
        return try readPlanFile(planFile, model: model, options: options)
    }

    /// n for `model`: `-n` as given, or `--split-index` translated through TinyEngine's layer list.
    func patchLayers(for model: Model) throws -> Int {
        try givenPatchLayers(for: model) ?? 0
    }

    /// n if `-n` or `--split-index` was given, else `nil`.
    func givenPatchLayers(for model: Model) throws -> Int? {
        guard splitIndex != nil else { return givenPatchLayers }
        return try resolvePatchLayers(model, patchLayers: givenPatchLayers, splitIndex: splitIndex)
    }
}

/// `-n` and `--split-index` say the same thing two ways: at most one.
func validateStage(patchLayers: Int?, splitIndex: Int?) throws {
    if patchLayers != nil, splitIndex != nil {
        throw ValidationError("-n and --split-index both set the patch stage: give one of them")
    }
    if let splitIndex, splitIndex < 0 {
        throw ValidationError("--split-index \(splitIndex) is negative: TinyEngine's split indices start at 1 (0 is layer by layer)")
    }
}

/// The stage's op count, from `-n` or from TinyEngine's split index; a split
/// index the model's layer list does not have fails naming the model.
func resolvePatchLayers(_ model: Model, patchLayers: Int?, splitIndex: Int?) throws -> Int {
    guard let splitIndex else { return patchLayers ?? 0 }
    do {
        return try TinyEngineLayerList(model: model).patchLayers(forSplitIndex: splitIndex)
    } catch {
        throw CommandFailure("\(model.name): --split-index \(splitIndex): \(error.reason)")
    }
}

/// TinyEngine's split index for a plan's n, or why there is none.
func tinyEngineSplitText(_ model: Model, patchLayers: Int) -> String {
    do {
        switch try TinyEngineLayerList(model: model).splitIndex(forPatchLayers: patchLayers) {
        case .success(let s): return "\(s) (TinyEngine's split_index for n=\(patchLayers))"
        case .failure(let why): return "none: \(why.reason)"
        }
    } catch {
        return "none: \(error.reason)"
    }
}

/// The checks every command makes on `-p` and `-n` before opening a model
/// (whether n crosses an op that mixes positions needs the model, and is
/// the planner's to say).
///
/// `-p` below 1 is refused like one above the model's limit (exit 1, the
/// model's range named), not as a usage error: both are out of one range.
func validatePlanNumbers(grid: TileGrid, patchLayers: Int?) throws {
    if let patchLayers, patchLayers < 0 { throw ValidationError("-n \(patchLayers) is out of range: the stage has 0 or more ops") }
}

/// Reads `--plan FILE` for `model`: one message naming the file (and the
/// stage that does not fit, and why) on failure.
func readPlanFile(_ path: String, model: Model, options: MemoryOptions) throws -> PatchPlan {
    do {
        return try PlanFile.read(path: path).plan(for: model, options: options)
    } catch {
        throw CommandFailure(error.description)
    }
}
