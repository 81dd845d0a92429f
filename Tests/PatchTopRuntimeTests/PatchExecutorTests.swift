import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import XCTest

/// Patch-based output must be byte-identical to layer-by-layer output for
/// every valid (p, n).
final class PatchExecutorTests: XCTestCase {
    private func load(_ name: String) throws -> Model {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        return try TFLiteReader.load(path: root.appendingPathComponent("SampleModels/\(name).tflite").path)
    }

    private func seededInput(_ count: Int, seed: UInt64) -> [Int8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int8(truncatingIfNeeded: state >> 56)
        }
    }

    private func assertIdentical(_ name: String, patches: ClosedRange<Int>, layers: [Int]) throws {
        let model = try load(name)
        let interpreter = try Interpreter(model: model)
        let input = seededInput(model.tensors[model.inputs[0]].byteCount, seed: 7)
        let reference = try interpreter.run(input: input)
        var checked = 0
        for p in patches {
            for n in layers {
                guard let plan = try? PatchPlan(model: model, patches: p, patchLayers: n) else { continue }
                let output = try PatchExecutor(interpreter: interpreter, plan: plan).run(input: input)
                XCTAssertEqual(output, reference, "\(name) p=\(p) n=\(n)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 5, "\(name): too few valid plans were checked")
    }

    func testMobileNetV2MatchesLayerByLayer() throws {
        try assertIdentical("mbv2-w0.35-r144", patches: 2...6, layers: [1, 2, 4, 7, 12, 13, 20, 30])
    }

    func testMixedKernelSizesMatchLayerByLayer() throws {
        try assertIdentical("mcunet-kmix-r112", patches: 2...6, layers: [1, 3, 5, 8, 12, 20])
    }

    func testMobileNetV1MatchesLayerByLayer() throws {
        try assertIdentical("mbv1-w0.25-r96-g", patches: 2...6, layers: [1, 2, 3, 5, 9, 14, 20])
    }
}
