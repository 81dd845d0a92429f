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
