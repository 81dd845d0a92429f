import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopUI
import XCTest

/// Issue 23, finding 9: step mode's heatmap renders on float models and
/// after `f` (run to the end), and the arena map's legend gives tiny
/// buffers in bytes, not `0.0–0.0 KiB`.
final class StepHeatmapTests: XCTestCase {
    func stepped(_ name: String, patches: Int, patchLayers: Int, command: StepCommand, width: Int = 120, height: Int = 40) throws -> AppState {
        let model = try UIFixtures.model(name)
        var s = try AppState(model: model, patches: patches, patchLayers: patchLayers)
        s = update(update(s, .resize(width: width, height: height)), .key(.char("s")))
        var driver = try RuntimeStepDriver(model: model, request: s.currentRunRequest)
        let snapshot = try driver.perform(command)
        return update(s, .stepped(snapshot))
    }

    func heatmap(_ s: AppState) -> String {
        let rect = Screen.layout(s).panes.heatmap
        return Screen.render(s, width: s.width, height: s.height).lines()[rect.y..<rect.maxY].joined(separator: "\n")
    }

    func testAFloatModelsStepsHaveAHeatmap() throws {
        let s = try stepped("mbv2-mini-f32", patches: 2, patchLayers: 4, command: .next)
        let values = try XCTUnwrap(s.step?.snapshot?.values, "a float op's output is shown")
        XCTAssertTrue(values.isFloat)
        let text = heatmap(s)
        XCTAssertTrue(text.contains("f32") && text.contains("…"), text)
        XCTAssertFalse(text.contains("Space runs the next step"), text)
        XCTAssertTrue(text.contains("▓") || text.contains("█") || text.contains("░"), text)
    }

    func testAfterRunningToTheEndTheOutputIsShown() throws {
        for (name, p, n) in [("mbv2-w0.35-r144", 3, 13), ("mbv2-mini-f32", 2, 4), ("pytorch-style", 2, 3)] {
            let s = try stepped(name, patches: p, patchLayers: n, command: .toEnd)
            XCTAssertEqual(s.step?.snapshot?.isFinished, true, name)
            XCTAssertNotNil(s.step?.snapshot?.values, "\(name): the final output")
            let text = heatmap(s)
            XCTAssertFalse(text.contains("Space"), "\(name): \(text)")
            XCTAssertTrue(text.contains("max "), "\(name): \(text)")
        }
    }

    func testTinyBuffersAreGivenInBytes() throws {
        var s = try stepped("tiny-allops", patches: 2, patchLayers: 3, command: .next, width: 200, height: 60)
        var snapshot = try XCTUnwrap(s.step?.snapshot)
        // A 40-byte buffer at the arena's start and one of 2 KiB after it.
        snapshot.blocks = [ArenaBlock(kind: .tensor(3), tensor: 3, offset: 0, bytes: 40),
                           ArenaBlock(kind: .tensor(4), tensor: 4, offset: 48, bytes: 2048)]
        s = update(s, .stepped(snapshot))
        let rect = Screen.layout(s).panes.arena
        let text = Screen.render(s, width: 200, height: 60).lines()[rect.y..<rect.maxY].joined(separator: "\n")
        XCTAssertFalse(text.contains("0.0–0.0 KiB"), text)
        XCTAssertTrue(text.contains("t3  0–40 B  whole"), text)
        XCTAssertTrue(text.contains("t4  0.0–2.0 KiB  whole") || text.contains("t4  0.0–2.0 KiB"), text)
    }
}
