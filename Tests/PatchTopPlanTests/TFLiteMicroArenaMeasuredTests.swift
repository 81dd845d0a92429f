import Foundation
import PatchTopModel
import PatchTopPlan
import XCTest

/// PatchTop's TFLite Micro arena against the real interpreter: every model
/// in SampleModels/tflm-arena.json (measured by
/// Scripts/measure_tflm_arena.py with `pip install tflite-micro`), to the
/// byte, and its tail categories against what TFLite Micro's recording
/// allocator reported. Besides the sample and shared models, tiny probes
/// (SampleModels/tflm-probes) whose arena is limited while kernels prepare.
final class TFLiteMicroArenaMeasuredTests: XCTestCase {
    struct Measurements: Decodable {
        struct Entry: Decodable {
            struct Recorded: Decodable {
                struct Category: Decodable { var usedBytes: Int }
                var headBytes: Int
                var tailBytes: Int
                var tail: [String: Category]
            }
            var name: String
            var file: String
            var fileBytes: Int
            /// `nil` where TFLite Micro cannot run the model at all.
            var arenaBytes: Int?
            var recorded: Recorded?
            var error: String?
        }
        var tfliteMicro: String
        var models: [Entry]
    }

    static let measurements: Measurements? = {
        let url = PlanFixtures.sampleModels.appendingPathComponent("tflm-arena.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(Measurements.self, from: data)
    }()

    /// The model file of a measured entry: a sample model, or one in
    /// ../shared/models beside the checkout (`nil` when that is absent).
    func path(of entry: Measurements.Entry) -> String? {
        let root = PlanFixtures.sampleModels.deletingLastPathComponent()
        let path = root.appendingPathComponent(entry.file).standardized.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    func testTheMeasurementsCoverEverySampleModel() throws {
        let measurements = try XCTUnwrap(Self.measurements, "SampleModels/tflm-arena.json is missing or unreadable")
        // The figures and what PatchTop says they are for come from one build.
        let version = String(measurements.tfliteMicro.prefix { $0 != "-" })
        XCTAssertTrue(TFLiteMicroArena.basis.contains(version), "measured with \(measurements.tfliteMicro): re-check the replay")
        let samples = try FileManager.default.contentsOfDirectory(atPath: PlanFixtures.sampleModels.path)
            .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(".tflite".count)) }
        XCTAssertFalse(samples.isEmpty)
        let measured = Set(measurements.models.map(\.name))
        for sample in samples {
            XCTAssertTrue(measured.contains(sample), "\(sample) has no TFLite Micro measurement: run Scripts/measure_tflm_arena.py")
        }
        XCTAssertTrue(measured.isSuperset(of: ["person_detect", "vww", "mcunetv2_large", "detection"]))
    }

    func testEveryMeasuredModelIsPredictedToTheByte() throws {
        let measurements = try XCTUnwrap(Self.measurements)
        var checked = 0
        for entry in measurements.models {
            guard let path = path(of: entry) else { continue }  // ../shared absent: skip that model
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            XCTAssertEqual(size, entry.fileBytes, "\(entry.file) is not the file that was measured")
            let model = try TFLiteReader.load(path: path)
            guard let measured = entry.arenaBytes, let recorded = entry.recorded else {
                // TFLite Micro could not run it: PatchTop must give no figure.
                guard case .failure = TFLiteMicroArena.predict(for: model) else {
                    return XCTFail("\(entry.name): a figure for a model TFLite Micro cannot run (\(entry.error ?? "?"))")
                }
                continue
            }
            let arena = try TFLiteMicroArena.predict(for: model).get()
            XCTAssertEqual(arena.arenaBytes, measured, "\(entry.name): arena")
            XCTAssertEqual(arena.headBytes, recorded.headBytes, "\(entry.name): head")
            XCTAssertEqual(arena.tailBytes, recorded.tailBytes, "\(entry.name): tail")
            XCTAssertEqual(arena.tail.values.reduce(0, +), arena.tailBytes, "\(entry.name): tail kinds")
            // The head holds at least the liveness peak, and its live bytes at least that.
            let peak = MemorySchedule(model: model, options: .tfliteMicro).peakBytes
            XCTAssertLessThanOrEqual(peak, arena.headLiveBytes, entry.name)
            XCTAssertLessThanOrEqual(arena.headLiveBytes, arena.headBytes, entry.name)
            if entry.file.hasPrefix("SampleModels/tflm-probes/") {
                // The probes exist to exercise Prepare and planning as the limit.
                XCTAssertGreaterThan(arena.planningBytes, 0, "\(entry.name): Prepare or planning limits it")
            } else {
                XCTAssertEqual(arena.planningBytes, 0, "\(entry.name): the final layout limits it")
            }

            // The recording allocator's categories, as PatchTop's kinds make them up.
            func category(_ name: String) -> Int { recorded.tail[name]?.usedBytes ?? 0 }
            func ours(_ kinds: TFLiteMicroArena.TailKind...) -> Int { kinds.reduce(0) { $0 + (arena.tail[$1] ?? 0) } }
            XCTAssertEqual(ours(.evalTensors), category("TfLiteEvalTensor data"), entry.name)
            XCTAssertEqual(ours(.nodes), category("NodeAndRegistration struct"), entry.name)
            XCTAssertEqual(ours(.ioTensors), category("Persistent TfLiteTensor data"), entry.name)
            XCTAssertEqual(ours(.ioQuantization), category("Persistent TfLiteTensor quantization data"), entry.name)
            XCTAssertEqual(ours(.opData, .perChannelQuantization, .tensorPointers), category("Persistent buffer data"), entry.name)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 17, "the sample models and the probes alone are 17")
    }

    func testPersonDetectNeedsItsFamous85264Bytes() throws {
        let path = PlanFixtures.sampleModels.deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/models/person_detect.tflite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/models/person_detect.tflite is not beside the checkout")
        }
        let arena = try TFLiteMicroArena.predict(for: try TFLiteReader.load(path: path)).get()
        XCTAssertEqual(arena.arenaBytes, 85_264)
        XCTAssertEqual(arena.headBytes, 55_296)
        XCTAssertEqual(arena.tailBytes, 29_968)
    }
}
