import ArgumentParser
import Foundation
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

    @Option(help: "Write the raw output bytes to this file.")
    var output: String?

    @Option(name: [.customShort("p"), .customLong("patches")], help: "Patches per side; 1 is layer-by-layer.")
    var patches = 1

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "Ops in the patch stage; 0 is layer-by-layer.")
    var patchLayers = 0

    @OptionGroup var memory: MemoryFlags

    @OptionGroup var cache: HaloCacheFlags

    @Option(help: "Inferences to time (the median is reported).")
    var repeats = 1

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var arena: ArenaFlags

    struct Result: Encodable {
        var model: String
        var patches: Int
        var patchLayers: Int
        var inputShape: [Int]
        var outputShape: [Int]
        var output: [Int]
        /// The arena the run really used: the highest byte it wrote, plus one.
        var arenaBytes: Int
        /// The arena the layout planned for this plan.
        var plannedArenaBytes: Int
        /// The plan's liveness peak, a lower bound on any arena.
        var peakBytes: Int
        var milliseconds: Double
    }

    func validate() throws {
        guard (1...100_000).contains(repeats) else { throw ValidationError("--repeats \(repeats) is out of range 1…100000") }
        try validatePlanNumbers(patches: patches, patchLayers: patchLayers)
    }

    func run() throws {
        let loaded = try loadModel(model)
        func failure(_ error: some CustomStringConvertible) -> CommandFailure { CommandFailure("\(loaded.name): \(error.description)") }
        let interpreter: Interpreter
        do { interpreter = try Interpreter(model: loaded) } catch { throw failure(error) }
        let plan: PatchPlan
        do {
            plan = try PatchPlan(model: loaded, patches: patches, patchLayers: patchLayers, options: memory.options,
                                 haloCaching: cache.caching(budget: nil))
        } catch {
            throw failure(error)
        }
        let program: ArenaProgram
        do {
            program = try ArenaProgram(interpreter: interpreter, plan: plan, arenaLimit: arena.maxArena.bytes)
        } catch {
            throw failure(error)
        }
        guard let inputIndex = loaded.inputs.first, let outputIndex = loaded.outputs.first else {
            throw CommandFailure("\(loaded.name): the model has no input or no output")
        }
        let inputTensor = loaded.tensors[inputIndex]
        // One copy of the input and one of the output beside the arena: the
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
        var measured: ArenaRunResult?
        var failure: RuntimeError?
        let ms = median(runs: repeats) {
            do throws(RuntimeError) { measured = try program.run(input: signed) } catch { failure = error }
        }
        if let failure { throw CommandFailure("\(loaded.name): \(failure.description)") }
        guard let measured else { throw CommandFailure("\(loaded.name): the run did not finish") }
        if let output {
            let written = measured.output.withUnsafeBytes { ReportFile.write($0, to: output) }
            if case .failure(let error) = written { throw CommandFailure(error.description) }
        }
        let outputTensor = loaded.tensors[outputIndex]
        // The first 17 values only (16 shown, one to know there are more).
        let head = measured.output.prefix(17 * (outputTensor.type.byteSize ?? 1)).map { UInt8(bitPattern: $0) }
        let values = decode(head, type: outputTensor.type)
        let summary = Result(model: loaded.name, patches: plan.patches, patchLayers: plan.patchLayers,
                             inputShape: inputTensor.shape, outputShape: outputTensor.shape,
                             output: Array(values.prefix(16)), arenaBytes: measured.measuredArenaBytes,
                             plannedArenaBytes: measured.plannedArenaBytes, peakBytes: plan.peakBytes, milliseconds: ms)
        if json {
            try printJSON(summary)
        } else {
            print("\(loaded.name): output \(outputTensor.shape.map(String.init).joined(separator: "×")) \(outputTensor.type.name)")
            print("first values  \(values.prefix(16).map(String.init).joined(separator: " "))\(values.count > 16 ? " …" : "")")
            print("plan          \(plan.isPatched ? "p=\(plan.patches) n=\(plan.patchLayers), \(plan.patches * plan.patches) patches" : "layer-by-layer")")
            print("arena         \(summary.arenaBytes) bytes used (laid out \(summary.plannedArenaBytes), liveness peak \(summary.peakBytes))")
            print("time          \(String(format: "%.3f", ms)) ms per inference\(repeats > 1 ? " (median of \(repeats))" : "")")
            if let output { print("wrote         \(output)") }
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
