import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// Patch-based inference over grids of (p, n): the output must be
/// byte-identical to layer-by-layer output, and the arena the run really
/// touches must be the one laid out for the plan, which must be the plan's
/// own liveness peak.
final class PatchGridTests: XCTestCase {
    private func seededInput(_ count: Int, seed: UInt64) -> [Int8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int8(truncatingIfNeeded: state >> 56)
        }
    }

    /// Every valid n of `model`, thinned to about `count` spread over the
    /// whole range so deep stages are covered as well as shallow ones.
    private func layerChoices(_ model: Model, patches: Int, count: Int) -> [Int] {
        let valid = (1...max(1, model.operators.count)).filter {
            (try? PatchPlan(model: model, patches: patches, patchLayers: $0)) != nil
        }
        guard valid.count > count else { return valid }
        return (0..<count).map { valid[$0 * (valid.count - 1) / (count - 1)] }
    }

    private func assertGrid(path: String, patches: [Int], layers: Int, streamInput: Bool = false, inplace: Bool = false, fuse: Bool = false,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        let model = try TFLiteReader.load(path: path)
        let prepared = try PreparedModel(model: model)
        let inputIndex = try XCTUnwrap(model.inputs.first)
        var input = seededInput(model.tensors[inputIndex].byteCount, seed: 7)
        if model.tensors[inputIndex].type == .float32 {
            // Finite floats in [-2, 2): random bits would be NaN now and then.
            input = seededInput(model.tensors[inputIndex].elementCount, seed: 7).flatMap { byte -> [Int8] in
                withUnsafeBytes(of: (Float(byte) / 64).bitPattern.littleEndian) { $0.map { Int8(bitPattern: $0) } }
            }
        }
        let options = MemoryOptions(inplaceDepthwise: inplace, streamInput: streamInput, fuseResidual: fuse)
        let reference = try XCTUnwrap(try ArenaProgram(prepared: prepared).run(input: input))
        var checked = 0
        for p in patches {
            for n in layerChoices(model, patches: p, count: layers) {
                let plan = try PatchPlan(model: model, patches: p, patchLayers: n, options: options)
                let program = try ArenaProgram(prepared: prepared, plan: plan)
                let run = try XCTUnwrap(try program.run(input: input))
                let label = "\(model.name) p=\(p) n=\(n)\(streamInput ? " streamed" : "")\(inplace ? " in-place" : "")\(fuse ? " fused" : "")"
                XCTAssertTrue(run.output == reference.output, "\(label): output differs from layer-by-layer", file: file, line: line)
                XCTAssertEqual(run.measuredArenaBytes, run.plannedArenaBytes, "\(label): measured arena", file: file, line: line)
                XCTAssertEqual(run.plannedArenaBytes, plan.peakBytes, "\(label): layout above the peak", file: file, line: line)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 3, "\(model.name): too few valid plans", file: file, line: line)
    }

    private func sample(_ name: String) -> String { TestFiles.sample(name) }

    func testMobileNetV2() throws { try assertGrid(path: sample("mbv2-w0.35-r144"), patches: Array(1...6), layers: 10) }
    func testMobileNetV2Streamed() throws {
        try assertGrid(path: sample("mbv2-w0.35-r144"), patches: [2, 3, 5], layers: 5, streamInput: true)
    }
    func testMobileNetV2Large() throws { try assertGrid(path: sample("mbv2-w1.0-r224"), patches: [2, 4, 6], layers: 3) }
    func testMCUNet() throws { try assertGrid(path: sample("mcunet-kmix-r112"), patches: Array(1...6), layers: 8) }
    func testMobileNetV1() throws { try assertGrid(path: sample("mbv1-w0.25-r96-g"), patches: Array(1...6), layers: 8) }
    func testMobileNetV3() throws { try assertGrid(path: sample("mbv3s-r96"), patches: Array(1...6), layers: 8) }
    func testAllOps() throws { try assertGrid(path: sample("tiny-allops"), patches: Array(1...6), layers: 12) }
    /// Residual ADDs after dense 3×3 convs, 1×1 stride-2 projections.
    func testResNet8() throws { try assertGrid(path: sample("resnet8-r32"), patches: Array(1...6), layers: 8) }
    /// A 10×4 stride-2 first conv on a 49×10 map, then depthwise-separable blocks.
    func testDSCNN() throws {
        try assertGrid(path: sample("dscnn-kws"), patches: Array(1...5), layers: 6)
        try assertGrid(path: sample("dscnn-kws"), patches: [2, 3], layers: 5, streamInput: true, inplace: true)
    }
    func testFloatInputAndOutput() throws {
        try assertGrid(path: sample("tiny-float-io"), patches: Array(1...6), layers: 6)
        try assertGrid(path: sample("tiny-float-io"), patches: [2, 3], layers: 6, streamInput: true, inplace: true)
    }
    /// LEAKY_RELU, TANH, SUB, MAXIMUM and MINIMUM inside the patch stage;
    /// the stage cannot extend past the first RESIZE_NEAREST_NEIGHBOR.
    func testMoreOps() throws { try assertGrid(path: sample("tiny-moreops"), patches: Array(1...6), layers: 9) }
    func testAllOpsStreamed() throws { try assertGrid(path: sample("tiny-allops"), patches: [2, 3], layers: 12, streamInput: true) }

    func testPersonDetect() throws {
        let path = TestFiles.shared("person_detect.tflite")
        try assertGrid(path: path, patches: Array(1...6), layers: 8)
    }

    func testMobileNetV2InPlace() throws {
        try assertGrid(path: sample("mbv2-w0.35-r144"), patches: [1, 2, 4], layers: 6, inplace: true)
    }
    func testFusedResiduals() throws {
        let model = try TFLiteReader.load(path: sample("mbv2-w0.35-r144"))
        let fused = MemorySchedule(model: model, options: MemoryOptions(fuseResidual: true)).fusedResiduals
        XCTAssertEqual(fused.count, 10, "every residual ADD of MobileNetV2 fuses")
        try assertGrid(path: sample("mbv2-w0.35-r144"), patches: [1, 2, 4, 6], layers: 6, streamInput: true, inplace: true, fuse: true)
        try assertGrid(path: sample("mcunet-kmix-r112"), patches: [1, 3], layers: 5, fuse: true)
        try assertGrid(path: sample("mbv3s-r96"), patches: [1, 2], layers: 4, inplace: true, fuse: true)
        try assertGrid(path: sample("tiny-allops"), patches: [1, 2, 3], layers: 6, fuse: true)
        try assertGrid(path: sample("resnet8-r32"), patches: [1, 2, 4], layers: 6, streamInput: true, inplace: true, fuse: true)
    }

    func testMCUNetInPlaceStreamed() throws {
        try assertGrid(path: sample("mcunet-kmix-r112"), patches: [1, 3, 5], layers: 5, streamInput: true, inplace: true)
    }
    func testPersonDetectInPlace() throws {
        let path = TestFiles.shared("person_detect.tflite")
        try assertGrid(path: path, patches: [1, 2, 4], layers: 4, streamInput: true, inplace: true)
    }

    /// The paper's plan: MobileNetV2 at 224, 4×4 patches over the first 13
    /// ops, both memory options. The runtime's arena is the planned peak and
    /// far below the 1372 KiB of layer-by-layer inference.
    func testPaperPlanRunsInItsPlannedArena() throws {
        let model = try TFLiteReader.load(path: sample("mbv2-w1.0-r224"))
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)
        let plan = try PatchPlan(model: model, patches: 4, patchLayers: 13, options: options)
        let prepared = try PreparedModel(model: model)
        let input = seededInput(model.tensors[model.inputs[0]].byteCount, seed: 3)
        let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: plan).run(input: input))
        XCTAssertEqual(run.output, try prepared.run(input: input))
        XCTAssertEqual(run.measuredArenaBytes, plan.peakBytes)
        XCTAssertEqual(plan.layerByLayerPeakBytes, 1372 * 1024)
        // The paper's 172 KiB: with the projection conv's output never held
        // (28²×224 bytes at that conv, plus our 28×32-byte scratch row), the
        // peak lands within half a KiB of it.
        XCTAssertGreaterThanOrEqual(plan.peakBytes, 28 * 28 * 224)
        XCTAssertEqual(Double(run.measuredArenaBytes) / 1024, 172, accuracy: 0.5)
    }
}
