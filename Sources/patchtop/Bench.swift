import ArgumentParser
import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI

/// `patchtop bench MODEL`: medians of the operations the TUI repeats on
/// every key press. Build with `-c release`; debug figures mean little.
///
/// Inference is timed on one arena session restarted for every run (no
/// arena allocated or painted, no constants copied, no high-water scan);
/// the arena is measured on a separate painted run and reported beside it.
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

    @Flag(name: .customLong("inference-only"), help: "Time inference only: skip the load, plan and sweep timings (seconds on large models); their JSON keys are null.")
    var inferenceOnly = false

    struct Figures: Encodable {
        var model: String
        var runs: Int
        /// `nil` (JSON null) with `--inference-only`, as the plan and sweep
        /// figures.
        var loadMilliseconds: Double?
        var planMilliseconds: Double?
        var planPatches: Int
        var planPatchLayers: Int
        var sweepMilliseconds: Double?
        var sweepPlans: Int?
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
        /// The int8 conv/depthwise kernels that ran (`KernelPath`), and
        /// the CPU features they were chosen from.
        var kernelPath: String
        var cpuFeatures: String
        /// MACs of one layer-by-layer inference.
        var macs: Int
        /// Inferences timed for each median.
        var inferenceRuns: Int?
        /// The arena a separate painted run touched (not a timed one), and
        /// the one laid out: layer by layer, then for the timed patch plan.
        var measuredArenaBytes: Int?
        var plannedArenaBytes: Int?
        var patchedMeasuredArenaBytes: Int?
        var patchedPlannedArenaBytes: Int?
        /// With `--per-op`: the median time a run spends outside its ops
        /// (input copy, stepping), taken run by run over the per-op runs.
        var outsideOpsMilliseconds: Double?
        /// With `--per-op` on an AVX2 CPU: this core's measured limits for
        /// the kernels' instructions (`MachineLimits`), G MAC/s.
        var int8LimitGMACs: Double?
        var float32LimitGMACs: Double?

        enum CodingKeys: String, CodingKey {
            case model, runs, loadMilliseconds, planMilliseconds, planPatches, planPatchLayers, sweepMilliseconds,
                 sweepPlans, inferenceMilliseconds, patchedInferenceMilliseconds, macOverhead, kernels, patchedKernels,
                 kernelPath, cpuFeatures, macs, inferenceRuns, measuredArenaBytes, plannedArenaBytes,
                 patchedMeasuredArenaBytes, patchedPlannedArenaBytes, outsideOpsMilliseconds,
                 int8LimitGMACs, float32LimitGMACs
        }

        /// The figures `--inference-only` skips are written as null rather
        /// than left out, so a script finds every key it read before.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(model, forKey: .model)
            try c.encode(runs, forKey: .runs)
            try c.encode(loadMilliseconds, forKey: .loadMilliseconds)
            try c.encode(planMilliseconds, forKey: .planMilliseconds)
            try c.encode(planPatches, forKey: .planPatches)
            try c.encode(planPatchLayers, forKey: .planPatchLayers)
            try c.encode(sweepMilliseconds, forKey: .sweepMilliseconds)
            try c.encode(sweepPlans, forKey: .sweepPlans)
            try c.encodeIfPresent(inferenceMilliseconds, forKey: .inferenceMilliseconds)
            try c.encodeIfPresent(patchedInferenceMilliseconds, forKey: .patchedInferenceMilliseconds)
            try c.encode(macOverhead, forKey: .macOverhead)
            try c.encodeIfPresent(kernels, forKey: .kernels)
            try c.encodeIfPresent(patchedKernels, forKey: .patchedKernels)
            try c.encode(kernelPath, forKey: .kernelPath)
            try c.encode(cpuFeatures, forKey: .cpuFeatures)
            try c.encode(macs, forKey: .macs)
            try c.encodeIfPresent(inferenceRuns, forKey: .inferenceRuns)
            try c.encodeIfPresent(measuredArenaBytes, forKey: .measuredArenaBytes)
            try c.encodeIfPresent(plannedArenaBytes, forKey: .plannedArenaBytes)
            try c.encodeIfPresent(patchedMeasuredArenaBytes, forKey: .patchedMeasuredArenaBytes)
            try c.encodeIfPresent(patchedPlannedArenaBytes, forKey: .patchedPlannedArenaBytes)
            try c.encodeIfPresent(outsideOpsMilliseconds, forKey: .outsideOpsMilliseconds)
            try c.encodeIfPresent(int8LimitGMACs, forKey: .int8LimitGMACs)
            try c.encodeIfPresent(float32LimitGMACs, forKey: .float32LimitGMACs)
        }
    }

    @OptionGroup var arena: ArenaFlags

    func validate() throws {
        guard (1...100_000).contains(runs) else { throw ValidationError("--runs \(runs) is out of range 1…100000") }
        try validatePlanNumbers(grid: TileGrid(patches), patchLayers: patchLayers)
    }

    func run() throws {
        let loaded = try loadModel(model)
        var load: Double?, plan: Double?, sweep: Double?, plans: Int?
        if !inferenceOnly {
            load = median(runs: min(runs, 10)) { _ = try? TFLiteReader.load(path: model) }
        }
        // By default, the n that gives p its smallest peak (then fewest MACs):
        // the plan an engineer would pick for that p. A -p or -n the model
        // cannot be planned with is refused as `plan` refuses it.
        let n: Int
        if let patchLayers {
            n = patchLayers
        } else if patches == 1 {
            n = 0
        } else {
            let candidates = (1...max(1, loaded.operators.count)).compactMap { try? PatchPlan(model: loaded, patches: patches, patchLayers: $0) }
            n = candidates.min { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }?.patchLayers ?? 1
        }
        let timedPlan: PatchPlan
        do {
            timedPlan = try PatchPlan(model: loaded, patches: patches, patchLayers: n)
        } catch {
            throw CommandFailure("\(loaded.name): \(error.description)")
        }
        if !inferenceOnly {
            plan = median(runs: runs) { _ = try? PatchPlan(model: loaded, patches: patches, patchLayers: n) }
            var count = 0
            sweep = median(runs: max(1, runs / 10)) { count = Sweep(model: loaded, maxPatches: 8).plans.count }
            plans = count
        }
        var inference: InferenceTiming?, patched: InferenceTiming?
        var kernels: [OpTiming]?, patchedKernels: [OpTiming]?, outsideOps: Double?
        let macs = timedPlan.layerByLayerMacs
        let limit = arena.maxArena.bytes
        let inferenceRuns = max(3, min(runs, 30))
        if let prepared = try? PreparedModel(model: loaded), let inputIndex = loaded.inputs.first,
           let program = (try? Pipeline(prepared: prepared, arenaLimit: limit))?.program {
            let input = SeededInput.bytes(for: loaded.tensors[inputIndex], seed: 0)
            inference = try? program.timeInference(input: input, runs: inferenceRuns)
            if perOp, inference != nil {
                if let profile = try? program.opProfile(input: input, runs: inferenceRuns) {
                    kernels = profile.ops
                    outsideOps = profile.outsideMilliseconds
                }
            }
            if !timedPlan.isPatched, timedPlan.options == program.plan.options {
                // `-p 1` or `-n 0`: the timed plan is the layer-by-layer one.
                patched = inference
            } else if let patchedProgram = (try? Pipeline(prepared: prepared, patches: patches, patchLayers: n, arenaLimit: limit))?.program {
                patched = try? patchedProgram.timeInference(input: input, runs: inferenceRuns)
                if perOp, patched != nil, timedPlan.isPatched {
                    patchedKernels = try? patchedProgram.opTimings(input: input, runs: inferenceRuns)
                }
            }
        }
        let figures = Figures(model: loaded.name, runs: runs, loadMilliseconds: load, planMilliseconds: plan,
                              planPatches: patches, planPatchLayers: n, sweepMilliseconds: sweep, sweepPlans: plans,
                              inferenceMilliseconds: inference?.milliseconds, patchedInferenceMilliseconds: patched?.milliseconds,
                              macOverhead: timedPlan.macOverhead, kernels: kernels, patchedKernels: patchedKernels,
                              kernelPath: KernelPath.active.rawValue, cpuFeatures: CPUFeatures.current.description,
                              macs: macs, inferenceRuns: inference == nil && patched == nil ? nil : inferenceRuns,
                              measuredArenaBytes: inference?.painted.measuredArenaBytes,
                              plannedArenaBytes: inference?.painted.plannedArenaBytes,
                              patchedMeasuredArenaBytes: patched?.painted.measuredArenaBytes,
                              patchedPlannedArenaBytes: patched?.painted.plannedArenaBytes,
                              outsideOpsMilliseconds: outsideOps,
                              int8LimitGMACs: perOp ? MachineLimits.int8GMACs() : nil,
                              float32LimitGMACs: perOp ? MachineLimits.float32GMACs() : nil)
        if json {
            try printJSON(figures)
        } else {
            printText(figures, inference: inference, patched: patched, plan: timedPlan)
        }
    }

    private func printText(_ figures: Figures, inference: InferenceTiming?, patched: InferenceTiming?, plan timedPlan: PatchPlan) {
        let n = figures.planPatchLayers
        // Each figure says over how many runs its median is: --runs for
        // planning, fewer for loading (10 at most), sweeping (a tenth) and
        // inference (3…30).
        print("\(figures.model) — medians (--runs \(runs); each line says how many runs it took)")
        // A float model runs the float32 kernels (AVX2 or portable, never
        // VNNI): the int8 path is not what ran, so it is not named.
        let isFloat = PeakCause.floatTag(timedPlan.model) == "float32"
        if isFloat {
            print("kernels              \(KernelPath.active == .portable ? "portable" : "avx2") float32 kernels; CPU features: \(CPUFeatures.current)")
        } else {
            print("kernels              \(KernelPath.active); CPU features: \(CPUFeatures.current)")
        }
        if let load = figures.loadMilliseconds { print("load model           \(format(load)) ms (median of \(min(runs, 10)) runs)") }
        if let plan = figures.planMilliseconds { print("plan p=\(patches) n=\(n)       \(format(plan)) ms (median of \(runs) runs)") }
        if let sweep = figures.sweepMilliseconds, let plans = figures.sweepPlans { print("sweep (\(plans) plans)  \(format(sweep)) ms (median of \(max(1, runs / 10)) runs)") }
        if let inference {
            print("inference            \(format(inference.milliseconds)) ms layer-by-layer (median of \(inference.runs) runs on one reused arena: no painting, no scan)")
            print("arena                \(inference.painted.measuredArenaBytes) bytes measured on a separate painted run (laid out \(inference.painted.plannedArenaBytes))")
        } else {
            print("inference            - (the runtime cannot execute this model)")
        }
        if let kernels = figures.kernels {
            let total = kernels.reduce(0) { $0 + $1.milliseconds }
            let macs = kernels.reduce(0) { $0 + $1.macs }
            print("ops, step by step    \(format(total)) ms, \(String(format: "%.1f", Double(macs) / max(total, 1e-9) / 1e6)) G MAC/s")
            if isFloat, let float = figures.float32LimitGMACs {
                print(String(format: "this core's limit    %.1f G float MAC/s (vmulps + vaddps), measured", float))
            } else if let int8 = figures.int8LimitGMACs, let float = figures.float32LimitGMACs {
                print(String(format: "this core's limits   %.1f G int8 MAC/s (vpmaddwd), %.1f G float MAC/s (vmulps + vaddps), measured", int8, float))
            }
            for k in kernels {
                let gmacs = Double(k.macs) / max(k.milliseconds, 1e-9) / 1e6
                let rate = k.macs > 0 ? String(format: "%6.2f G MAC/s", gmacs) : String(repeating: " ", count: 13)
                var share = String(repeating: " ", count: 9)
                if k.macs > 0, let limit = k.isFloat ? figures.float32LimitGMACs : figures.int8LimitGMACs {
                    share = String(format: " %3.0f%% lim", 100 * gmacs / limit)
                }
                print(String(format: "  op %3d  %8.4f ms  ", k.op, k.milliseconds) + rate + share + "  " + k.kind)
            }
            if let outside = figures.outsideOpsMilliseconds {
                // Measured run by run on the same runs as the ops (no
                // painting or scan: neither is timed any more).
                print("outside the ops       \(format(outside)) ms per run (input copy, stepping between ops; median over the same runs)")
            }
        }
        if let patchedKernels = figures.patchedKernels, let kernels = figures.kernels, patchedKernels.count == kernels.count {
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
            print("patched inference    \(format(patched.milliseconds)) ms (\(String(format: "%.2f", patched.milliseconds / inference.milliseconds))× layer-by-layer; MACs \(String(format: "%+.1f", timedPlan.macOverhead * 100))%)")
            print("patched arena        \(patched.painted.measuredArenaBytes) bytes measured on a separate painted run (laid out \(patched.painted.plannedArenaBytes))")
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
