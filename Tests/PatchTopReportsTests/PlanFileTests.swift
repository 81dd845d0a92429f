import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import XCTest

/// `plan --json` and `sweep --json` plans carry `stages`, and `--plan FILE`
/// reads such an object back into the same plan; a file that does not fit
/// the model gets one message naming the stage and why.
final class PlanFileTests: XCTestCase {
    private func model(_ name: String) throws -> Model {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try TFLiteReader.load(path: root.appendingPathComponent("SampleModels/\(name).tflite").path)
    }

    private func roundTrip(_ plan: PatchPlan, base: MemoryOptions = .tfliteMicro) throws -> PatchPlan {
        let text = try JSONText.encode(PlanJSON(plan, includeRegions: false))
        return try PlanFile.parse(Data(text.utf8), name: "plan.json").plan(for: plan.model, options: base)
    }

    func testEveryKindOfPlanComesBackFromItsJSON() throws {
        let model = try model("mbv2-w0.35-r144")
        let memory = MemoryOptions(inplaceDepthwise: true, streamInput: true)
        let search = MultiStageSearch(model: model, options: memory, maxSide: 3, maxBlockOps: 10)
        var plans = [
            try PatchPlan(model: model, patches: 1, patchLayers: 0, options: memory),
            try PatchPlan(model: model, patches: 3, patchLayers: 9, options: memory, haloCaching: .auto(budget: nil)),
            try PatchPlan(model: model, grid: TileGrid(rows: 4, cols: 2), patchLayers: 6, options: memory, haloCaching: .only(.row)),
        ]
        plans += search.front.map(\.plan)
        for plan in plans {
            let json = PlanJSON(plan, includeRegions: false)
            XCTAssertEqual(json.stages.first?.firstOp, 0)
            XCTAssertEqual(json.stages.last?.lastOp, model.operators.count - 1)
            XCTAssertEqual(json.stages.map(\.peakBytes).max(), plan.peakBytes)
            // The options come from the file, not from the command.
            let back = try roundTrip(plan, base: .tfliteMicro)
            XCTAssertEqual(back.options, memory)
            XCTAssertEqual(back.liveBytes, plan.liveBytes)
            XCTAssertEqual(back.macsPerOp, plan.macsPerOp)
            XCTAssertEqual(back.stages, plan.stages)
            XCTAssertEqual(back.caches, plan.caches)
        }
    }

    func testAFileThatDoesNotFitNamesTheStage() throws {
        let model = try model("mbv2-w0.35-r144")
        let mean = try XCTUnwrap(model.operators.firstIndex { $0.kind == .mean })
        func failure(_ json: String) -> String? {
            do {
                _ = try PlanFile.parse(Data(json.utf8), name: "p.json").plan(for: model, options: .tfliteMicro)
                return nil
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(failure("[1, 2]"), "p.json: is not a JSON object with `stages`")
        XCTAssertEqual(failure("{\"plans\": []}"), "p.json: holds a whole sweep: save one of its `plans` (an object with `stages`)")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 3}]}"), "p.json: stage 0: `grid` is not [rows, cols]")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 3, \"grid\": [2, true]}]}"), "p.json: stage 0: `grid` is not [rows, cols]")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 2, \"grid\": [1, 1]}, {\"firstOp\": \(mean - 1), \"lastOp\": \(mean), \"grid\": [2, 2]}]}"),
                       "p.json: stage 1 (ops \(mean - 1)…\(mean), 2×2): it crosses MEAN at op \(mean), which cannot be computed tile by tile")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 500, \"grid\": [2, 2]}]}"),
                       "p.json: stage 0 (ops 0…500, 2×2): \(model.name) has ops 0…\(model.operators.count - 1)")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 3, \"grid\": [0, 2]}]}"),
                       "p.json: stage 0 (ops 0…3, 0×2): a grid has at least 1×1 tiles")
        XCTAssertEqual(failure("{\"stages\": [{\"firstOp\": 0, \"lastOp\": 3, \"grid\": [2, 2], \"caches\": [{\"tensor\": 0, \"direction\": \"row\"}]}]}")?
            .hasPrefix("p.json: stage 0 (ops 0…3, 2×2): tensor 0 cannot have a row cache in this stage"), true)
        do {
            _ = try PlanFile.read(path: "/dev/null")
            XCTFail("a device read as a plan file")
        } catch {
            XCTAssertTrue(error.description.hasPrefix("/dev/null: cannot read the plan file:"), error.description)
        }
        let plan = try PatchPlan(model: model, patches: 2, patchLayers: 4)
        var json = PlanJSON(plan, includeRegions: false)
        json.peakBytes += 1
        XCTAssertEqual(failure(try JSONText.encode(json))?.hasPrefix("p.json: its stages give a peak of \(plan.peakBytes) bytes"), true)
    }
}
