import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import Synchronization
import XCTest

enum LatencyFixtures {
    /// The committed table's setup for `board` (its core and clock).
    static func setup(board name: String) throws -> LatencySetup {
        let board = try XCTUnwrap(SRAMBudget.board(named: name))
        return try XCTUnwrap(LatencySetup.resolve(table: try CalibrationTable.bundled(), target: nil, clockHz: nil, calibration: nil, board: board))
    }

    /// How `tui` follows `b` with nothing fixed on the command line.
    static let follow: @Sendable (SRAMBudget?) -> LatencySetup? = { board in
        guard let table = try? CalibrationTable.bundled() else { return nil }
        return LatencySetup.resolve(table: table, target: nil, clockHz: nil, calibration: nil, board: board)
    }

    /// The (p, n) sweep with each plan's instructions predicted on `setup`'s core.
    static func pareto(_ model: Model, _ setup: LatencySetup) throws -> ParetoData {
        ParetoData(Sweep(model: model, cost: .instructions(try XCTUnwrap(setup.model))), options: .tfliteMicro)
    }
}

/// Issue 21 in the TUI: the plan's predicted time on the title line, per
/// op in the layer table, across the Pareto chart, and in the report.
final class LatencyUITests: XCTestCase {
    func state(board: String = "nRF52840", width: Int = 120, height: Int = 40) throws -> AppState {
        let model = try UIFixtures.model()
        let setup = try LatencyFixtures.setup(board: board)
        var s = try AppState(model: model, patches: 3, patchLayers: 13, board: SRAMBudget.board(named: board),
                             pareto: try LatencyFixtures.pareto(model, setup))
        s.latency = setup
        s.latencyForBoard = LatencyFixtures.follow
        return update(s, .resize(width: width, height: height))
    }

    func testTheTitleLineShowsThePredictedTimeAndItsAssumption() throws {
        let s = try state()
        let prediction = try XCTUnwrap(s.prediction)
        XCTAssertEqual(prediction.core, .cortexM4)
        XCTAssertEqual(prediction.clockHz, 64_000_000)
        XCTAssertEqual(prediction.instructions, try XCTUnwrap(s.latency?.model).predict(s.plan).instructions)
        let ms = try XCTUnwrap(prediction.milliseconds)
        for (w, h) in SnapshotTests.sizes {
            let title = Screen.render(s, width: w, height: h).lines()[0]
            XCTAssertTrue(title.contains(formatMilliseconds(ms)), "\(w): \(title)")
            XCTAssertTrue(title.contains("1 instr/cycle") || title.contains("one per cycle, not measured cycles"), "\(w): the assumption stays: \(title)")
        }
        // A re-plan re-predicts.
        let fewer = update(s, .key(.char("p")))
        XCTAssertEqual(fewer.prediction?.instructions, try XCTUnwrap(s.latency?.model).predict(fewer.plan).instructions)
        XCTAssertNotEqual(fewer.prediction?.instructions, prediction.instructions)
    }

    func testTheLayerTableHasATimeColumnOpByOp() throws {
        let s = try state(width: 200, height: 60)
        let prediction = try XCTUnwrap(s.prediction)
        let lines = Screen.render(s, width: 200, height: 60).lines()
        func lastHeader(_ line: String) -> String { line.split(separator: "│").first.map { String($0.split(separator: " ").last ?? "") } ?? "" }
        XCTAssertEqual(lastHeader(lines[3]), "ms", lines[3])
        // Op 3 (a 1×1 conv in the stage): its own predicted time, at the row's end.
        let op = try XCTUnwrap(prediction.ops.first { $0.index == 3 })
        let ms = try XCTUnwrap(prediction.milliseconds(of: op))
        let row = try XCTUnwrap(lines.first { $0.hasPrefix("│▌  3 ") })
        let cell = row.split(separator: "│")[0].split(separator: " ").last.map(String.init)
        XCTAssertEqual(cell, formatFixed(ms, decimals: ms >= 100 ? 0 : ms >= 1 ? 1 : 2), row)
        // Without a clock the column counts instructions.
        var noClock = s
        noClock.latency?.clockHz = nil
        let header = Screen.render(noClock, width: 200, height: 60).lines()[3]
        XCTAssertEqual(lastHeader(header), "instr", header)
        // Without a target, no column.
        var none = s
        none.latency = nil
        XCTAssertEqual(lastHeader(Screen.render(none, width: 200, height: 60).lines()[3]), "MACs")
    }

    func testTheParetoChartRunsAcrossPredictedTime() throws {
        var s = try state(width: 200, height: 60)
        s = update(s, .key(.char("v")))
        let g = try XCTUnwrap(s.layout?.pareto)
        XCTAssertEqual(g.xAxis, .milliseconds)
        let screen = Screen.render(s, width: 200, height: 60).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("Pareto: peak vs predicted ms"), screen)
        XCTAssertTrue(screen.contains("predicted ms, Cortex-M4 at 64 MHz (nRF52840), 1 instr/cycle"), screen)
        // Under TFLite Micro its arena (layer by layer only) is marked `T` at the layer-by-layer plan's time.
        XCTAssertTrue(screen.contains("T TFLM arena (layer by layer)"), screen)
        let arena = try s.engines.tflm.get()
        let lines = Screen.render(s, width: 200, height: 60).lines()
        let plot = try XCTUnwrap(s.layout?.pareto?.plot)
        let top = lines[plot.y]
        XCTAssertTrue(top.contains(" \(formatFixed(Double(arena) / 1024, decimals: 1))│"), "the arena tops the axis: \(top)")
        let afterAxis = top.components(separatedBy: "\(formatFixed(Double(arena) / 1024, decimals: 1))│").last ?? ""
        XCTAssertEqual(afterAxis.first { $0 != " " }, "T", "at the layer-by-layer plan, the fastest: \(top)")
        var te = s
        te.engine = .tinyengine
        XCTAssertFalse(Screen.render(te, width: 200, height: 60).lines().joined().contains("T TFLM"))
        // The front is over peak against predicted instructions.
        let front = s.paretoFront
        XCTAssertFalse(front.isEmpty)
        let instructions = front.map { $0.instructions ?? -1 }
        XCTAssertEqual(instructions, instructions.sorted(by: >), "lower peak, more instructions")
        XCTAssertTrue(front.allSatisfy { $0.instructions != nil })
        // Without a target the axis is MAC overhead again.
        var plain = s
        plain.latency = nil
        XCTAssertEqual(Screen.layout(plain).pareto?.xAxis, .macOverhead)
    }

    func testBoardsCarryTheirCoreAndClockAndOneWithoutACoreSaysSo() throws {
        var s = try state()
        // b: nRF52840 → STM32F412 (M4 at 100 MHz): the time follows the board.
        var effects: [Effect]
        (s, effects) = updateWithEffects(s, .key(.char("b")))
        XCTAssertEqual(s.budget?.name, "STM32F412")
        XCTAssertEqual(s.prediction?.clockHz, 100_000_000)
        XCTAssertFalse(effects.contains(.sweep(s.options)), "same core: the sweep's instructions stand")
        (s, effects) = updateWithEffects(s, .key(.char("b")))
        XCTAssertEqual(s.budget?.name, "RP2040")
        XCTAssertNil(s.prediction)
        let title = Screen.render(s, width: 200, height: 60).lines()[0]
        XCTAssertTrue(title.contains("RP2040: no instruction prediction"), title)
        (s, effects) = updateWithEffects(s, .key(.char("b")))
        XCTAssertEqual(s.budget?.name, "STM32F746")
        XCTAssertEqual(s.prediction?.core, .cortexM7)
        XCTAssertEqual(s.prediction?.clockHz, 216_000_000)
        XCTAssertTrue(effects.contains(.sweep(s.options)), "another core: the sweep is predicted again")
        XCTAssertFalse(s.paretoIsCurrent)
    }

    func testTheReportCarriesTheSameFigures() throws {
        let s = try state()
        let prediction = try XCTUnwrap(s.prediction)
        let text = ReportRenderer(state: s, width: 120, height: 40, date: "d").render()
        XCTAssertTrue(text.contains("instructions    \(formatInstructions(prediction.instructions)) instructions predicted on Cortex-M4"), text)
        XCTAssertTrue(text.contains("\(formatMilliseconds(try XCTUnwrap(prediction.milliseconds))) at 64 MHz (nRF52840; instructions at one per cycle, not measured cycles)"), text)
        // Every layer: the time column too, each op's own figure.
        let every = ReportRenderer(state: s, width: 120, height: 40, date: "d").everyLayer()
        XCTAssertTrue(every[0].contains("ms predicted on Cortex-M4 at 64 MHz (nRF52840)"), every[0])
        XCTAssertTrue(every[1].hasSuffix("ms"), every[1])
        let op = try XCTUnwrap(prediction.ops.first { $0.index == 0 })
        let ms = try XCTUnwrap(prediction.milliseconds(of: op))
        XCTAssertTrue(every[2].hasSuffix(" " + formatFixed(ms, decimals: ms >= 100 ? 0 : ms >= 1 ? 1 : 2)), every[2])
    }

    func testOpeningWithATargetPredictsTheSweepInTheBackground() throws {
        let model = try UIFixtures.model("tiny-allops")
        let setup = try LatencyFixtures.setup(board: "nRF52840")
        let opened = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro, budget: nil, latency: setup)
        XCTAssertNotNil(opened.prediction)
        XCTAssertNil(opened.pareto?.core, "the opening sweep is MACs only: no prediction on the input thread")
        XCTAssertFalse(opened.paretoIsCurrent)
        XCTAssertTrue(updateWithEffects(opened, .start).effects.contains(.sweep(.tfliteMicro)))
    }

    func testTheSweepEffectPredictsInTheBackground() throws {
        let model = try UIFixtures.model("tiny-allops")
        let setup = try LatencyFixtures.setup(board: "STM32F746")
        var s = try AppState(model: model, patches: 1, patchLayers: 0)
        s.latency = setup
        let handler = EffectHandler(planRunner: nil, sweepModel: model)
        handler.perform([.sweep(s.options)], in: s)
        var swept: ParetoData?
        for _ in 0..<600 where swept == nil {
            for case .swept(let data) in handler.waitForMessages(seconds: 0.1) { swept = data }
        }
        let data = try XCTUnwrap(swept)
        XCTAssertEqual(data.core, .cortexM7)
        let cost = try XCTUnwrap(setup.model)
        for point in data.points.prefix(5) {
            let plan = try PatchPlan(model: model, patches: point.patches, patchLayers: point.patchLayers)
            XCTAssertEqual(point.instructions, cost.instructions(plan))
        }
        XCTAssertTrue(update(s, .swept(data)).paretoIsCurrent)
    }

    /// `M` with a target: the background search is on predicted
    /// instructions, so the chart's multi-stage front is the instruction
    /// front (each plan's figure the predictor's own).
    func testTheMultiStageSearchEffectSearchesOnInstructionsWithATarget() throws {
        let model = try UIFixtures.model("tiny-allops")
        let setup = try LatencyFixtures.setup(board: "STM32F746")
        var s = try AppState(model: model, patches: 1, patchLayers: 0)
        s.latency = setup
        let handler = EffectHandler(planRunner: nil, sweepModel: model)
        handler.perform([.multiStageSearch(s.options)], in: s)
        var found: MultiStageFront?
        for _ in 0..<600 where found == nil {
            for case .multiStageSwept(let front) in handler.waitForMessages(seconds: 0.1) { found = front }
        }
        let front = try XCTUnwrap(found)
        XCTAssertEqual(front.core, .cortexM7)
        let cost = try XCTUnwrap(setup.model)
        let search = MultiStageSearch(model: model, options: s.options, cost: .instructions(cost))
        XCTAssertEqual(front.points.map(\.peakBytes), search.front.map(\.peakBytes))
        XCTAssertEqual(front.points.map(\.instructions), search.front.map(\.instructions))
        for (point, found) in zip(front.points, search.front) {
            XCTAssertEqual(point.instructions, cost.instructions(found.plan))
        }
        let costs = front.points.compactMap(\.instructions)
        XCTAssertEqual(costs.count, front.points.count)
        XCTAssertEqual(costs, costs.sorted(by: >))
    }
}

enum StageFixtures {
    private static let fronts = Mutex<[String: MultiStageFront]>([:])

    /// MultiStageSearch's front of `model` (TFLite Micro's options), once per test run.
    static func front(_ model: Model) -> MultiStageFront {
        if let cached = fronts.withLock({ $0[model.name] }) { return cached }
        let front = MultiStageFront(MultiStageSearch(model: model), cost: nil)
        fronts.withLock { $0[model.name] = front }
        return front
    }
}

/// Issue 22 in the TUI: stages edited on the selected op (the plan re-made
/// and re-run), stage boundaries in the layer table, the multi-stage front
/// in the Pareto chart.
final class StageEditingTests: XCTestCase {
    func state(width: Int = 200, height: Int = 60) throws -> AppState {
        let model = try UIFixtures.model()
        let s = try AppState(model: model, patches: 3, patchLayers: 13, pareto: UIFixtures.pareto(model))
        return update(s, .resize(width: width, height: height))
    }

    func press(_ s: AppState, _ keys: String, at op: Int? = nil) -> (AppState, [Effect]) {
        var s = s
        if let op { s.selectedLayer = op }
        var effects: [Effect] = []
        for key in keys {
            let result = updateWithEffects(s, .key(.char(key)))
            s = result.state
            effects += result.effects
        }
        return (s, effects)
    }

    func bare(_ plan: PatchPlan) -> [[Int]] { plan.stageSpecs.map(\.bare) }

    func testStageKeysEditTheStagesAndReRunThePlan() throws {
        let s = try state()
        // [ on op 17 (outside the head stage): a new stage of that op, on
        // the grid of the stage before it (the head's 3×3).
        var (t, effects) = press(s, "[", at: 17)
        XCTAssertTrue(t.statusMessage.contains("stage 2: ops 17…17, 3×3 tiles, the grid of the stage before"), t.statusMessage)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [17, 17, 3, 3]])
        XCTAssertTrue(t.plan.isMultiStage)
        XCTAssertEqual(effects, [.run(t.currentRunRequest)])
        XCTAssertEqual(t.currentRunRequest.stages?.map(\.bare), [[0, 12, 3, 3], [17, 17, 3, 3]])
        XCTAssertEqual(t.runGeneration, s.runGeneration + 1)
        XCTAssertEqual(StatusLine.segments(t, width: 200).last?.text, "… running ops 0…12 3×3 + ops 17…17 3×3")
        XCTAssertEqual(t.exportPath, "./patchtop-mbv2-w0.35-r144-s0-12x3x3-s17-17x3x3-tflm.txt", "e names the file by the stages")
        XCTAssertEqual(t.firmwareExportPath, "./patchtop-mbv2-w0.35-r144-s0-12x3x3-s17-17x3x3-tflm-firmware")
        XCTAssertTrue(t.currentRunRequest.isPatched)
        // ] on op 20 (after it): the stage extends to 20.
        (t, effects) = press(t, "]", at: 20)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [17, 20, 3, 3]])
        XCTAssertTrue(t.statusMessage.contains("stage 2: ops 17…20, 3×3 tiles"), t.statusMessage)
        // + (rows), > (columns), - (rows) on an op of that stage.
        (t, effects) = press(t, "+>-", at: 18)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [17, 20, 3, 4]])
        XCTAssertEqual(effects.count, 3)
        // [ inside the stage: it now starts there.
        (t, _) = press(t, "[", at: 18)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [18, 20, 3, 4]])
        // The head stage's grid, too.
        (t, _) = press(t, "<", at: 5)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 2], [18, 20, 3, 4]])
        // d: the selected op's stage runs layer by layer again.
        (t, effects) = press(t, "d", at: 19)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 2]])
        XCTAssertEqual(effects, [.run(t.currentRunRequest)])
        XCTAssertEqual(t.statusMessage, "ops 18…20 run layer by layer")
    }

    func testMemoryOptionsAndHaloCachesKeepTheStages() throws {
        let (t, _) = press(try state(), "[]", at: 17)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [17, 17, 3, 3]])
        let (cached, effects) = press(t, "H")
        XCTAssertEqual(cached.caching, .auto)
        XCTAssertEqual(bare(cached.plan), bare(t.plan), "H re-plans the same stages")
        XCTAssertEqual(effects.first, .run(cached.currentRunRequest))
        let (memory, _) = press(t, "m")
        XCTAssertNotEqual(memory.options, t.options)
        XCTAssertEqual(memory.plan.options, memory.options)
        XCTAssertEqual(bare(memory.plan), bare(t.plan), "m re-plans the same stages under the new options")
    }

    func testTheSlidersMoveTheHeadStageAndKeepTheOthers() throws {
        let (t, _) = press(try state(), "[]", at: 17)
        var (u, effects) = press(t, "P")
        XCTAssertEqual(bare(u.plan), [[0, 12, 4, 4], [17, 17, 3, 3]])
        XCTAssertEqual(effects, [.run(u.currentRunRequest)])
        (u, _) = press(u, "n")
        XCTAssertEqual(bare(u.plan), [[0, 11, 4, 4], [17, 17, 3, 3]])
        // The head stage may not run into the next one.
        (u, effects) = press(u, "NNNNNN")
        XCTAssertEqual(bare(u.plan), [[0, 16, 4, 4], [17, 17, 3, 3]])
        XCTAssertEqual(effects.count, 5)
        XCTAssertTrue(u.statusMessage.contains("overlaps the stage before, which ends at op 17"), u.statusMessage)
    }

    func testAnEditTheModelDoesNotAllowLeavesThePlanAndSaysWhy() throws {
        let s = try state()
        let last = s.model.operators.count - 1
        // The classifier after the global pool cannot be cut into tiles.
        var (t, effects) = press(s, "[", at: last)
        XCTAssertEqual(bare(t.plan), bare(s.plan))
        XCTAssertEqual(effects, [])
        XCTAssertEqual(t.runGeneration, s.runGeneration)
        XCTAssertTrue(t.statusMessage.contains("ops 63…63") && t.statusMessage.contains("FULLY_CONNECTED"), t.statusMessage)
        // Fewer than two tiles: refused, with the way out named.
        (t, _) = press(s, "[", at: 30)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [30, 30, 3, 3]])
        (t, effects) = press(t, "--<", at: 30)
        XCTAssertEqual(bare(t.plan), [[0, 12, 3, 3], [30, 30, 1, 2]])
        (t, effects) = press(t, "<", at: 30)
        XCTAssertEqual(effects, [])
        XCTAssertEqual(t.statusMessage, "stage 2 needs 2 tiles at least (d runs it layer by layer)")
        // Keys on an op in no stage say so.
        (t, effects) = press(s, "d+", at: 40)
        XCTAssertEqual(effects, [])
        XCTAssertEqual(t.statusMessage, "op 40 is in no fused stage: [ starts one here")
        // ] with no stage before the op.
        let plain = try AppState(model: s.model, patches: 1, patchLayers: 0)
        (t, effects) = press(plain, "]", at: 5)
        XCTAssertEqual(t.statusMessage, "no fused stage before op 5: [ starts one here")
        // [ with no stage before: 2×2.
        (t, effects) = press(plain, "[", at: 5)
        XCTAssertEqual(bare(t.plan), [[5, 5, 2, 2]])
        XCTAssertTrue(t.statusMessage.contains("2×2 tiles, no stage before it"), t.statusMessage)
    }

    /// The sliders line follows the selected op: in a plan of stages its
    /// stage's tile rows and columns and span, or, on an op run layer by
    /// layer, what `[` would start there; a plain (p, n) plan keeps p and n.
    func testTheSlidersLineShowsTheSelectedStage() throws {
        let s = try state()
        let (t, _) = press(s, "[]", at: 17)
        var (u, _) = press(t, "]>", at: 20)
        XCTAssertEqual(bare(u.plan), [[0, 12, 3, 3], [17, 20, 3, 4]])
        u.selectedLayer = 18
        var g = Screen.layout(u).sliders
        XCTAssertTrue(g.text.hasPrefix("rows "), g.text)
        XCTAssertTrue(g.text.contains(" 3  cols ") && g.text.contains(" 4  stage 2/2 ops 17…20"), g.text)
        XCTAssertEqual(g.stage, 1)
        XCTAssertFalse(g.text.contains("p ██") || g.text.contains("n ██"), g.text)
        u.selectedLayer = 5
        g = Screen.layout(u).sliders
        XCTAssertTrue(g.text.contains("stage 1/2 ops 0…12"), g.text)
        XCTAssertEqual(g.stage, 0)
        XCTAssertEqual(g.patchesRange, 1...u.plan.fusedStages[0].outputGrid.height)
        // The bars are where they are drawn, and the marked cells follow the grid.
        let text = Array(g.text)
        XCTAssertTrue(g.patchesBar.allSatisfy { text[$0] == "█" || text[$0] == "░" }, g.text)
        XCTAssertTrue(g.layersBar.allSatisfy { text[$0] == "█" || text[$0] == "░" }, g.text)
        u.selectedLayer = 40
        g = Screen.layout(u).sliders
        XCTAssertTrue(g.text.hasPrefix("op 40 layer by layer  [ starts a 3×4 stage here"), g.text)
        XCTAssertNil(g.stage)
        XCTAssertTrue(g.patchesBar.isEmpty && g.layersBar.isEmpty)
        XCTAssertNil(Screen.layout(u).hit(x: 3, y: g.y), "no bar to click on an op run layer by layer")
        // Narrow: the bars stay, the rest gives way.
        u = update(u, .resize(width: 60, height: 24))
        u.selectedLayer = 18
        g = Screen.layout(u).sliders
        XCTAssertLessThanOrEqual(g.text.count, 60)
        XCTAssertTrue(g.text.hasPrefix("rows ") && g.text.contains(" cols "), g.text)
        // MCUNetV2's (p, n): p and n as before.
        XCTAssertTrue(Screen.layout(s).sliders.text.hasPrefix("p "), Screen.layout(s).sliders.text)
        XCTAssertNil(Screen.layout(s).sliders.stage)
    }

    /// The mouse: a click on an op's row (its stage cell, a boundary) in the
    /// layer table or the memory chart selects its stage and says so; a
    /// click on the rows or cols bar sets the selected stage's grid, which
    /// is re-planned and re-run.
    func testTheMouseSelectsAndEditsStages() throws {
        let (t, _) = press(try state(), "[]", at: 17)
        var (u, _) = press(t, "]", at: 20)
        u.selectedLayer = 0
        let layout = Screen.layout(u)
        let rows = layout.layerRows
        func rowY(_ window: RowWindow, _ op: Int) throws -> Int {
            XCTAssertTrue(op >= window.first && op < window.first + window.count, "op \(op) is drawn")
            return window.y + op - window.first
        }
        // The stage cell of op 17 (the boundary `┌3×3`).
        let line = Screen.render(u, width: 200, height: 60).lines()[try rowY(rows, 17)]
        let boundary = try XCTUnwrap(line.range(of: "┌3×3")).lowerBound
        let column = line.distance(from: line.startIndex, to: boundary)
        var clicked = update(u, .mouseClick(x: column, y: try rowY(rows, 17)))
        XCTAssertEqual(clicked.selectedLayer, 17)
        XCTAssertEqual(clicked.statusMessage, "stage 2/2: ops 17…20, 3×3 tiles — click rows/cols above or -+ <> to change, d to remove")
        XCTAssertEqual(Screen.layout(clicked).sliders.stage, 1)
        // The memory chart's rows too.
        let memory = layout.memoryRows
        let inMemory = update(u, .mouseClick(x: memory.x.lowerBound + 2, y: try rowY(memory, 5)))
        XCTAssertEqual(inMemory.selectedLayer, 5)
        XCTAssertTrue(inMemory.statusMessage.hasPrefix("stage 1/2: ops 0…12, 3×3 tiles"), inMemory.statusMessage)
        let outside = update(u, .mouseClick(x: memory.x.lowerBound + 2, y: try rowY(memory, 14)))
        XCTAssertEqual(outside.statusMessage, "op 14 runs layer by layer — [ starts a 3×3 stage here")
        // The cols bar's first cell: one column of tiles (3×1 strips of rows), re-planned and re-run.
        let g = Screen.layout(clicked).sliders
        XCTAssertEqual(Screen.layout(clicked).hit(x: g.layersBar.lowerBound, y: g.y), .tileCols(1))
        var effects: [Effect]
        (clicked, effects) = updateWithEffects(clicked, .mouseClick(x: g.layersBar.lowerBound, y: g.y))
        XCTAssertEqual(bare(clicked.plan), [[0, 12, 3, 3], [17, 20, 3, 1]])
        XCTAssertEqual(effects, [.run(clicked.currentRunRequest)])
        XCTAssertEqual(clicked.statusMessage, "stage 2: ops 17…20, 3×1 tiles")
        // The rows bar's last cell: as many rows as the stage's map has.
        let top = Screen.layout(clicked).sliders
        XCTAssertEqual(top.patchesRange.upperBound, clicked.plan.fusedStages[1].outputGrid.height)
        (clicked, effects) = updateWithEffects(clicked, .mouseClick(x: top.patchesBar.upperBound - 1, y: top.y))
        XCTAssertEqual(bare(clicked.plan), [[0, 12, 3, 3], [17, 20, top.patchesRange.upperBound, 1]])
        XCTAssertEqual(effects.count, 1)
        // The head stage, selected, takes its own clicks; the other stage stays.
        clicked.selectedLayer = 3
        let head = Screen.layout(clicked).sliders
        (clicked, _) = updateWithEffects(clicked, .mouseClick(x: head.layersBar.lowerBound + 1, y: head.y))
        XCTAssertEqual(clicked.plan.fusedStages[0].grid.rows, 3)
        XCTAssertNotEqual(clicked.plan.fusedStages[0].grid.cols, 3)
        XCTAssertEqual(bare(clicked.plan)[1], [17, 20, top.patchesRange.upperBound, 1])
    }

    func testAnEditedPlanRunsIdenticalToLayerByLayer() throws {
        let s = try state()
        let (t, _) = press(s, "[]", at: 17)
        let (u, _) = press(t, "]", at: 20)
        let runner = ArenaPlanRunner(model: u.model)
        let summary = try XCTUnwrap(try runner.run(u.currentRunRequest, shouldStop: { false }))
        XCTAssertTrue(summary.identical)
        XCTAssertEqual(summary.peakBytes, u.plan.peakBytes)
        XCTAssertEqual(summary.measuredArenaBytes, summary.plannedArenaBytes)
    }

    func testTheLayerTableShowsStageBoundaries() throws {
        let s = try state()
        let (t, _) = press(s, "[", at: 17)
        let (u, _) = press(t, "]", at: 20)
        let lines = Screen.render(u, width: 200, height: 60).lines()
        XCTAssertTrue(lines[3].contains(" stage "), lines[3])
        func row(_ op: Int) -> String {
            lines.first { $0.dropFirst(3).drop { $0 == " " }.hasPrefix("\(op) ") } ?? "no row for op \(op)"
        }
        XCTAssertTrue(row(0).contains("┌3×3"), row(0))
        XCTAssertTrue(row(12).contains(" └ "), row(12))
        XCTAssertTrue(row(17).contains("┌3×3"), row(17))
        XCTAssertTrue(row(18).contains(" │ "), row(18))
        XCTAssertTrue(row(20).contains(" └ "), row(20))
        XCTAssertFalse(row(14).contains("┌") || row(14).contains("└"), row(14))
        // Neighbouring stages alternate their marks.
        XCTAssertTrue(row(0).hasPrefix("│▌"), row(0))
        XCTAssertTrue(row(17).hasPrefix("│▐"), row(17))
        // A plain (p, n) plan keeps its table: no stage column.
        XCTAssertFalse(Screen.render(s, width: 200, height: 60).lines()[3].contains(" stage "))
    }

    func testTheMultiStageFrontIsSearchedInTheBackgroundAndEnterTakesAPlan() throws {
        let s = try state()
        var (t, effects) = press(s, "M")
        XCTAssertTrue(t.showPareto && t.showMultiStage)
        XCTAssertEqual(effects, [.multiStageSearch(s.options)])
        XCTAssertTrue(Screen.render(t, width: 200, height: 60).lines().joined().contains("searching the multi-stage plans"))
        let front = StageFixtures.front(s.model)
        XCTAssertFalse(front.points.isEmpty)
        XCTAssertTrue(front.points.allSatisfy { $0.stages != nil && !$0.label.isEmpty }, "every plan named by its stages")
        var layerByLayer = ParetoPoint(try PatchPlan(model: s.model, stages: []))
        layerByLayer.stages = []
        XCTAssertEqual(layerByLayer.label, "layer by layer")
        t = update(t, .multiStageSwept(front))
        XCTAssertEqual(t.paretoFront, front.points)
        let screen = Screen.render(t, width: 200, height: 60).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("on the multi-stage front"), screen)
        XCTAssertTrue(screen.contains("◆"), screen)
        // Walk to a plan of several stages and take it: it is planned and run.
        let index = try XCTUnwrap(front.points.firstIndex { ($0.stages?.count ?? 0) >= 2 })
        t.paretoCursor = index
        (t, effects) = { let r = updateWithEffects(t, .key(.enter)); return (r.state, r.effects) }()
        let point = front.points[index]
        XCTAssertEqual(bare(t.plan), point.stages?.map(\.bare))
        XCTAssertEqual(t.plan.peakBytes, point.peakBytes)
        XCTAssertEqual(t.plan.macs, point.macs)
        XCTAssertEqual(effects, [.run(t.currentRunRequest)])
        XCTAssertEqual(t.paretoFront.firstIndex { $0.isPlan(t.plan) }, index)
        // M again: back to the (p, n) front; a search for other options is dropped.
        (t, _) = press(t, "M")
        XCTAssertEqual(t.paretoFront, t.pareto?.front)
        var other = front
        other.options = .everything
        XCTAssertEqual(update(t, .multiStageSwept(other)).multiStage, front)
    }

    func testAShortHelpOverlayPagesThroughEveryKey() throws {
        var s = update(try state(width: 80, height: 24), .key(.char("?")))
        var seen = Set<String>()
        for _ in 0..<6 {
            let text = Screen.render(s, width: 80, height: 24).lines().joined(separator: "\n")
            for line in HelpOverlay.lines() where text.contains(String(line.prefix(30))) { seen.insert(line) }
            s = update(s, .key(.down))
        }
        XCTAssertEqual(Set(HelpOverlay.lines()).subtracting(seen), [], "every key's line is on some page")
        let last = Screen.render(s, width: 80, height: 24).lines().joined(separator: "\n")
        XCTAssertTrue(last.contains("↑ back to the first keys") && last.contains("q Esc"), last)
        s = update(s, .key(.up))
        XCTAssertTrue(s.showHelp)
        XCTAssertFalse(update(s, .key(.char("?"))).showHelp)
        // Opening it again starts at the top.
        let again = update(update(s, .key(.char("?"))), .key(.char("?")))
        XCTAssertEqual(again.helpTop, 0)
    }

    func testEveryKeyComesRoundInTheHintBar() {
        let keys = Set(keyBindings.filter { $0.applies(stepping: false, pareto: false) && !$0.hint.isEmpty }.map { String($0.hint.prefix { $0 != " " }) })
        for width in [40, 60] {
            var seen = Set<String>()
            for rotation in 0..<40 {
                let bar = Screen.hintBar(width: width, rotation: rotation)
                XCTAssertLessThanOrEqual(bar.count, width, bar)
                XCTAssertTrue(bar.contains("q quit") && bar.contains("? more"), bar)
                seen.formUnion(bar.split(separator: " ").map(String.init))
            }
            XCTAssertEqual(keys.subtracting(seen), [], "width \(width): keys never shown")
        }
        // Wide enough, nothing turns.
        XCTAssertEqual(Screen.hintBar(width: 300, rotation: 0), Screen.hintBar(width: 300, rotation: 7))
    }
}
