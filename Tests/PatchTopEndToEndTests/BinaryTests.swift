import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import XCTest

/// The real `patchtop` binary, driven as a user drives it.
final class BinaryTests: XCTestCase {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url
    }()

    /// The built executable, beside the test bundle.
    var binary: String {
        get throws { try Self.builtBinary() }
    }

    /// The built executable, beside the test bundle (skips the test when absent).
    static func builtBinary() throws -> String {
        do {
            // The test runner (`…/debug/PatchTopPackageTests.xctest`) sits
            // beside the products `swift test` built.
            let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            let products = runner.deletingLastPathComponent()
            let path = products.appendingPathComponent("patchtop").path
            guard FileManager.default.isExecutableFile(atPath: path) else { throw XCTSkip("patchtop is not built at \(path)") }
            return path
        }
    }

    @discardableResult
    func shell(_ command: String, _ arguments: [String], capture: Bool = true) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.shell(command, arguments, capture: capture)
    }

    /// Runs `command` from the repository root; its status and, with
    /// `capture`, what it printed. Shared by every end-to-end test class.
    static func shell(_ command: String, _ arguments: [String], capture: Bool = true) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.currentDirectoryURL = root
        guard capture else {
            // A daemon (the tmux server) would keep a pipe open forever.
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return (process.terminationStatus, "", "")
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testAnalyzeJSONPeakIsTheLivenessPeak() throws {
        let result = try shell(try binary, ["analyze", "SampleModels/mbv2-w0.35-r144.tflite", "--json"])
        XCTAssertEqual(result.status, 0)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let model = try TFLiteReader.load(path: Self.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path)
        XCTAssertEqual(json["peakBytes"] as? Int, MemorySchedule(model: model).peakBytes)
        // The arena laid out ahead of time reaches the liveness peak here.
        XCTAssertEqual(json["arenaBytes"] as? Int, MemorySchedule(model: model).peakBytes)
        XCTAssertEqual((json["ops"] as? [[String: Any]])?.first?["op"] as? String, "CONV_2D")
    }

    func testAnalyzeJSONGivesTFLiteMicrosMeasuredArena() throws {
        let result = try shell(try binary, ["analyze", "SampleModels/mbv2-w0.35-r144.tflite", "--json"])
        XCTAssertEqual(result.status, 0)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let tflm = try XCTUnwrap((json["engines"] as? [String: Any])?["tflm"] as? [String: Any])
        // SampleModels/tflm-arena.json: measured with tflite-micro's Python interpreter.
        XCTAssertEqual(tflm["arenaBytes"] as? Int, 390_816)
        XCTAssertEqual(tflm["headBytes"] as? Int, 311_040)
        XCTAssertEqual(tflm["tailBytes"] as? Int, 79_776)
        XCTAssertEqual((tflm["tail"] as? [String: Int])?.values.reduce(0, +), 79_776)
        let text = try shell(try binary, ["analyze", "SampleModels/mbv2-w0.35-r144.tflite"])
        XCTAssertTrue(text.stdout.contains("TFLite Micro arena      381.7 KiB (390,816 bytes) = head 303.8 KiB (311,040) + tail 77.9 KiB (79,776)"), text.stdout)
    }

    func testBadInputsExitOneWithOneLine() throws {
        let missing = try shell(try binary, ["analyze", "/nonexistent/m.tflite"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "patchtop: /nonexistent/m.tflite: no such file\n")
        let notModel = try shell(try binary, ["plan", "Package.swift", "-p", "2", "-n", "3"])
        XCTAssertEqual(notModel.status, 1)
        XCTAssertEqual(notModel.stderr, "patchtop: Package.swift: not a TFLite model: missing the \"TFL3\" file identifier at byte 4\n")
        let badPlan = try shell(try binary, ["plan", "SampleModels/mbv2-w0.35-r144.tflite", "-p", "2", "-n", "64"])
        XCTAssertEqual(badPlan.status, 1)
        XCTAssertEqual(badPlan.stderr, "patchtop: mbv2-w0.35-r144: n=64 crosses MEAN at op 62, which cannot be computed patch by patch\n")
        let unwritable = try shell(try binary, ["report", "SampleModels/tiny-allops.tflite", "-o", "/nonexistent/dir/r.txt"])
        XCTAssertEqual(unwritable.status, 1)
        XCTAssertTrue(unwritable.stderr.contains("/nonexistent/dir/r.txt"), unwritable.stderr)
    }

    func testReportFileHasTheHeaderAndTheScreen() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-report-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try shell(try binary, ["report", "SampleModels/mbv2-w0.35-r144.tflite", "-p", "3", "-n", "13", "-o", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let text = try String(contentsOf: file, encoding: .utf8)
        let model = try TFLiteReader.load(path: Self.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path)
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 13)
        XCTAssertTrue(text.contains("mbv2-w0.35-r144"))
        XCTAssertTrue(text.contains("p=3 n=13"))
        XCTAssertTrue(text.contains(formatBytes(plan.peakBytes)), "the report should show the planned peak \(formatBytes(plan.peakBytes))")
        XCTAssertTrue(text.contains("Layers"))
    }
}

/// `report --run` and `--board`, as a script would call them.
extension BinaryTests {
    func testReportRunShowsTheMeasuredArenaAndIdentical() throws {
        let binary = try BinaryTests.builtBinary()
        let result = try shell(binary, ["report", "SampleModels/mbv2-w0.35-r144.tflite", "-p", "3", "-n", "13", "--run", "--board", "stm32f746"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let model = try TFLiteReader.load(path: BinaryTests.root.appendingPathComponent("SampleModels/mbv2-w0.35-r144.tflite").path)
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 13)
        let peak = formatBytes(plan.peakBytes)
        XCTAssertTrue(result.stdout.contains("\nrun             output identical to layer-by-layer, arena "), result.stdout)
        XCTAssertTrue(result.stdout.contains("\n✓ identical  peak \(peak) vs"), result.stdout)
        XCTAssertTrue(result.stdout.contains("SRAM budget     320.0 KiB (STM32F746)"))
        let unknown = try shell(binary, ["report", "SampleModels/tiny-allops.tflite", "--board", "Z80"])
        XCTAssertEqual(unknown.status, 64, "a usage error, as the argument parser reports them")
        XCTAssertTrue(unknown.stderr.hasPrefix("Error: The value 'Z80' is invalid for '--board <name>'. Please provide one of the following:\n  - nRF52840\n"),
                      unknown.stderr)
    }
}
