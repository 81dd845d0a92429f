import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import Synchronization
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

    private static let sweeps = Mutex<[String: ParetoData]>([:])

    /// The sweep of `model` under TFLite Micro's options, computed once per test run.
    static func pareto(_ model: Model) -> ParetoData {
        if let cached = sweeps.withLock({ $0[model.name] }) { return cached }
        let data = ParetoData(Sweep(model: model), options: .tfliteMicro)
        sweeps.withLock { $0[model.name] = data }
        return data
    }

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
        XCTAssertEqual(keys(s, [.up]).selectedLayer, model.operators.count - 2, "↑ in the memory chart moves the layer")
        s = keys(s, [.tab])
        XCTAssertEqual(s.focusedPanel, .grid)
        // In the patch grid ↑↓ move a row of patches (4 per row at p=4).
        XCTAssertEqual(keys(s, [.down]).selectedPatch, 4)
        XCTAssertEqual(keys(s, [.down]).selectedLayer, s.selectedLayer, "↓ in the grid leaves the layer alone")
        XCTAssertEqual(keys(s, [.up]).selectedPatch, 12, "rows wrap")
        s = keys(s, [.tab])
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

final class KeyDispatchTests: XCTestCase {
    /// The table is unambiguous: no key is bound twice within one mode
    /// (only a mode-specific binding may override a general one), and
    /// every binding is reachable.
    func testTheBindingsTableDrivesDispatch() {
        for binding in keyBindings {
            for key in binding.keys {
                let sameMode = keyBindings.filter { $0.mode == binding.mode && $0.keys.contains(key) }
                XCTAssertEqual(sameMode.count, 1, "\(key) is bound twice in \(binding.mode)")
                let modes = [(false, false), (true, false), (false, true)].filter { binding.applies(stepping: $0.0, pareto: $0.1) }
                XCTAssertTrue(modes.contains { command(for: key, stepping: $0.0, pareto: $0.1) == binding.command }, "\(key) never reaches \(binding.command)")
            }
        }
        XCTAssertEqual(command(for: .right, stepping: true, pareto: false), .stepNext)
        XCTAssertEqual(command(for: .right, stepping: false, pareto: false), .right)
        XCTAssertEqual(command(for: .backspace, stepping: true, pareto: false), .stepBack)
        XCTAssertNil(command(for: .backspace, stepping: false, pareto: false))
        XCTAssertEqual(command(for: .enter, stepping: false, pareto: true), .takePlan)
        XCTAssertEqual(command(for: .char("x"), stepping: false, pareto: false), .exportFirmware)
        XCTAssertNil(command(for: .char("z"), stepping: false, pareto: false))
        let helped = Set(HelpOverlay.lines())
        for label in ["w", "v", "f", "F", "⌫ ←", "Enter"] {
            XCTAssertTrue(helped.contains { $0.hasPrefix(label + " ") }, "help lists \(label)")
        }
    }

    func testKeysDoNothingWhileTheTerminalIsTooSmall() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        s = update(s, .resize(width: 79, height: 30))
        for key: Key in [.char("N"), .char("P"), .char("e"), .char("s"), .char("q"), .down, .char("v")] {
            let (after, effects) = updateWithEffects(s, .key(key))
            XCTAssertEqual(effects, [], "\(key)")
            XCTAssertEqual(after.plan.patchLayers, 13)
            XCTAssertEqual(after.selectedLayer, 0)
            XCTAssertFalse(after.shouldQuit)
            XCTAssertNil(after.step)
        }
        XCTAssertEqual(update(s, .mouseClick(x: 5, y: 5)).selectedLayer, 0)
        XCTAssertEqual(update(update(s, .resize(width: 80, height: 24)), .key(.char("N"))).plan.patchLayers, 14)
    }

    func testPatchNoticesNameTheValidRangeAndTheKeyPressed() throws {
        let model = try UIFixtures.model()
        var s = try AppState(model: model, patches: 1, patchLayers: 13)
        s = update(s, .key(.char("p")))
        let limit = try PatchPlan(model: model, patches: 2, patchLayers: 13).outputGrid
        XCTAssertEqual(s.statusMessage, "p=0 is out of range: the stage output allows 1…\(min(limit.height, limit.width)) patches per side")
        // A large p, then N shrinks the stage output below p: the notice is about n.
        let n = try XCTUnwrap((1..<30).first { n in
            guard let a = try? PatchPlan(model: model, patches: 2, patchLayers: n), let b = try? PatchPlan(model: model, patches: 2, patchLayers: n + 1) else { return false }
            return min(b.outputGrid.height, b.outputGrid.width) < min(a.outputGrid.height, a.outputGrid.width)
        })
        let wide = try PatchPlan(model: model, patches: 2, patchLayers: n).outputGrid
        let p = min(wide.height, wide.width, 64)
        s = try AppState(model: model, patches: p, patchLayers: n)
        let after = update(s, .key(.char("N")))
        XCTAssertEqual(after.plan.patchLayers, n)
        XCTAssertTrue(after.statusMessage.hasPrefix("n=\(n + 1) leaves a stage output too small for p=\(p)"), after.statusMessage)
    }

    func testSlidersAreScaledToTheirValidRanges() throws {
        let model = try UIFixtures.model()
        let sweep = UIFixtures.pareto(model)
        var s = try AppState(model: model, patches: 3, patchLayers: 13, pareto: sweep)
        XCTAssertEqual(s.layerRange, 0...sweep.maxPatchLayers)
        XCTAssertLessThan(sweep.maxPatchLayers, model.operators.count)
        let g = SlidersView.geometry(s, width: 120, y: 1)
        XCTAssertTrue(g.text.contains("13/\(sweep.maxPatchLayers)"), g.text)
        XCTAssertEqual(g.patchesRange, 1...min(s.plan.outputGrid.height, s.plan.outputGrid.width))
        XCTAssertGreaterThan(g.patchesRange.upperBound, 8, "p goes past 8 on this model")
        // The last cell of each bar is its range's top.
        XCTAssertEqual(Screen.layout(s).hit(x: g.patchesBar.upperBound - 1, y: 1), .patches(g.patchesRange.upperBound))
        XCTAssertEqual(Screen.layout(s).hit(x: g.layersBar.upperBound - 1, y: 1), .patchLayers(sweep.maxPatchLayers))
        s = update(s, .mouseClick(x: g.layersBar.upperBound - 1, y: 1))
        XCTAssertEqual(s.plan.patchLayers, sweep.maxPatchLayers, "the top of the n bar is a valid plan")
    }
}

final class VerdictTests: XCTestCase {
    func testPeakComparisonWords() throws {
        XCTAssertEqual(Verdicts.peak(planBytes: 100, layerByLayerBytes: 250, patched: true), "2.50× lower")
        XCTAssertEqual(Verdicts.peak(planBytes: 405_299, layerByLayerBytes: 311_040, patched: true), "1.30× higher")
        XCTAssertEqual(Verdicts.peak(planBytes: 7, layerByLayerBytes: 7, patched: true), "same as layer by layer")
        XCTAssertEqual(Verdicts.peak(planBytes: 7, layerByLayerBytes: 7, patched: false), "layer by layer")
        XCTAssertEqual(Verdicts.budget(300 * 1024, SRAMBudget(name: "X", bytes: 320 * 1024)).text, "fits, 20.0 KiB free")
        XCTAssertEqual(Verdicts.budget(400 * 1024, SRAMBudget(name: "X", bytes: 320 * 1024)).text, "over by 80.0 KiB")
    }

    /// A plan whose peak is above layer by layer says "higher" everywhere it is compared.
    func testAHigherPeakSaysHigherInTheTUIPlanAndReport() throws {
        let model = try UIFixtures.model()
        let point = try XCTUnwrap(UIFixtures.pareto(model).points.first { !$0.isLayerByLayer && $0.peakBytes > UIFixtures.pareto(model).points[0].peakBytes })
        let higher = try PatchPlan(model: model, patches: point.patches, patchLayers: point.patchLayers)
        XCTAssertGreaterThan(higher.peakBytes, higher.layerByLayerPeakBytes)
        let words = Verdicts.peak(higher)
        XCTAssertTrue(words.hasSuffix("× higher"), words)
        let s = try AppState(model: model, patches: higher.patches, patchLayers: higher.patchLayers)
        let screen = Screen.render(s, width: 120, height: 40).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("(\(words))"), "sliders line")
        XCTAssertFalse(screen.contains("lower"))
        XCTAssertTrue(PlanReport(plan: higher).summaryLines().joined().contains(words))
        XCTAssertFalse(PlanReport(plan: higher).summaryLines().joined().contains("lower"))
        XCTAssertTrue(ReportRenderer(state: s, date: "d").headerLines().joined().contains(words))
    }

    func testLayerByLayerSaysSoAndClaimsNoIdenticalRun() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 0)
        s = update(s, .start)
        s = update(s, .runFinished(RunSummary(request: s.currentRunRequest, peakBytes: s.plan.peakBytes, layerByLayerPeakBytes: s.plan.peakBytes,
                                              macOverhead: 0, measuredArenaBytes: 10, plannedArenaBytes: 10, milliseconds: 3, identical: true)))
        let lines = Screen.render(s, width: 120, height: 40).lines()
        XCTAssertTrue(lines[1].contains("(layer by layer)"), lines[1])
        XCTAssertFalse(lines[1].contains("1.00×"))
        XCTAssertTrue(lines[38].hasPrefix("layer by layer  peak"), lines[38])
        XCTAssertFalse(lines[38].contains("identical"))
    }

    /// The memory panel's title gives the verdict at every size; over the
    /// budget it is bold (it survives NO_COLOR) and red.
    func testBudgetVerdictInTheTitleAtEverySize() throws {
        let model = try UIFixtures.model()
        for (budget, word) in [(SRAMBudget(name: "SRAM", bytes: 64 * 1024), "over by"), (SRAMBudget.board(named: "STM32F746")!, "fits")] {
            var s = try AppState(model: model, patches: 4, patchLayers: 10, board: budget)
            s.engine = .tinyengine
            for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
                var t = s
                t.width = w; t.height = h
                let grid = Screen.render(t, width: w, height: h)
                let panes = Screen.layout(t).panes
                let title = grid.lines()[panes.memory.y]
                XCTAssertTrue(title.contains(word), "\(w)×\(h): \(title)")
                if word == "over by" {
                    let chars = Array(title)
                    let x = try XCTUnwrap(chars.indices.first { String(chars[$0...].prefix(7)) == "over by" })
                    XCTAssertTrue(grid[x, panes.memory.y].style.bold)
                    XCTAssertEqual(grid[x, panes.memory.y].style.fg, .red)
                }
            }
        }
    }

    /// Values over the budget are bold and reversed (the budget crossing too); under it they are not.
    func testBarsOverTheBudgetStandOutWithoutColour() throws {
        let model = try UIFixtures.model()
        let s = try AppState(model: model, patches: 3, patchLayers: 13, sramBudget: 100 * 1024)
        let layout = Screen.layout(s)
        let grid = Screen.render(s, width: 120, height: 40)
        let rows = layout.memoryRows
        var sawOver = false, sawUnder = false
        for i in 0..<rows.count {
            let op = rows.first + i
            let lbl = s.plan.layerByLayer.liveBytes[op]
            let line = (rows.x).map { grid[$0, rows.y + i] }
            let value = kibText(lbl)
            let text = String(line.map(\.character))
            guard let range = text.range(of: value) else { continue }
            let cell = line[text.distance(from: text.startIndex, to: range.lowerBound)]
            if lbl > 100 * 1024 {
                XCTAssertTrue(cell.style.bold && cell.style.reverse, "op \(op) over: \(text)")
                XCTAssertTrue(text.contains("┃"))
                sawOver = true
            } else {
                XCTAssertFalse(cell.style.reverse, "op \(op) under: \(text)")
                sawUnder = true
            }
        }
        XCTAssertTrue(sawOver && sawUnder)
    }

    func kibText(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }
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

    func testLayersViewRowsAndContentWidths() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        state.selectedLayer = 1
        state.height = 5
        var grid = CellGrid(width: 84, height: 5)
        let window = RowWindow(x: 1..<83, y: 2, first: 0, count: 2)
        LayersView.draw(state, window, into: &grid, rect: grid.bounds)
        let lines = grid.lines()
        XCTAssertTrue(lines[0].hasPrefix("┌─ Layers (64 ops) ─"))
        let live0 = formatFixed(Double(state.plan.liveBytes[0]) / 1024, decimals: 1)
        XCTAssertTrue(lines[2].hasPrefix("│▌  0  CONV_2D            3×3/2"), lines[2])
        XCTAssertTrue(lines[2].contains(" \(live0) "), lines[2])
        XCTAssertTrue(grid[2, 3].style.reverse, "selected row is reversed")
        XCTAssertFalse(grid[2, 2].style.reverse)
        // A classifier's kernel and shape are whole: widths come from the content.
        let rows = LayerRow.rows(of: model, memory: state.plan.layerByLayer)
        let fc = try XCTUnwrap(rows.first { $0.op == "FULLY_CONNECTED" })
        let columns = LayersView.columns(for: rows, live: rows.map(\.liveBytes), width: 200)
        let text = columns.cells(fc, live: fc.liveBytes, mark: "  ")
        XCTAssertTrue(text.contains(fc.kernel + " "), "\(fc.kernel) whole in: \(text)")
        XCTAssertTrue(text.contains(fc.shapeText), text)
        XCTAssertTrue(fc.kernel.contains("→"), fc.kernel)
    }

    func testPatchGridDrawsBoundariesStatesItsScaleAndHasALegend() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 3, patchLayers: 13)
        state.selectedPatch = 4
        let rect = Rect(x: 0, y: 0, width: 60, height: 30)
        let g = try XCTUnwrap(PatchGridView.geometry(state, rect: rect))
        XCTAssertTrue(g.lines)
        XCTAssertEqual(g.tiles.count, 9)
        var grid = CellGrid(width: 60, height: 30)
        PatchGridView.draw(state, g, into: &grid, rect: rect)
        let lines = grid.lines()
        XCTAssertTrue(lines[1].contains("patch 5/9"), lines[1])
        XCTAssertFalse(lines[1].contains("p5/9"))
        XCTAssertTrue(lines.joined().contains("┼"), "patch boundaries as lines")
        let legend = lines[28]
        XCTAssertTrue(legend.contains("· 1 patch") && legend.contains("▒ 2"), legend)
        XCTAssertTrue(legend.contains("cell ≈ ") && legend.contains(" px"), legend)
        // The selected patch's tile is reversed, its neighbours' halo included only where it overlaps.
        let centre = g.tiles[4]
        XCTAssertTrue(grid[centre.x + centre.width / 2, centre.y + centre.height / 2].style.reverse)
        XCTAssertFalse(grid[g.tiles[0].x, g.tiles[0].y].style.reverse)
        let counts = PatchGridView.coverage(plan: state.plan, op: 0)
        XCTAssertEqual(Double(counts.total) / Double(72 * 72), state.plan.recomputeFactor(op: 0), accuracy: 1e-9)
        // The halo survives downsampling: cells computed twice show as ▒ along a boundary.
        XCTAssertTrue(lines.joined().contains("▒"))
        state.selectedLayer = 20
        grid = CellGrid(width: 60, height: 5)
        PatchGridView.draw(state, PatchGridView.geometry(state, rect: grid.bounds), into: &grid, rect: grid.bounds)
        XCTAssertTrue(grid.lines()[1].contains("op 20 is after the patch stage (ops 0–12)"), grid.lines()[1])
    }

    /// The block-wise coverage equals counting pixel by pixel, for any
    /// regions (overlapping, touching, outside the map, empty).
    func testCoverageBlocksEqualAPixelCount() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        for _ in 0..<200 {
            let height = 1 + next(20), width = 1 + next(20)
            let regions = (0..<next(9)).map { _ -> Region in
                let r0 = next(height + 6) - 3, c0 = next(width + 6) - 3
                return Region(rows: r0..<(r0 + next(12)), cols: c0..<(c0 + next(12)))
            }
            let coverage = PatchGridView.Coverage(height: height, width: width, regions: regions)
            var naive = Array(repeating: Array(repeating: 0, count: width), count: height)
            for r in regions { for y in r.rows where (0..<height).contains(y) { for x in r.cols where (0..<width).contains(x) { naive[y][x] += 1 } } }
            for y in 0..<height { for x in 0..<width { XCTAssertEqual(coverage[row: y, col: x], naive[y][x]) } }
            XCTAssertEqual(coverage.total, naive.joined().reduce(0, +))
            let top = next(height + 4) - 2, left = next(width + 4) - 2
            let rows = top..<(top + next(height) + 1), cols = left..<(left + next(width) + 1)
            let inside = naive[rows.clamped(to: 0..<height)].map { Array($0[cols.clamped(to: 0..<width)]) }
            let summary = coverage.summary(rows: rows, cols: cols)
            XCTAssertEqual(summary.sum, inside.joined().reduce(0, +))
            XCTAssertEqual(summary.most, inside.joined().max() ?? 0)
            XCTAssertEqual(summary.pixels, rows.clamped(to: 0..<height).count * cols.clamped(to: 0..<width).count)
        }
    }

    /// A large map at p = 8 is no longer solid blocks: every tile is there with lines between.
    func testALargeMapAtP8KeepsItsTiles() throws {
        let model = try UIFixtures.model("mbv2-w1.0-r224")
        let state = try AppState(model: model, patches: 8, patchLayers: 6)
        let rect = Rect(x: 0, y: 0, width: 80, height: 40)
        let g = try XCTUnwrap(PatchGridView.geometry(state, rect: rect))
        XCTAssertEqual(g.tiles.count, 64)
        XCTAssertTrue(g.lines)
        var grid = CellGrid(width: 80, height: 40)
        PatchGridView.draw(state, g, into: &grid, rect: rect)
        let text = grid.lines().joined(separator: "\n")
        XCTAssertEqual(text.filter { $0 == "┼" }.count, 49)
    }

    /// A classifier's 1×1×1000 output shows its channels, not one cell.
    func testAOneByOneOutputShowsItsChannels() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        let data = (0..<1000).map { Int8(truncatingIfNeeded: $0 % 200 - 100) }
        let values = StepValues(tensor: 9, rows: 0..<1, cols: 0..<1, channels: 1000, data: data)
        s.step = AppState.StepMode(snapshot: StepSnapshot(position: 1, stepCount: 2, last: StepPoint(op: 63, patch: nil), next: nil,
                                                          blocks: [], arenaBytes: 10, values: values, isFinished: false))
        var grid = CellGrid(width: 60, height: 12)
        HeatmapView.draw(s, into: &grid, rect: grid.bounds)
        let lines = grid.lines()
        XCTAssertTrue(lines[1].contains("1000 values"), lines[1])
        XCTAssertTrue(lines[1].contains("max 99 at 199"), lines[1])
        let shaded = lines.dropFirst(3).joined().filter { HeatmapView.shades.contains($0) && $0 != " " }
        XCTAssertGreaterThan(shaded.count, 250, "the channels fill the panel")
        XCTAssertEqual(grid.cutTexts, [])
    }

    func testHelpListsEveryLabelledBinding() throws {
        let labelled = keyBindings.filter { !$0.label.isEmpty }
        XCTAssertEqual(HelpOverlay.lines().count, labelled.count)
        XCTAssertTrue(Screen.hintBar().contains("q quit"))
        var s = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        s.showHelp = true
        let screen = Screen.render(s, width: 120, height: 40).lines().joined(separator: "\n")
        for b in labelled { XCTAssertTrue(screen.contains(b.help), b.help) }
    }

    func testFullScreenAtEverySize() throws {
        let state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
        for (w, h) in [(120, 40), (80, 24), (200, 60)] {
            let grid = Screen.render(state, width: w, height: h)
            let lines = grid.lines(trimTrailing: false)
            XCTAssertEqual(lines.count, h)
            XCTAssertTrue(lines.allSatisfy { $0.count == w })
            XCTAssertTrue(lines[0].hasPrefix("PatchTop — mbv2-w0.35-r144"))
            XCTAssertTrue(lines[h - 1].contains("? help"))
            XCTAssertEqual(grid.cutTexts, [], "\(w)×\(h)")
        }
    }

    func testLivePeakPanelListsTheBuffersThatMakeThePeak() throws {
        let model = try UIFixtures.model()
        var s = try AppState(model: model, patches: 3, patchLayers: 13)
        s = update(s, .key(.char("w")))
        XCTAssertTrue(s.showLive)
        let grid = Screen.render(s, width: 120, height: 40)
        let text = grid.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("Live at peak: op \(s.plan.peakOp)"), text)
        let buffers = LiveBuffer.atPeak(of: s.plan)
        XCTAssertFalse(buffers.isEmpty)
        XCTAssertEqual(buffers.reduce(0) { $0 + $1.bytes }, s.plan.peakBytes, "the buffers live at the peak sum to it")
        XCTAssertTrue(buffers.contains { $0.kind == "patch region" }, "a stage peak holds patch regions")
        for buffer in buffers.prefix(3) {
            XCTAssertTrue(text.contains(buffer.extent), buffer.extent)
        }
        XCTAssertEqual(grid.cutTexts, [])
        XCTAssertFalse(update(s, .key(.char("w"))).showLive)
    }
}

final class ParetoTests: XCTestCase {
    func state() throws -> AppState {
        let model = try UIFixtures.model()
        var s = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro, budget: SRAMBudget(name: "SRAM", bytes: 128 * 1024))
        s = update(s, .resize(width: 200, height: 60))
        return s
    }

    func testOpeningAtTheRecommendationSaysWhy() throws {
        let model = try UIFixtures.model()
        let budget = SRAMBudget(name: "SRAM", bytes: 128 * 1024)
        let s = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro, budget: budget)
        let sweep = Sweep(model: model)
        let best = try XCTUnwrap(sweep.best(fitting: budget.bytes))
        XCTAssertEqual([s.plan.patches, s.plan.patchLayers], [best.patches, best.patchLayers])
        XCTAssertEqual(s.statusMessage, "opened at p=\(best.patches) n=\(best.patchLayers): TFLite Micro's arena is over; by plan peak, fewest MACs that fits SRAM 128.0 KiB")
        let free = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro, budget: nil)
        let cheap = sweep.plans.filter { $0.macOverhead <= 0.2 }.min { ($0.peakBytes, $0.macs) < ($1.peakBytes, $1.macs) }
        XCTAssertEqual(free.plan.peakBytes, cheap?.peakBytes)
        XCTAssertTrue(free.plan.isPatched)
        XCTAssertTrue(free.statusMessage.hasSuffix("smallest peak with MACs +20% at most"), free.statusMessage)
        let given = try AppState.opening(model: model, patches: 2, patchLayers: 5, options: .tfliteMicro, budget: nil)
        XCTAssertEqual([given.plan.patches, given.plan.patchLayers], [2, 5])
        XCTAssertEqual(given.statusMessage, "")
        XCTAssertTrue(Screen.render(free, width: 80, height: 24).lines()[22].hasPrefix("opened at p="))
    }

    func testVOpensTheChartArrowsWalkTheFrontAndEnterTakesThePlan() throws {
        var s = try state()
        s = update(s, .key(.char("v")))
        XCTAssertTrue(s.showPareto)
        let front = try XCTUnwrap(s.pareto?.front)
        let grid = Screen.render(s, width: 200, height: 60)
        let text = grid.lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("Pareto"), text)
        XCTAssertTrue(text.contains("★"), "the current plan is marked")
        XCTAssertTrue(text.contains("┄"), "the budget line")
        XCTAssertEqual(text.filter { $0 == "●" }.count + (text.contains("◉") ? 1 : 0) + (text.contains("★") ? 1 : 0) >= front.count, true)
        XCTAssertEqual(grid.cutTexts, [])
        let start = s.paretoCursor
        s = update(s, .key(.right))
        XCTAssertEqual(s.paretoCursor, max(0, start - 1), "→ toward a lower peak")
        s = update(s, .key(.left))
        s = update(s, .key(.left))
        XCTAssertEqual(s.paretoCursor, min(front.count - 1, start + 1))
        let target = front[s.paretoCursor]
        let (taken, effects) = updateWithEffects(s, .key(.enter))
        XCTAssertEqual([taken.plan.patches, taken.plan.patchLayers], [target.patches, target.patchLayers])
        XCTAssertEqual(effects, [.run(taken.currentRunRequest)])
        XCTAssertFalse(update(taken, .key(.escape)).showPareto, "Esc closes the chart first")
        XCTAssertFalse(update(taken, .key(.escape)).shouldQuit)
        // A click on a front plan marks it.
        let layout = Screen.layout(taken)
        let point = try XCTUnwrap(layout.pareto?.front.last)
        XCTAssertEqual(update(taken, .mouseClick(x: point.x, y: point.y)).paretoCursor, front.count - 1)
    }

    func testTheChartSaysWhileTheSweepForNewOptionsRuns() throws {
        var s = try state()
        s = update(s, .key(.char("v")))
        let (changed, effects) = updateWithEffects(s, .key(.char("m")))
        XCTAssertTrue(effects.contains(.sweep(changed.options)))
        let text = Screen.render(changed, width: 200, height: 60).lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("sweeping every plan"), text)
        let swept = update(changed, .swept(ParetoData(Sweep(model: changed.model, options: changed.options), options: changed.options)))
        XCTAssertEqual(swept.pareto?.options, changed.options)
        XCTAssertTrue(Screen.render(swept, width: 200, height: 60).lines().joined().contains("★"))
        XCTAssertNil(update(changed, .swept(try XCTUnwrap(s.pareto))).pareto.flatMap { $0.options == changed.options ? $0 : nil }, "a sweep for other options is dropped")
    }

    func testTheFrontIsNonDominatedAndOrdered() throws {
        let s = try state()
        let data = try XCTUnwrap(s.pareto)
        for (a, b) in zip(data.front, data.front.dropFirst()) {
            XCTAssertLessThan(a.peakBytes, b.peakBytes)
            XCTAssertGreaterThan(a.macs, b.macs)
        }
        for point in data.points {
            XCTAssertFalse(data.front.contains { $0.peakBytes < point.peakBytes && $0.macs < point.macs && data.front.contains(point) })
        }
    }
}

final class ReportTests: XCTestCase {
    func testHeader() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 4, patchLayers: 12, options: MemoryOptions(inplaceDepthwise: true), sramBudget: 128 * 1024)
        let report = ReportRenderer(state: state, view: .all, width: 100, height: 30, date: "2026-01-01T00:00:00Z")
        let text = report.render()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "PatchTop report — mbv2-w0.35-r144")
        XCTAssertEqual(lines[1], "date            2026-01-01T00:00:00Z")
        XCTAssertEqual(lines[2], "plan            p=4 n=12")
        XCTAssertEqual(lines[3], "memory options  \(MemoryOptions(inplaceDepthwise: true).summary)")
        XCTAssertEqual(lines[4], "halo caches     none")
        lines.remove(at: 4)
        XCTAssertTrue(lines[4].hasPrefix("peak            \(formatBytes(state.plan.peakBytes)) (\(formatCount(state.plan.peakBytes)) B)"))
        XCTAssertTrue(lines[5].hasPrefix("MAC overhead    +\(formatFixed(state.plan.macOverhead * 100, decimals: 1))%"))
        XCTAssertEqual(lines[6], "engines         \(state.engines.line)")
        XCTAssertTrue(lines[6].hasPrefix("engines         TFLite Micro arena 381.7 KiB (390,816 B) (layer by layer) · TinyEngine PEAK_MEM "), lines[6])
        XCTAssertTrue(lines[6].hasSuffix(" · this plan needs \(formatBytes(state.plan.peakBytes))"), lines[6])
        // A patch plan has no TFLite Micro figure: no verdict, and the header says why (never the plan's peak instead).
        XCTAssertEqual(lines[7], "engine          TFLite Micro: no figure for this plan (TFLite Micro runs layer by layer only)")
        XCTAssertEqual(lines[8], "SRAM budget     128.0 KiB: no verdict: TFLite Micro runs layer by layer only")
        XCTAssertEqual(lines[9], "selected        op 0, patch 1/16 (marked » and #)")
        let blank = try XCTUnwrap(lines.firstIndex(of: ""))
        let body = Array(lines[(blank + 1)..<(blank + 31)])
        XCTAssertEqual(body, Screen.render(state, width: 100, height: 30, exporting: true).lines())
        XCTAssertFalse(body.joined().contains("q quit"), "no hint bar in a report")
        XCTAssertTrue(body.contains { $0.contains("»  0") || $0.contains("» 0") || $0.contains("»0") }, "the selected row is marked")
        XCTAssertTrue(body.joined().contains("#"), "the selected patch is marked")
    }
}

final class MouseTests: XCTestCase {
    func testClickSelectsTheLayerUnderThePointerEvenAfterScrolling() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 4, patchLayers: 12)
        state = update(state, .resize(width: 120, height: 40))
        state = update(state, .key(.char("G")))
        let layout = Screen.layout(state)
        let rows = layout.layerRows
        let y = rows.y + 5
        let clicked = update(state, .mouseClick(x: 10, y: y))
        XCTAssertEqual(clicked.selectedLayer, rows.first + 5)
        // The row now drawn under the pointer is the selected one (no re-centring under it).
        let grid = Screen.render(clicked, width: 120, height: 40)
        XCTAssertTrue(grid[10, y].style.reverse)
        XCTAssertEqual(Screen.layout(clicked).layerRows.layer(atRow: y, column: 10), clicked.selectedLayer)
        // Same in the memory chart.
        let memory = layout.memoryRows
        let inMemory = update(state, .mouseClick(x: memory.x.lowerBound + 2, y: memory.y + 3))
        XCTAssertEqual(inMemory.selectedLayer, memory.first + 3)
        XCTAssertEqual(inMemory.focusedPanel, .memory)
        XCTAssertEqual(update(clicked, .mouseWheel(up: true)).selectedLayer, clicked.selectedLayer - 3)
    }

    func testClickOnAPatchTileSelectsIt() throws {
        var state = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        state = update(state, .resize(width: 120, height: 40))
        let tiles = try XCTUnwrap(Screen.layout(state).patchGrid?.tiles)
        XCTAssertEqual(tiles.count, 9)
        for patch in [0, 4, 8] {
            let t = tiles[patch]
            let clicked = update(state, .mouseClick(x: t.x + t.width / 2, y: t.y + t.height / 2))
            XCTAssertEqual(clicked.selectedPatch, patch)
            XCTAssertEqual(clicked.focusedPanel, .grid)
        }
    }

    func testClickOnASliderReplans() throws {
        for width in [120, 80] {
            var state = try AppState(model: UIFixtures.model(), patches: 4, patchLayers: 12)
            state = update(state, .resize(width: width, height: 40))
            let g = Screen.layout(state).sliders
            let text = Array(g.text)
            XCTAssertTrue(g.patchesBar.allSatisfy { text[$0] == "█" || text[$0] == "░" }, "p bar where drawn")
            XCTAssertTrue(g.layersBar.allSatisfy { text[$0] == "█" || text[$0] == "░" }, "n bar where drawn")
            XCTAssertEqual(update(state, .mouseClick(x: g.patchesBar.lowerBound, y: 1)).plan.patches, 1)
            let first = update(state, .mouseClick(x: g.layersBar.lowerBound, y: 1))
            XCTAssertEqual(first.plan.patchLayers, 0, "width \(width)")
            XCTAssertEqual(first.plan.patches, 4)
            let outside = update(state, .mouseClick(x: g.layersBar.upperBound + 1, y: 1))
            XCTAssertEqual(outside.plan.patches, 4)
            XCTAssertEqual(outside.plan.patchLayers, 12)
            XCTAssertLessThanOrEqual(g.text.count, width)
        }
    }
}

final class HaloCacheUITests: XCTestCase {
    private func keys(_ state: AppState, _ keys: [Key]) -> AppState {
        keys.reduce(state) { update($0, .key($1)) }
    }

    /// `H` cycles none → auto → all → none, re-plans with the caches each
    /// time and says what they save; the background run is asked for with
    /// the same caching.
    func testHCyclesTheCacheModeAndReplans() throws {
        let model = try UIFixtures.model()
        let start = try AppState(model: model, patches: 3, patchLayers: 10)
        let auto = keys(start, [.char("H")])
        XCTAssertEqual(auto.caching, .auto)
        XCTAssertLessThanOrEqual(auto.plan.macs, start.plan.macs)
        XCTAssertEqual(auto.currentRunRequest.haloCaching, auto.plan.haloCaching)
        let all = keys(auto, [.char("H")])
        XCTAssertEqual(all.caching, .all)
        XCTAssertFalse(all.plan.caches.isEmpty)
        XCTAssertEqual(all.plan.macOverhead, 0, accuracy: 1e-12)
        XCTAssertTrue(all.statusMessage.contains("caches save"), all.statusMessage)
        XCTAssertEqual(keys(all, [.char("H")]).caching, .none)
        XCTAssertEqual(keys(all, [.char("H")]).plan.macs, start.plan.macs)
    }

    /// With caches, the part of the selected patch's region its op does not
    /// compute is drawn `○` (cyan) and the legend says so; without, never.
    func testThePatchGridMarksCellsServedFromACache() throws {
        let model = try UIFixtures.model()
        var cached = try AppState(model: model, patches: 3, patchLayers: 10, caching: .all)
        cached.selectedPatch = 4
        cached.selectedLayer = 1
        let rect = Rect(x: 0, y: 0, width: 60, height: 30)
        var grid = CellGrid(width: 60, height: 30)
        PatchGridView.draw(cached, PatchGridView.geometry(cached, rect: rect), into: &grid, rect: rect)
        let text = grid.lines().joined()
        XCTAssertTrue(text.contains("○"), "cells served from a cache")
        XCTAssertTrue(text.contains("○ from cache"), "the legend names them")
        var plain = cached
        plain.plan = try PatchPlan(model: model, patches: 3, patchLayers: 10)
        grid = CellGrid(width: 60, height: 30)
        PatchGridView.draw(plain, PatchGridView.geometry(plain, rect: rect), into: &grid, rect: rect)
        XCTAssertFalse(grid.lines().joined().contains("○"))
    }
}

final class EngineBudgetTests: XCTestCase {
    /// Layer by layer, the budget holds TFLite Micro's whole arena by
    /// default; `E` switches to TinyEngine, which has no figure for a model
    /// with SOFTMAX, so there is no verdict, and the words say why.
    func testTheBudgetComparesWithTheChosenEngine() throws {
        let model = try UIFixtures.model("mbv1-w0.25-r96-g")
        let state = try AppState(model: model, patches: 1, patchLayers: 0, board: SRAMBudget.board(named: "STM32F746"))
        let tflm = try TFLiteMicroArena.predict(for: model).get().arenaBytes
        XCTAssertEqual(state.required.bytes, tflm)
        XCTAssertGreaterThan(tflm, state.plan.peakBytes, "the arena holds more than the activations")
        XCTAssertTrue(MemoryView.title(state, width: 120).contains("TFLite Micro arena"), MemoryView.title(state, width: 120))
        XCTAssertTrue(state.engines.line.hasPrefix("TFLite Micro arena \(formatBytes(tflm)) (\(formatCount(tflm)) B) (layer by layer)"), state.engines.line)
        let te = update(state, .key(.char("E")))
        XCTAssertEqual(te.engine, .tinyengine)
        XCTAssertNil(te.required.bytes)
        XCTAssertTrue(te.required.why?.hasPrefix("no TinyEngine figure: ") == true, "\(te.required)")
        XCTAssertTrue(MemoryView.title(te, width: 400).contains("no verdict: no TinyEngine figure: "), MemoryView.title(te, width: 400))
        XCTAssertTrue(MemoryView.title(te, width: 60).contains("no TE figure"), MemoryView.title(te, width: 60))
        XCTAssertTrue(te.statusMessage.hasPrefix("engine TinyEngine"), te.statusMessage)
        _ = update(te, .resize(width: 120, height: 40))
    }

    /// A patch plan has no TFLite Micro figure; TinyEngine's PEAK_MEM for it
    /// is what `E` compares on a model TinyEngine converts.
    func testPatchPlansSayTFLiteMicroHasNoFigure() throws {
        let model = try UIFixtures.model("mbv2-w0.35-r144")
        var state = try AppState(model: model, patches: 2, patchLayers: 10, board: SRAMBudget.board(named: "STM32F746"))
        XCTAssertNil(state.required.bytes)
        XCTAssertEqual(state.required.why, "TFLite Micro runs layer by layer only")
        state.engine = .tinyengine
        let expected = try TinyEngineEstimate.of(model: model, patches: 2, patchLayers: 10).get().memory.peakMemBytes
        XCTAssertEqual(state.required.bytes, expected)
        XCTAssertEqual(state.required.name, "TinyEngine PEAK_MEM")
        // The figures follow a re-plan.
        let replanned = update(state, .key(.char("P")))
        XCTAssertEqual(replanned.engines.tinyEngine, .success(try TinyEngineEstimate.of(model: model, patches: 3, patchLayers: 10).get().memory.peakMemBytes))
    }
}

final class NegativeOverheadTests: XCTestCase {
    /// With every overlap cached a stage can compute fewer positions than
    /// layer by layer (a stride-2 conv never needs its input's last row):
    /// the views say `MACs -3.3%`, never `+-3.3%`.
    func testANegativeOverheadIsWrittenWithItsSign() throws {
        let model = try UIFixtures.model("tiny-allops")
        let state = try AppState(model: model, patches: 2, patchLayers: 12, caching: .all)
        XCTAssertLessThan(state.plan.macOverhead, 0)
        let screen = Screen.render(state, width: 120, height: 40).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("MACs \(formatPercentChange(state.plan.macOverhead))"), screen)
        XCTAssertTrue(formatPercentChange(state.plan.macOverhead).hasPrefix("-"))
        XCTAssertFalse(screen.contains("+-"), screen)
        XCTAssertFalse(PlanReport(plan: state.plan).lines().joined().contains("+-"))
    }
}
