import Foundation
import XCTest
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime

/// MIT's three TinyEngine models (`../shared/models/tinyengine/`, exported
/// from PyTorch: float input + QUANTIZE, explicit PADs, MEAN over one axis
/// at a time, TRANSPOSE, DEQUANTIZE to float outputs, a detector with three
/// outputs) run byte-identical to TFLite Micro's outputs, layer by layer and
/// patched, under every memory option, in exactly their planned arena.
final class TinyEngineModelTests: XCTestCase {
    /// Every combination of the five memory options.
    static let allOptions: [MemoryOptions] = (0..<32).map { bits in
        MemoryOptions(inplaceDepthwise: bits & 1 != 0, streamInput: bits & 2 != 0, fuseResidual: bits & 4 != 0,
                      foldPad: bits & 8 != 0, int8IO: bits & 16 != 0)
    }

    private func load(_ name: String) throws -> (Model, PreparedModel, URL) {
        let path = TestFiles.shared("tinyengine/\(name).tflite")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        let model = try TFLiteReader.load(path: path)
        return (model, try PreparedModel(model: model), URL(fileURLWithPath: TestFiles.shared("tinyengine/\(name)")))
    }

    /// The reference outputs of `seed`: `out_sN.bin`, or `out_sN_oK.bin`
    /// for each output of a model with several.
    private func expected(_ dir: URL, seed: Int, outputs: Int) throws -> [[Int8]] {
        let names = outputs == 1 ? ["out_s\(seed).bin"] : (0..<outputs).map { "out_s\(seed)_o\($0).bin" }
        return try names.map { try [UInt8](Data(contentsOf: dir.appendingPathComponent($0))).map { Int8(bitPattern: $0) } }
    }

    private func input(_ dir: URL, seed: Int) throws -> [Int8] {
        try [UInt8](Data(contentsOf: dir.appendingPathComponent("in_s\(seed).bin"))).map { Int8(bitPattern: $0) }
    }

    /// Every seed layer by layer, then seed 0 over `grid` (p, n) under
    /// every memory option.
    private func check(_ name: String, grid: [(Int, Int)], file: StaticString = #filePath, line: UInt = #line) throws {
        let (model, prepared, dir) = try load(name)
        let layerByLayer = try ArenaProgram(prepared: prepared)
        for seed in 0..<3 {
            let run = try XCTUnwrap(try layerByLayer.run(input: input(dir, seed: seed)))
            XCTAssertTrue(run.outputs == (try expected(dir, seed: seed, outputs: model.outputs.count)),
                          "\(name) seed \(seed): layer by layer differs from TFLite Micro", file: file, line: line)
            XCTAssertEqual(run.measuredArenaBytes, run.plannedArenaBytes, file: file, line: line)
        }
        let x = try input(dir, seed: 0), want = try expected(dir, seed: 0, outputs: model.outputs.count)
        for options in Self.allOptions {
            for (p, n) in grid {
                let plan = try PatchPlan(model: model, patches: p, patchLayers: n, options: options)
                let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: plan).run(input: x))
                XCTAssertTrue(run.outputs == want, "\(name) p=\(p) n=\(n) \(options.summary): differs from TFLite Micro", file: file, line: line)
                XCTAssertEqual(run.measuredArenaBytes, plan.peakBytes, "\(name) p=\(p) n=\(n) \(options.summary): arena", file: file, line: line)
            }
        }
    }

    /// TRANSPOSE [0,3,1,2] then MEAN over [3] and [2] in the head.
    func testVWW() throws { try check("vww", grid: [(1, 0), (2, 8), (3, 5), (4, 12)]) }
    /// MEAN over [2] then [1] with keepDims in every SE block.
    func testMCUNetV2Large() throws { try check("mcunetv2_large", grid: [(4, 12)]) }
    /// Three outputs, compared each.
    func testDetector() throws {
        let (model, _, _) = try load("detection")
        XCTAssertEqual(model.outputs.count, 3)
        try check("detection", grid: [(2, 3), (3, 5), (4, 12)])
    }
}
