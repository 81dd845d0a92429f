import ArgumentParser
import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopRuntime
import PatchTopUI

/// `patchtop run MODEL`: one inference with the embedded int8 runtime.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the model once with PatchTop's int8 runtime (bit-exact with TFLite's reference kernels)."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @Option(help: "Raw input bytes in the input tensor's shape (NHWC) and type; default: seeded values.")
    var input: String?

    @Option(help: "Seed for the generated input (ignored with --input).")
    var seed: UInt64 = 0

    @Option(help: "Write the raw bytes of output 0 to this file.")
    var output: String?

    @Option(help: "Write every output's raw bytes to this folder, as output<K>.bin (K = 0, 1, … in the graph's output order).")
    var outputDir: String?

    @Option(name: [.customShort("p"), .customLong("patches")], help: ArgumentHelp("Patches per side, or ROWSxCOLS tiles (4x2); 1 is layer-by-layer.", valueName: "p"))
    var grid = TileGrid(1)

    @Option(name: .customLong("plan"), help: ArgumentHelp("A plan file (`plan --json`, or one of `sweep --json`'s plans): run its `stages` instead of -p/-n.", valueName: "file"))
    var planFile: String?

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Ops in the patch stage; 0 (the default) is layer-by-layer.")
    var patchLayers: Int?

    @Option(name: .customLong("split-index"), help: "The patch stage in TinyEngine's numbering (its split_index), instead of -n.")
    var splitIndex: Int?

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var budget: BudgetFlags

    @Option(help: "Inferences to time on one reused arena (the median is reported); the arena is measured on a separate, untimed painted run.")
    var repeats = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var arena: ArenaFlags

    struct Result: Encodable {
        var model: String
        var patches: Int
        var patchLayers: Int
        /// Every stage of the plan: `{firstOp, lastOp, grid: [rows, cols]}`.
        var stages: [PlanJSON.StageJSON]
        var inputShape: [Int]
        var outputShape: [Int]
        /// Output 0's first values (float outputs rounded to thousandths ×
        /// 1000, as before `outputs`); kept for scripts that read it.
        var output: [Int]
        /// Every graph output, in the graph's order.
        var outputs: [OutputSummary]
        /// The arena the run really used: the highest byte it wrote, plus one.
        var arenaBytes: Int
        /// The arena the layout planned for this plan.
        var plannedArenaBytes: Int
        /// The plan's liveness peak, a lower bound on any arena.
        var peakBytes: Int
        /// Median ms of the timed inferences (a reused arena: no painting,
        /// no high-water scan).
        var milliseconds: Double
        /// The int8 conv/depthwise kernels that ran (`KernelPath`), and
        /// the CPU features they were chosen from.
        var kernelPath: String
        var cpuFeatures: String
        /// A patch plan's outputs against a layer-by-layer run of the same
        /// input, byte for byte; `null` for a layer-by-layer run.
        var identicalToLayerByLayer: Bool?
    }


    /// One output: its tensor, shape, type and first values (integers for
    /// integer types, floats for float32).
    struct OutputSummary: Encodable {
        var tensor: Int
        var shape: [Int]
        var type: String
        var values: [Float]
    }

    func validate() throws {
        guard (1...100_000).contains(repeats) else { throw ValidationError("--repeats \(repeats) is out of range 1…100000") }
        try validateStage(patchLayers: patchLayers, splitIndex: splitIndex)
        try validatePlanNumbers(grid: grid, patchLayers: patchLayers)
        if planFile != nil, grid != TileGrid(1) || patchLayers != nil || splitIndex != nil {
            throw ValidationError("--plan gives the stages: drop -p, -n and --split-index")
        }
    }

    func run() throws {
        let loaded = try loadModel(model)
        func failure(_ error: some CustomStringConvertible) -> CommandFailure { CommandFailure("\(loaded.name): \(error.description)") }
        let prepared: PreparedModel
        do { prepared = try PreparedModel(model: loaded) } catch { throw failure(error) }
        let n = try resolvePatchLayers(loaded, patchLayers: patchLayers, splitIndex: splitIndex)
        let pipeline = try requestedPipeline(prepared, planFile: planFile, grid: grid, patchLayers: n, options: memory.options,
                                             caching: cache.caching(budget: budget.budget?.bytes), arenaLimit: arena.maxArena.bytes)
        let plan = pipeline.plan, program = pipeline.program
        guard let inputIndex = loaded.inputs.first, !loaded.outputs.isEmpty else {
            throw CommandFailure("\(loaded.name): the model has no input or no output")
        }
        let inputTensor = loaded.tensors[inputIndex]
        // One copy of the input and one of each output beside the arena: the
        // process stays near arena + model + I/O (BENCHMARKS.md).
        let signed: [Int8]
        if let input {
            let needs = "input tensor \(inputIndex) \(inputTensor.shape) \(inputTensor.type.name) needs \(inputTensor.byteCount)"
            switch RegularFile.read(input, limit: inputTensor.byteCount) {
            case .failure(.tooLarge(let size, _)): throw CommandFailure("\(input): has \(size) bytes, but \(needs)")
            case .failure(let error): throw CommandFailure("\(input): cannot be read: \(error)")
            case .success(let data) where data.isEmpty: throw CommandFailure("\(input): is empty, but \(needs)")
            case .success(let data) where data.count != inputTensor.byteCount:
                throw CommandFailure("\(input): has \(data.count) bytes, but \(needs)")
            case .success(let data): signed = data.withUnsafeBytes { Array($0.bindMemory(to: Int8.self)) }
            }
        } else {
            signed = SeededInput.bytes(for: inputTensor, seed: seed)
        }
        // The outputs and the arena come from a painted run; the time from
        // `repeats` more on one reused arena, so it is inference only.
        let timing: InferenceTiming
        do { timing = try program.timeInference(input: signed, runs: repeats, warmup: 0) } catch {
            throw CommandFailure("\(loaded.name): \(error.description)")
        }
        let measured = timing.painted
        let ms = timing.milliseconds
        // A patch plan is checked against layer by layer on the same input
        // (under the same memory options), as the TUI's runs are.
        var identical: Bool?
        if plan.isPatched {
            do {
                let reference = try Pipeline(prepared: prepared, patches: 1, patchLayers: 0, options: memory.options,
                                             arenaLimit: arena.maxArena.bytes)
                identical = try reference.program.run(input: signed).map { $0.outputs == measured.outputs }
            } catch {
                throw CommandFailure("\(loaded.name): the layer-by-layer reference run failed: \(error)")
            }
        }
        // Written straight from the run's arrays; only the 17 values shown
        // of each output (one more tells there are more) are decoded.
        if let output, let first = measured.outputs.first {
            let result = first.withUnsafeBytes { ReportFile.write($0, to: output) }
            if case .failure(let error) = result { throw CommandFailure(error.description) }
        }
        var written: [String] = output.map { [$0] } ?? []
        if let outputDir {
            do { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) } catch {
                throw CommandFailure("\(outputDir): cannot be created (\(error.localizedDescription))")
            }
            for (k, bytes) in measured.outputs.enumerated() {
                let path = URL(fileURLWithPath: outputDir).appendingPathComponent("output\(k).bin").path
                let result = bytes.withUnsafeBytes { ReportFile.write($0, to: path) }
                if case .failure(let error) = result { throw CommandFailure(error.description) }
                written.append(path)
            }
        }
        let heads = zip(loaded.outputs, measured.outputs).map { index, bytes in
            bytes.prefix(17 * (loaded.tensors[index].type.byteSize ?? 1)).map { UInt8(bitPattern: $0) }
        }
        let outputTensor = loaded.tensors[loaded.outputs[0]]
        let values = decode(heads.first ?? [], type: outputTensor.type)
        let summaries = zip(loaded.outputs, heads).map { index, bytes in
            let tensor = loaded.tensors[index]
            return OutputSummary(tensor: index, shape: tensor.shape, type: tensor.type.name,
                                 values: Array(Self.values(bytes, type: tensor.type).prefix(16)))
        }
        let summary = Result(model: loaded.name, patches: plan.patches, patchLayers: plan.patchLayers,
                             stages: PlanJSON(plan, includeRegions: false).stages,
                             inputShape: inputTensor.shape, outputShape: outputTensor.shape,
                             output: Array(values.prefix(16)), outputs: summaries, arenaBytes: measured.measuredArenaBytes,
                             plannedArenaBytes: measured.plannedArenaBytes, peakBytes: plan.peakBytes, milliseconds: ms,
                             kernelPath: KernelPath.active.rawValue, cpuFeatures: CPUFeatures.current.description,
                             identicalToLayerByLayer: identical)
        if json {
            try printJSON(summary)
        } else {
            for (k, output) in summaries.enumerated() {
                let label = summaries.count > 1 ? "output \(k)" : "output"
                print("\(loaded.name): \(label) \(output.shape.map(String.init).joined(separator: "×")) \(output.type)")
                let shown = output.values.map { output.type == "float32" ? String(format: "%.4g", $0) : String(Int($0)) }
                let total = loaded.tensors[output.tensor].elementCount
                print("first values  \(shown.joined(separator: " "))\(total > shown.count ? " …" : "")")
            }
            print("plan          \(PlanReport.planSummary(plan))")
            if let identical {
                print("identical     \(identical ? "yes: every output equals layer by layer, byte for byte" : "NO: the output DIFFERS from layer by layer")")
            }
            print("arena         \(summary.arenaBytes) bytes used (laid out \(summary.plannedArenaBytes), liveness peak \(summary.peakBytes))")
            // The int8 path names the int8 kernels; a float model runs the float ones (AVX2 or portable, never VNNI).
            let kernels = PeakCause.floatTag(loaded) == "float32"
                ? "\(KernelPath.active == .portable ? "portable" : "avx2") float32 kernels"
                : "\(KernelPath.active.rawValue) kernels"
            print("time          \(String(format: "%.3f", ms)) ms per inference\(repeats > 1 ? " (median of \(repeats))" : ""), \(kernels)")
            for path in written { print("wrote         \(path)") }
        }
    }

    /// Values as numbers: integers for integer types, the floats themselves
    /// for float32 (non-finite ones as 0, which JSON cannot carry).
    static func values(_ bytes: [UInt8], type: ElementType) -> [Float] {
        switch type {
        case .int8: return bytes.map { Float(Int8(bitPattern: $0)) }
        case .float32:
            return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
                let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                let value = Float(bitPattern: bits)
                return value.isFinite ? value : 0
            }
        case .int32:
            return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
                Float(Int32(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24))
            }
        default: return bytes.map { Float($0) }
        }
    }

    /// Values for display: int8/uint8 as integers, float32 rounded to
    /// thousandths.
    private func decode(_ bytes: [UInt8], type: ElementType) -> [Int] {
        switch type {
        case .int8: return bytes.map { Int(Int8(bitPattern: $0)) }
        case .float32:
            return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
                let bits = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                let value = Float(bitPattern: bits) * 1000
                return value.isFinite ? Int(value.rounded()) : 0
            }
        default: return bytes.map { Int($0) }
        }
    }
}
