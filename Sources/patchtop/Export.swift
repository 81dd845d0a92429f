import ArgumentParser
import Foundation
import PatchTopEffects
import PatchTopExport
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopRuntime

/// `patchtop export MODEL --target T -o DIR [--verify]`: the plan as a C
/// library with a harness for QEMU's Cortex-M boards, and its proof.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the plan as a self-contained C library for a microcontroller, with a harness for QEMU's Cortex-M boards.",
        discussion: """
        DIR must be new, empty or an earlier PatchTop export: no other file is ever overwritten. \
        --verify builds the export for the host (cc) and the target (arm-none-eabi-gcc), runs the target under \
        qemu-system-arm and compares every output with PatchTop's runtime byte for byte; it reports the arena, \
        flash, static RAM, the stack's high-water mark and the instructions of one inference.
        """
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @OptionGroup var stage: PlanFlags

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var budget: BudgetFlags

    @OptionGroup var arena: ArenaFlags

    @Option(help: ArgumentHelp("The core to build for: \(FirmwareTarget.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "core"))
    var target: FirmwareTarget

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("The export folder: new, empty, or an earlier PatchTop export.", valueName: "dir"))
    var output: String

    @Flag(help: "Build for the host and the target, run the target under QEMU, and compare every output with the runtime.")
    var verify = false

    @Option(help: "With --verify: raw input bytes in the input tensor's shape and type (as `run --input`); default: seeded values.")
    var input: String?

    @Option(help: "With --verify: seed for the generated input (ignored with --input).")
    var seed: UInt64 = 0

    @Option(help: "With --verify: write what the firmware produced to this folder, as output<K>.bin (as `run --output-dir`).")
    var outputDir: String?

    @Flag(help: "With --verify on a Cortex-M target: instructions per op (a second build with -DPT_PROFILE=1).")
    var perOp = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("-o needs a folder") }
        if !verify {
            for (given, flag) in [(input != nil, "--input"), (outputDir != nil, "--output-dir"), (perOp, "--per-op")] where given {
                throw ValidationError("\(flag) goes with --verify")
            }
        }
        if perOp, target == .host { throw ValidationError("--per-op counts instructions on a Cortex-M target; the host build is not counted") }
    }

    struct Written: Encodable {
        var model: String
        var target: String
        var board: String?
        var dir: String
        var files: [String]
        var arenaBytes: Int
        var patches: Int
        var patchLayers: Int
        var notes: [String]
    }

    struct Verified: Encodable {
        var dir: String
        var patches: Int
        var patchLayers: Int
        var notes: [String]
        var verification: FirmwareVerification.Report
    }

    func run() throws {
        let loaded = try loadModel(model)
        func failure(_ error: some CustomStringConvertible) -> CommandFailure { CommandFailure("\(loaded.name): \(error.description)") }
        // A verification that cannot run says so before anything is written.
        if verify {
            let missing = FirmwareToolchain.missing(for: target)
            if !missing.isEmpty { throw CommandFailure(VerificationError.toolchainMissing(missing: missing).description) }
        }
        do { try FirmwareProject.checkFolder(output) } catch { throw CommandFailure(error.description) }
        let prepared: PreparedModel
        do { prepared = try PreparedModel(model: loaded) } catch { throw failure(error) }
        let n = try stage.patchLayers(for: loaded)
        // A plan file (`--plan`), a rectangular grid or MCUNetV2's (p, n):
        // the same compiled program whatever made the plan.
        let pipeline = try requestedPipeline(prepared, planFile: stage.planFile, grid: stage.grid, patchLayers: n, options: memory.options,
                                             caching: cache.caching(budget: budget.budget?.bytes), arenaLimit: arena.maxArena.bytes)
        let plan = pipeline.plan, program = pipeline.program
        let library: FirmwareLibrary
        do { library = try FirmwareLibrary(program: program, target: target, streamedInput: memory.streamInput) } catch { throw failure(error) }
        let files: [String]
        do { files = try FirmwareProject.write(library, to: output, target: target) } catch { throw CommandFailure(error.description) }

        guard verify else {
            let written = Written(model: loaded.name, target: target.rawValue, board: FirmwareBoard(target: target)?.machine, dir: output,
                                  files: files, arenaBytes: library.arenaBytes, patches: plan.patches, patchLayers: plan.patchLayers,
                                  notes: library.notes)
            if json { return try printJSON(written) }
            print("\(loaded.name): exported \(planText(plan)) for \(target.rawValue) to \(output) (\(files.count) files)")
            print("arena         \(library.arenaBytes) bytes (the plan's layout)")
            for note in library.notes { print("note          \(note)") }
            if let board = FirmwareBoard(target: target) {
                print("build         make -C \(output) firmware   (\(board.machine)); make -C \(output) host")
            } else {
                print("build         make -C \(output) host")
            }
            return
        }

        let signed = try inputBytes(loaded)
        let report: FirmwareVerification.Report
        do {
            let expected = try FirmwareVerification.Expectation(program: program, input: signed, manifest: library.manifest)
            report = try FirmwareVerification.verify(dir: output, target: target, arenaBytes: library.arenaBytes, expecting: expected, perOp: perOp)
        } catch {
            throw failure(error)
        }
        var written: [String] = []
        if let outputDir {
            do { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) } catch {
                throw CommandFailure("\(outputDir): cannot be created (\(error.localizedDescription))")
            }
            for (k, file) in report.outputFiles.enumerated() {
                let bytes: [UInt8]
                switch RegularFile.read(file) {
                case .success(let data): bytes = data
                case .failure(let error): throw CommandFailure("\(file): cannot be read: \(error)")
                }
                let path = URL(fileURLWithPath: outputDir).appendingPathComponent("output\(k).bin").path
                if case .failure(let error) = ReportFile.write(bytes, to: path) { throw CommandFailure(error.description) }
                written.append(path)
            }
        }
        if json {
            try printJSON(Verified(dir: output, patches: plan.patches, patchLayers: plan.patchLayers, notes: library.notes, verification: report))
        } else {
            printReport(report, plan: plan, written: written)
            for note in library.notes { print("note          \(note)") }
        }
        if let differing = report.outputs.first(where: { !$0.identical || !$0.hostIdentical }) {
            let which = differing.hostIdentical ? (report.board.map { "on \($0)" } ?? "") : "in the host build"
            throw failure("the firmware's output \(differing.index) \(which) differs from the runtime's at byte \(differing.firstDifference ?? 0)")
        }
        if report.arenaBytes != report.plannedArenaBytes {
            throw failure("the firmware's arena is \(report.arenaBytes) bytes, the plan's \(report.plannedArenaBytes)")
        }
    }

    func planText(_ plan: PatchPlan) -> String {
        plan.needsStageList ? PlanReport.stagesText(plan) : plan.isPatched ? "p=\(plan.patches) n=\(plan.patchLayers)" : "layer by layer"
    }

    /// The model's input bytes: `--input` (checked as `run` checks it) or seeded.
    func inputBytes(_ loaded: Model) throws -> [Int8] {
        guard let inputIndex = loaded.inputs.first else { throw CommandFailure("\(loaded.name): the model has no input") }
        let tensor = loaded.tensors[inputIndex]
        guard let input else { return SeededInput.bytes(for: tensor, seed: seed) }
        let needs = "input tensor \(inputIndex) \(tensor.shape) \(tensor.type.name) needs \(tensor.byteCount)"
        switch RegularFile.read(input, limit: tensor.byteCount) {
        case .failure(.tooLarge(let size, _)): throw CommandFailure("\(input): has \(size) bytes, but \(needs)")
        case .failure(let error): throw CommandFailure("\(input): cannot be read: \(error)")
        case .success(let data) where data.count != tensor.byteCount: throw CommandFailure("\(input): has \(data.count) bytes, but \(needs)")
        case .success(let data): return data.map { Int8(bitPattern: $0) }
        }
    }

    func printReport(_ report: FirmwareVerification.Report, plan: PatchPlan, written: [String]) {
        func number(_ value: Int) -> String {
            let digits = String(value.magnitude)
            var out = ""
            for (i, c) in digits.enumerated() {
                if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return (value < 0 ? "-" : "") + out
        }
        let whereRun = report.board.map { "\(report.target) on QEMU \($0)" } ?? "the host"
        print("\(report.model): \(planText(plan)), verified on \(whereRun) (exported to \(output))")
        for check in report.outputs {
            let state = check.identical && check.hostIdentical ? "identical to the runtime"
                : "DIFFERS from the runtime at byte \(check.firstDifference ?? 0)\(check.hostIdentical ? "" : " (host build too)")"
            print("output \(check.index)      \(state) (\(number(check.bytes)) bytes)")
        }
        print("arena         \(number(report.arenaBytes)) bytes (plan \(number(report.plannedArenaBytes)))")
        if let flash = report.flashBytes, let ram = report.staticRAMBytes, let arena = report.staticRAMArenaBytes, let rest = report.staticRAMRestBytes {
            print("flash         \(number(flash)) bytes (the library; with harness and C library \(number(report.firmwareFlashBytes ?? 0)))")
            print("static RAM    \(number(ram)) bytes: arena \(number(arena)) + other \(number(rest)) (with harness and C library \(number(report.firmwareStaticRAMBytes ?? 0)))")
        }
        if let stack = report.stackBytes { print("stack         \(number(stack)) bytes (high-water mark of one inference)") }
        if let instructions = report.instructions {
            let perMAC = report.instructionsPerMAC.map { String(format: ", %.2f per MAC", $0) } ?? ""
            print("instructions  \(number(instructions)) for one inference (QEMU -icount)\(perMAC); \(number(report.macs)) MACs")
        }
        if let ops = report.ops {
            print("")
            print("  op  kind                                        MACs  instructions  per MAC")
            for op in ops {
                let perMAC = op.macs > 0 ? String(format: "%8.2f", Double(op.instructions) / Double(op.macs)) : "       -"
                let kind = op.op.count > 36 ? String(op.op.prefix(36)) : op.op
                func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
                print("\(right(String(op.index), 4))  \(kind.padding(toLength: 36, withPad: " ", startingAt: 0)) \(right(number(op.macs), 12))  \(right(number(op.instructions), 12))  \(perMAC)")
            }
        }
        for path in written { print("wrote         \(path)") }
    }
}

extension FirmwareTarget: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
