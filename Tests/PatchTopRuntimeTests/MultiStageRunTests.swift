import Foundation
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// Rectangular grids and multi-stage plans run byte-identical to layer by
/// layer, with the arena the run touches equal to the plan's peak.
final class MultiStageRunTests: XCTestCase {
    private func seededInput(for model: Model, seed: UInt64) -> [Int8] {
        var generator = SeededGenerator(state: seed)
        let tensor = model.tensors[model.callerInputs[0]]
        guard tensor.type == .float32 else { return (0..<tensor.byteCount).map { _ in Int8(truncatingIfNeeded: generator.next()) } }
        return (0..<tensor.elementCount).flatMap { _ -> [Int8] in
            let value = Float(Int8(truncatingIfNeeded: generator.next())) / 64
            return withUnsafeBytes(of: value.bitPattern.littleEndian) { $0.map { Int8(bitPattern: $0) } }
        }
    }

    private func assertExact(_ plan: PatchPlan, _ prepared: PreparedModel, input: [Int8], reference: ArenaRunResult, _ label: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: plan).run(input: input), label, file: file, line: line)
        XCTAssertTrue(run.outputs == reference.outputs, "\(label): output differs from layer by layer", file: file, line: line)
        XCTAssertEqual(run.measuredArenaBytes, plan.peakBytes, "\(label): measured arena", file: file, line: line)
        XCTAssertEqual(run.plannedArenaBytes, plan.peakBytes, "\(label): layout", file: file, line: line)
    }

    func testRectangularGridsAndStripsRunExact() throws {
        let memories = [MemoryOptions.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true)]
        var ran = 0
        for name in ["mbv2-w0.35-r144", "dscnn-kws", "mcunet-kmix-r112", "resnet8-r32"] {
            let model = try TFLiteReader.load(path: TestFiles.sample(name))
            let prepared = try PreparedModel(model: model)
            let input = seededInput(for: model, seed: 5)
            for memory in memories {
                let reference = try XCTUnwrap(try ArenaProgram(prepared: prepared, options: memory).run(input: input))
                let layers = (1...model.operators.count).filter { (try? PatchPlan(model: model, patches: 2, patchLayers: $0)) != nil }
                for n in [layers.first, layers[layers.count / 2], layers.last].compactMap({ $0 }) {
                    for grid in [TileGrid(rows: 4, cols: 2), TileGrid(rows: 2, cols: 3), TileGrid(rows: 5, cols: 1), TileGrid(rows: 1, cols: 4)] {
                        for caching in [HaloCaching.none, .all] {
                            guard let plan = try? PatchPlan(model: model, grid: grid, patchLayers: n, options: memory, haloCaching: caching)
                            else { continue }
                            XCTAssertEqual(plan.patchRegions.count, grid.count)
                            try assertExact(plan, prepared, input: input, reference: reference, "\(name) \(grid) n=\(n) \(caching.name) \(memory.summary)")
                            ran += 1
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(ran, 60)
    }

    func testAHandWrittenMultiStagePlanRunsExact() throws {
        // MobileNetV2 0.35: two fused blocks with layer-by-layer ops between
        // and after them, one ending inside a residual block (two outputs of
        // one size held whole), rectangular grids, caches in one of them.
        let model = try TFLiteReader.load(path: TestFiles.sample("mbv2-w0.35-r144"))
        let prepared = try PreparedModel(model: model)
        let input = seededInput(for: model, seed: 9)
        for memory in [MemoryOptions.tfliteMicro, MemoryOptions(inplaceDepthwise: true, streamInput: true, fuseResidual: true)] {
            let reference = try XCTUnwrap(try ArenaProgram(prepared: prepared, options: memory).run(input: input))
            let search = MultiStageSearch(model: model, options: memory, maxSide: 3, maxBlockOps: 12)
            let cuts = search.cutPoints.filter { $0 > 0 && $0 < model.operators.count }
            XCTAssertGreaterThan(cuts.count, 4)
            var specs: [[StageSpec]] = [
                [StageSpec(firstOp: 0, lastOp: cuts[1] - 1, grid: TileGrid(rows: 3, cols: 2), caching: .all),
                 StageSpec(firstOp: cuts[2], lastOp: cuts[3] - 1, grid: TileGrid(rows: 2, cols: 4))],
                [StageSpec(firstOp: cuts[0], lastOp: cuts[2] - 1, grid: TileGrid(rows: 4, cols: 1), caching: .only(.row)),
                 StageSpec(firstOp: cuts[2], lastOp: cuts[4] - 1, grid: TileGrid(rows: 1, cols: 3), caching: .all)],
            ]
            // A block ending inside a residual block: the skip and the branch are both its outputs.
            if let inside = (cuts[1]..<cuts[3]).first(where: { !cuts.contains($0) && $0 > cuts[1] + 1 }),
               (try? PatchPlan(model: model, stages: [StageSpec(firstOp: cuts[1], lastOp: inside - 1, grid: TileGrid(2))], options: memory)) != nil {
                specs.append([StageSpec(firstOp: cuts[1], lastOp: inside - 1, grid: TileGrid(2), caching: .all)])
            }
            for stages in specs {
                let plan = try PatchPlan(model: model, stages: stages, options: memory)
                XCTAssertTrue(plan.isMultiStage || stages.count == 1)
                XCTAssertEqual(plan.stages.map(\.firstOp).first, 0)
                XCTAssertEqual(plan.stages.last?.lastOp, model.operators.count - 1)
                try assertExact(plan, prepared, input: input, reference: reference, "\(stages) \(memory.summary)")
            }
        }
    }

    func testEveryPlanOfTheSearchedFrontRunsExact() throws {
        for name in ["dscnn-kws", "mbv2-w0.35-r144", "mcunet-kmix-r112"] {
            let model = try TFLiteReader.load(path: TestFiles.sample(name))
            let prepared = try PreparedModel(model: model)
            let input = seededInput(for: model, seed: 3)
            let memory = MemoryOptions(inplaceDepthwise: true, streamInput: true)
            let reference = try XCTUnwrap(try ArenaProgram(prepared: prepared, options: memory).run(input: input))
            let search = MultiStageSearch(model: model, options: memory, maxSide: 4, maxBlockOps: 16)
            XCTAssertFalse(search.front.isEmpty, name)
            for point in search.front {
                XCTAssertTrue(point.verified, "\(name): the search's peak \(point.peakBytes) / MACs \(point.macs) are the built plan's \(point.plan.peakBytes) / \(point.plan.macs)")
                try assertExact(point.plan, prepared, input: input, reference: reference, "\(name) \(point.stages)")
            }
        }
    }

    /// MIT's VWW model under TinyEngine's rules with a streamed input: for
    /// each of msf-CNN's published points (and layer by layer's 89,600 B),
    /// a plan of the front at or below both its peak and its MAC factor,
    /// bit-exact with TFLite Micro's stored output.
    func testVWWBeatsEveryMsfCNNPoint() throws {
        let path = TestFiles.shared("tinyengine/vww.tflite")
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        let model = try TFLiteReader.load(path: path)
        let prepared = try PreparedModel(model: model)
        let memory = MemoryOptions(inplaceDepthwise: true, streamInput: true, foldPad: true, int8IO: true)
        let search = MultiStageSearch(model: model, options: memory)
        let folder = URL(fileURLWithPath: TestFiles.shared("tinyengine/vww"))
        let input = try Data(contentsOf: folder.appendingPathComponent("in_s0.bin")).map { Int8(bitPattern: $0) }
        let expected = try Data(contentsOf: folder.appendingPathComponent("out_s0.bin")).map { Int8(bitPattern: $0) }
        for (peak, factor) in [(45_283, 1.038), (26_240, 1.113), (20_568, 1.296), (17_904, 1.345), (15_368, 1.957), (89_600, 1.000)] {
            let point = try XCTUnwrap(search.front.first { $0.peakBytes <= peak && Double($0.macs) <= factor * Double(model.macs) },
                                      "no plan at or below \(peak) B ×\(factor)")
            XCTAssertTrue(point.verified)
            let run = try XCTUnwrap(try ArenaProgram(prepared: prepared, plan: point.plan).run(input: input))
            XCTAssertEqual(run.output, expected, "\(point.stages)")
            XCTAssertEqual(run.measuredArenaBytes, point.plan.peakBytes)
        }
    }
}
