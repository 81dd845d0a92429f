import Foundation
import PatchTopModel
import PatchTopPlan
import XCTest

/// TinyEngine's PEAK_MEM predicted byte for byte against what its own code
/// generator computed (the `.tsv` files in `Measured/`, resources of this
/// test target), on MIT's three models and the sample models.
final class TinyEngineMeasuredTests: XCTestCase {
    static func sharedModel(_ name: String) throws -> Model {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        let path = url.deletingLastPathComponent().appendingPathComponent("shared/models/tinyengine/\(name).tflite").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        return try TFLiteReader.load(path: path)
    }

    func testThePublishedFigures() throws {
        let vww = try TinyEngineLayerList(model: try Self.sharedModel("vww"))
        let lbl = try TinyEngineMemory(layers: vww, patches: 1, splitIndex: nil)
        XCTAssertEqual(lbl.peakMemBytes, 93_992)
        XCTAssertEqual([lbl.arenaBytes, lbl.im2colBytes, lbl.kernelBufferBytes], [89_600, 3_528, 864])
        XCTAssertEqual(try TinyEngineMemory(layers: vww, patches: 2, splitIndex: 5).peakMemBytes, 62_352)
        let large = try TinyEngineLayerList(model: try Self.sharedModel("mcunetv2_large"))
        XCTAssertEqual(try TinyEngineMemory(layers: large, patches: 4, splitIndex: 8).peakMemBytes, 444_168)
        let detection = try TinyEngineLayerList(model: try Self.sharedModel("detection"))
        XCTAssertEqual(try TinyEngineMemory(layers: detection, patches: 1, splitIndex: nil).peakMemBytes, 257_448)
    }

    func testEveryMeasuredPlanOfMITsModels() throws {
        _ = try Self.sharedModel("vww")
        try check(try Self.measured("shared"), minimum: 1_600, load: Self.sharedModel)
    }

    func testEveryMeasuredPlanWithManyPatches() throws {
        _ = try Self.sharedModel("vww")
        try check(try Self.measured("shared-many-patches"), minimum: 1_400, load: Self.sharedModel)
    }

    func testEveryMeasuredPlanOfTheSampleModels() throws {
        try check(try Self.measured("samples"), minimum: 850, load: PlanFixtures.sample)
    }

    /// The measured figures in `Measured/<name>.tsv`: one plan a line,
    /// `model  plan  PEAK_MEM  arena  im2col  kernel-buffer` (tab-separated,
    /// `REJECTED` for plans TinyEngine refuses); `#` lines say how they
    /// were measured.
    static func measured(_ name: String) throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Measured", withExtension: nil), "the Measured resources are missing")
        return try String(contentsOf: url.appendingPathComponent("\(name).tsv"), encoding: .utf8)
    }

    private func check(_ data: String, minimum: Int, load: (String) throws -> Model) throws {
        var lists: [String: TinyEngineLayerList] = [:]
        var checked = 0, mismatches: [String] = []
        for line in data.split(separator: "\n") {
            guard !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count >= 3 else { continue }
            if lists[fields[0]] == nil { lists[fields[0]] = try TinyEngineLayerList(model: try load(fields[0])) }
            let list = try XCTUnwrap(lists[fields[0]])
            var patches = 1, split: Int?
            if fields[1] != "lbl" {
                let parts = fields[1].split(separator: ":").compactMap { Int($0) }
                (patches, split) = (parts[0], parts[1])
            }
            let predicted: String
            do {
                let memory = try TinyEngineMemory(layers: list, patches: patches, splitIndex: split)
                predicted = "\(memory.peakMemBytes)\t\(memory.arenaBytes)\t\(memory.im2colBytes)\t\(memory.kernelBufferBytes)"
            } catch {
                predicted = "REJECTED"
            }
            let measured = fields[2...].joined(separator: "\t")
            if predicted != measured { mismatches.append("\(fields[0]) \(fields[1]): measured \(measured), predicted \(predicted)") }
            checked += 1
        }
        XCTAssertGreaterThan(checked, minimum)
        XCTAssertEqual(mismatches.count, 0, "\(mismatches.count) of \(checked) plans differ:\n" + mismatches.prefix(30).joined(separator: "\n"))
    }
}
