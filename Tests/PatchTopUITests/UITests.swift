import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopUI
import XCTest

enum UIFixtures {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static func model(_ name: String = "mbv2-w0.35-r144") throws -> Model {
        try TFLiteReader.load(path: repositoryRoot.appendingPathComponent("SampleModels/\(name).tflite").path)
    }
}

final class CellGridTests: XCTestCase {
    func testTextIsClippedToTheRectAndGrid() {
        var grid = CellGrid(width: 6, height: 3, fill: Cell("x"))
        grid.text("abcdef", x: 2, y: 1, clip: Rect(x: 1, y: 1, width: 3, height: 1))
        grid.text("hello", x: -2, y: 0)
        grid.text("zz", x: 5, y: 2)
        XCTAssertEqual(grid.lines(), ["lloxxx", "xxabxx", "xxxxxz"])
    }

    func testNeverTrapsOnHostileRectsAndSizes() {
        var grid = CellGrid(width: -5, height: 3)
        XCTAssertEqual(grid.width, 0)
        grid.text("abc", x: Int.max, y: Int.min)
        grid = CellGrid(width: 4, height: 2, fill: Cell("x"))
        grid.fill(Rect(x: Int.max - 1, y: 0, width: Int.max, height: 5), with: Cell("o"))
        grid.fill(Rect(x: -3, y: -3, width: 4, height: 4), with: Cell("o"))
        grid.box(Rect(x: Int.min, y: Int.min, width: Int.max, height: Int.max))
        grid.text("q", x: Int.max, y: 1, clip: Rect(x: Int.max, y: Int.max, width: Int.max, height: Int.max))
        XCTAssertEqual(grid.lines(), ["oxxx", "xxxx"])
        XCTAssertTrue(Rect(x: 0, y: 0, width: 1, height: 1).inset(5).isEmpty)
    }

    func testBox() {
        var grid = CellGrid(width: 5, height: 3, fill: Cell("x"))
        grid.box(Rect(x: 0, y: 0, width: 4, height: 3))
        XCTAssertEqual(grid.lines(), ["┌──┐x", "│xx│x", "└──┘x"])
    }
}

final class UpdateTests: XCTestCase {
    func keys(_ state: AppState, _ keys: [Key]) -> AppState {
        keys.reduce(state) { update($0, .key($1)) }
    }

    func testRaisingPReplans() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 2, patchLayers: 12)
        let raised = keys(state, [.char("P"), .char("P")])
        XCTAssertEqual(raised.plan.patches, 4)
        XCTAssertEqual(raised.plan.peakBytes, try PatchPlan(model: model, patches: 4, patchLayers: 12).peakBytes)
        let lowered = keys(raised, [.char("p")])
        XCTAssertEqual(lowered.plan.patches, 3)
        let moreN = keys(lowered, [.char("N")])
        XCTAssertEqual(moreN.plan.patchLayers, 13)
        XCTAssertEqual(moreN.plan.peakBytes, try PatchPlan(model: model, patches: 3, patchLayers: 13).peakBytes)
    }

    func testInvalidNKeepsStateAndShowsError() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 4, patchLayers: 0)
        let after = keys(state, [.char("n")])
        XCTAssertEqual(after.plan.patchLayers, 0)
        XCTAssertEqual(after.statusMessage, PlanError.patchLayersOutOfRange(patchLayers: -1, opCount: model.operators.count).description)
        let lastValid = (0...model.operators.count).last { (try? PatchPlan(model: model, patches: 4, patchLayers: $0)) != nil }!
        let top = try AppState(model: model, patches: 4, patchLayers: lastValid)
        let above = keys(top, [.char("N")])
        XCTAssertEqual(above.plan.patchLayers, lastValid)
        XCTAssertEqual(above.plan.peakBytes, top.plan.peakBytes)
        do {
            _ = try PatchPlan(model: model, patches: 4, patchLayers: lastValid + 1)
            XCTFail("expected a PlanError")
        } catch {
            XCTAssertEqual(above.statusMessage, error.description)
        }
    }

    func testNavigationHelpAndQuit() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 4, patchLayers: 12)
        var s = keys(state, [.down, .char("j"), .char("j"), .up])
        XCTAssertEqual(s.selectedLayer, 2)
        s = keys(s, [.up, .up, .up, .char("k")])
        XCTAssertEqual(s.selectedLayer, 0)
        s = keys(s, [.char("G")])
        XCTAssertEqual(s.selectedLayer, model.operators.count - 1)
        s = keys(s, [.down])
        XCTAssertEqual(s.selectedLayer, model.operators.count - 1)
        s = keys(s, [.tab])
        XCTAssertEqual(s.focusedPanel, .memory)
        s = keys(s, [.tab, .tab])
        XCTAssertEqual(s.focusedPanel, .layers)
        s = keys(s, [.char("?")])
        XCTAssertTrue(s.showHelp)
        s = keys(s, [.escape])
        XCTAssertFalse(s.showHelp)
        XCTAssertFalse(s.shouldQuit)
        s = keys(s, [.left])
        XCTAssertEqual(s.selectedPatch, 15)
        XCTAssertTrue(keys(s, [.char("q")]).shouldQuit)
        XCTAssertTrue(keys(s, [.escape]).shouldQuit)
    }
}

final class ViewTests: XCTestCase {
    func testTooSmallNotice() throws {
        let state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        let lines = Screen.render(state, width: 79, height: 24).lines()
        XCTAssertEqual(lines.count, 24)
        let notice = "terminal too small: 79×24, need 80×24"
        XCTAssertEqual(lines[12], String(repeating: " ", count: (79 - notice.count) / 2) + notice)
        XCTAssertEqual(lines.filter { !$0.isEmpty }.count, 1)
        XCTAssertFalse(Screen.render(state, width: 80, height: 24).lines()[12].contains("too small"))
        XCTAssertEqual(Screen.render(state, width: 0, height: 0).lines(), [])
    }

    func testLayersViewRows() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        state.selectedLayer = 1
        var grid = CellGrid(width: 84, height: 5)
        LayersView.draw(state, into: &grid, rect: grid.bounds)
        let lines = grid.lines()
        XCTAssertTrue(lines[0].hasPrefix("┌─ Layers (64 ops) ─"))
        XCTAssertEqual(lines[1], "│" + LayersView.header + String(repeating: " ", count: 82 - LayersView.header.count) + "│")
        let live0 = formatFixed(Double(state.plan.liveBytes[0]) / 1024, decimals: 1)
        XCTAssertTrue(lines[2].hasPrefix("│▌   0  CONV_2D           3×3/2  1×72×72×16      82,944"), lines[2])
        XCTAssertTrue(lines[2].contains(" \(live0) "), lines[2])
        XCTAssertTrue(grid[2, 3].style.reverse, "selected row is reversed")
        XCTAssertFalse(grid[2, 2].style.reverse)
        XCTAssertEqual(lines[4], "└" + String(repeating: "─", count: 82) + "┘")
    }

    func testPeakRowMarked() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        state.selectedLayer = state.plan.peakOp
        var grid = CellGrid(width: 84, height: 8)
        LayersView.draw(state, into: &grid, rect: grid.bounds)
        let peakLine = grid.lines().first { $0.contains("▲") }
        XCTAssertNotNil(peakLine)
        XCTAssertTrue(peakLine!.contains(fit("\(state.plan.peakOp)", 3, right: true) + "  "))
    }

    func testMemoryViewMarksBothPeaks() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 4, patchLayers: 12, sramBudget: 64 * 1024)
        var grid = CellGrid(width: 50, height: 40)
        MemoryView.draw(state, into: &grid, rect: grid.bounds)
        let text = grid.lines().joined(separator: "\n")
        let lblPeak = formatFixed(Double(state.plan.layerByLayerPeakBytes) / 1024, decimals: 1)
        let planPeak = formatFixed(Double(state.plan.peakBytes) / 1024, decimals: 1)
        XCTAssertTrue(text.contains("peak \(lblPeak) → \(planPeak)"))
        XCTAssertTrue(text.contains("\(lblPeak)▲"))
        XCTAssertTrue(text.contains("\(planPeak)▲"))
        XCTAssertTrue(text.contains("┆"), "SRAM budget line")
        XCTAssertEqual(MemoryView.bar(8, scale: 8, width: 2), "██")
        XCTAssertEqual(MemoryView.bar(1, scale: 16, width: 2), "▏")
    }

    func testPatchGridInsideAndOutsideTheStage() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        var grid = CellGrid(width: 60, height: 30)
        PatchGridView.draw(state, into: &grid, rect: grid.bounds)
        let lines = grid.lines()
        let recompute = formatFixed(state.plan.recomputeFactor(op: 0), decimals: 2)
        XCTAssertTrue(lines[1].contains("72×72  recompute \(recompute)×"), lines[1])
        XCTAssertTrue(lines.joined().contains("▒"), "overlap shaded")
        let counts = PatchGridView.coverage(plan: state.plan, op: 0)
        let total = counts.joined().reduce(0, +)
        XCTAssertEqual(Double(total) / Double(72 * 72), state.plan.recomputeFactor(op: 0), accuracy: 1e-9)
        XCTAssertTrue(grid[1, 2].style.reverse, "patch 0 covers the top-left corner")
        state.selectedLayer = 20
        grid = CellGrid(width: 60, height: 5)
        PatchGridView.draw(state, into: &grid, rect: grid.bounds)
        XCTAssertTrue(grid.lines()[1].contains("op 20 is outside the patch stage"))
    }

    func testSlidersAndHelpFromBindings() throws {
        let state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        let line = SlidersView.line(state, width: 120)
        XCTAssertTrue(line.hasPrefix("p ███░░░░░ 4  n "), line)
        XCTAssertTrue(line.contains("peak \(formatBytes(state.plan.peakBytes)) vs \(formatBytes(state.plan.layerByLayerPeakBytes))"))
        XCTAssertEqual(HelpOverlay.lines().count, keyBindings.count)
        XCTAssertTrue(Screen.hintBar().contains("q quit"))
        var s = state
        s.showHelp = true
        let screen = Screen.render(s, width: 120, height: 40).lines().joined(separator: "\n")
        for b in keyBindings { XCTAssertTrue(screen.contains(b.help), b.help) }
    }

    func testFullScreenAt120x40And80x24() throws {
        let state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        for (w, h) in [(120, 40), (80, 24)] {
            let lines = Screen.render(state, width: w, height: h).lines(trimTrailing: false)
            XCTAssertEqual(lines.count, h)
            XCTAssertTrue(lines.allSatisfy { $0.count == w })
            XCTAssertTrue(lines[0].hasPrefix("PatchTop — mbv2-w0.35-r144"))
            XCTAssertTrue(lines[h - 1].contains("? help"))
        }
    }
}

final class ReportTests: XCTestCase {
    func testHeader() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 4, patchLayers: 12, options: MemoryOptions(inplaceDepthwise: true), sramBudget: 128 * 1024)
        let report = ReportRenderer(state: state, view: .all, width: 100, height: 30, date: "2026-01-01T00:00:00Z")
        let text = report.render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "PatchTop report — mbv2-w0.35-r144")
        XCTAssertEqual(lines[1], "date            2026-01-01T00:00:00Z")
        XCTAssertEqual(lines[2], "plan            p=4 n=12")
        XCTAssertEqual(lines[3], "memory options  \(MemoryOptions(inplaceDepthwise: true).summary)")
        XCTAssertTrue(lines[4].hasPrefix("peak            \(formatBytes(state.plan.peakBytes)) (\(formatCount(state.plan.peakBytes)) B)"))
        XCTAssertTrue(lines[5].hasPrefix("MAC overhead    +\(formatFixed(state.plan.macOverhead * 100, decimals: 1))%"))
        XCTAssertEqual(lines[6], "engines         TFLite Micro arena 381.7 KiB (390,816 B) (layer by layer)")
        XCTAssertEqual(lines[7], "SRAM budget     128.0 KiB")
        XCTAssertEqual(lines[8], "")
        XCTAssertEqual(Array(lines[9..<39]), Screen.render(state, width: 100, height: 30).lines())
    }
}

final class MouseTests: XCTestCase {
    func testClickSelectsTheLayerUnderThePointer() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        state = update(state, .resize(width: 120, height: 40))
        let panes = Screen.layout(width: 120, height: 40)
        // The first data row of the layers table is 2 rows below the panel's top edge.
        let clicked = update(state, .mouseClick(x: 10, y: panes.layers.y + 2 + 5))
        XCTAssertEqual(clicked.selectedLayer, 5)
        let grid = Screen.render(clicked, width: 120, height: 40)
        XCTAssertTrue(grid[10, panes.layers.y + 2 + 5].style.reverse)
        let focused = update(clicked, .mouseClick(x: panes.grid.x + 3, y: panes.grid.y + 3))
        XCTAssertEqual(focused.focusedPanel, .grid)
        XCTAssertEqual(update(focused, .mouseWheel(up: false)).selectedLayer, 8)
    }

    /// Clicking a slider's bar moves it there, as the keys would: the drawn
    /// line is searched for the bars, so the test follows the real layout.
    func testClickOnASliderReplans() throws {
        for width in [120, 80] {
            var state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
            state = update(state, .resize(width: width, height: 40))
            let line = Array(SlidersView.line(state, width: width))
            let pBar = try XCTUnwrap(line.firstIndex(where: { $0 == "█" || $0 == "░" }))
            let last = update(state, .mouseClick(x: pBar + 7, y: 1))
            XCTAssertEqual(last.plan.patches, 8, "width \(width)")
            XCTAssertEqual(last.plan.patchLayers, 12)
            XCTAssertEqual(update(state, .mouseClick(x: pBar, y: 1)).plan.patches, 1)
            let nLabel = try XCTUnwrap((pBar + 8..<line.count).first { line[$0] == "n" && line[$0 + 1] == " " })
            let first = update(state, .mouseClick(x: nLabel + 2, y: 1))
            XCTAssertEqual(first.plan.patchLayers, 0, "width \(width)")
            XCTAssertEqual(first.plan.patches, 4)
            // Past the bars nothing moves.
            let outside = update(state, .mouseClick(x: nLabel + 2 + 12 + 1, y: 1))
            XCTAssertEqual(outside.plan.patches, 4)
            XCTAssertEqual(outside.plan.patchLayers, 12)
        }
    }

    func testSlidersFitAt80Columns() throws {
        let state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        XCTAssertLessThanOrEqual(SlidersView.line(state, width: 80).count, 80)
        XCTAssertTrue(SlidersView.line(state, width: 80).contains("MACs +"))
    }
}
