import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopUI
import XCTest

/// Issue 23, finding 5: "why is the peak this high" names float tensors as
/// float32, says what removes them, marks a float model as float, and says
/// where the model itself sets a floor no p or n goes below.
final class PeakCauseTests: XCTestCase {
    func testFloatModelsAreMarkedFloat() throws {
        XCTAssertEqual(PeakCause.floatTag(try UIFixtures.model("mbv2-mini-f32")), "float32")
        XCTAssertEqual(PeakCause.floatTag(try UIFixtures.model("pytorch-style")), "float32 I/O")
        XCTAssertNil(PeakCause.floatTag(try UIFixtures.model()))
        let s = try AppState(model: UIFixtures.model("mbv2-mini-f32"))
        XCTAssertTrue(Screen.render(s, width: 120, height: 40).lines()[0].hasPrefix("PatchTop — mbv2-mini-f32 (float32) — "))
    }

    func testTheFloatInputIsNamedWithWhatRemovesIt() throws {
        let model = try EngineVerdictTests.sharedModel("mcunetv2_large")
        var s = try AppState(model: model, patches: 7, patchLayers: 12)
        let input = try XCTUnwrap(model.inputs.first)
        let rows = LiveBuffer.atPeak(of: s.plan)
        let row = try XCTUnwrap(rows.first { $0.tensor == input }, "the float input is held whole through the stage")
        XCTAssertEqual(row.extent, "224×224×3 f32")
        XCTAssertEqual(PeakCause.floatNotes(s.plan), ["t\(input) is the float32 graph input (4 B an element): --int8-io or --stream-input removes it (m)"])
        s = update(update(s, .resize(width: 200, height: 60)), .key(.char("w")))
        let screen = Screen.render(s, width: 200, height: 60).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("224×224×3 f32"), screen)
        XCTAssertTrue(screen.contains("--int8-io or --stream-input removes it"), screen)
        // With --int8-io the float input costs nothing, and the note goes.
        let int8 = try PatchPlan(model: model, patches: 7, patchLayers: 12, options: MemoryOptions(int8IO: true))
        XCTAssertEqual(PeakCause.floatNotes(int8), [])
    }

    /// mcunetv2_large: n stops at 14 (a squeeze-excite MEAN at op 14); at
    /// the smallest peak of any plan the panel says no p or n goes lower, and why.
    func testTheModelsFloorIsSaid() throws {
        let model = try EngineVerdictTests.sharedModel("mcunetv2_large")
        let data = UIFixtures.pareto(model)
        let lowest = try XCTUnwrap(data.front.first)
        var s = try AppState(model: model, patches: lowest.patches, patchLayers: lowest.patchLayers, pareto: data)
        let floor = try XCTUnwrap(PeakCause.floor(s))
        XCTAssertTrue(floor.hasPrefix("no p or n goes lower: "), floor)
        XCTAssertTrue(floor.hasSuffix("; n stops at 14: n=15 crosses MEAN at op 14, which cannot be computed patch by patch"), floor)
        s = update(update(s, .resize(width: 200, height: 60)), .key(.char("w")))
        XCTAssertTrue(Screen.render(s, width: 200, height: 60).lines().joined().contains("no p or n goes lower"))
        // A plan above the lowest peak has no floor line.
        let higher = try AppState(model: model, patches: 2, patchLayers: 5, pareto: data)
        XCTAssertNil(PeakCause.floor(higher))
    }
}
