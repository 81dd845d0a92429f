import Foundation
import XCTest

/// Issue 19's last fuzz findings, driven through the real binary on the
/// small models `Scripts/make_fuzz_regressions.py` writes: each exits 0 or
/// 1 with a message naming the problem, never a trap.
final class FuzzRegressionTests: XCTestCase {
    private func model(_ name: String) -> String { "Tests/PatchTopEndToEndTests/Models/\(name).tflite" }

    /// A single QUANTIZE: TinyEngine skips it, so its layer list is empty
    /// and no split index maps to n = 1 (it trapped on `layers[-1]`).
    func testAOneOpModelPatchedSaysWhyNoSplitIndexMaps() throws {
        let binary = try BinaryTests.builtBinary()
        let run = try BinaryTests.shell(binary, ["run", model("one-quantize"), "-p", "2", "-n", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("identical     yes"), run.stdout)
        // `run` no longer prints TinyEngine's split index (issue 23); `plan` says why none maps.
        let plan = try BinaryTests.shell(binary, ["plan", model("one-quantize"), "-p", "2", "-n", "1"])
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("no split index corresponds to n = 1 because TinyEngine's layer list of one-quantize is empty: it skips every op (QUANTIZE at op 0)"), plan.stdout)
        let report = try BinaryTests.shell(binary, ["report", "--run", model("one-quantize"), "-p", "2", "-n", "1"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("✓ identical"), report.stdout)
    }

    /// A 16384×16384×255 input: `report --run` refuses it by `--max-arena`
    /// instead of allocating 68 GB for the seeded input first.
    func testReportRunRefusesAnArenaAboveTheLimitBeforeAllocating() throws {
        let binary = try BinaryTests.builtBinary()
        let report = try BinaryTests.shell(binary, ["report", "--run", model("huge-pool"), "--max-arena", "64MiB"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("run p=1 n=0 failed: the plan needs an arena of 85,563,801,600 bytes (79.7 GiB), above the limit of 67,108,864 bytes"),
                      report.stdout)
        let run = try BinaryTests.shell(binary, ["run", model("huge-pool")])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("huge-pool: the plan needs an arena of 85,563,801,600 bytes"), run.stderr)
    }
    /// `Scripts/fuzz_cli.py` (issue 21's surfaces): a DWT table whose counts
    /// add up past Int.max trapped `calibrate`; a calibration file with an
    /// absurd cycles-per-instruction trapped `plan --calibration`. Both now
    /// fail naming the file and the problem.
    func testAbsurdCalibrationTablesAndFilesFailNamingTheFile() throws {
        let binary = try BinaryTests.builtBinary()
        let model = "SampleModels/tiny-allops.tflite"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let analysis = try BinaryTests.shell(binary, ["analyze", model, "--json"])
        let ops = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(analysis.stdout.utf8)) as? [String: Any])?["ops"] as? [[String: Any]])
        let names = ops.compactMap { $0["op"] as? String }
        XCTAssertEqual(names.count, ops.count)
        func table(_ count: (Int) -> Int) -> String {
            names.enumerated().map { "PT op \($0.offset) \($0.element) \(count($0.offset))\n" }.joined()
        }
        let huge = folder.appendingPathComponent("huge.txt")
        try Data(table { _ in Int.max }.utf8).write(to: huge)
        let out = folder.appendingPathComponent("cal.json").path
        let calibrate = try BinaryTests.shell(binary, ["calibrate", model, "--target", "cortex-m7", "--board", "STM32F746", "--from", huge.path, "-o", out])
        XCTAssertEqual(calibrate.status, 1, calibrate.stderr)
        XCTAssertTrue(calibrate.stderr.contains("\(huge.path): the counts add up past \(Int.max) cycles at op 1"), calibrate.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // A sound table calibrates; its file with one ratio made absurd is refused.
        let sound = folder.appendingPathComponent("sound.txt")
        try Data(table { 1000 + 37 * $0 }.utf8).write(to: sound)
        let made = try BinaryTests.shell(binary, ["calibrate", model, "--target", "cortex-m7", "--board", "STM32F746", "--from", sound.path, "-o", out])
        XCTAssertEqual(made.status, 0, made.stderr)
        var calibration = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        XCTAssertEqual(try BinaryTests.shell(binary, ["plan", model, "--target", "cortex-m7", "--calibration", out]).status, 0)
        var kernels = try XCTUnwrap(calibration["kernels"] as? [String: Any])
        kernels["conv"] = 1e30
        calibration["kernels"] = kernels
        let absurd = folder.appendingPathComponent("absurd.json")
        try JSONSerialization.data(withJSONObject: calibration).write(to: absurd)
        for command in ["plan", "sweep"] {
            let run = try BinaryTests.shell(binary, [command, model, "--target", "cortex-m7", "--calibration", absurd.path])
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("\(absurd.path): conv's cycles per instruction 1e+30 is not a positive number of at most 1000"), run.stderr)
        }
    }

    /// A plan file holding a bare number is JSON, just not a plan: said so.
    func testAPlanFileOfABareNumberSaysItIsNotAnObject() throws {
        let binary = try BinaryTests.builtBinary()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-fuzz-\(UUID().uuidString).json")
        try Data("42".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let plan = try BinaryTests.shell(binary, ["plan", "SampleModels/tiny-allops.tflite", "--plan", file.path])
        XCTAssertEqual(plan.status, 1)
        XCTAssertEqual(plan.stderr, "patchtop: \(file.path): is not a JSON object with `stages`\n")
    }
    /// A plan file whose stage lists its caches: `report` said `halo caches
    /// none: 1 caches` (the command's mode), now that the file listed them.
    func testReportNamesAPlanFilesCachesAsTheFiles() throws {
        let binary = try BinaryTests.builtBinary()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-fuzz-\(UUID().uuidString).json")
        try Data(#"{"stages": [{"firstOp": 0, "lastOp": 2, "grid": [2, 2], "caches": [{"tensor": 20, "direction": "row"}]}]}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let report = try BinaryTests.shell(binary, ["report", "SampleModels/tiny-allops.tflite", "--plan", file.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.contains("halo caches     the plan file's: 1 caches,"), report.stdout)
        let plain = try BinaryTests.shell(binary, ["report", "SampleModels/tiny-allops.tflite", "-p", "2", "-n", "3"])
        XCTAssertTrue(plain.stdout.contains("halo caches     none\n"), plain.stdout)
    }
}
