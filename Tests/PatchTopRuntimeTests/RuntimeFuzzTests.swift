import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
@testable import PatchTopRuntime
import XCTest

/// Seeded mutations of real models that still parse: preparing, compiling
/// and running them must return or throw a `RuntimeError`, never trap
/// (wild scales and zero points, biases of the wrong length, shapes that do
/// not agree with their weights...).
final class RuntimeFuzzTests: XCTestCase {
    private func fuzz(_ name: String, cases: Int, seed: UInt64) throws {
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: TestFiles.sample(name))))
        var rng = SeededGenerator(state: seed)
        var ran = 0, refused = 0
        for _ in 0..<cases {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let i = Int.random(in: 0..<(bytes.count - 4), using: &rng)
                if Bool.random(using: &rng) {
                    bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                } else {
                    let value = [UInt32.max, 0x7F80_0000, 0x7FC0_0000, 0x8000_0000, 0, 1, 0x4F00_0000, 0x0000_0080]
                        .randomElement(using: &rng)!
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
                }
            }
            guard let model = try? TFLiteReader.read(bytes: bytes), let input = model.inputs.first else { continue }
            do {
                let prepared = try PreparedModel(model: model)
                let data = [Int8](repeating: 3, count: model.tensors[input].byteCount)
                _ = try ArenaProgram(prepared: prepared).run(input: data)
                if let plan = (1...model.operators.count).lazy.compactMap({ try? PatchPlan(model: model, patches: 2, patchLayers: $0) }).first {
                    _ = try ArenaProgram(prepared: prepared, plan: plan).run(input: data)
                }
                // Every memory option at once: in-place, streamed, fused.
                let tinyEngine = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)
                _ = try ArenaProgram(prepared: prepared, options: tinyEngine).run(input: data)
                if let plan = (1...model.operators.count).lazy.compactMap({
                    try? PatchPlan(model: model, patches: 3, patchLayers: $0, options: tinyEngine)
                }).first {
                    _ = try ArenaProgram(prepared: prepared, plan: plan).run(input: data)
                }
                ran += 1
            } catch {
                XCTAssertTrue(StructureFuzzTests.isRefusal(error), "\(name): \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(ran + refused, cases / 4, "\(name): too few mutations parsed")
    }

    func testAllOpsModelMutations() throws { try fuzz("tiny-allops", cases: 3000, seed: 21) }
    func testMoreOpsAndResidualMutations() throws {
        try fuzz("tiny-moreops", cases: 1500, seed: 14)
        try fuzz("mbv2-w0.35-r144", cases: 150, seed: 15)
    }
    func testMobileNetV3Mutations() throws { try fuzz("mbv3s-r96", cases: 400, seed: 22) }
    func testPersonDetectLikeMutations() throws { try fuzz("mbv1-w0.25-r96-g", cases: 300, seed: 13) }
    /// MEAN over single axes, TRANSPOSE, LOG_SOFTMAX, SHAPE arithmetic and
    /// the float32 kernels, mutated.
    func testRealModelShapesMutations() throws {
        try fuzz("pytorch-style", cases: 800, seed: 31)
        try fuzz("tiny-dynbatch", cases: 500, seed: 32)
        try fuzz("pytorch-style-f32", cases: 500, seed: 33)
        try fuzz("tiny-allops-f32", cases: 400, seed: 34)
    }
}

/// The structure-aware fuzz of issue 12: seeded mutations of every sample
/// model's numbers (scales from 1e-30 to 1e30, inf, NaN, zero, negative;
/// zero points at and past the limits; softmax beta; fused activations;
/// dimensions) through analysis, planning, the runtime (layer by layer and
/// patched, every memory option, inputs all −128 and all 127) and the
/// reports. Each case must end with a result or one clear error: never a
/// trap, never an error that means two parts of PatchTop disagree.
final class StructureFuzzTests: XCTestCase {
    /// What one case ended with, to show the fuzz reaches every stage.
    struct Tally {
        var invalid = 0, refused = 0, ran = 0, errors: [String: Int] = [:]
    }

    /// A runtime error that is a clear refusal of the model, as opposed to
    /// one that means the planner and the runtime disagree about it.
    static func isRefusal(_ error: RuntimeError) -> Bool {
        switch error {
        case .unsupported, .unrepresentable, .notPatchable, .plan, .arenaTooLarge: true
        case .refusedStep(let inner): isRefusal(inner)
        case .noMemory, .inconsistentPlan, .planForOtherModel, .noInputOrOutput, .inputSize, .stopped, .notFinished: false
        }
    }

    private func check(_ error: RuntimeError, _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(Self.isRefusal(error), "\(context()): \(error)", file: file, line: line)
        let text = error.description
        XCTAssertFalse(text.isEmpty || text.contains("\n"), "\(context()): not one line: \(text)", file: file, line: line)
    }

    /// The memory options under which the unmutated model runs layer by
    /// layer, or is refused clearly. An option the planner offers but the
    /// runtime cannot yet execute on a valid model is a bug for its own
    /// test, not something mutations tell us more about: it is left out of
    /// the runs (and named once on the console).
    private func workingOptions(_ model: Model) -> [MemoryOptions] {
        MemoryOptions.all.filter { memory in
            do throws(RuntimeError) {
                let plan: PatchPlan
                do throws(PlanError) { plan = try PatchPlan(model: model, patches: 1, patchLayers: 0, options: memory) } catch { return true }
                let program = try ArenaProgram(prepared: try PreparedModel(model: model), plan: plan)
                _ = try program.run(input: [Int8](repeating: 0, count: model.inputs.first.map { model.tensors[$0].byteCount } ?? 0))
                return true
            } catch {
                if Self.isRefusal(error) { return true }
                print("note: \(model.name) does not run under \(memory.summary) before any mutation (\(error)); not fuzzed")
                return false
            }
        }
    }

    /// Runs one mutated model through every stage.
    private func exercise(_ model: Model, options: [MemoryOptions], runs: Int, rng: inout SeededGenerator, tally: inout Tally,
                          label: String) {
        // Analysis and its reports (text and JSON).
        let analysis = AnalysisReport(model: model, options: MemoryOptions.all.randomElement(using: &rng)!)
        XCTAssertFalse(analysis.lines().isEmpty)
        XCTAssertNoThrow(try JSONText.encode(AnalysisJSON(analysis)), label)
        // Plans: the first valid stage for p = 2, its reports, and the TUI's screen.
        // Two memory options a case: over thousands of cases, every one.
        var plans: [PatchPlan] = []
        for memory in options.shuffled(using: &rng).prefix(2) {
            do throws(PlanError) {
                plans.append(try PatchPlan(model: model, patches: 1, patchLayers: 0, options: memory))
            } catch {
                XCTFail("\(label): layer by layer refused: \(error)")
            }
            let p = Int.random(in: 2...3, using: &rng)
            if let patched = (1...model.operators.count).lazy.compactMap({
                try? PatchPlan(model: model, patches: p, patchLayers: $0, options: memory)
            }).first {
                plans.append(patched)
            }
        }
        if let plan = plans.randomElement(using: &rng) {
            XCTAssertFalse(PlanReport(plan: plan).lines().isEmpty)
            XCTAssertNoThrow(try JSONText.encode(PlanJSON(plan, includeRegions: true)), label)
            if let state = try? AppState(model: model, patches: plan.patches, patchLayers: plan.patchLayers, options: plan.options) {
                XCTAssertFalse(ReportRenderer(state: state, date: "2026-01-01").render().isEmpty)
            }
        }
        // The runtime.
        let prepared: PreparedModel
        do throws(RuntimeError) {
            prepared = try PreparedModel(model: model)
        } catch {
            check(error, label)
            tally.refused += 1
            tally.errors[String(describing: error).prefix(40).description, default: 0] += 1
            return
        }
        guard let input = model.inputs.first else { return }
        let bytes = model.tensors[input].byteCount
        var refused = false
        for plan in plans.shuffled(using: &rng).prefix(runs) {
            let fill: Int8 = Bool.random(using: &rng) ? -128 : 127
            do throws(RuntimeError) {
                let program = try ArenaProgram(prepared: prepared, plan: plan, arenaLimit: 16 << 20)
                _ = try program.run(input: [Int8](repeating: fill, count: bytes))
            } catch {
                check(error, "\(label) p=\(plan.patches) n=\(plan.patchLayers) \(plan.options.summary)")
                refused = true
            }
        }
        if refused { tally.refused += 1 } else { tally.ran += 1 }
    }

    private func fuzz(_ name: String, cases: Int, runs: Int, seed: UInt64) throws -> Tally {
        let original = try TFLiteReader.load(path: TestFiles.sample(name))
        var mutator = ModelMutator(rng: SeededGenerator(state: seed))
        var rng = SeededGenerator(state: seed &* 31)
        var tally = Tally()
        let options = workingOptions(original)
        XCTAssertFalse(options.isEmpty, name)
        for index in 0..<cases {
            switch mutator.mutate(original) {
            case .failure(let error):
                XCTAssertFalse(error.description.isEmpty)
                tally.invalid += 1
            case .success(let model):
                exercise(model, options: options, runs: runs, rng: &rng, tally: &tally, label: "\(name) case \(index)")
            }
        }
        // Most mutations must reach the runtime, and some must run.
        XCTAssertGreaterThan(tally.ran + tally.refused, cases / 2, "\(name): \(tally)")
        XCTAssertGreaterThan(tally.ran, 0, "\(name): \(tally)")
        if ProcessInfo.processInfo.environment["FUZZ_VERBOSE"] != nil { print("\(name): \(tally)") }
        return tally
    }

    func testTinyModels() throws {
        _ = try fuzz("tiny-allops", cases: 800, runs: 4, seed: 1)
        _ = try fuzz("tiny-moreops", cases: 700, runs: 4, seed: 2)
        _ = try fuzz("tiny-float-io", cases: 250, runs: 4, seed: 3)
    }

    func testSmallRealModels() throws {
        _ = try fuzz("mbv1-w0.25-r96-g", cases: 120, runs: 1, seed: 4)
        _ = try fuzz("mbv3s-r96", cases: 100, runs: 1, seed: 5)
        _ = try fuzz("mcunet-kmix-r112", cases: 40, runs: 1, seed: 6)
        _ = try fuzz("mbv2-w0.35-r144", cases: 25, runs: 1, seed: 7)
    }

    /// PyTorch-style exports (float input + QUANTIZE, explicit PADs,
    /// TRANSPOSE and MEAN heads), a dynamic batch, and the float32 samples.
    func testExportsAndFloatModels() throws {
        _ = try fuzz("pytorch-style", cases: 400, runs: 2, seed: 9)
        _ = try fuzz("tiny-dynbatch", cases: 300, runs: 2, seed: 10)
        _ = try fuzz("pytorch-style-f32", cases: 200, runs: 2, seed: 11)
        _ = try fuzz("tiny-allops-f32", cases: 200, runs: 2, seed: 12)
        _ = try fuzz("tiny-moreops-f32", cases: 200, runs: 2, seed: 13)
        _ = try fuzz("mbv2-mini-f32", cases: 100, runs: 1, seed: 14)
    }

    /// The 224×224 MobileNetV2 is analysed, planned and prepared every
    /// case, and run in a few.
    func testLargeModel() throws {
        _ = try fuzz("mbv2-w1.0-r224", cases: 12, runs: 1, seed: 8)
    }
}
