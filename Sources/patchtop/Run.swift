import ArgumentParser
import Foundation
import PatchTopEngines
import PatchTopModel
import PatchTopPlan
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

    @Option(name: [.customShort("p"), .customLong("patches")], help: "Patches per side; 1 is layer-by-layer.")
    var patches = 1

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Ops in the patch stage; 0 (the default) is layer-by-layer.")
    var patchLayers: Int?

    @Option(name: .customLong("split-index"), help: "The patch stage in TinyEngine's numbering (its split_index), instead of -n.")
    var splitIndex: Int?

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @OptionGroup var budget: BudgetFlags

    @Option(help: "Inferences to time (the median is reported).")
    var repeats = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Result: Encodable {
        var model: String
        var patches: Int
        var patchLayers: Int
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
        var milliseconds: Double
    }

    func validate() throws {
        try validateStage(patchLayers: patchLayers, splitIndex: splitIndex)
    }

    /// One output: its tensor, shape, type and first values (integers for
    /// integer types, floats for float32).
    struct OutputSummary: Encodable {
        var tensor: Int
        var shape: [Int]
        var type: String
        var values: [Float]
    }

    func run() throws {
        guard (1...100_000).contains(repeats) else { fail("--repeats \(repeats) is out of range 1…100000") }
        let loaded = try loadModel(model)
        let interpreter: Interpreter
        do { interpreter = try Interpreter(model: loaded) } catch { fail("\(loaded.name): \(error.description)") }
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: loaded, patches: patches, patchLayers: resolvePatchLayers(loaded, patchLayers: patchLayers, splitIndex: splitIndex), options: memory.options,
                                 haloCaching: cache.caching(budget: budget.budget()?.bytes))
        } catch {
            fail("\(loaded.name): \(error.description)")
        }
        let program: ArenaProgram
        do { program = try ArenaProgram(interpreter: interpreter, plan: plan) } catch { fail("\(loaded.name): \(error.description)") }
        guard let inputIndex = loaded.inputs.first, !loaded.outputs.isEmpty else {
            fail("\(loaded.name): the model has no input or no output")
        }
        let inputTensor = loaded.tensors[inputIndex]
        let bytes: [UInt8]
        if let input {
            guard let data = FileManager.default.contents(atPath: input) else { fail("\(input): cannot be read") }
            guard data.count == inputTensor.byteCount else {
                fail("\(input): has \(data.count) bytes, but input tensor \(inputIndex) \(inputTensor.shape) \(inputTensor.type.name) needs \(inputTensor.byteCount)")
            }
            bytes = [UInt8](data)
        } else {
            bytes = SeededInput.bytes(for: inputTensor, seed: seed).map { UInt8(bitPattern: $0) }
        }
        let signed = bytes.map { Int8(bitPattern: $0) }
        var measured: ArenaRunResult?
        var failure: RuntimeError?
        let ms = median(runs: repeats) {
            do throws(RuntimeError) { measured = try program.run(input: signed) } catch { failure = error }
        }
        if let failure { fail("\(loaded.name): \(failure.description)") }
        guard let measured else { fail("\(loaded.name): the run did not finish") }
        let results = measured.outputs.map { $0.map { UInt8(bitPattern: $0) } }
        let result = results.first ?? []
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(result)) else {
                fail("\(output): cannot be written")
            }
        }
        var written: [String] = output.map { [$0] } ?? []
        if let outputDir {
            do { try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true) } catch {
                fail("\(outputDir): cannot be created (\(error.localizedDescription))")
            }
            for (k, bytes) in results.enumerated() {
                let path = URL(fileURLWithPath: outputDir).appendingPathComponent("output\(k).bin").path
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fail("\(path): cannot be written") }
                written.append(path)
            }
        }
        let outputTensor = loaded.tensors[loaded.outputs[0]]
        let values = decode(result, type: outputTensor.type)
        let summaries = zip(loaded.outputs, results).map { index, bytes in
            let tensor = loaded.tensors[index]
            return OutputSummary(tensor: index, shape: tensor.shape, type: tensor.type.name,
                                 values: Array(Self.values(bytes, type: tensor.type).prefix(16)))
        }
        let summary = Result(model: loaded.name, patches: plan.patches, patchLayers: plan.patchLayers,
                             inputShape: inputTensor.shape, outputShape: outputTensor.shape,
                             output: Array(values.prefix(16)), outputs: summaries, arenaBytes: measured.measuredArenaBytes,
                             plannedArenaBytes: measured.plannedArenaBytes, peakBytes: plan.peakBytes, milliseconds: ms)
        if json {
            printJSON(summary)
        } else {
            for (k, output) in summaries.enumerated() {
                let label = summaries.count > 1 ? "output \(k)" : "output"
                print("\(loaded.name): \(label) \(output.shape.map(String.init).joined(separator: "×")) \(output.type)")
                let shown = output.values.map { output.type == "float32" ? String(format: "%.4g", $0) : String(Int($0)) }
                let total = loaded.tensors[output.tensor].elementCount
                print("first values  \(shown.joined(separator: " "))\(total > shown.count ? " …" : "")")
            }
            print("plan          \(plan.isPatched ? "p=\(plan.patches) n=\(plan.patchLayers), \(plan.patches * plan.patches) patches" : "layer-by-layer")")
            if plan.isPatched { print("split index   \(tinyEngineSplitText(loaded, patchLayers: plan.patchLayers))") }
            print("arena         \(summary.arenaBytes) bytes used (laid out \(summary.plannedArenaBytes), liveness peak \(summary.peakBytes))")
            print("time          \(String(format: "%.3f", ms)) ms per inference\(repeats > 1 ? " (median of \(repeats))" : "")")
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
