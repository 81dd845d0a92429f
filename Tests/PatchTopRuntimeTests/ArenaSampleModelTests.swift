import Foundation
import PatchTopModel
@testable import PatchTopRuntime
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

/// The arena laid out for a plan equals the plan's peak: the layout places
/// exactly the memory schedule's buffers, and its search reaches the
/// liveness bound.
final class PatchArenaTests: XCTestCase {
    /// Every (p ≤ 6, n) of every sample model (and person_detect when
    /// present) under every memory option of the TUI's cycle, and of MIT's
    /// three models (when present) under all 32 option combinations:
    /// thousands of layouts, checked on both cores.
    func testEveryPlanIsLaidOutAtItsPeak() throws {
        var jobs: [(path: String, options: [MemoryOptions])] = try FileManager.default
            .contentsOfDirectory(atPath: TestFiles.root.appendingPathComponent("SampleModels").path)
            .filter { $0.hasSuffix(".tflite") }.sorted().map { (TestFiles.sample(String($0.dropLast(7))), MemoryOptions.all) }
        let person = TestFiles.shared("person_detect.tflite")
        if FileManager.default.fileExists(atPath: person) { jobs.append((person, MemoryOptions.all)) }
        let combinations = (0..<32).map { bits in
            MemoryOptions(inplaceDepthwise: bits & 1 != 0, streamInput: bits & 2 != 0, fuseResidual: bits & 4 != 0,
                          foldPad: bits & 8 != 0, int8IO: bits & 16 != 0)
        }
        for name in ["vww", "mcunetv2_large", "detection"] {
            let path = TestFiles.shared("tinyengine/\(name).tflite")
            if FileManager.default.fileExists(atPath: path) { jobs.append((path, combinations)) }
        }
        let models = try jobs.map { try TFLiteReader.load(path: $0.path) }
        let work = zip(models, jobs).flatMap { model, job in job.options.map { (model, $0) } }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: work.count) { index in
            let (model, options) = work[index]
            var total = 0
            var failures: [String] = []
            for p in 1...6 {
                for n in 0...model.operators.count {
                    let plan: PatchPlan
                    do {
                        plan = try PatchPlan(model: model, patches: p, patchLayers: n, options: options)
                    } catch {
                        // Once the stage crosses a global op every longer stage does too.
                        if case PlanError.crossesGlobalOp = error { break }
                        continue
                    }
                    if p == 1 && n > 0 { break }
                    let layout = plan.layout
                    if layout.arenaBytes != plan.peakBytes {
                        failures.append("\(model.name) \(options.summary) p=\(p) n=\(n): laid out \(layout.arenaBytes), peak \(plan.peakBytes)")
                    }
                    total += 1
                }
            }
            results.add(total: total, failures: failures)
        }
        XCTAssertEqual(results.failures, [])
        XCTAssertGreaterThan(results.total, 5000)
    }
}

/// Counts and failures gathered from concurrent workers.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var total = 0
    private(set) var failures: [String] = []

    func add(total: Int, failures: [String]) {
        lock.lock()
        defer { lock.unlock() }
        self.total += total
        self.failures += failures
    }
}
