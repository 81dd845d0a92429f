import Foundation
import XCTest

/// `sweep --multi-stage --json` → one plan in a file → `run --plan FILE`:
/// the output of layer by layer, byte for byte, in the planned arena; a
/// file that does not fit says which stage and why, and fails.
final class PlanFileBinaryTests: XCTestCase {
    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testSweptPlansRunBackFromFiles() throws {
        let binary = try BinaryTests.builtBinary()
        let model = "SampleModels/mbv2-w0.35-r144.tflite"
        let memory = ["--inplace-depthwise", "--stream-input"]
        let sweep = try BinaryTests.shell(binary, ["sweep", model, "--multi-stage", "--max-side", "3", "--json"] + memory)
        XCTAssertEqual(sweep.status, 0, sweep.stderr)
        let plans = try XCTUnwrap(try json(sweep.stdout)["plans"] as? [[String: Any]])
        XCTAssertFalse(plans.isEmpty)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-planfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = folder.appendingPathComponent("lbl.bin").path
        XCTAssertEqual(try BinaryTests.shell(binary, ["run", model, "--seed", "4", "--output", reference] + memory).status, 0)
        for (k, plan) in [plans.first, plans.last].compactMap({ $0 }).enumerated() {
            XCTAssertNotNil(plan["stages"] as? [[String: Any]])
            let file = folder.appendingPathComponent("plan\(k).json")
            try JSONSerialization.data(withJSONObject: plan).write(to: file)
            let out = folder.appendingPathComponent("out\(k).bin").path
            // The file's memory options apply: none given on the command line.
            let run = try BinaryTests.shell(binary, ["run", model, "--seed", "4", "--plan", file.path, "--output", out, "--json"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let result = try json(run.stdout)
            XCTAssertEqual(result["arenaBytes"] as? Int, plan["peakBytes"] as? Int)
            XCTAssertEqual(result["plannedArenaBytes"] as? Int, plan["peakBytes"] as? Int)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: URL(fileURLWithPath: reference)))
        }
        // A stage past the model's ops, named.
        let bad = folder.appendingPathComponent("bad.json")
        try Data("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 200, \"grid\": [2, 2]}]}".utf8).write(to: bad)
        let refused = try BinaryTests.shell(binary, ["run", model, "--plan", bad.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("bad.json: stage 0 (ops 0…200, 2×2):"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("Fatal error"), refused.stderr)
        // -p with a rectangular grid.
        let strips = try BinaryTests.shell(binary, ["run", model, "--seed", "4", "-p", "4x1", "-n", "6", "--output",
                                                    folder.appendingPathComponent("strips.bin").path] + memory)
        XCTAssertEqual(strips.status, 0, strips.stderr)
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("strips.bin")), try Data(contentsOf: URL(fileURLWithPath: reference)))
    }
}
