import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import XCTest

/// The one place a model becomes a plan and a program.
final class PipelineTests: XCTestCase {
    func testItPlansTheModelAsAskedAndCompilesThatPlan() throws {
        let model = try TFLiteReader.load(path: TestFiles.sample("mbv2-w0.35-r144"))
        let options = MemoryOptions(inplaceDepthwise: true, fuseResidual: true)
        let pipeline = try Pipeline(model: model, patches: 3, patchLayers: 10, options: options, haloCaching: .all)
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 10, options: options, haloCaching: .all)
        XCTAssertEqual(pipeline.plan.patches, 3)
        XCTAssertEqual(pipeline.plan.patchLayers, 10)
        XCTAssertEqual(pipeline.plan.options, options)
        XCTAssertEqual(pipeline.plan.peakBytes, plan.peakBytes)
        XCTAssertEqual(pipeline.plan.macs, plan.macs)
        XCTAssertEqual(pipeline.program.layout, plan.layout, "the program is laid out as the plan says")
        XCTAssertEqual(pipeline.prepared.model.operators.count, pipeline.plan.model.operators.count)

        let input = (0..<model.tensors[model.inputs[0]].byteCount).map { Int8(truncatingIfNeeded: $0 &* 37) }
        let patched = try XCTUnwrap(try pipeline.program.run(input: input))
        let layerByLayer = try XCTUnwrap(try Pipeline(prepared: pipeline.prepared).program.run(input: input))
        XCTAssertEqual(patched.outputs, layerByLayer.outputs)
        XCTAssertEqual(patched.measuredArenaBytes, patched.plannedArenaBytes)
    }

    func testTheFirstStageThatFailsNamesTheProblem() throws {
        let model = try TFLiteReader.load(path: TestFiles.sample("mbv2-w0.35-r144"))
        XCTAssertThrowsError(try Pipeline(model: model, patches: 65, patchLayers: 3)) { error in
            guard case .plan(.patchesOutOfRange(65, 64)) = error as? RuntimeError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Pipeline(model: model, arenaLimit: 1024)) { error in
            guard case .arenaTooLarge(_, let bytes, 1024) = error as? RuntimeError else { return XCTFail("\(error)") }
            XCTAssertEqual(bytes, try? PatchPlan(model: model, patches: 1, patchLayers: 0).layout.arenaBytes)
        }
    }
}
