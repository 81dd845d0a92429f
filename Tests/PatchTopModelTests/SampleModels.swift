import Foundation
import XCTest

/// Where the committed sample models and the shared real models live,
/// found from this file's path so tests run from any working directory.
enum Fixtures {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let sampleModels = repositoryRoot.appendingPathComponent("SampleModels")

    static func samplePath(_ name: String) -> String {
        sampleModels.appendingPathComponent("\(name).tflite").path
    }

    /// `../shared/models/person_detect.tflite`, or a skip when it is absent.
    static func personDetectPath() throws -> String {
        let path = repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/models/person_detect.tflite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("person_detect.tflite is not in ../shared/models")
        }
        return path
    }

    /// What `SampleModels/generate.py` computed, independently of Swift.
    struct ManifestEntry: Decodable {
        var name: String
        var ops: [String]
        var macs: Int
        var weightBytes: Int
        var peakBytes: Int
        var peakOp: Int
        var liveBytes: [Int]
    }

    static let manifest: [ManifestEntry] = {
        struct File: Decodable { var models: [ManifestEntry] }
        let url = sampleModels.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return []
        }
        return file.models
    }()
}
