import Foundation
import XCTest

/// `--target`, `--clock`, `--calibration`, `sweep --cost instructions` and
/// `patchtop calibrate` through the real binary (issue 21). A table of
/// known coefficients is passed with the hidden `--cost-table`, so the
/// tests do not depend on what the committed table has measured.
final class LatencyCLITests: XCTestCase {
    private func patchtop(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BinaryTests.shell(try BinaryTests.builtBinary(), arguments)
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    private let model = "SampleModels/mbv2-w0.35-r144.tflite"
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-latency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Every class costs 50 per step + 2 per MAC + 1 per output element;
    /// copies 1 per byte; 1000 per inference. Only cortex-m7 is measured.
    private func table() throws -> String {
        let path = folder.appendingPathComponent("table.json").path
        let text = #"{"format": 1, "source": "test", "cores": {"cortex-m7": {"board": "mps2-an500", "invoke": 1000, "kernels": {}, "fallback": {"steps": 50, "macs": 2, "outputElements": 1}, "movement": {"copyBytes": 1}}}}"#
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `report` (the TUI's screen as text) and `tui` take the same flags:
    /// the board's core and clock give a time, stated with its assumption.
    func testReportCarriesThePredictedTimeAndTuiChecksTheFlags() throws {
        let board = try patchtop(["report", model, "-p", "3", "-n", "13", "--board", "nRF52840", "--width", "120", "--height", "40"])
        XCTAssertEqual(board.status, 0, board.stderr)
        let header = board.stdout.components(separatedBy: "\n")
        let predicted = try XCTUnwrap(header.first { $0.hasPrefix("instructions    ") }, board.stdout)
        XCTAssertTrue(predicted.contains("instructions predicted on Cortex-M4"), predicted)
        XCTAssertTrue(predicted.hasSuffix("at 64 MHz (nRF52840; instructions at one per cycle, not measured cycles)"), predicted)
        XCTAssertTrue(header.contains { $0.hasPrefix("PatchTop — mbv2-w0.35-r144 — ≈") && $0.contains("1 instr/cycle") }, "the title line")
        XCTAssertTrue(board.stdout.contains("ms predicted on Cortex-M4 at 64 MHz (nRF52840)"), "every layer's time column")
        // A core without a clock: instructions only.
        let target = try patchtop(["report", model, "-p", "3", "-n", "13", "--target", "cortex-m7", "--cost-table", try table()])
        XCTAssertEqual(target.status, 0, target.stderr)
        let line = try XCTUnwrap(target.stdout.components(separatedBy: "\n").first { $0.hasPrefix("instructions    ") })
        XCTAssertTrue(line.contains("instructions predicted on Cortex-M7") && !line.contains(" ms"), line)
        // A board without a supported core says so.
        let rp = try patchtop(["report", model, "-p", "3", "-n", "13", "--board", "RP2040"])
        XCTAssertEqual(rp.status, 0, rp.stderr)
        XCTAssertTrue(rp.stdout.contains("instructions    RP2040: no instruction prediction: its Cortex-M0+ is not a core the firmware export builds for"), rp.stdout)
        // --clock alone is refused, by report and by tui, before any terminal.
        for command in ["report", "tui"] {
            let clock = try patchtop([command, model, "-p", "3", "-n", "13", "--clock", "100MHz"])
            XCTAssertEqual(clock.status, 1, command)
            XCTAssertTrue(clock.stderr.contains("--clock needs --target"), clock.stderr)
        }
    }

    func testPlanPredictsInstructionsPerOpAndInTotal() throws {
        let result = try patchtop(["plan", model, "-p", "3", "-n", "6", "--target", "cortex-m7", "--cost-table", try table(), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let plan = try json(result.stdout)
        let latency = try XCTUnwrap(plan["latency"] as? [String: Any])
        let ops = try XCTUnwrap(latency["ops"] as? [[String: Any]])
        let total = try XCTUnwrap(plan["instructions"] as? Int)
        XCTAssertEqual(latency["instructions"] as? Int, total)
        XCTAssertEqual(latency["target"] as? String, "cortex-m7")
        XCTAssertEqual(ops.reduce(0) { $0 + ($1["instructions"] as? Int ?? 0) } + (latency["invokeInstructions"] as? Int ?? -1), total)
        // A stage op runs once per patch; its MACs are the plan's.
        XCTAssertEqual(ops[0]["steps"] as? Int, 9)
        let macs = try XCTUnwrap(ops[0]["macs"] as? Int)
        let stage = try XCTUnwrap((plan["stageOps"] as? [[String: Any]])?.first?["macs"] as? Int)
        XCTAssertEqual(macs, stage)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(ops[0]["instructions"] as? Int), 9 * 50 + 2 * macs)
        XCTAssertEqual((latency["uncalibrated"] as? [String])?.isEmpty, false, "every class comes from the fallback here")
        XCTAssertNil(latency["milliseconds"] as? Double)
    }

    /// The loop features of the non-conv kernels, through a table that
    /// prices them: a TRANSPOSE of int8 elements one by one, a MEAN by the
    /// inputs it sums, a LOG_SOFTMAX by its exponentials and logarithm.
    func testTheSmallOpsArePricedByTheirLoops() throws {
        let path = folder.appendingPathComponent("loops.json").path
        let text = #"{"format": 1, "source": "test", "cores": {"cortex-m4": {"board": "mps2-an386", "invoke": 0, "kernels": {"movement": {"steps": 10, "elementLoops": 3}, "mean": {"reducedElements": 2, "reducedRows": 5}, "softmax": {"expCalls": 100, "logCalls": 1000}}, "fallback": {}, "movement": {}}}}"#
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try patchtop(["plan", "SampleModels/pytorch-style.tflite", "--target", "cortex-m4", "--cost-table", path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let ops = try XCTUnwrap((try json(result.stdout)["latency"] as? [String: Any])?["ops"] as? [[String: Any]])
        func cost(_ name: String) -> [Int] { ops.filter { ($0["op"] as? String) == name }.compactMap { $0["instructions"] as? Int } }
        // TRANSPOSE [0,3,1,2] of 1×10×10×16: 1,600 bytes one by one.
        XCTAssertEqual(cost("TRANSPOSE"), [10 + 3 * 1600])
        // MEAN [2] and [1] of the squeeze-excite (80 rows of 10, 8 rows of 10), [3] and [2] of the head (160 of 10, 16 of 10).
        XCTAssertEqual(cost("MEAN"), [2 * 800 + 5 * 80, 2 * 80 + 5 * 8, 2 * 1600 + 5 * 160, 2 * 160 + 5 * 16])
        XCTAssertEqual(cost("LOG_SOFTMAX"), [100 * 10 + 1000])
    }

    func testABoardGivesTimeAndSaysWhatItAssumes() throws {
        let text = try patchtop(["plan", model, "--board", "STM32F746", "--cost-table", try table()])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("instructions predicted on Cortex-M7"), text.stdout)
        XCTAssertTrue(text.stdout.contains("at 216 MHz (STM32F746; instructions at one per cycle, not measured cycles)"), text.stdout)
        let clocked = try json(try patchtop(["analyze", model, "--target", "m7", "--clock", "100MHz", "--cost-table", try table(), "--json"]).stdout)
        let latency = try XCTUnwrap(clocked["latency"] as? [String: Any])
        let instructions = try XCTUnwrap(latency["instructions"] as? Int)
        XCTAssertEqual(try XCTUnwrap(latency["milliseconds"] as? Double), Double(instructions) / 100_000, accuracy: 1e-6)
        XCTAssertEqual(latency["timeBasis"] as? String, "instructions at one per cycle, not measured cycles")
        // A board without a supported core says so and still plans.
        let rp = try patchtop(["plan", model, "--board", "RP2040", "--cost-table", try table()])
        XCTAssertEqual(rp.status, 0, rp.stderr)
        XCTAssertTrue(rp.stdout.contains("RP2040: no instruction prediction: its Cortex-M0+ is not a core the firmware export builds for"), rp.stdout)
        // A board whose core is not measured is a note, not a failure.
        let m4 = try patchtop(["plan", model, "--board", "nRF52840", "--cost-table", try table()])
        XCTAssertEqual(m4.status, 0, m4.stderr)
        XCTAssertTrue(m4.stdout.contains("nRF52840: no instruction calibration for cortex-m4 (measured: cortex-m7)"), m4.stdout)
    }

    func testAnUnmeasuredTargetOrBadFlagsFailWithOneLine() throws {
        let m4 = try patchtop(["plan", model, "--target", "cortex-m4", "--cost-table", try table()])
        XCTAssertEqual(m4.status, 1)
        XCTAssertEqual(m4.stderr, "patchtop: no instruction calibration for cortex-m4 (measured: cortex-m7); run Scripts/calibrate_latency.py where the firmware export runs on it\n")
        let clock = try patchtop(["plan", model, "--clock", "fast"])
        XCTAssertEqual(clock.status, 64)
        XCTAssertTrue(clock.stderr.contains("The value 'fast' is invalid for '--clock <rate>'"), clock.stderr)
        let noTarget = try patchtop(["plan", model, "--clock", "64MHz"])
        XCTAssertEqual(noTarget.status, 1)
        XCTAssertTrue(noTarget.stderr.contains("--clock needs --target"), noTarget.stderr)
        let cost = try patchtop(["sweep", model, "--cost", "instructions"])
        XCTAssertEqual(cost.status, 64)
        XCTAssertTrue(cost.stderr.contains("--cost instructions needs --target"), cost.stderr)
        let core = try patchtop(["plan", model, "--target", "cortex-m0"])
        XCTAssertEqual(core.status, 64)
    }

    func testSweepByInstructionsOrdersTheFrontByThem() throws {
        let result = try patchtop(["sweep", model, "--max-patches", "3", "--target", "cortex-m7", "--cost", "instructions",
                                   "--cost-table", try table(), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let sweep = try json(result.stdout)
        XCTAssertEqual(sweep["cost"] as? String, "instructions")
        XCTAssertEqual(sweep["target"] as? String, "cortex-m7")
        let front = try XCTUnwrap(sweep["paretoFront"] as? [[String: Any]])
        let costs = front.compactMap { $0["instructions"] as? Int }
        XCTAssertEqual(costs.count, front.count)
        XCTAssertEqual(costs, costs.sorted(by: >), "peak rises along the front while instructions fall")
        let plans = try XCTUnwrap(sweep["plans"] as? [[String: Any]])
        let fewest = plans.compactMap { $0["instructions"] as? Int }.min()
        XCTAssertEqual(costs.last, fewest)
        let byMACs = try json(try patchtop(["sweep", model, "--max-patches", "3", "--json"]).stdout)
        XCTAssertEqual(byMACs["cost"] as? String, "macs")
        XCTAssertNil((byMACs["plans"] as? [[String: Any]])?.first?["instructions"] as? Int)
    }

    /// `sweep --multi-stage --cost instructions --target` (issue 22): the
    /// front is on predicted instructions, every plan carries them and, with
    /// a clock, its time; without a target the combination is refused.
    func testMultiStageSweepSearchesOnPredictedInstructions() throws {
        let args = ["sweep", model, "--multi-stage", "--max-side", "3", "--inplace-depthwise", "--stream-input"]
        let result = try patchtop(args + ["--target", "cortex-m7", "--cost", "instructions", "--cost-table", try table(), "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let sweep = try json(result.stdout)
        XCTAssertEqual(sweep["cost"] as? String, "instructions")
        XCTAssertEqual(sweep["target"] as? String, "cortex-m7")
        let front = try XCTUnwrap(sweep["paretoFront"] as? [[String: Any]])
        let costs = front.compactMap { $0["instructions"] as? Int }
        XCTAssertEqual(costs.count, front.count)
        XCTAssertGreaterThan(costs.count, 1)
        XCTAssertEqual(costs, costs.sorted(by: >), "peak rises along the front while instructions fall")
        XCTAssertTrue(front.allSatisfy { $0["stages"] is [[String: Any]] })
        // With a budget: the fewest instructions within it.
        let budget = try XCTUnwrap(front[front.count / 2]["peakBytes"] as? Int)
        let p2 = try json(try patchtop(args + ["--target", "cortex-m7", "--cost", "instructions", "--cost-table", try table(),
                                               "--sram", "\(budget)B", "--json"]).stdout)
        let best = try XCTUnwrap(p2["best"] as? [String: Any])
        XCTAssertLessThanOrEqual(try XCTUnwrap(best["peakBytes"] as? Int), budget)
        XCTAssertEqual(best["instructions"] as? Int, front.filter { ($0["peakBytes"] as? Int ?? .max) <= budget }.compactMap { $0["instructions"] as? Int }.min())
        // Text: the instruction column and, with a clock, milliseconds.
        let text = try patchtop(args + ["--target", "cortex-m7", "--cost", "instructions", "--cost-table", try table(), "--clock", "100MHz",
                                        "--max-mac-overhead", "0.2"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("peak memory vs instructions predicted on Cortex-M7"), text.stdout)
        XCTAssertTrue(text.stdout.contains("instructions        ms"), text.stdout)
        XCTAssertTrue(text.stdout.contains("smallest peak MACs within +20.0%:"), text.stdout)
        XCTAssertFalse(text.stdout.contains("[built plan"), "a front plan's prediction differs from its path's")
        // The MAC front with a target shows instructions too.
        let macs = try json(try patchtop(args + ["--target", "cortex-m7", "--cost-table", try table(), "--json"]).stdout)
        XCTAssertEqual(macs["cost"] as? String, "macs")
        XCTAssertNotNil((macs["paretoFront"] as? [[String: Any]])?.first?["instructions"] as? Int)
        // No target: one clear line, usage status.
        let refused = try patchtop(args + ["--cost", "instructions"])
        XCTAssertEqual(refused.status, 64)
        XCTAssertTrue(refused.stderr.contains("--cost instructions needs --target"), refused.stderr)
    }

    func testCalibrateWritesCyclesPerInstructionAndPlanAppliesThem() throws {
        let table = try table()
        let predicted = try json(try patchtop(["plan", model, "--target", "cortex-m7", "--cost-table", table, "--json"]).stdout)
        let ops = try XCTUnwrap((predicted["latency"] as? [String: Any])?["ops"] as? [[String: Any]])
        // A board that takes three cycles per predicted instruction everywhere.
        var dwt = "PT status 0\n"
        for op in ops {
            dwt += "PT op \(op["index"] as! Int) \(op["op"] as! String) \(3 * (op["instructions"] as! Int))\n"
        }
        let dwtPath = folder.appendingPathComponent("dwt.txt").path
        try dwt.write(toFile: dwtPath, atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("board.json").path
        let made = try patchtop(["calibrate", model, "--target", "cortex-m7", "--board", "STM32H743", "--from", dwtPath, "-o", out,
                                 "--cost-table", table])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(made.stdout.contains("3.000 cycles per instruction"), made.stdout)
        let applied = try json(try patchtop(["plan", model, "--calibration", out, "--cost-table", table, "--json"]).stdout)
        let latency = try XCTUnwrap(applied["latency"] as? [String: Any])
        let instructions = try XCTUnwrap(latency["instructions"] as? Int)
        let cycles = try XCTUnwrap(latency["cycles"] as? Int)
        XCTAssertEqual(Double(cycles), 3 * Double(instructions), accuracy: Double(ops.count) * 2)
        XCTAssertEqual(latency["clockHz"] as? Int, 480_000_000)
        XCTAssertEqual(try XCTUnwrap(latency["milliseconds"] as? Double), Double(cycles) / 480_000, accuracy: 1e-6)
        XCTAssertEqual(latency["timeBasis"] as? String, "cycles from the board's DWT calibration")
        // The calibration is for an M7: it does not apply to another target.
        let wrong = try patchtop(["plan", model, "--calibration", out, "--target", "cortex-m4", "--cost-table", table])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.stderr.contains("was measured on cortex-m7, not --target cortex-m4"), wrong.stderr)
        // A table from another model is refused naming the op.
        let other = try patchtop(["calibrate", "SampleModels/tiny-allops.tflite", "--target", "cortex-m7", "--from", dwtPath,
                                  "-o", folder.appendingPathComponent("x.json").path, "--cost-table", table])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("was it measured on another model?"), other.stderr)
    }
}
