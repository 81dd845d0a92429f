import Foundation
import PatchTopModel
import PatchTopRuntime
import XCTest

/// The layer-by-layer arena must be no worse than TFLite Micro's activation
/// area, which equals the liveness peak on these models.
final class ArenaSampleModelTests: XCTestCase {
    private var root: URL { TestFiles.root }

    func testEverySampleModelsArenaEqualsItsLivenessPeak() throws {
        let models = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("SampleModels").path)
            .filter { $0.hasSuffix(".tflite") }
        XCTAssertGreaterThanOrEqual(models.count, 6)
        for file in models {
            let model = try TFLiteReader.load(path: root.appendingPathComponent("SampleModels/\(file)").path)
            let memory = MemorySchedule(model: model)
            let layout = ArenaLayout(schedule: memory)
            XCTAssertEqual(layout.livenessLowerBound, memory.peakBytes, file)
            XCTAssertEqual(layout.arenaBytes, memory.peakBytes, file)
        }
    }

    func testPersonDetectArenaIsTFLiteMicros() throws {
        let path = root.deletingLastPathComponent().appendingPathComponent("shared/models/person_detect.tflite").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("person_detect.tflite is absent") }
        let layout = ArenaLayout(schedule: MemorySchedule(model: try TFLiteReader.load(path: path)))
        XCTAssertEqual(layout.arenaBytes, 55_296)
    }
}

import PatchTopPlan

/// The arena laid out for a plan equals the plan's peak: the plan counts
/// per-patch buffers at their largest, in-place and fused buffers as the
/// layout shares them, and the layout's search reaches the liveness bound.
final class PatchArenaTests: XCTestCase {
    /// Every (p ≤ 6, n) of every sample model (and person_detect when
    /// present) under every memory option: thousands of layouts.
    func testEveryPlanIsLaidOutAtItsPeak() throws {
        var paths = try FileManager.default.contentsOfDirectory(atPath: TestFiles.root.appendingPathComponent("SampleModels").path)
            .filter { $0.hasSuffix(".tflite") }.map { TestFiles.sample(String($0.dropLast(7))) }
        let person = TestFiles.shared("person_detect.tflite")
        if FileManager.default.fileExists(atPath: person) { paths.append(person) }
        var total = 0
        for path in paths {
            let model = try TFLiteReader.load(path: path)
            for options in MemoryOptions.all {
                for p in 1...6 {
                    for n in 0...model.operators.count {
                        guard let plan = try? PatchPlan(model: model, patches: p, patchLayers: n, options: options) else { continue }
                        let layout = ArenaLayout(plan: plan)
                        let label = "\(model.name) \(options.summary) p=\(p) n=\(n)"
                        XCTAssertEqual(layout.livenessLowerBound, plan.peakBytes, label)
                        XCTAssertEqual(layout.arenaBytes, plan.peakBytes, label)
                        total += 1
                    }
                }
            }
        }
        XCTAssertGreaterThan(total, 5000)
    }
}
