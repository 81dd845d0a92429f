import Foundation
import PatchTopModel
import PatchTopRuntime
import XCTest

/// The layer-by-layer arena must be no worse than TFLite Micro's activation
/// area, which equals the liveness peak on these models.
final class ArenaSampleModelTests: XCTestCase {
    private var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url
    }

    func testEverySampleModelsArenaEqualsItsLivenessPeak() throws {
        let models = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("SampleModels").path)
            .filter { $0.hasSuffix(".tflite") }
        XCTAssertGreaterThanOrEqual(models.count, 6)
        for file in models {
            let model = try TFLiteReader.load(path: root.appendingPathComponent("SampleModels/\(file)").path)
            let memory = ActivationMemory(model: model)
            let layout = ArenaLayout(memory: memory)
            XCTAssertEqual(layout.livenessLowerBound, memory.peakBytes, file)
            XCTAssertEqual(layout.arenaBytes, memory.peakBytes, file)
        }
    }

    func testPersonDetectArenaIsTFLiteMicros() throws {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/models/person_detect.tflite").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("person_detect.tflite is absent") }
        let layout = ArenaLayout(memory: ActivationMemory(model: try TFLiteReader.load(path: path)))
        XCTAssertEqual(layout.arenaBytes, 55_296)
    }
}

import PatchTopPlan

/// The arena laid out for a patch plan equals the plan's peak: the plan
/// counts per-patch buffers at their largest, as the layout does.
final class PatchArenaTests: XCTestCase {
    func testPatchArenasMatchThePlannedPeak() throws {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        var total = 0
        for name in ["mbv2-w0.35-r144", "mcunet-kmix-r112", "mbv1-w0.25-r96-g"] {
            let model = try TFLiteReader.load(path: root.appendingPathComponent("SampleModels/\(name).tflite").path)
            for p in 2...4 {
                for n in stride(from: 2, to: 30, by: 3) {
                    guard let plan = try? PatchPlan(model: model, patches: p, patchLayers: n) else { continue }
                    let layout = ArenaLayout(plan: plan)
                    XCTAssertEqual(layout.livenessLowerBound, plan.peakBytes, "\(name) p=\(p) n=\(n)")
                    XCTAssertEqual(layout.arenaBytes, plan.peakBytes, "\(name) p=\(p) n=\(n)")
                    total += 1
                }
            }
        }
        XCTAssertGreaterThan(total, 20)
    }
}
