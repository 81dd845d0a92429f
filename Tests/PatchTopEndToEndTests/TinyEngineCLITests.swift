import Foundation
import PatchTopModel
import PatchTopReports
import PatchTopUI
import XCTest

/// `--split-index` and `engines.tinyEngine` through the real binary.
final class TinyEngineCLITests: XCTestCase {
    private func patchtop(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BinaryTests.shell(try BinaryTests.builtBinary(), arguments)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testSplitIndexIsTheSamePlanAsItsN() throws {
        let model = "SampleModels/mbv2-w0.35-r144.tflite"
        let bySplit = try patchtop(["plan", model, "-p", "2", "--split-index", "10", "--json"])
        XCTAssertEqual(bySplit.status, 0, bySplit.stderr)
        let plan = try json(bySplit.stdout)
        let n = try XCTUnwrap(plan["patchLayers"] as? Int)
        let engines = try XCTUnwrap(plan["engines"] as? [String: Any])
        let tinyEngine = try XCTUnwrap(engines["tinyEngine"] as? [String: Any])
        XCTAssertEqual(tinyEngine["splitIndex"] as? Int, 10)
        let byN = try json(try patchtop(["plan", model, "-p", "2", "-n", "\(n)", "--json"]).stdout)
        XCTAssertEqual(byN["peakBytes"] as? Int, plan["peakBytes"] as? Int)
        let again = try XCTUnwrap((byN["engines"] as? [String: Any])?["tinyEngine"] as? [String: Any])
        XCTAssertEqual(again["peakMemBytes"] as? Int, tinyEngine["peakMemBytes"] as? Int)
        // The overheads add up to PEAK_MEM.
        let overheads = try XCTUnwrap(tinyEngine["overheads"] as? [String: Int])
        XCTAssertEqual(overheads.values.reduce(0, +), tinyEngine["peakMemBytes"] as? Int)
    }

    func testSplitIndexAndNTogetherAreRefused() throws {
        let result = try patchtop(["plan", "SampleModels/mbv2-w0.35-r144.tflite", "-n", "3", "--split-index", "3"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("-n and --split-index"), result.stderr)
        let outOfRange = try patchtop(["run", "SampleModels/mbv2-w0.35-r144.tflite", "-p", "2", "--split-index", "300"])
        XCTAssertEqual(outOfRange.status, 1)
        XCTAssertTrue(outOfRange.stderr.contains("split_index 300 is out of range"), outOfRange.stderr)
    }

    func testAModelTinyEngineCannotConvertIsNullWithAReason() throws {
        let result = try patchtop(["analyze", "SampleModels/mbv3s-r96.tflite", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let engines = try XCTUnwrap(try json(result.stdout)["engines"] as? [String: Any])
        XCTAssertTrue(engines["tinyEngine"] is NSNull)
        XCTAssertTrue((engines["tinyEngineUnavailable"] as? String)?.contains("HARD_SWISH") == true)
    }

    func testEveryPlanSaysItsSplitIndexOrWhyNone() throws {
        let text = try patchtop(["plan", "SampleModels/mbv2-w0.35-r144.tflite", "-p", "2", "-n", "12"]).stdout
        XCTAssertTrue(text.contains("split index     "), text)
        let lbl = try patchtop(["analyze", "SampleModels/mbv2-w0.35-r144.tflite"]).stdout
        XCTAssertTrue(lbl.contains("TinyEngine      PEAK_MEM 302,120 B"), lbl)
        // Layer by layer: the same object, its split index null (not absent).
        let analysis = try json(try patchtop(["analyze", "SampleModels/mbv2-w0.35-r144.tflite", "--json"]).stdout)
        let tinyEngine = try XCTUnwrap((analysis["engines"] as? [String: Any])?["tinyEngine"] as? [String: Any])
        XCTAssertTrue(tinyEngine["splitIndex"] is NSNull)
        XCTAssertEqual(tinyEngine["peakMemBytes"] as? Int, 302_120)
    }
}

/// The one-phrase summary a status line can show.
final class TinyEngineSummaryTests: XCTestCase {
    func testSummaries() throws {
        let root = BinaryTests.root.appendingPathComponent("SampleModels")
        let mbv2 = try TFLiteReader.load(path: root.appendingPathComponent("mbv2-w0.35-r144.tflite").path)
        // Its RESHAPE before the classifier is skipped: TinyEngine gives the
        // classifier's input and output one address (the warning).
        XCTAssertEqual(TinyEngineLines.summary(model: mbv2, patches: 1, patchLayers: 0), "TinyEngine PEAK_MEM 302,120 B (layer by layer), 1 warning")
        XCTAssertTrue(TinyEngineLines.summary(model: mbv2, patches: 2, patchLayers: 10).hasPrefix("TinyEngine PEAK_MEM "))
        let mbv3 = try TFLiteReader.load(path: root.appendingPathComponent("mbv3s-r96.tflite").path)
        XCTAssertEqual(TinyEngineLines.summary(model: mbv3, patches: 1, patchLayers: 0), "TinyEngine: unavailable (no HARD_SWISH)")
    }
}
