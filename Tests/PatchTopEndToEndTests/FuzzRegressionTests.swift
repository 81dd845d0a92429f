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
}
