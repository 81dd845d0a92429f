import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// MIT's PyTorch exports run with their PADs folded into the convs and
/// their QUANTIZE / DEQUANTIZE at the arena's edge: every output byte-
/// identical to TFLite Micro's (the shared reference files), and the arena
/// the run touches exactly the plan's peak, layer by layer and patched.
final class ExportedModelMemoryTests: XCTestCase {
    private struct Reference {
        var model: Model
        var input: [Int8]
        var outputs: [[Int8]]
    }

    /// A shared model with seed 0's input and its TFLite Micro outputs.
    private func reference(_ name: String) throws -> Reference {
        let path = TestFiles.shared("tinyengine/\(name).tflite")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(name).tflite is not in ../shared/models/tinyengine") }
        let model = try TFLiteReader.load(path: path)
        let folder = URL(fileURLWithPath: TestFiles.shared("tinyengine/\(name)"))
        let read = { (file: String) throws -> [Int8] in
            try Data(contentsOf: folder.appendingPathComponent(file)).map { Int8(bitPattern: $0) }
        }
        let outputs = model.outputs.count == 1 ? [try read("out_s0.bin")]
            : try model.outputs.indices.map { try read("out_s0_o\($0).bin") }
        return Reference(model: model, input: try read("in_s0.bin"), outputs: outputs)
    }

    /// Runs `name` under each option set over a few (p, n), checking outputs
    /// and arena. Models the runtime cannot run yet are skipped, naming why.
    private func assertRuns(_ name: String, plans: [(p: Int, n: Int)], file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try reference(name)
        let prepared: PreparedModel
        do { prepared = try PreparedModel(model: ref.model) } catch { throw XCTSkip("\(name): \(error.description)") }
        let optionSets = [
            MemoryOptions(foldPad: true), MemoryOptions(int8IO: true),
            MemoryOptions(inplaceDepthwise: true, foldPad: true, int8IO: true),
            MemoryOptions(inplaceDepthwise: true, streamInput: true, foldPad: true, int8IO: true),
            .everything,
        ]
        var checked = 0
        for options in optionSets {
            for (p, n) in [(1, 0)] + plans {
                let plan = try PatchPlan(model: ref.model, patches: p, patchLayers: n, options: options)
                let program = try ArenaProgram(prepared: prepared, plan: plan)
                let run = try XCTUnwrap(try program.run(input: ref.input))
                let label = "\(name) p=\(p) n=\(n) \(options.summary)"
                XCTAssertEqual(run.outputs.count, ref.outputs.count, label, file: file, line: line)
                for (k, (ours, theirs)) in zip(run.outputs, ref.outputs).enumerated() {
                    XCTAssertTrue(ours == theirs, "\(label): output \(k) differs from TFLite Micro's", file: file, line: line)
                }
                XCTAssertEqual(run.measuredArenaBytes, run.plannedArenaBytes, "\(label): measured arena", file: file, line: line)
                XCTAssertEqual(run.plannedArenaBytes, plan.peakBytes, "\(label): layout above the peak", file: file, line: line)
                checked += 1
            }
        }
        XCTAssertEqual(checked, optionSets.count * (plans.count + 1))
    }

    func testDetectorWithFoldedPadsAndInt8Boundary() throws {
        try assertRuns("detection", plans: [(2, 8), (4, 13), (3, 10), (5, 7)])
    }

    func testVWWWithFoldedPadsAndInt8Boundary() throws {
        try assertRuns("vww", plans: [(2, 8), (3, 12), (4, 4)])
    }

    func testMCUNetV2WithFoldedPadsAndInt8Boundary() throws {
        try assertRuns("mcunetv2_large", plans: [(4, 12), (2, 5), (3, 13)])
    }

    /// The folded run's arena is smaller than the stored PAD's, and what it
    /// saves is exactly the padded tensor's bytes at the PAD op's peak.
    func testFoldingTheDetectorsPadsShrinksItsMeasuredArena() throws {
        let ref = try reference("detection")
        let prepared = try PreparedModel(model: ref.model)
        let stored = try XCTUnwrap(try ArenaProgram(prepared: prepared).run(input: ref.input))
        let folded = try XCTUnwrap(try ArenaProgram(prepared: prepared, options: MemoryOptions(foldPad: true)).run(input: ref.input))
        XCTAssertEqual(stored.outputs, folded.outputs)
        XCTAssertEqual(stored.measuredArenaBytes, 337_024)
        XCTAssertEqual(folded.measuredArenaBytes, 307_200)
    }
}
