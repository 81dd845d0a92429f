import Foundation
import XCTest
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime

/// The sample models shaped like what users bring (SampleModels/README.md):
/// a dynamic-batch Keras export, a PyTorch-style export, float32 models.
/// Their references are TFLite Micro's outputs. Each runs bit-exact layer
/// by layer (every seed) and over a grid of patch plans (with and without
/// halo caches) under every memory option, in exactly its planned arena.
final class RealModelSampleTests: XCTestCase {
    private func check(_ name: String, grid: [(Int, Int)], file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try TFLiteReader.load(path: TestFiles.sample(name))
        let prepared = try PreparedModel(model: model)
        let dir = TestFiles.root.appendingPathComponent("SampleModels/\(name)")
        func bytes(_ file: String) throws -> [Int8] {
            try [UInt8](Data(contentsOf: dir.appendingPathComponent(file))).map { Int8(bitPattern: $0) }
        }
        let program = try ArenaProgram(prepared: prepared)
        for seed in 0..<3 {
            let run = try XCTUnwrap(try program.run(input: bytes("in_s\(seed).bin")))
            XCTAssertTrue(run.output == (try bytes("out_s\(seed).bin")), "\(name) seed \(seed): differs from TFLite Micro", file: file, line: line)
            XCTAssertEqual(run.measuredArenaBytes, run.plannedArenaBytes, file: file, line: line)
        }
        let x = try bytes("in_s1.bin"), want = try bytes("out_s1.bin")
        for options in TinyEngineModelTests.allOptions {
            for (p, n) in grid {
                // Recomputed halos, and halo caches (stream buffers) for all of them.
                for caching in [HaloCaching.none, .all] {
                    let plan = try PatchPlan(model: model, patches: p, patchLayers: n, options: options, haloCaching: caching)
                    let label = "\(name) p=\(p) n=\(n) \(caching.name) \(options.summary)"
                    let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: plan).run(input: x))
                    XCTAssertTrue(run.output == want, "\(label): differs", file: file, line: line)
                    XCTAssertEqual(run.measuredArenaBytes, plan.peakBytes, "\(label): arena", file: file, line: line)
                }
            }
        }
    }

    /// SHAPE → STRIDED_SLICE → PACK → RESHAPE, evaluated once at prepare
    /// time: it runs like its static twin.
    func testDynamicBatch() throws {
        try check("tiny-dynbatch", grid: [(2, 2), (3, 4)])
        let model = try TFLiteReader.load(path: TestFiles.sample("tiny-dynbatch"))
        let pack = try XCTUnwrap(model.operators.first { $0.kind == .pack })
        XCTAssertEqual(model.staticValues(of: pack.output), [1, 128])
    }

    /// Explicit PADs before VALID convs, single-axis MEANs with and without
    /// keepDims, TRANSPOSE, int8 LOG_SOFTMAX, float input and output.
    func testPyTorchStyle() throws { try check("pytorch-style", grid: [(2, 3), (2, 4), (4, 4)]) }

    /// The same graph in float32: float PAD, MEAN, TRANSPOSE, LOG_SOFTMAX.
    func testPyTorchStyleFloat() throws { try check("pytorch-style-f32", grid: [(2, 2), (3, 3)]) }

    /// A float32 MobileNetV2: float conv, depthwise (in place too), ADD,
    /// MEAN, FULLY_CONNECTED, SOFTMAX, bit-identical to TFLite Micro.
    func testFloatMobileNet() throws { try check("mbv2-mini-f32", grid: [(2, 4), (3, 7)]) }

    /// Every op of tiny-allops and tiny-moreops in float32.
    func testFloatAllOps() throws { try check("tiny-allops-f32", grid: [(2, 6), (3, 9)]) }
    func testFloatMoreOps() throws { try check("tiny-moreops-f32", grid: [(2, 5), (3, 8)]) }
}

/// Step-through of a model the runtime cannot finish: the ops before the
/// first unsupported one (a patch stage) run, and the session stops there
/// naming it.
final class UnsupportedOpStepTests: XCTestCase {
    func testSessionRunsUpToTheFirstUnsupportedOp() throws {
        let q = Quantization(scales: [0.5], zeroPoints: [0])
        let tensors = [
            Tensor(index: 0, name: "in", shape: [1, 4, 4, 2], type: .int8, quantization: q),
            Tensor(index: 1, name: "relu", shape: [1, 4, 4, 2], type: .int8, quantization: q),
            Tensor(index: 2, name: "s2d", shape: [1, 2, 2, 8], type: .int8, quantization: q),
        ]
        let ops = [
            Operator(index: 0, kind: .relu, inputs: [0], outputs: [1]),
            Operator(index: 1, kind: OperatorKind(builtinCode: 26), inputs: [1], outputs: [2]),
        ]
        let model = try Model(name: "stops", tensors: tensors, operators: ops, inputs: [0], outputs: [2])
        XCTAssertThrowsError(try PreparedModel(model: model))
        let prepared = try PreparedModel(model: model, keepingUnsupportedOps: true)
        XCTAssertEqual(prepared.firstUnsupported?.op, 1)
        let plan = try PatchPlan(model: model, patches: 2, patchLayers: 1)
        let session = try ArenaSession(program: try ArenaProgram(prepared: prepared, plan: plan),
                                       input: (0..<32).map { Int8($0 - 16) })
        for _ in 0..<4 { try session.step() }   // RELU, patch by patch
        XCTAssertEqual(session.values(ofTensor: 1)?.data.count, 32)
        XCTAssertEqual(session.next?.op, 1)
        XCTAssertThrowsError(try session.step()) { error in
            XCTAssertEqual("\(error)", "the run stops here: op 1 (SPACE_TO_DEPTH) is not supported by the runtime")
        }
    }
}
