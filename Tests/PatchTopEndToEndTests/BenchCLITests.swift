import Foundation
import PatchTopModel
import PatchTopPlan
import XCTest

/// `patchtop bench --inference-only --json` (what Scripts/bench_runtime.py
/// reads) and `run --json` say which kernels ran and report the arena of a
/// separate painted run beside the inference time. No timing is asserted.
extension BinaryTests {
    private func benchJSON(_ arguments: [String], environment: [String] = []) throws -> [String: Any] {
        let result = try shell("/usr/bin/env", environment + [try binary, "bench"] + arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
    }

    func testBenchInferenceOnlyJSON() throws {
        let path = "SampleModels/tiny-allops.tflite"
        let json = try benchJSON([path, "--inference-only", "--json", "--runs", "3"])
        XCTAssertTrue(["vnni", "avx2", "portable"].contains(json["kernelPath"] as? String ?? ""), "\(json["kernelPath"] ?? "none")")
        XCTAssertNotNil(json["cpuFeatures"] as? String)
        let ms = try XCTUnwrap(json["inferenceMilliseconds"] as? Double)
        XCTAssertGreaterThan(ms, 0)
        XCTAssertEqual(json["inferenceRuns"] as? Int, 3)
        let model = try TFLiteReader.load(path: Self.root.appendingPathComponent(path).path)
        let measured = try XCTUnwrap(json["measuredArenaBytes"] as? Int)
        XCTAssertEqual(measured, json["plannedArenaBytes"] as? Int)
        XCTAssertGreaterThanOrEqual(measured, MemorySchedule(model: model).peakBytes)
        XCTAssertEqual(json["patchedMeasuredArenaBytes"] as? Int, json["patchedPlannedArenaBytes"] as? Int)
        XCTAssertNotNil(json["patchedMeasuredArenaBytes"] as? Int)
        XCTAssertEqual(json["macs"] as? Int, model.macs)
        XCTAssertNil(json["outsideOpsMilliseconds"], "only with --per-op")
        // Skipped figures keep their keys, as null.
        for key in ["loadMilliseconds", "planMilliseconds", "sweepMilliseconds", "sweepPlans"] {
            XCTAssertTrue(json[key] is NSNull, "\(key): \(json[key] ?? "missing")")
        }
    }

    /// Issue 23: a float model runs the float32 kernels, so `bench` names
    /// those (never the int8 path, VNNI or not) and only the float limit.
    func testBenchOnAFloatModelNamesTheFloatKernelsOnly() throws {
        let float = try shell(try binary, ["bench", "SampleModels/mbv2-mini-f32.tflite", "--inference-only", "--runs", "1", "--per-op"])
        XCTAssertEqual(float.status, 0, float.stderr)
        let kernels = try XCTUnwrap(float.stdout.components(separatedBy: "\n").first { $0.hasPrefix("kernels ") }, float.stdout)
        XCTAssertTrue(kernels.contains("float32 kernels"), kernels)
        XCTAssertFalse(kernels.contains("vpdpbusd") || kernels.contains("vnni ("), kernels)
        XCTAssertFalse(float.stdout.contains("int8 MAC/s"), float.stdout)
        let int8 = try shell(try binary, ["bench", "SampleModels/tiny-allops.tflite", "--inference-only", "--runs", "1", "--per-op"])
        XCTAssertEqual(int8.status, 0, int8.stderr)
        XCTAssertFalse(int8.stdout.contains("float32 kernels"), int8.stdout)
        XCTAssertTrue(int8.stdout.contains("int8 MAC/s"), int8.stdout)
    }

    func testBenchAndRunNameThePortableKernelsWhenAsked() throws {
        let json = try benchJSON(["SampleModels/tiny-allops.tflite", "--inference-only", "--json", "--runs", "1"],
                                 environment: ["PATCHTOP_KERNELS=portable"])
        XCTAssertEqual(json["kernelPath"] as? String, "portable")
        let run = try shell("/usr/bin/env", ["PATCHTOP_KERNELS=portable", try binary, "run", "SampleModels/tiny-allops.tflite", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let runJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(runJSON["kernelPath"] as? String, "portable")
        XCTAssertNotNil(runJSON["cpuFeatures"] as? String)
        XCTAssertEqual(runJSON["arenaBytes"] as? Int, runJSON["plannedArenaBytes"] as? Int)
    }

    func testAKernelPathThatCannotBeFollowedIsSaid() throws {
        let run = try shell("/usr/bin/env", ["PATCHTOP_KERNELS=vnni512", try binary, "run", "SampleModels/tiny-allops.tflite", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("PATCHTOP_KERNELS=vnni512 is not a kernel path (vnni, avx2, portable)"), run.stderr)
        let runJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // The best path the CPU has, as if the variable were unset.
        let features = try XCTUnwrap(runJSON["cpuFeatures"] as? String)
        let best = !features.contains("avx2") ? "portable" : features.contains("vnni") ? "vnni" : "avx2"
        XCTAssertEqual(runJSON["kernelPath"] as? String, best)
        let quiet = try shell("/usr/bin/env", ["PATCHTOP_KERNELS=portable", try binary, "analyze", "SampleModels/tiny-allops.tflite"])
        XCTAssertEqual(quiet.stderr, "")
    }

    func testBenchTextSaysWhereTheArenaWasMeasured() throws {
        let result = try shell(try binary, ["bench", "SampleModels/tiny-allops.tflite", "--inference-only", "--runs", "1", "-p", "2", "--per-op"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("kernels "), result.stdout)
        XCTAssertTrue(result.stdout.contains("measured on a separate painted run"), result.stdout)
        XCTAssertTrue(result.stdout.contains("patched arena "), result.stdout)
        // Painting is no longer inside any timing, so no line may say so.
        XCTAssertTrue(result.stdout.contains("outside the ops"), result.stdout)
        XCTAssertFalse(result.stdout.contains("arena painting"), result.stdout)
        XCTAssertFalse(result.stdout.contains("load model"), result.stdout)
        XCTAssertFalse(result.stdout.contains("sweep ("), result.stdout)
    }
}
