import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopRuntime
import PatchTopUI
import XCTest

/// Snapshot tests: every view drawn at 120×40 and 80×24 on
/// SampleModels/mbv2-w0.35-r144.tflite, compared line by line with the text
/// committed in `Tests/PatchTopUITests/Snapshots/<name>.txt`.
///
/// To re-record after an intended change, run
///
///     PATCHTOP_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests
///
/// which rewrites the files (and fails, so a recording run is never
/// mistaken for a passing one); review them with `git diff` and commit.
final class SnapshotTests: XCTestCase {
    static let directory = UIFixtures.repositoryRoot.appendingPathComponent("Tests/PatchTopUITests/Snapshots")
    static let sizes = [(120, 40), (80, 24)]

    func assertSnapshot(_ grid: CellGrid, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        let text = grid.lines().joined(separator: "\n") + "\n"
        let url = Self.directory.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["PATCHTOP_RECORD_SNAPSHOTS"].map({ !$0.isEmpty && $0 != "0" }) ?? false {
            try? FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            XCTAssertNoThrow(try text.write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
            XCTFail("recorded \(url.path); unset PATCHTOP_RECORD_SNAPSHOTS and run again", file: file, line: line)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no snapshot \(url.path); record it with PATCHTOP_RECORD_SNAPSHOTS=1", file: file, line: line)
            return
        }
        let got = text.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
        XCTAssertEqual(got.count, want.count, "\(name): line count", file: file, line: line)
        for (index, (g, w)) in zip(got, want).enumerated() where g != w {
            XCTFail("\(name) line \(index + 1):\n  got:      \(g)\n  expected: \(w)", file: file, line: line)
            return
        }
    }

    /// p=3 n=13 with the STM32F746 budget, layer 2 selected, patch 5, and a finished run.
    func state(width: Int, height: Int) throws -> AppState {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13, board: SRAMBudget.board(named: "STM32F746"))
        s = update(s, .resize(width: width, height: height))
        s = update(s, .start)
        s.selectedLayer = 2
        s.selectedPatch = 4
        let layout = ArenaLayout(plan: s.plan)
        s = update(s, .runFinished(RunSummary(
            request: s.currentRunRequest, peakBytes: s.plan.peakBytes, layerByLayerPeakBytes: s.plan.layerByLayerPeakBytes,
            macOverhead: s.plan.macOverhead, measuredArenaBytes: layout.arenaBytes, plannedArenaBytes: layout.arenaBytes,
            milliseconds: 42.0, identical: true)))
        return s
    }

    func testScreen() throws {
        for (w, h) in Self.sizes {
            let s = try state(width: w, height: h)
            assertSnapshot(Screen.render(s, width: w, height: h), named: "screen-\(w)x\(h)")
        }
    }

    func testEachViewAlone() throws {
        for (w, h) in Self.sizes {
            let s = try state(width: w, height: h)
            let rect = Rect(x: 0, y: 0, width: w, height: h)
            var layers = CellGrid(width: w, height: h)
            LayersView.draw(s, into: &layers, rect: rect, focused: true)
            assertSnapshot(layers, named: "layers-\(w)x\(h)")
            var memory = CellGrid(width: w, height: h)
            MemoryView.draw(s, into: &memory, rect: rect)
            assertSnapshot(memory, named: "memory-\(w)x\(h)")
            var grid = CellGrid(width: w, height: h)
            PatchGridView.draw(s, into: &grid, rect: rect)
            assertSnapshot(grid, named: "grid-\(w)x\(h)")
        }
    }

    func testHelpOverlay() throws {
        for (w, h) in Self.sizes {
            let s = update(try state(width: w, height: h), .key(.char("?")))
            assertSnapshot(Screen.render(s, width: w, height: h), named: "help-\(w)x\(h)")
        }
    }

    func testTooSmall() throws {
        let s = try state(width: 79, height: 23)
        assertSnapshot(Screen.render(s, width: 79, height: 23), named: "too-small-79x23")
    }

    func testStepModeWithArenaMapAndHeatmap() throws {
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h)
            s = update(s, .key(.char("s")))
            s = update(s, .stepped(try StepFixtures.snapshot(plan: s.plan)))
            s = update(s, .key(.char("c")))
            assertSnapshot(Screen.render(s, width: w, height: h), named: "step-\(w)x\(h)")
        }
    }
}
