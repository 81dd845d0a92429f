import Foundation
import XCTest

/// `patchtop run` writes and lists every output of a model with several
/// (MIT's detector), and prints float outputs as floats.
extension BinaryTests {
    func testRunWritesEveryOutputOfTheDetector() throws {
        let shared = Self.root.deletingLastPathComponent().appendingPathComponent("shared/models/tinyengine")
        let model = shared.appendingPathComponent("detection.tflite").path
        guard FileManager.default.fileExists(atPath: model) else { throw XCTSkip("detection.tflite is absent") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-outputs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = shared.appendingPathComponent("detection/in_s1.bin").path
        let result = try shell(try binary, ["run", model, "--input", input, "-p", "2", "-n", "6", "--output-dir", dir.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for k in 0..<3 {
            let ours = try Data(contentsOf: dir.appendingPathComponent("output\(k).bin"))
            let theirs = try Data(contentsOf: shared.appendingPathComponent("detection/out_s1_o\(k).bin"))
            XCTAssertTrue(ours == theirs, "output \(k) differs from TFLite Micro's")
        }
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let outputs = try XCTUnwrap(json["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["shape"] as? [Int] }, [[1, 4, 5, 18], [1, 8, 10, 18], [1, 16, 20, 18]])
        XCTAssertEqual(outputs.first?["type"] as? String, "float32")
        // The first value is the float TFLite Micro computed, not a scaled integer.
        let first = try XCTUnwrap((outputs.first?["values"] as? [Double])?.first)
        let bytes = try Data(contentsOf: shared.appendingPathComponent("detection/out_s1_o0.bin"))
        let want = bytes.prefix(4).withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        XCTAssertEqual(Float(first), want)
    }
}
