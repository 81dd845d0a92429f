import Foundation
import XCTest

/// Issue 23, finding 10: the command line's rough edges, through the binary.
final class CLIEdgeTests: XCTestCase {
    func run(_ arguments: [String], in directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try BinaryTests.builtBinary()
        if let directory {
            return try BinaryTests.shell("/bin/sh", ["-c", "cd '\(directory)' && '\(binary)' " + arguments.map { "'\($0)'" }.joined(separator: " ")])
        }
        return try BinaryTests.shell(binary, arguments)
    }

    var model: String { BinaryTests.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path }

    func testPlanWithOnlyPPicksAnNAndSaysSo() throws {
        let result = try run(["plan", model, "-p", "4"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("mbv2-w0.35-r144: p=4 (4×4 patches), n="), result.stdout)
        XCTAssertFalse(result.stdout.contains("layer-by-layer (p=4"), result.stdout)
        XCTAssertTrue(result.stdout.contains("(no -n given: the n with the smallest peak for p=4)"), result.stdout)
    }

    func testPlanWithABoardGivesEachEnginesVerdict() throws {
        let result = try run(["plan", model, "-p", "4", "-n", "10", "--board", "nRF52840"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\nbudget          nRF52840 256.0 KiB\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\n  TFLite Micro  no verdict: TFLite Micro runs layer by layer only\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\n  TinyEngine    TinyEngine PEAK_MEM 86.8 KiB fits, 169.2 KiB free\n"), result.stdout)
        let json = try run(["plan", model, "-p", "4", "-n", "10", "--board", "nRF52840", "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let budget = try XCTUnwrap(object["budget"] as? [String: Any])
        XCTAssertEqual(budget["bytes"] as? Int, 256 * 1024)
        XCTAssertEqual((budget["verdicts"] as? [[String: Any]])?.count, 2)
    }

    func testRunSaysWhetherThePatchedOutputEqualsLayerByLayer() throws {
        let result = try run(["run", model, "-p", "4", "-n", "6"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\nidentical     yes: every output equals layer by layer, byte for byte\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("split index"), "no unrelated TinyEngine line")
        let json = try run(["run", model, "-p", "4", "-n", "6", "--json"])
        XCTAssertTrue(json.stdout.contains("\"identicalToLayerByLayer\" : true"), json.stdout)
    }

    func testAFloatModelsRunNamesTheFloatKernels() throws {
        let result = try run(["run", BinaryTests.root.appendingPathComponent("SampleModels/mbv2-mini-f32.tflite").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let time = try XCTUnwrap(result.stdout.components(separatedBy: "\n").first { $0.hasPrefix("time") })
        XCTAssertTrue(time.hasSuffix(" float32 kernels"), time)
        XCTAssertFalse(time.contains("vnni"), time)
    }

    func testABarePatchtopFindsTheBundledModelFromAnywhere() throws {
        let result = try run(["plan"], in: "/tmp")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("mbv2-w0.35-r144: "), result.stdout)
    }

    func testBenchSaysHowManyRunsEachMedianTook() throws {
        let result = try run(["bench", BinaryTests.root.appendingPathComponent("SampleModels/tiny-allops.tflite").path, "--runs", "40"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("medians over 40 runs"), result.stdout)
        XCTAssertTrue(result.stdout.contains("(median of 40 runs)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("(median of 30 runs on one reused arena"), result.stdout)
    }

    func testPOutOfRangeExitsTheSameBothWays() throws {
        for p in ["0", "50", "-3"] {
            let result = try run(["plan", model, "-p=\(p)", "-n", "10"])
            XCTAssertEqual(result.status, 1, "-p \(p): \(result.stderr)")
            XCTAssertEqual(result.stderr, "patchtop: mbv2-w0.35-r144: p=\(p) is out of range: the stage output allows 1…36 patches per side\n")
        }
    }

    /// Finding 2: `sweep` takes `--board` and `--engine`, and the engine's
    /// pick is never a plan TinyEngine computes wrongly (marked `!`).
    func testSweepTakesABoardAndAnEngine() throws {
        let result = try run(["sweep", model, "--board", "nRF52840", "--engine", "tinyengine"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("TE PEAK_MEM"), result.stdout)
        let pick = try XCTUnwrap(result.stdout.components(separatedBy: "\n").first { $0.hasPrefix("best for TinyEngine: p=") }, result.stdout)
        XCTAssertTrue(pick.contains("fits nRF52840 256.0 KiB"), pick)
        let json = try run(["sweep", model, "--board", "nRF52840", "--engine", "tinyengine", "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["engine"] as? String, "tinyengine")
        let best = try XCTUnwrap(object["engineBest"] as? [String: Any])
        XCTAssertEqual(best["fits"] as? Bool, true)
        XCTAssertEqual(object["sramBytes"] as? Int, 256 * 1024)
        // The picked plan is not flagged on the front table.
        let p = try XCTUnwrap(best["patches"] as? Int), n = try XCTUnwrap(best["patchLayers"] as? Int)
        let plan = try run(["plan", model, "-p", "\(p)", "-n", "\(n)"])
        XCTAssertFalse(plan.stdout.contains("does not divide") || plan.stdout.contains("across the split"), plan.stdout)
    }
}
