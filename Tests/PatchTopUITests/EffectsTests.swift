import Foundation
import PatchTopEffects
import PatchTopModel
import PatchTopPlan
@testable import PatchTopRuntime
import PatchTopUI
import XCTest

/// Keys → state and effects for the re-run, export, board and step keys.
final class EffectUpdateTests: XCTestCase {
    func state() throws -> AppState {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        s = update(s, .resize(width: 120, height: 40))
        return s
    }

    func testStartAndEveryReplanAskForARunOfTheNewPlan() throws {
        let (started, startEffects) = updateWithEffects(try state(), .start)
        XCTAssertEqual(startEffects, [.run(RunRequest(generation: 0, patches: 3, patchLayers: 13, options: .tfliteMicro)), .sweep(.tfliteMicro)])
        XCTAssertEqual(started.run, .running(started.currentRunRequest))
        let (raised, effects) = updateWithEffects(started, .key(.char("P")))
        XCTAssertEqual(raised.runGeneration, 1)
        XCTAssertEqual(effects, [.run(RunRequest(generation: 1, patches: 4, patchLayers: 13, options: .tfliteMicro))])
        let (more, effects2) = updateWithEffects(raised, .key(.char("N")))
        XCTAssertEqual(effects2, [.run(RunRequest(generation: 2, patches: 4, patchLayers: 14, options: .tfliteMicro))])
        XCTAssertEqual(more.run, .running(more.currentRunRequest))
    }

    /// `m` cycles the memory options; each re-plans with them (the peak is
    /// the planner's under those options) and re-runs; four presses return.
    func testMemoryKeyCyclesTheOptionsAndReruns() throws {
        var s = try state()
        for expected in MemoryOptions.all.dropFirst() + [MemoryOptions.all[0]] {
            let (next, effects) = updateWithEffects(s, .key(.char("m")))
            XCTAssertEqual(next.options, expected)
            XCTAssertEqual(next.plan.options, expected)
            XCTAssertEqual(next.plan.patches, 3)
            XCTAssertEqual(next.plan.patchLayers, 13)
            let planned = try PatchPlan(model: s.model, patches: 3, patchLayers: 13, options: expected)
            XCTAssertEqual(next.plan.peakBytes, planned.peakBytes)
            XCTAssertEqual(effects, [.run(RunRequest(generation: next.runGeneration, patches: 3, patchLayers: 13, options: expected)), .sweep(expected)])
            s = next
        }
        XCTAssertEqual(s.options, .tfliteMicro)
        // The options matter for this model: in-place and streaming lower the peak.
        let both = try PatchPlan(model: s.model, patches: 3, patchLayers: 13, options: MemoryOptions.all[3])
        XCTAssertLessThan(both.peakBytes, s.plan.peakBytes)
    }

    func testAnInvalidNAsksForNoRunAndSaysWhy() throws {
        let model = try UIFixtures.model()
        let lastValid = try XCTUnwrap((0...model.operators.count).last { (try? PatchPlan(model: model, patches: 3, patchLayers: $0)) != nil })
        var s = try AppState(model: model, patches: 3, patchLayers: lastValid)
        s = update(s, .start)
        let (after, effects) = updateWithEffects(s, .key(.char("N")))
        XCTAssertEqual(effects, [])
        XCTAssertEqual(after.runGeneration, 0)
        XCTAssertEqual(after.statusMessage, "n=\(lastValid + 1) crosses MEAN at op \(lastValid), which cannot be computed patch by patch")
        let line = Screen.render(after, width: 120, height: 40).lines()[38]
        XCTAssertTrue(line.hasPrefix("n=\(lastValid + 1) crosses MEAN at op \(lastValid)"), line)
    }

    func summary(_ request: RunRequest, identical: Bool = true) -> RunSummary {
        RunSummary(request: request, peakBytes: 124_320, layerByLayerPeakBytes: 311_040, macOverhead: 0.129,
                   measuredArenaBytes: 124_320, plannedArenaBytes: 124_320, milliseconds: 12.5, identical: identical)
    }

    func testStaleResultsAreDroppedAndTheCurrentOneShows() throws {
        var s = update(try state(), .start)
        let first = s.currentRunRequest
        s = update(s, .key(.char("P")))
        let stale = update(s, .runFinished(summary(first)))
        XCTAssertEqual(stale.run, .running(s.currentRunRequest), "a result of an older generation must not show")
        let fresh = update(stale, .runFinished(summary(s.currentRunRequest)))
        XCTAssertEqual(fresh.run, .finished(summary(s.currentRunRequest)))
        let line = Screen.render(fresh, width: 120, height: 40).lines()[38]
        XCTAssertEqual(line, "✓ identical  peak 121.4 KiB vs 303.8 KiB (2.50× lower)  MACs +12.9%  run 12.5 ms  arena 121.4 KiB measured = planned")
        // At 80 columns whole figures are dropped, never cut.
        let narrow = Screen.render(fresh, width: 80, height: 24)
        XCTAssertEqual(narrow.lines()[22], "✓ identical  peak 121.4 KiB vs 303.8 KiB (2.50× lower)  MACs +12.9%  run 12.5 ms")
        XCTAssertEqual(narrow.cutTexts, [])
        let failedOld = update(fresh, .runFailed(first, reason: "boom"))
        XCTAssertEqual(failedOld.run, fresh.run)
    }

    func testADifferingOutputIsLoud() throws {
        var s = update(try state(), .start)
        s = update(s, .runFinished(summary(s.currentRunRequest, identical: false)))
        let grid = Screen.render(s, width: 80, height: 24)
        let line = grid.lines()[22]
        XCTAssertTrue(line.hasPrefix("✗ DIFFERS from layer-by-layer"), line)
        XCTAssertTrue(grid[0, 22].style.reverse)
        XCTAssertEqual(grid[0, 22].style.fg, .red)
        XCTAssertFalse(line.contains("identical"))
    }

    func testExportKeyAsksToWriteTheDefaultPathAndTheResultIsANotice() throws {
        var s = try state()
        XCTAssertEqual(s.exportPath, "./patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt")
        s.exportDirectory = "/tmp/reports/"
        let (_, effects) = updateWithEffects(s, .key(.char("e")))
        XCTAssertEqual(effects, [.export(path: "/tmp/reports/patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt", report: ReportRenderer(state: s, width: 120, height: 40, date: s.exportDate).render())])
        s = update(s, .key(.char("m")))
        XCTAssertEqual(s.exportPath, "/tmp/reports/patchtop-mbv2-w0.35-r144-p3-n13-inplace.txt", "the memory options are in the name")
        let done = update(s, .exported(path: "/tmp/x.txt"))
        XCTAssertEqual(done.statusMessage, "exported x.txt to /tmp")
        let failed = update(s, .exportFailed(path: "/nope/x.txt", reason: "No such file or directory"))
        XCTAssertTrue(Screen.render(failed, width: 120, height: 40).lines()[38].hasPrefix("cannot export /nope/x.txt: No such file or directory"))
        XCTAssertEqual(update(failed, .key(.down)).statusMessage, "", "the next key clears a notice")
    }

    func testBoardKeysCycleThePresetsAndLabelTheBudgetLine() throws {
        var s = try state()
        XCTAssertNil(s.budget)
        s = update(s, .key(.char("b")))
        XCTAssertEqual(s.budget, SRAMBudget.boards[0])
        for _ in 1..<SRAMBudget.boards.count { s = update(s, .key(.char("b"))) }
        XCTAssertEqual(s.budget?.name, SRAMBudget.boards.last?.name)
        s = update(s, .key(.char("b")))
        XCTAssertNil(s.budget, "after the last board: no budget")
        s = update(s, .key(.char("B")))
        XCTAssertEqual(s.budget?.name, "ESP32-S3")
        let stm = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13, board: SRAMBudget.board(named: "stm32f746"))
        XCTAssertEqual(stm.sramBudget, 320 * 1024)
        var grid = CellGrid(width: 60, height: 10)
        MemoryView.draw(stm, RowWindow(x: 1..<59, y: 2, first: 0, count: 7), into: &grid, rect: grid.bounds)
        XCTAssertEqual(grid.lines()[1], "│peak 303.8 → 121.4  ┆ STM32F746 320.0" + String(repeating: " ", count: 58 - 37) + "│")
        XCTAssertTrue(grid.lines()[0].contains("STM32F746 fits, 198.6 KiB free"), grid.lines()[0])
        XCTAssertEqual(SRAMBudget.board(named: "nrf52840")?.bytes, 256 * 1024)
        XCTAssertEqual(SRAMBudget.board(named: "esp32-s3")?.bytes, 512 * 1024)
        XCTAssertEqual(SRAMBudget.board(named: "STM32H743")?.bytes, 512 * 1024)
        XCTAssertNil(SRAMBudget.board(named: "Z80"))
        XCTAssertEqual(SRAMBudget.unknownBoardMessage("Z80"), "--board \"Z80\" is not one of nRF52840, STM32F412, RP2040, STM32F746, STM32H743, ESP32-S3")
    }

    func testStepKeysOpenStepAndCloseTheSession() throws {
        let s = try state()
        let (on, effects) = updateWithEffects(s, .key(.char("s")))
        XCTAssertNotNil(on.step)
        XCTAssertEqual(effects, [.stepStart(s.currentRunRequest, resume: nil)])
        XCTAssertEqual(updateWithEffects(on, .key(.char(" "))).effects, [.step(.next)])
        XCTAssertEqual(updateWithEffects(on, .key(.right)).effects, [.step(.next)])
        XCTAssertEqual(updateWithEffects(on, .key(.char("f"))).effects, [.step(.toEnd)])
        XCTAssertEqual(updateWithEffects(on, .key(.char("F"))).effects, [.step(.toEndOfOp)])
        XCTAssertEqual(updateWithEffects(on, .key(.backspace)).effects, [], "nothing to step back from at the start")
        XCTAssertEqual(update(on, .key(.right)).selectedPatch, 0, "→ steps instead of moving the patch in step mode")
        let snapshot = StepSnapshot(position: 5, stepCount: 100, last: StepPoint(op: 2, patch: 4), next: StepPoint(op: 3, patch: 4),
                                    blocks: [], arenaBytes: 1000, values: StepValues(tensor: 7, rows: 0..<2, cols: 0..<2, channels: 3, data: Array(repeating: 0, count: 12)),
                                    isFinished: false)
        let stepped = update(on, .stepped(snapshot))
        XCTAssertEqual(stepped.selectedLayer, 2, "the table follows the op just run")
        XCTAssertEqual(stepped.selectedPatch, 4, "the grid follows the patch just run")
        XCTAssertEqual(updateWithEffects(stepped, .key(.backspace)).effects, [.step(.back)])
        XCTAssertEqual(updateWithEffects(stepped, .key(.left)).effects, [.step(.back)])
        XCTAssertEqual(update(stepped, .key(.char("c"))).heatmapChannel, 1)
        XCTAssertEqual(update(stepped, .key(.char("C"))).heatmapChannel, 2, "channels wrap")
        // A re-plan reopens the session at the same step.
        let replanned = updateWithEffects(stepped, .key(.char("P")))
        XCTAssertEqual(replanned.effects, [.run(replanned.state.currentRunRequest), .stepStart(replanned.state.currentRunRequest, resume: StepPoint(op: 2, patch: 4))])
        var stale = snapshot
        stale.generation = 0
        XCTAssertNil(update(replanned.state, .stepped(stale)).step?.snapshot, "a snapshot of the old plan is dropped")
        var finished = snapshot
        finished.isFinished = true
        XCTAssertEqual(updateWithEffects(update(on, .stepped(finished)), .key(.char(" "))).effects, [], "nothing to step after the end")
        XCTAssertEqual(updateWithEffects(update(on, .stepped(finished)), .key(.char("f"))).effects, [])
        let (off, offEffects) = updateWithEffects(stepped, .key(.char("s")))
        XCTAssertNil(off.step)
        XCTAssertEqual(offEffects, [.stepStop])
        XCTAssertEqual(update(off, .stepped(snapshot)).selectedLayer, off.selectedLayer, "a late snapshot after leaving is ignored")
        XCTAssertEqual(update(off, .key(.right)).selectedPatch, 5, "→ selects the next patch again")
    }
}

/// The file `e` writes, and what happens when it cannot.
final class ExportTests: XCTestCase {
    func testExportWritesTheHeaderAndTheScreenAsDrawnAndNeverOverwrites() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("patchtop-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13, board: SRAMBudget.board(named: "nRF52840"))
        s = update(s, .resize(width: 100, height: 30))
        s.exportDirectory = dir.path
        s.exportDate = "2026-01-02T03:04:05Z"
        let handler = EffectHandler(planRunner: nil)
        let (next, effects) = updateWithEffects(s, .key(.char("e")))
        handler.perform(effects, in: next)
        let messages = handler.inbox.drain()
        let path = dir.appendingPathComponent("patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt").path
        XCTAssertEqual(messages, [.exported(path: path)])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        XCTAssertEqual(Array(lines.prefix(9)), [
            "PatchTop report — mbv2-w0.35-r144",
            "date            2026-01-02T03:04:05Z",
            "plan            p=3 n=13",
            "memory options  TFLite Micro (no in-place, input in SRAM)",
            "peak            121.4 KiB (124,320 B) vs 303.8 KiB layer-by-layer, 2.50× lower",
            "MAC overhead    +12.9% (30.1 M vs 26.7 M)",
            "engines         \(next.engines.line)",
            "SRAM budget     256.0 KiB (nRF52840): plan (TFLite Micro has no patch-based inference) 121.4 KiB fits, 134.6 KiB free",
            "selected        op 0, patch 1/9 (marked » and #)",
        ])
        XCTAssertEqual(lines[9], "")
        XCTAssertEqual(Array(lines[10..<40]), Screen.render(next, width: 100, height: 30, exporting: true).lines(), "the screen as drawn, at the terminal's size")
        let shown = update(next, messages[0])
        XCTAssertTrue(Screen.render(shown, width: 100, height: 30).lines()[28].hasPrefix("exported patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt"))
        // A second export of the same plan goes to a new file.
        handler.perform(effects, in: next)
        XCTAssertEqual(handler.inbox.drain(), [.exported(path: dir.appendingPathComponent("patchtop-mbv2-w0.35-r144-p3-n13-tflm-2.txt").path)])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text, "the first file is untouched")
        XCTAssertEqual(ReportFile.numbered("/a.b/report", 3), "/a.b/report-3")
        XCTAssertEqual(ReportFile.numbered("x.txt", 2), "x-2.txt")
    }

    func testAnUnwritablePathIsANoticeNotACrash() throws {
        var s = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        s.exportDirectory = "/nonexistent-patchtop-dir/sub"
        let handler = EffectHandler(planRunner: nil)
        let (next, effects) = updateWithEffects(s, .key(.char("e")))
        handler.perform(effects, in: next)
        let messages = handler.inbox.drain()
        XCTAssertEqual(messages, [.exportFailed(path: "/nonexistent-patchtop-dir/sub/patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt", reason: "No such file or directory")])
        let shown = messages.reduce(next, update)
        XCTAssertEqual(shown.statusMessage, "cannot export /nonexistent-patchtop-dir/sub/patchtop-mbv2-w0.35-r144-p3-n13-tflm.txt: No such file or directory")
        XCTAssertFalse(shown.shouldQuit)
        if case .failure(let error) = ReportFile.write("x", to: "") {
            XCTAssertEqual(error, ReportFile.WriteError(path: "", reason: "empty path"))
        } else {
            XCTFail("an empty path cannot be written")
        }
        if case .failure(let error) = ReportFile.write("x", to: "/proc/version") {
            XCTAssertTrue(error.description.hasPrefix("cannot write /proc/version: "), error.description)
        } else if FileManager.default.fileExists(atPath: "/proc/version") {
            XCTFail("writing /proc/version should fail")
        }
    }
}

/// The real plan runner and the background runner.
final class RunTests: XCTestCase {
    func testThePlanRunnerRunsThePlanAndFindsTheOutputIdentical() throws {
        let model = try UIFixtures.model()
        let runner = ArenaPlanRunner(model: model)
        let request = RunRequest(generation: 3, patches: 3, patchLayers: 13, options: .tfliteMicro)
        let summary = try XCTUnwrap(try runner.run(request, shouldStop: { false }))
        let plan = try PatchPlan(model: model, patches: 3, patchLayers: 13)
        XCTAssertEqual(summary.request, request)
        XCTAssertEqual(summary.peakBytes, plan.peakBytes)
        XCTAssertEqual(summary.layerByLayerPeakBytes, plan.layerByLayerPeakBytes)
        XCTAssertEqual(summary.plannedArenaBytes, plan.layout.arenaBytes)
        XCTAssertTrue(summary.identical)
        XCTAssertGreaterThan(summary.milliseconds, 0)
        XCTAssertNil(try runner.run(request, shouldStop: { true }), "a superseded run returns nothing")
    }

    /// A plan runner whose first run waits until the test lets it go.
    final class GatedRunner: PlanRunner, @unchecked Sendable {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let lock = NSLock()
        var ran: [Int] = []
        var stopSeen: [Int: Bool] = [:]

        func run(_ request: RunRequest, shouldStop: @escaping @Sendable () -> Bool) throws(RuntimeError) -> RunSummary? {
            lock.lock(); ran.append(request.generation); let first = ran.count == 1; lock.unlock()
            if first {
                started.signal()
                gate.wait()
            }
            let stop = shouldStop()
            lock.lock(); stopSeen[request.generation] = stop; lock.unlock()
            if stop { return nil }
            return RunSummary(request: request, peakBytes: 1, layerByLayerPeakBytes: 2, macOverhead: 0, measuredArenaBytes: nil,
                              plannedArenaBytes: 1, milliseconds: 1, identical: true)
        }
    }

    func testANewerRequestCancelsTheRunningOneAndSupersedesTheQueuedOnes() throws {
        let gated = GatedRunner()
        let inbox = Inbox()
        let runner = BackgroundRunner(runner: gated) { inbox.post($0) }
        defer { runner.stop() }
        func request(_ g: Int) -> RunRequest { RunRequest(generation: g, patches: 2, patchLayers: g, options: .tfliteMicro) }
        runner.submit(request(1))
        XCTAssertEqual(gated.started.wait(timeout: .now() + 20), .success)
        runner.submit(request(2))
        runner.submit(request(3))
        runner.submit(request(4))
        gated.gate.signal()
        var received: [Message] = []
        let deadline = Date(timeIntervalSinceNow: 20)
        while received.isEmpty, Date() < deadline { received += inbox.wait(seconds: 1) }
        XCTAssertEqual(received.count, 1)
        guard case .runFinished(let summary) = received.first else { return XCTFail("expected a finished run, got \(received)") }
        XCTAssertEqual(summary.request.generation, 4)
        gated.lock.lock(); defer { gated.lock.unlock() }
        XCTAssertEqual(gated.ran, [1, 4], "generations 2 and 3 were superseded before they started")
        XCTAssertEqual(gated.stopSeen[1], true, "the running generation 1 was told to stop")
    }
}

/// Step mode driven through the effect handler on the real runtime.
final class StepModeTests: XCTestCase {
    func testSteppingThroughEveryStepEndsIdenticalWithTheArenaAndValuesAsTheRuntimeHoldsThem() throws {
        let model = try UIFixtures.model()
        var state = try AppState(model: model, patches: 3, patchLayers: 13)
        state = update(state, .resize(width: 120, height: 40))
        let handler = EffectHandler(planRunner: nil, makeStepDriver: stepDriverFactory(model))
        func send(_ message: Message) {
            let (next, effects) = updateWithEffects(state, message)
            state = next
            handler.perform(effects, in: state)
            handler.waitForSteps()
            for reply in handler.inbox.drain() { send(reply) }
        }
        send(.key(.char("s")))
        let opened = try XCTUnwrap(state.step?.snapshot)
        XCTAssertEqual(opened.position, 0)
        XCTAssertEqual(opened.stepCount, 13 * 9 + (model.operators.count - 13), "the stage once per patch, then the rest")
        XCTAssertEqual(opened.next, StepPoint(op: 0, patch: 0))

        // Every op's whole output, from a layer-by-layer session read right after the op ran.
        let layerByLayer = try ArenaSession(program: ArenaProgram(prepared: PreparedModel(model: model)),
                                            input: SeededInput.bytes(for: model.tensors[model.inputs[0]]))
        var whole: [Int: [Int8]] = [:]
        while !layerByLayer.isFinished {
            try layerByLayer.step()
            if let op = layerByLayer.last?.op, let values = layerByLayer.values(ofTensor: model.operators[op].output) {
                whole[values.tensor] = values.data
            }
        }
        let plan = state.plan
        var checkedValues = 0
        while let snapshot = state.step?.snapshot, !snapshot.isFinished {
            send(.key(.char(" ")))
            let after = try XCTUnwrap(state.step?.snapshot)
            XCTAssertEqual(after.position, snapshot.position + 1)
            XCTAssertEqual(state.selectedLayer, after.last?.op, "the layers table follows the step")
            if let patch = after.last?.patch { XCTAssertEqual(state.selectedPatch, patch) }
            // Buffers never overlap and stay inside the arena.
            let blocks = after.blocks.sorted { $0.offset < $1.offset }
            for (a, b) in zip(blocks, blocks.dropFirst()) { XCTAssertLessThanOrEqual(a.end, b.offset, "\(a) overlaps \(b)") }
            XCTAssertLessThanOrEqual(blocks.last?.end ?? 0, after.arenaBytes)
            // Every 7th step: the heatmap's values are the layer-by-layer values of that region.
            if after.position % 7 == 0, let values = after.values, let full = whole[values.tensor] {
                let shape = model.tensors[values.tensor].shape
                guard shape.count == 4 else { continue }
                for row in values.rows { for col in values.cols { for c in [0, values.channels - 1] {
                    XCTAssertEqual(values.value(row: row, col: col, channel: c), full[(row * shape[2] + col) * shape[3] + c], "step \(after.position) \(String(describing: after.last)) t\(values.tensor) region \(values.rows)×\(values.cols) at \(row),\(col),\(c) data \(values.data.count) shape \(shape)")
                } } }
                checkedValues += 1
            }
        }
        XCTAssertGreaterThan(checkedValues, 5)
        let done = try XCTUnwrap(state.step?.snapshot)
        XCTAssertTrue(done.isFinished)
        XCTAssertEqual(done.identical, true)
        XCTAssertEqual(updateWithEffects(state, .key(.char(" "))).effects, [], "nothing left to step")
        XCTAssertTrue(Screen.render(state, width: 120, height: 40).lines().joined().contains("done ✓ identical"))
        XCTAssertEqual(plan.patches, 3)
        send(.key(.char("s")))
        XCTAssertNil(state.step)
    }

    func testStepModeWithoutARuntimeSessionSaysSo() throws {
        var state = try AppState(model: UIFixtures.model(), patches: 3, patchLayers: 13)
        let handler = EffectHandler(planRunner: nil, makeStepDriver: nil)
        let (next, effects) = updateWithEffects(state, .key(.char("s")))
        handler.perform(effects, in: next)
        state = handler.inbox.drain().reduce(next, update)
        XCTAssertNotNil(state.step?.error)
        XCTAssertNotNil(state.step?.error)
        var grid = CellGrid(width: 60, height: 8)
        ArenaMapView.draw(state, into: &grid, rect: grid.bounds)
        XCTAssertTrue(grid.lines()[1].contains("step-through needs"), grid.lines()[1])
    }
}

/// Step mode on every sample model the runtime runs, with both memory options.
final class StepModeModelsTests: XCTestCase {
    func testEverySampleModelStepsToAnIdenticalOutputWithInPlaceDepthwiseAndStreamedInput() throws {
        let names = ["mbv1-w0.25-r96-g", "mbv3s-r96", "mcunet-kmix-r112", "tiny-allops", "resnet8-r32", "dscnn-kws"]
        let options = MemoryOptions(inplaceDepthwise: true, streamInput: true)
        for name in names {
            let model = try UIFixtures.model(name)
            guard let n = (1...min(12, model.operators.count)).last(where: { (try? PatchPlan(model: model, patches: 2, patchLayers: $0, options: options)) != nil }) else { continue }
            let request = RunRequest(generation: 0, patches: 2, patchLayers: n, options: options)
            var driver = try RuntimeStepDriver(model: model, request: request)
            var snapshot = driver.snapshot()
            var sawStaging = false
            while !snapshot.isFinished {
                snapshot = try driver.perform(.next)
                sawStaging = sawStaging || snapshot.blocks.contains { if case .inplaceStaging = $0.kind { true } else { false } }
                var grid = CellGrid(width: 40, height: 12)
                var state = try AppState(model: model, patches: 2, patchLayers: n, options: options)
                state.step = AppState.StepMode(snapshot: snapshot)
                ArenaMapView.draw(state, into: &grid, rect: grid.bounds)
                HeatmapView.draw(state, into: &grid, rect: grid.bounds)
            }
            XCTAssertEqual(snapshot.identical, true, "\(name) p=2 n=\(n)")
            XCTAssertEqual(snapshot.position, snapshot.stepCount)
            if name == "mbv1-w0.25-r96-g" { XCTAssertTrue(sawStaging, "in-place depthwise convs use a staging buffer") }
        }
    }
}

/// `f`, `F`, Backspace and re-plans on the real runtime, through the step worker.
final class StepCommandTests: XCTestCase {
    func testRunToTheEndOfTheOpAndTheModelStepBackAndKeepThePositionOnReplan() throws {
        let model = try UIFixtures.model()
        var state = update(try AppState(model: model, patches: 3, patchLayers: 13), .resize(width: 120, height: 40))
        let handler = EffectHandler(planRunner: nil, makeStepDriver: stepDriverFactory(model))
        func send(_ message: Message) {
            let (next, effects) = updateWithEffects(state, message)
            state = next
            handler.perform(effects, in: state)
            handler.waitForSteps()
            for reply in handler.inbox.drain() { send(reply) }
        }
        send(.key(.char("s")))
        send(.key(.char(" ")))
        XCTAssertEqual(state.step?.snapshot?.last, StepPoint(op: 0, patch: 0))
        // F finishes patch 0's pass through the stage (ops 0–12; the schedule is patch-major).
        send(.key(.char("F")))
        XCTAssertEqual(state.step?.snapshot?.last, StepPoint(op: 12, patch: 0))
        XCTAssertEqual(state.step?.snapshot?.position, 13)
        send(.key(.char("F")))
        XCTAssertEqual(state.step?.snapshot?.last, StepPoint(op: 12, patch: 1))
        XCTAssertEqual(state.step?.snapshot?.position, 26)
        // Backspace replays to one step before.
        send(.key(.backspace))
        XCTAssertEqual(state.step?.snapshot?.position, 25)
        XCTAssertEqual(state.step?.snapshot?.last, StepPoint(op: 11, patch: 1))
        // A re-plan keeps the step when the new plan has it: (op 11, patch 1) exists at p = 4.
        send(.key(.char("P")))
        XCTAssertEqual(state.plan.patches, 4)
        XCTAssertEqual(state.step?.snapshot?.last, StepPoint(op: 11, patch: 1))
        XCTAssertEqual(state.step?.snapshot?.generation, state.runGeneration)
        // After the stage F is one op.
        send(.key(.char("f")))
        send(.key(.backspace))
        send(.key(.backspace))
        let before = try XCTUnwrap(state.step?.snapshot?.position)
        send(.key(.char("F")))
        XCTAssertEqual(state.step?.snapshot?.position, before + 1)
        // f runs to the end: done, and identical.
        send(.key(.char("f")))
        let done = try XCTUnwrap(state.step?.snapshot)
        XCTAssertTrue(done.isFinished)
        XCTAssertEqual(done.identical, true)
        XCTAssertEqual(done.position, done.stepCount)
        let screen = Screen.render(state, width: 120, height: 40)
        XCTAssertTrue(screen.lines().joined().contains("done ✓ identical"))
        XCTAssertEqual(screen.cutTexts, [])
    }

    /// An op the runtime cannot run after the stage: the stage still steps, is checked, and the screen says where it stops.
    func testAModelWithAnOpTheRuntimeLacksStepsUpToIt() throws {
        let base = try UIFixtures.model()
        // Op 30 becomes an op no runtime kernel exists for (a custom op with the same tensors).
        let stopAt = 30
        var ops = base.operators
        ops[stopAt] = Operator(index: stopAt, kind: .other(builtinCode: 32, customName: "NotARealOp"), inputs: ops[stopAt].inputs, outputs: ops[stopAt].outputs)
        let model = try Model(name: "crippled", tensors: base.tensors, operators: ops, inputs: base.inputs, outputs: base.outputs)
        XCTAssertThrowsError(try PreparedModel(model: model))
        let request = RunRequest(generation: 0, patches: 3, patchLayers: 13, options: .tfliteMicro)
        var driver = try RuntimeStepDriver(model: model, request: request)
        let note = try XCTUnwrap(driver.stopNote)
        XCTAssertTrue(note.hasPrefix("stops before op 30 (NotARealOp)"), note)
        let done = try driver.perform(.toEnd)
        XCTAssertTrue(done.isFinished)
        XCTAssertEqual(done.identical, true, "the stage's result matches layer by layer up to the stop")
        XCTAssertEqual(done.last?.op, stopAt - 1)
        XCTAssertEqual(done.stepCount, 13 * 9 + (stopAt - 13))
        var state = try AppState(model: model, patches: 3, patchLayers: 13)
        state.step = AppState.StepMode(snapshot: done)
        let text = Screen.render(state, width: 120, height: 40).lines().joined(separator: "\n")
        XCTAssertTrue(text.contains("stopped ✓ identical"), text)
        XCTAssertTrue(text.contains("stops before op 30"), text)
        // A stage that reaches the op cannot step, and says so.
        XCTAssertThrowsError(try RuntimeStepDriver(model: model, request: RunRequest(generation: 0, patches: 2, patchLayers: 31, options: .tfliteMicro))) { error in
            XCTAssertTrue("\(error)".contains("reaches op 30 (NotARealOp)"), "\(error)")
        }
    }

    /// MIT's MCUNetV2 at its recommended plan steps through its stage (skipped without ../shared/models).
    func testMCUNetV2StepsThroughItsStage() throws {
        let path = UIFixtures.repositoryRoot.appendingPathComponent("../shared/models/tinyengine/mcunetv2_large.tflite").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        let model = try TFLiteReader.load(path: path)
        let request = RunRequest(generation: 0, patches: 7, patchLayers: 12, options: .tfliteMicro)
        var driver = try RuntimeStepDriver(model: model, request: request)
        let done = try driver.perform(.toEnd)
        XCTAssertTrue(done.isFinished)
        XCTAssertEqual(done.identical, true, driver.stopNote ?? "ran to the end")
    }
}

/// The app's own loop, headless: the same update, effects and render the terminal runs.
final class AppLoopTests: XCTestCase {
    func testTheLoopRunsTheModelAnswersKeysAndDrawsWhatTheMouseHits() throws {
        let model = try UIFixtures.model()
        let state = try AppState(model: model, patches: 3, patchLayers: 13, board: SRAMBudget.board(named: "STM32F746"))
        let backend = HeadlessBackend(width: 120, height: 40)
        let effects = EffectHandler(planRunner: ArenaPlanRunner(model: model), makeStepDriver: stepDriverFactory(model), sweepModel: model)
        var log: [String] = []
        let loop = AppLoop(state: state, backend: backend, effects: effects, log: { log.append($0) })
        defer { effects.stop() }
        loop.open()
        XCTAssertTrue(loop.settle(timeout: 60) { if case .finished = $0.run { $0.pareto != nil } else { false } })
        let frame = try XCTUnwrap(backend.lastFrame)
        XCTAssertTrue(frame.lines()[38].hasPrefix("✓ identical  peak 121.4 KiB"), frame.lines()[38])
        XCTAssertEqual(loop.state.pareto?.options, .tfliteMicro, "the sweep came back from the background")
        XCTAssertTrue(log.contains { $0.hasPrefix("frame key") == false && $0.hasPrefix("frame start") })
        // Keys go through the same update; the frame drawn is the state's layout.
        loop.send(.key(.char("v")))
        XCTAssertTrue(backend.lastFrame?.lines().joined().contains("Pareto") == true)
        loop.send(.key(.escape))
        loop.send(.key(.char("G")))
        let layout = try XCTUnwrap(loop.state.layout)
        XCTAssertEqual(layout, Screen.layout(loop.state))
        let row = layout.layerRows
        loop.send(.mouseClick(x: row.x.lowerBound + 4, y: row.y + 2))
        XCTAssertEqual(loop.state.selectedLayer, row.first + 2)
        XCTAssertTrue(backend.lastFrame?[row.x.lowerBound + 4, row.y + 2].style.reverse == true, "the clicked row is drawn selected where it was")
        // Step mode through the loop: f to the end, on the step worker.
        loop.send(.key(.char("s")))
        XCTAssertTrue(loop.settle(timeout: 60) { $0.step?.snapshot != nil })
        loop.send(.key(.char("f")))
        XCTAssertTrue(loop.settle(timeout: 60) { $0.step?.snapshot?.isFinished == true })
        XCTAssertTrue(backend.lastFrame?.lines().joined().contains("done ✓ identical") == true)
        XCTAssertGreaterThan(backend.frames, 8)
    }
}
