import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// A restarted session (what `bench` and `run --repeats` time) gives the
/// bytes a fresh painted run gives, run after run and input after input,
/// and the painted run still measures the planned arena.
final class ArenaSessionRestartTests: XCTestCase {
    private func inputs(for model: Model, count: Int) -> [[Int8]] {
        let tensor = model.tensors[model.callerInputs[0]]
        return (0..<count).map { k in
            var generator = SeededGenerator(state: UInt64(k) &* 977 &+ 5)
            guard tensor.type == .float32 else {
                return (0..<tensor.byteCount).map { _ in Int8(truncatingIfNeeded: generator.next() >> 56) }
            }
            return (0..<tensor.elementCount).flatMap { _ -> [Int8] in
                let value = Float(Int8(truncatingIfNeeded: generator.next() >> 56)) / 64
                return withUnsafeBytes(of: value.bitPattern.littleEndian) { $0.map { Int8(bitPattern: $0) } }
            }
        }
    }

    /// Layer by layer under two memory options, and patch plans (p = 2, 3)
    /// at a middle n without caches and with every halo cache.
    private func plans(_ model: Model) -> [(String, PatchPlan)] {
        let everything = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true, foldPad: true, int8IO: true)
        var plans: [(String, PatchPlan)] = []
        for (label, options) in [("tflm", MemoryOptions.tfliteMicro), ("all options", everything)] {
            if let plan = try? PatchPlan(model: model, patches: 1, patchLayers: 0, options: options) {
                plans.append(("layer by layer, \(label)", plan))
            }
        }
        for p in [2, 3] {
            let valid = (1...max(1, model.operators.count)).filter {
                (try? PatchPlan(model: model, patches: p, patchLayers: $0)) != nil
            }
            guard !valid.isEmpty else { continue }
            let n = valid[valid.count / 2]
            for options in [MemoryOptions.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true)] {
                for caching in [HaloCaching.none, .all] {
                    if let plan = try? PatchPlan(model: model, patches: p, patchLayers: n, options: options, haloCaching: caching) {
                        plans.append(("p=\(p) n=\(n) \(caching.name) \(options.summary)", plan))
                    }
                }
            }
        }
        return plans
    }

    private func assertRestartsMatch(_ name: String, path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try TFLiteReader.load(path: path)
        let prepared = try PreparedModel(model: model)
        let inputs = inputs(for: model, count: 3)
        let plans = plans(model)
        XCTAssertTrue(plans.contains { $0.1.isPatched && !$0.1.caches.isEmpty }, "\(name): no patch plan with a halo cache", file: file, line: line)
        XCTAssertTrue(plans.contains { !$0.1.isPatched }, "\(name): no layer-by-layer plan", file: file, line: line)
        for (label, plan) in plans {
            let program = try ArenaProgram(prepared: prepared, plan: plan)
            let references = try inputs.map { input throws -> ArenaRunResult in try XCTUnwrap(try program.run(input: input)) }
            for reference in references {
                XCTAssertEqual(reference.measuredArenaBytes, reference.plannedArenaBytes, "\(name) \(label): painted run", file: file, line: line)
            }
            // Different inputs must give different outputs somewhere, or
            // the comparison below could pass on stale bytes.
            XCTAssertTrue(Set(references.map(\.outputs)).count > 1, "\(name) \(label): every input gave the same output", file: file, line: line)
            let session = try ArenaSession(program: program, input: inputs[0])
            for round in 0..<2 {
                for (k, input) in inputs.enumerated() {
                    try session.restart(input: input)
                    XCTAssertTrue(try session.finish(), file: file, line: line)
                    XCTAssertTrue(try session.finalOutputs() == references[k].outputs,
                                  "\(name) \(label): round \(round), input \(k) differs from a painted run", file: file, line: line)
                }
            }
            // Restarts wrote nothing past the layout (the guard bytes stay painted).
            XCTAssertLessThanOrEqual(session.highWaterMark(), program.layout.arenaBytes, "\(name) \(label)", file: file, line: line)
            let timing = try program.timeInference(input: inputs[1], runs: 2)
            XCTAssertEqual(timing.painted, references[1], "\(name) \(label): timeInference's painted run", file: file, line: line)
            XCTAssertEqual(timing.runs, 2)
        }
    }

    func testSampleModelsRestartByteIdentical() throws {
        for name in ["tiny-allops", "tiny-moreops", "tiny-float-io", "pytorch-style", "mbv1-w0.25-r96-g", "tiny-allops-f32", "resnet8-r32", "dscnn-kws"] {
            try assertRestartsMatch(name, path: TestFiles.sample(name))
        }
    }

    func testPersonDetectRestartByteIdentical() throws {
        let path = TestFiles.shared("person_detect.tflite")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        try assertRestartsMatch("person_detect", path: path)
    }

    func testRestartRefusesAWrongSizedInput() throws {
        let model = try TFLiteReader.load(path: TestFiles.sample("tiny-allops"))
        let program = try ArenaProgram(prepared: try PreparedModel(model: model))
        let input = inputs(for: model, count: 1)[0]
        let session = try ArenaSession(program: program, input: input)
        XCTAssertThrowsError(try session.restart(input: Array(input.dropLast()))) { error in
            guard case RuntimeError.inputSize(_, let bytes, let needed) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(bytes, input.count - 1)
            XCTAssertEqual(needed, input.count)
        }
    }
}
