import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import PatchTopUI
import XCTest

/// Snapshot tests: screens drawn at 80×24, 120×40 and 200×60 on
/// SampleModels/mbv2-w0.35-r144.tflite (and on MIT's mcunetv2_large when
/// ../shared/models is there), compared cell by cell with the committed
/// `Tests/PatchTopUITests/Snapshots/<name>.txt` (the characters) and
/// `<name>.styles` (one code per cell, its legend on top), so a lost
/// highlight or budget colour fails as surely as a changed character.
/// Every screen is also checked for text cut by a clip (`cutTexts`):
/// anything too long must have been shortened on purpose.
///
/// To re-record after an intended change, run
///
///     PATCHTOP_RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests
///
/// which rewrites the files (and fails, so a recording run is never
/// mistaken for a passing one); review them with `git diff` and commit.
final class SnapshotTests: XCTestCase {
    static let directory = UIFixtures.repositoryRoot.appendingPathComponent("Tests/PatchTopUITests/Snapshots")
    static let sizes = [(80, 24), (120, 40), (200, 60)]
    static var recording: Bool {
        ProcessInfo.processInfo.environment["PATCHTOP_RECORD_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false
    }

    /// The styles of `grid` as text: a legend (`a fg=red bold`) then one line of codes per row (`.` plain).
    static func styleText(_ grid: CellGrid) -> String {
        var codes: [CellStyle: Character] = [.plain: "."]
        var legend: [String] = []
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var rows: [String] = []
        for y in 0..<grid.height {
            var row = ""
            for x in 0..<grid.width {
                let style = grid[x, y].style
                if codes[style] == nil {
                    let code = alphabet[min(alphabet.count - 1, codes.count - 1)]
                    codes[style] = code
                    legend.append("\(code) \(describe(style))")
                }
                row.append(codes[style]!)
            }
            while row.last == "." { row.removeLast() }
            rows.append(row)
        }
        return (legend + ["---"] + rows).joined(separator: "\n") + "\n"
    }

    static func describe(_ s: CellStyle) -> String {
        var parts: [String] = []
        if s.fg != .default { parts.append("fg=\(s.fg)") }
        if s.bg != .default { parts.append("bg=\(s.bg)") }
        if s.bold { parts.append("bold") }
        if s.reverse { parts.append("reverse") }
        if s.dim { parts.append("dim") }
        return parts.joined(separator: " ")
    }

    func assertSnapshot(_ grid: CellGrid, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(grid.cutTexts, [], "\(name): text cut by a clip instead of shortened", file: file, line: line)
        let files = [("txt", grid.lines().joined(separator: "\n") + "\n"), ("styles", Self.styleText(grid))]
        for (ext, text) in files {
            let url = Self.directory.appendingPathComponent("\(name).\(ext)")
            if Self.recording {
                try? FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                XCTAssertNoThrow(try text.write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
                XCTFail("recorded \(url.path); unset PATCHTOP_RECORD_SNAPSHOTS and run again", file: file, line: line)
                continue
            }
            guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("no snapshot \(url.path); record it with PATCHTOP_RECORD_SNAPSHOTS=1", file: file, line: line)
                continue
            }
            let got = text.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
            XCTAssertEqual(got.count, want.count, "\(name).\(ext): line count", file: file, line: line)
            for (index, (g, w)) in zip(got, want).enumerated() where g != w {
                XCTFail("\(name).\(ext) line \(index + 1):\n  got:      \(g)\n  expected: \(w)", file: file, line: line)
                break
            }
        }
    }

    /// p=3 n=13 with the STM32F746 budget, layer 2 selected, patch 5, a finished run, the sweep known.
    func state(width: Int, height: Int, model: Model? = nil, patches: Int = 3, patchLayers: Int = 13, run: Bool = true) throws -> AppState {
        let model = try model ?? UIFixtures.model()
        var s = try AppState(model: model, patches: patches, patchLayers: patchLayers, board: SRAMBudget.board(named: "STM32F746"),
                             pareto: UIFixtures.pareto(model))
        s = update(s, .resize(width: width, height: height))
        s = update(s, .start)
        s.selectedLayer = 2
        s.selectedPatch = 4
        if run {
            let layout = s.plan.layout
            s = update(s, .runFinished(RunSummary(
                request: s.currentRunRequest, peakBytes: s.plan.peakBytes, layerByLayerPeakBytes: s.plan.layerByLayerPeakBytes,
                macOverhead: s.plan.macOverhead, measuredArenaBytes: layout.arenaBytes, plannedArenaBytes: layout.arenaBytes,
                milliseconds: 42.0, identical: true)))
        }
        return s
    }

    func testScreen() throws {
        for (w, h) in Self.sizes {
            let s = try state(width: w, height: h)
            assertSnapshot(Screen.render(s, width: w, height: h), named: "screen-\(w)x\(h)")
        }
    }

    func testOverBudgetScreen() throws {
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h)
            s.budget = SRAMBudget(name: "SRAM", bytes: 100 * 1024)
            assertSnapshot(Screen.render(s, width: w, height: h), named: "over-budget-\(w)x\(h)")
        }
    }

    func testLivePeakAndPareto() throws {
        for (w, h) in Self.sizes {
            let s = try state(width: w, height: h)
            assertSnapshot(Screen.render(update(s, .key(.char("w"))), width: w, height: h), named: "live-\(w)x\(h)")
            assertSnapshot(Screen.render(update(s, .key(.char("v"))), width: w, height: h), named: "pareto-\(w)x\(h)")
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

    /// Issue 23, findings 1 and 2: TinyEngine as the engine, on a plan it
    /// computes wrongly (p=4 does not divide the 18×18 stage output): its
    /// PEAK_MEM named on the top line and in the title, its warning on the
    /// status line.
    func testTinyEngineVerdictAndWarning() throws {
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h, patches: 4, patchLayers: 13)
            s.engine = .tinyengine
            assertSnapshot(Screen.render(s, width: w, height: h), named: "tinyengine-\(w)x\(h)")
            // Issue 23: the Pareto chart's height is TinyEngine's PEAK_MEM, its front over it.
            assertSnapshot(Screen.render(update(s, .key(.char("v"))), width: w, height: h), named: "tinyengine-pareto-\(w)x\(h)")
        }
    }

    /// Issue 23, finding 5: a float model, marked float in the title, and
    /// `w` naming its float32 tensors.
    func testFloatModelLivePeak() throws {
        let model = try UIFixtures.model("mbv2-mini-f32")
        for (w, h) in Self.sizes {
            var s = try AppState(model: model, patches: 2, patchLayers: 4)
            s = update(update(s, .resize(width: w, height: h)), .key(.char("w")))
            assertSnapshot(Screen.render(s, width: w, height: h), named: "float-live-\(w)x\(h)")
        }
    }

    /// Issue 23, finding 7: p=7 (a thin halo against the scale) and the
    /// grid focused, at every size: halo cells and boundary lines show.
    func testPatchGridAtP7() throws {
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h, patches: 7, patchLayers: 10)
            s.selectedLayer = 4
            s.focusedPanel = .grid
            assertSnapshot(Screen.render(s, width: w, height: h), named: "grid-p7-\(w)x\(h)")
        }
    }

    /// Issue 23, finding 9: step mode on a float model after `f`: the final
    /// output in the heatmap.
    func testStepModeOnAFloatModelAfterF() throws {
        let model = try UIFixtures.model("mbv2-mini-f32")
        for (w, h) in Self.sizes {
            var s = try AppState(model: model, patches: 2, patchLayers: 4)
            s = update(update(s, .resize(width: w, height: h)), .key(.char("s")))
            var driver = try RuntimeStepDriver(model: model, request: s.currentRunRequest)
            s = update(s, .stepped(try driver.perform(.toEnd)))
            assertSnapshot(Screen.render(s, width: w, height: h), named: "step-float-done-\(w)x\(h)")
        }
    }

    /// Issue 21: the nRF52840 (Cortex-M4 at 64 MHz): the predicted time on
    /// the title line with its assumption, the layer table's time column,
    /// and the Pareto chart across predicted time.
    func testPredictedTime() throws {
        let model = try UIFixtures.model()
        let setup = try LatencyFixtures.setup(board: "nRF52840")
        let pareto = try LatencyFixtures.pareto(model, setup)
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h)
            s.budget = SRAMBudget.board(named: "nRF52840")
            s.latency = setup
            s.pareto = pareto
            s = update(s, .resize(width: w, height: h))
            assertSnapshot(Screen.render(s, width: w, height: h), named: "latency-\(w)x\(h)")
            assertSnapshot(Screen.render(update(s, .key(.char("v"))), width: w, height: h), named: "latency-pareto-\(w)x\(h)")
        }
    }

    /// Issue 22: a plan of two fused stages made with the stage keys (the
    /// layer table's stage column, the memory chart's stage colours, the
    /// selected op's own grid), and the multi-stage front in the Pareto chart.
    func testMultiStage() throws {
        let model = try UIFixtures.model()
        let front = StageFixtures.front(model)
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h)
            // The new stage takes the head's 3×3; - makes it 2×3.
            for (op, key) in [(17, "["), (20, "]"), (18, "-")] {
                s.selectedLayer = op
                s = update(s, .key(.char(Character(key))))
            }
            s.selectedLayer = 18
            s.hintRotation = 0
            s.statusMessage = ""
            assertSnapshot(Screen.render(s, width: w, height: h), named: "multistage-\(w)x\(h)")
            var p = update(update(s, .key(.char("M"))), .multiStageSwept(front))
            p.hintRotation = 0
            assertSnapshot(Screen.render(p, width: w, height: h), named: "multistage-pareto-\(w)x\(h)")
        }
    }

    /// MIT's MCUNetV2 (from ../shared/models/tinyengine): the analysis and
    /// plan views, which need no runtime.
    func testMCUNetV2Large() throws {
        let model = try EngineVerdictTests.sharedModel("mcunetv2_large")
        let pareto = UIFixtures.pareto(model)
        let pick = try XCTUnwrap(pareto.recommendation(budget: nil))
        for (w, h) in Self.sizes {
            var s = try state(width: w, height: h, model: model, patches: pick.point.patches, patchLayers: pick.point.patchLayers, run: false)
            s.pareto = pareto
            assertSnapshot(Screen.render(s, width: w, height: h), named: "mcunetv2-\(w)x\(h)")
            assertSnapshot(Screen.render(update(s, .key(.char("w"))), width: w, height: h), named: "mcunetv2-live-\(w)x\(h)")
            assertSnapshot(Screen.render(update(s, .key(.char("v"))), width: w, height: h), named: "mcunetv2-pareto-\(w)x\(h)")
        }
    }
}
