import Foundation
import PatchTopModel
import PatchTopPlan
import PatchTopReports
import PatchTopUI
import XCTest

/// Issue 23, findings 1 and 2: every budget verdict holds one named figure,
/// the SRAM the chosen engine needs for the plan, the same on the top line,
/// in the memory title, in the Pareto chart and in the report header; and
/// TinyEngine is never recommended a plan it computes wrongly, whose
/// warnings the TUI and its export show.
final class EngineVerdictTests: XCTestCase {
    static func sharedModel(_ name: String) throws -> Model {
        // ../shared/models beside the repository, or where PATCHTOP_SHARED_MODELS says (a worktree).
        let shared = ProcessInfo.processInfo.environment["PATCHTOP_SHARED_MODELS"].map { URL(fileURLWithPath: $0) }
            ?? UIFixtures.repositoryRoot.appendingPathComponent("../shared/models")
        let path = shared.appendingPathComponent("tinyengine/\(name).tflite").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) is absent") }
        return try TFLiteReader.load(path: path)
    }

    func teState(patches: Int = 3, patchLayers: Int = 13, board: String = "STM32F746") throws -> AppState {
        let model = try UIFixtures.model()
        var s = try AppState(model: model, patches: patches, patchLayers: patchLayers, board: SRAMBudget.board(named: board),
                             pareto: UIFixtures.pareto(model))
        s.engine = .tinyengine
        return update(s, .resize(width: 120, height: 40))
    }

    func testTheTinyEngineFigureIsTheOneEveryViewShows() throws {
        let s = try teState(patches: 4, patchLayers: 10)
        XCTAssertEqual(s.engines.tinyEngineWarnings, [])
        let te = try TinyEngineEstimate.of(model: s.model, patches: 4, patchLayers: 10).get().memory.peakMemBytes
        XCTAssertEqual(s.required.bytes, te)
        XCTAssertNotEqual(te, s.plan.peakBytes, "the engine's figure, not the plan's peak")
        let budget = try XCTUnwrap(s.budget)
        let words = "TinyEngine PEAK_MEM \(kib(te)) KiB fits, \(kib(budget.bytes - te)) KiB free"
        XCTAssertEqual(MemoryView.title(s, width: 200), "Memory KiB: layer │ plan — STM32F746: \(words)")
        // Narrower, the figure stays named.
        for width in [40, 30, 20] {
            let title = MemoryView.title(s, width: width)
            XCTAssertTrue(title.contains(kib(te)) && title.contains("TE"), "\(width): \(title)")
        }
        let top = Screen.render(s, width: 120, height: 40).lines()[1]
        XCTAssertTrue(top.contains("TE PEAK_MEM \(kib(te)) KiB fits") || top.contains("TE \(kib(te)) fits"), top)
        let header = ReportRenderer(state: s, width: 120, height: 40, date: "d").headerLines()
        XCTAssertTrue(header.contains("SRAM budget     320.0 KiB (STM32F746): \(words)"), header.joined(separator: "\n"))
        XCTAssertTrue(header.contains("engine          TinyEngine PEAK_MEM \(formatBytes(te)) (\(formatCount(te)) B)"), header.joined(separator: "\n"))
        // The Pareto chart's marked plan: its own TinyEngine figure.
        var pareto = update(s, .key(.char("v")))
        pareto = update(pareto, .resize(width: 200, height: 60))
        let cursor = pareto.paretoFront[pareto.paretoCursor]
        let cursorTE = try XCTUnwrap(cursor.tinyEngineBytes)
        XCTAssertEqual(cursorTE, try TinyEngineEstimate.of(model: s.model, patches: cursor.patches, patchLayers: cursor.patchLayers).get().memory.peakMemBytes)
        let screen = Screen.render(pareto, width: 200, height: 60).lines().joined(separator: "\n")
        XCTAssertTrue(screen.contains("TinyEngine PEAK_MEM \(kib(cursorTE)) KiB"), screen)
        // Issue 23: the chart's height is the figure the engine is compared
        // by: TinyEngine's PEAK_MEM (its title says so), and its front is
        // over that figure, never a plan TinyEngine computes wrongly.
        XCTAssertTrue(screen.contains("Pareto: TE PEAK_MEM vs MAC overhead"), screen)
        XCTAssertFalse(pareto.paretoFront.isEmpty)
        for point in pareto.paretoFront {
            XCTAssertFalse(point.tinyEngineWrong, "\(point.label)")
            XCTAssertNotNil(point.tinyEngineBytes)
        }
        let peaks = pareto.paretoFront.compactMap(\.tinyEngineBytes), macs = pareto.paretoFront.map(\.macs)
        XCTAssertEqual(peaks, peaks.sorted(), "the front rises in PEAK_MEM")
        XCTAssertEqual(macs, macs.sorted(by: >), "and falls in MACs")
        XCTAssertNotEqual(pareto.paretoFront, pareto.pareto?.front, "not the front over the plans' own peaks")
    }

    func testTFLiteMicroHoldsItsWholeArenaAndHasNoVerdictOnAPatchPlan() throws {
        let model = try UIFixtures.model()
        let arena = try TFLiteMicroArena.predict(for: model).get().arenaBytes
        var s = try AppState(model: model, patches: 1, patchLayers: 0, board: SRAMBudget.board(named: "STM32H743"))
        s = update(s, .resize(width: 120, height: 40))
        XCTAssertEqual(s.required.bytes, arena)
        XCTAssertTrue(MemoryView.title(s, width: 200).hasSuffix("TFLite Micro arena \(kib(arena)) KiB fits, \(kib(512 * 1024 - arena)) KiB free"))
        XCTAssertTrue(Screen.render(s, width: 120, height: 40).lines()[1].contains("TFLM arena \(kib(arena)) KiB fits"))
        // A patch plan: TFLite Micro cannot run it, so no verdict, and the title says why (never the plan's peak instead).
        let patched = update(s, .planRecomputed(patches: 8, patchLayers: 4))
        XCTAssertNil(patched.required.bytes)
        XCTAssertEqual(MemoryView.title(patched, width: 200), "Memory KiB: layer │ plan — STM32H743: no verdict: TFLite Micro runs layer by layer only")
        XCTAssertFalse(MemoryView.title(patched, width: 200).contains("fits"))
        XCTAssertTrue(Screen.render(patched, width: 120, height: 40).lines()[1].contains("TFLM arena –"))
        // Halo caches raise the peak past anything TinyEngine runs: no TinyEngine verdict either.
        var cached = try teState()
        cached = update(cached, .key(.char("H")))
        cached = update(cached, .key(.char("H")))
        XCTAssertEqual(cached.caching, .all)
        XCTAssertFalse(cached.plan.caches.isEmpty)
        XCTAssertNil(cached.required.bytes)
        XCTAssertTrue(MemoryView.title(cached, width: 200).hasSuffix("no verdict: TinyEngine has no halo caches"))
    }

    /// p=4 n=13 on the sample model: 18×18 does not divide by 4, and a
    /// residual ADD reads across the split. Both are said in the TUI and the `e` export.
    func testTinyEngineWarningsAreShownOnScreenAndInTheExport() throws {
        let s = try teState(patches: 4, patchLayers: 13)
        XCTAssertFalse(s.engines.tinyEngineWarnings.isEmpty)
        let status = Screen.render(s, width: 200, height: 60).lines()[58]
        XCTAssertTrue(status.contains("! TinyEngine: p=4 does not divide the 18×18 stage output evenly"), status)
        XCTAssertTrue(Screen.render(s, width: 80, height: 24).lines()[22].contains("! TinyEngine computes this plan wrongly")
                      || Screen.render(s, width: 80, height: 24).lines()[22].contains("! TE"), Screen.render(s, width: 80, height: 24).lines()[22])
        let (_, effects) = updateWithEffects(s, .key(.char("e")))
        guard case .export(_, let report)? = effects.first else { return XCTFail("e exports") }
        XCTAssertTrue(report.contains("\nsplit index     13 (TinyEngine's split_index for n=13"), report)
        XCTAssertTrue(report.contains("\n  explained     this plan needs"), report)
        XCTAssertTrue(report.contains("\n  ! p=4 does not divide the 18×18 stage output evenly"), report)
        // Under TFLite Micro the status line does not carry TinyEngine's warnings.
        var tflm = s
        tflm.engine = .tflm
        XCTAssertFalse(Screen.render(tflm, width: 200, height: 60).lines()[58].contains("! TinyEngine"))
    }

    func testTinyEngineIsNeverRecommendedAPlanItComputesWrongly() throws {
        let model = try UIFixtures.model()
        let data = UIFixtures.pareto(model)
        XCTAssertTrue(data.points.contains { $0.tinyEngineWrong }, "the sample model has plans TinyEngine gets wrong")
        for budget in [nil] + SRAMBudget.boards + [SRAMBudget(name: "SRAM", bytes: 64 * 1024)] {
            let pick = try XCTUnwrap(data.recommendation(budget: budget, engine: .tinyengine, tflm: EngineFigures.tflmArena(for: model)))
            let estimate = try TinyEngineEstimate.of(model: model, patches: pick.point.patches, patchLayers: pick.point.patchLayers).get()
            XCTAssertEqual(estimate.memory.patchWarnings, [], "\(budget?.name ?? "none"): \(pick)")
            if let budget, pick.reason.hasPrefix("fewest") { XCTAssertLessThanOrEqual(estimate.memory.peakMemBytes, budget.bytes) }
        }
    }

    /// The issue's case: mcunetv2_large, nRF52840, TinyEngine.
    func testMCUNetV2LargeOpensAtAPlanTinyEngineComputesRightly() throws {
        let model = try Self.sharedModel("mcunetv2_large")
        let s = try AppState.opening(model: model, patches: nil, patchLayers: nil, options: .tfliteMicro,
                                     budget: SRAMBudget.board(named: "nRF52840"), engine: .tinyengine)
        XCTAssertEqual(s.engines.tinyEngineWarnings, [], "opened at p=\(s.plan.patches) n=\(s.plan.patchLayers)")
        XCTAssertNotNil(s.required.bytes)
        XCTAssertTrue(s.statusMessage.contains("PEAK_MEM"), s.statusMessage)
    }
}

/// Issue 23, finding 3: a non-square stage output that p divides (MIT's
/// detector: 32×40 at p=8 is 4×5 patches) is not flagged, and TinyEngine's
/// breakdown never shows negative allocator gaps.
final class TinyEngineNonSquareTests: XCTestCase {
    func testEvenCutsOfANonSquareMapAreNotFlaggedAndGapsAreNeverNegative() throws {
        let model = try EngineVerdictTests.sharedModel("detection")
        for p in [2, 4, 8] {
            let estimate = try TinyEngineEstimate.of(model: model, patches: p, patchLayers: 9).get()
            XCTAssertFalse(estimate.warnings.contains { $0.contains("does not divide") }, "p=\(p): \(estimate.warnings)")
            let overheads = try XCTUnwrap(estimate.overheads)
            XCTAssertGreaterThanOrEqual(overheads.allocatorGapBytes, 0, "p=\(p)")
            XCTAssertEqual(overheads.total, estimate.memory.peakMemBytes)
            let text = TinyEngineLines.lines(estimate).joined(separator: "\n")
            XCTAssertFalse(text.contains("leave  wrong"), text)
            XCTAssertFalse(text.contains("gaps -"), text)
        }
        // An uneven cut is still flagged, with what it misses: 32×40 at p=3 is 10×13 patches.
        let uneven = try TinyEngineEstimate.of(model: model, patches: 3, patchLayers: 9).get()
        XCTAssertTrue(uneven.warnings.contains { $0.contains("does not divide the 32×40") && $0.contains("its last 2 rows and its last 1 column") }, "\(uneven.warnings)")
    }
}
private func kib(_ bytes: Int) -> String { formatFixed(Double(bytes) / 1024, decimals: 1) }
