import ArgumentParser
import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopReports

/// `patchtop calibrate MODEL [plan flags] --target CORE --from FILE -o OUT`:
/// a board's cycles per predicted instruction, from the DWT cycle table a
/// profiled export printed on that board.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a board calibration from the per-op DWT cycle table a profiled export printed on a real board.",
        discussion: """
        Build the export with -DPT_PROFILE=1 and a pt_profile_step that reads the DWT cycle counter, run it on the board \
        and save what it prints: one "PT op <index> <OP> <cycles>" line per op. Give the same model, plan flags and memory \
        options as the export. The calibration gives, per kernel path, measured cycles per predicted instruction; \
        `--calibration FILE` on analyze, plan and sweep applies it. QEMU cannot make one: its DWT cycle counter does not count.
        """
    )

    @Argument(help: "The TFLite flatbuffer (.tflite) the export was made from.")
    var model: String = defaultModelPath

    @OptionGroup var stage: PlanFlags

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @Option(help: ArgumentHelp("The board's core: \(CortexCore.names).", valueName: "core"))
    var target: CortexCore

    @Option(help: ArgumentHelp("The board preset it was measured on (for its clock).", valueName: "name"))
    var board: SRAMBudget?

    @Option(help: ArgumentHelp("The board's clock (e.g. 216MHz), if not the preset's.", valueName: "rate"))
    var clock: ClockRate?

    @Option(help: ArgumentHelp("The table the board printed (PT op <index> <OP> <cycles> lines; other lines are skipped).", valueName: "file"))
    var from: String

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Where to write the calibration (JSON).", valueName: "file"))
    var output: String

    @Flag(help: "Print the calibration as JSON instead of a summary.")
    var json = false

    @Option(help: .hidden)
    var costTable: String?

    func validate() throws {
        if let board, let core = board.cortex, core != target {
            throw ValidationError("--board \(board.name) has a \(core.rawValue), not --target \(target.rawValue)")
        }
        if let board, let message = board.unsupportedCoreMessage { throw ValidationError(message) }
    }

    func run() throws {
        let loaded = try loadModel(model)
        let text: String
        do { text = try String(contentsOfFile: from, encoding: .utf8) } catch {
            throw CommandFailure("\(from): cannot be read as text (\(error.localizedDescription))")
        }
        let n = try stage.patchLayers(for: loaded)
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: loaded, patches: stage.patches, patchLayers: n, options: memory.options,
                                 haloCaching: cache.caching(budget: nil))
        } catch {
            throw CommandFailure("\(loaded.name): \(error.description)")
        }
        let calibration: BoardCalibration
        let table = try loadCostTable(costTable)
        do {
            let rows = try ProfileRow.parse(text, name: from)
            let prediction = try table.model(for: target).predict(plan)
            calibration = try BoardCalibration.fit(rows: rows, prediction: prediction, plan: plan, board: board?.name,
                                                   clockHz: clock?.hz ?? board?.clockHz, name: from)
        } catch {
            throw CommandFailure(error.description)
        }
        let encoded: String
        do { encoded = try JSONText.encode(calibration) } catch { throw CommandFailure("could not encode the calibration: \(error)") }
        if case .failure(let error) = ReportFile.write(encoded + "\n", to: output) { throw CommandFailure(error.description) }
        if json {
            print(encoded)
            return
        }
        print("\(output): \(target.displayName)\(board.map { " (\($0.name))" } ?? ""), \(calibration.source.ops) ops of \(loaded.name) at p=\(plan.patches) n=\(plan.patchLayers)")
        print("measured \(formatCount(calibration.source.cycles)) cycles against \(formatCount(calibration.source.predictedInstructions)) predicted instructions: \(formatFixed(calibration.overall, decimals: 3)) cycles per instruction")
        for (kernel, ratio) in calibration.kernels.sorted(by: { $0.key < $1.key }) {
            print("  \(kernel.padding(toLength: 18, withPad: " ", startingAt: 0)) \(formatFixed(ratio, decimals: 3))")
        }
    }
}
