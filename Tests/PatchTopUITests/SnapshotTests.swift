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

    /// MIT's MCUNetV2 (from ../shared/models/tinyengine): the analysis and
    /// plan views, which need no runtime.
    func testMCUNetV2Large() throws {
        let path = UIFixtures.repositoryRoot.appendingPathComponent("../shared/models/tinyengine/mcunetv2_large.tflite").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        let model = try TFLiteReader.load(path: path)
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
