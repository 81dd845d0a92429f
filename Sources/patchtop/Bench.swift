import ArgumentParser
import Foundation
import PatchTopEngines
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// `patchtop bench MODEL`: medians of the operations the TUI repeats on
/// every key press. Build with `-c release`; debug figures mean little.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time planning, sweeping (and, where the runtime supports the model, inference); prints medians."
    )

    @Argument(help: "A TFLite flatbuffer (.tflite).")
    var model: String = defaultModelPath

    @Option(help: "Repetitions per measurement.")
    var runs = 50

    @Option(name: [.customShort("p"), .customLong("patches")], help: "p of the timed plan.")
    var patches = 4

    @Option(name: [.customShort("n"), .customLong("patch-layers")], help: "n of the timed plan (default: the n with the smallest peak for p).")
    var patchLayers: Int?

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(name: .customLong("per-op"), help: "Also time every op, step by step in the arena: layer by layer, and for the timed patch plan beside it.")
    var perOp = false

    struct Figures: Encodable {
        var model: String
        var runs: Int
        var loadMilliseconds: Double
        var planMilliseconds: Double
        var planPatches: Int
        var planPatchLayers: Int
        var sweepMilliseconds: Double
        var sweepPlans: Int
        /// Median ms of one layer-by-layer inference, `nil` when the
        /// runtime cannot execute the model.
        var inferenceMilliseconds: Double?
        /// Median ms of one patch-based inference with the timed plan.
        var patchedInferenceMilliseconds: Double?
        var macOverhead: Double
        /// With `--per-op`: every op of a layer-by-layer run.
        var kernels: [OpTiming]?
        /// With `--per-op`: every op of a run of the timed patch plan (all
        /// its patches), so the overhead can be placed op by op.
        var patchedKernels: [OpTiming]?
    }

    @OptionGroup var arena: ArenaFlags

    func validate() throws {
        guard (1...100_000).contains(runs) else { throw ValidationError("--runs \(runs) is out of range 1…100000") }
        try validatePlanNumbers(patches: patches, patchLayers: patchLayers)
    }

    func run() throws {
        let loaded = try loadModel(model)
        let load = median(runs: min(runs, 10)) { _ = try? TFLiteReader.load(path: model) }
        // By default, the n that gives p its smallest peak (then fewest MACs):
        // the plan an engineer would pick for that p. A -p or -n the model
        // cannot be planned with is refused as `plan` refuses it.
        let candidates = (1...max(1, loaded.operators.count)).compactMap { try? PatchPlan(model: loaded, patches: patches, patchLayers: $0) }
        let n = patchLayers ?? candidates.min { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }?.patchLayers ?? (patches > 1 ? 1 : 0)
        let timedPlan: PatchPlan
        do {
            timedPlan = try PatchPlan(model: loaded, patches: patches, patchLayers: n)
        } catch {
            throw CommandFailure("\(loaded.name): \(error.description)")
        }
        let plan = median(runs: runs) { _ = try? PatchPlan(model: loaded, patches: patches, patchLayers: n) }
        var plans = 0
        let sweep = median(runs: max(1, runs / 10)) { plans = Sweep(model: loaded, maxPatches: 8).plans.count }
        var inference: Double?, patched: Double?
        var kernels: [OpTiming]?, patchedKernels: [OpTiming]?
        let limit = arena.maxArena.bytes
        if let interpreter = try? Interpreter(model: loaded), let inputIndex = loaded.inputs.first,
           let program = try? ArenaProgram(interpreter: interpreter, arenaLimit: limit) {
            let input = SeededInput.bytes(for: loaded.tensors[inputIndex], seed: 0)
            let inferenceRuns = max(3, min(runs, 30))
            _ = try? program.run(input: input)
            inference = median(runs: inferenceRuns) { _ = try? program.run(input: input) }
            if perOp {
                kernels = try? program.opTimings(input: input, runs: inferenceRuns)
            }
            if let patchedProgram = try? ArenaProgram(interpreter: interpreter, plan: timedPlan, arenaLimit: limit),
               (try? patchedProgram.run(input: input)) != nil {
                patched = median(runs: inferenceRuns) { _ = try? patchedProgram.run(input: input) }
                if perOp, timedPlan.isPatched {
                    patchedKernels = try? patchedProgram.opTimings(input: input, runs: inferenceRuns)
                }
            }
        }
        let figures = Figures(model: loaded.name, runs: runs, loadMilliseconds: load, planMilliseconds: plan,
                              planPatches: patches, planPatchLayers: n, sweepMilliseconds: sweep, sweepPlans: plans,
                              inferenceMilliseconds: inference, patchedInferenceMilliseconds: patched,
                              macOverhead: timedPlan.macOverhead, kernels: kernels,
                              patchedKernels: patchedKernels)
        if json {
            try printJSON(figures)
        } else {
            print("\(loaded.name) — medians over \(runs) runs")
            print("load model           \(format(load)) ms")
            print("plan p=\(patches) n=\(n)       \(format(plan)) ms")
            print("sweep (\(plans) plans)  \(format(sweep)) ms")
            if let inference {
                print("inference            \(format(inference)) ms layer-by-layer")
            } else {
                print("inference            - (the runtime cannot execute this model)")
            }
            if let kernels {
                let total = kernels.reduce(0) { $0 + $1.milliseconds }
                let macs = kernels.reduce(0) { $0 + $1.macs }
                print("ops, step by step    \(format(total)) ms, \(String(format: "%.1f", Double(macs) / max(total, 1e-9) / 1e6)) G MAC/s")
                for k in kernels {
                    let rate = k.macs > 0 ? String(format: "%6.2f G MAC/s", Double(k.macs) / max(k.milliseconds, 1e-9) / 1e6) : String(repeating: " ", count: 13)
                    print(String(format: "  op %3d  %8.4f ms  ", k.op, k.milliseconds) + rate + "  " + k.kind)
                }
                if let inference { print("outside the ops       \(format(inference - total)) ms (arena painting, input copy, measuring)") }
            }
            if let patchedKernels, let kernels, patchedKernels.count == kernels.count {
                print("patched p=\(patches) n=\(n), op by op (time and MACs against layer-by-layer)")
                for (k, l) in zip(patchedKernels, kernels) where k.op < n {
                    let time = l.milliseconds > 0 ? k.milliseconds / l.milliseconds : 1
                    let macs = l.macs > 0 ? Double(k.macs) / Double(l.macs) : 1
                    print(String(format: "  op %3d  %8.4f ms  %5.2f× time  %5.2f× MACs  ", k.op, k.milliseconds, time, macs) + k.kind)
                }
                let stage = patchedKernels.filter { $0.op < n }.reduce(0) { $0 + $1.milliseconds }
                let rest = patchedKernels.filter { $0.op >= n }.reduce(0) { $0 + $1.milliseconds }
                print("  stage \(format(stage)) ms, rest \(format(rest)) ms")
            }
            if let patched, let inference {
                print("patched inference    \(format(patched)) ms (\(String(format: "%.2f", patched / inference))× layer-by-layer; MACs \(String(format: "%+.1f", timedPlan.macOverhead * 100))%)")
            }
        }
    }

    private func format(_ ms: Double) -> String { String(format: "%.3f", ms) }
}

/// The median wall time of `body` in milliseconds over `runs` runs.
func median(runs: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var samples: [Double] = []
    for _ in 0..<max(1, runs) {
        let elapsed = clock.measure(body)
        samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    samples.sort()
    return samples[samples.count / 2]
}
